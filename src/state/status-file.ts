import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StateError } from '../errors.js';
import type { JobStatus, StatusView } from '../model/index.js';

export const STATUS_FILE = 'status.json';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The job's status in `<state dir>/status.json`: each document is written then renamed, so a reader never sees
 * half a file, in the order published; reading it decides whether the job that wrote it is still running.
 */
export class StatusFile {
  readonly path: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {
    this.path = join(dir, STATUS_FILE);
  }

  /** Writes the document as it is now (it is serialised before this returns); writes land in call order. */
  publish(status: JobStatus): Promise<void> {
    const text = JSON.stringify(status, null, 1);
    const tmp = `${this.path}.tmp-${process.pid}`;
    const done = this.writing.then(async () => {
      await mkdir(this.dir, { recursive: true });
      await writeFile(tmp, text);
      await rename(tmp, this.path);
    });
    this.writing = done.catch(() => undefined);
    return done;
  }

  /** The status the job last published, and whether that job is still running. */
  async read(staleAfterMs = 5000): Promise<StatusView> {
    const stateDir = this.dir;
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
}
