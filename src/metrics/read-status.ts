import { StateError } from '../errors.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STATUS_FILE, type JobStatus } from './job-status.js';

export interface StatusView {
  status: JobStatus | null;
  /** the job process is alive and wrote its status within the last few seconds */
  running: boolean;
  /** why it is not running, when it is not */
  note: string | null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads the status a job publishes and decides whether that job is still running. */
export async function readStatus(stateDir: string, staleAfterMs = 5000): Promise<StatusView> {
  let text: string;
  try {
    text = await readFile(join(stateDir, STATUS_FILE), 'utf8');
  } catch {
    return { status: null, running: false, note: `no status in ${stateDir}: the job has not run yet` };
  }
  let status: JobStatus;
  try {
    status = JSON.parse(text) as JobStatus;
  } catch (e) {
    // the job rewrites it every second by rename, so a torn file is not sluice's own; say which file it is
    throw new StateError(`The status file ${join(stateDir, STATUS_FILE)} is not valid JSON (${(e as Error).message}): it is rewritten while the job runs, so start the job again or delete the file.`, { cause: e });
  }
  const age = Date.now() - Date.parse(status.updatedAt);
  if (status.phase === 'stopped' || status.phase === 'failed') {
    return { status, running: false, note: `${status.phase} since ${status.phaseSince}` };
  }
  if (!alive(status.pid) || age > staleAfterMs) {
    return { status, running: false, note: `not running: the process (pid ${status.pid}) ended without stopping cleanly (killed or crashed); last seen ${status.updatedAt}` };
  }
  return { status, running: true, note: null };
}
