/**
 * One end-to-end snapshot run as a user runs it: a generated job file in a temp dir, a fresh state dir and
 * a fresh topic, `node bin/sluice.js run job.yaml --snapshot-only --skip-precheck` as a child process,
 * measured from the outside (measure-process) and read back by the observer (topic-observer).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { repoRoot } from '../lib/results.js';
import { measureProcess, type ProcessFigures } from '../lib/measure-process.js';
import { createObservedTopic, observeTopic, type TopicFigures } from '../lib/topic-observer.js';
import { KAFKA, MYSQL } from '../../test/support/services.js';

export interface SluiceRunSpec {
  db: string;
  table: string;
  partitions: number;
  /** job-file sections merged over the defaults (snapshot, partitioning, …) */
  extra?: Record<string, unknown>;
  /** extra environment */
  env?: Record<string, string>;
  /** node flags before the script (--cpu-prof …; NODE_OPTIONS refuses --cpu-prof); worker threads inherit them */
  nodeArgs?: string[];
  watch?: Record<string, number[]>;
  echo?: boolean;
  /**
   * the sluice checkout whose bin/sluice.js runs (default: this repository). A clean export of a commit,
   * built on its own, keeps the measurement away from a dist/ that others rebuild mid-run.
   */
  sluiceDir?: string;
}

export interface SluiceRun {
  proc: ProcessFigures;
  topic: TopicFigures;
  /** data records (INIT) seen by the observer; the schema DDL record is excluded */
  rows: number;
  /** rows ÷ broker append time from the first to the last data record */
  observedRowsPerSec: number;
  /** rows ÷ the child's wall time (spawn to exit: node start, connect, plan, schema init, snapshot, teardown) */
  wallRowsPerSec: number;
  /** what sluice itself printed, rows/s */
  reportedRowsPerSec: number | null;
  mbPerSec: number;
  cpuSecPer1M: number;
  jobFile: string;
}

export function jobDocument(spec: SluiceRunSpec, topic: string, stateDir: string): Record<string, unknown> {
  return {
    source: { host: MYSQL.host, port: MYSQL.port, user: MYSQL.sluice.user, password: MYSQL.sluice.password, serverId: 6100 + Math.floor(Math.random() * 800) },
    target: { brokers: [KAFKA.plaintext], topic, clientId: 'sluice-bench' },
    objects: [{ name: `${spec.db}.${spec.table}`, partitions: spec.partitions }],
    state: { dir: stateDir },
    producer: { compression: 'lz4' },
    ...spec.extra,
  };
}

export async function runSluiceSnapshot(admin: Admin, spec: SluiceRunSpec): Promise<SluiceRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-snap-'));
  const topic = `sluice-bench-snap-${spec.table}-${randomUUID().slice(0, 8)}`;
  await createObservedTopic(admin, topic, spec.partitions);
  const jobFile = join(dir, 'job.yaml');
  // JSON is YAML
  writeFileSync(jobFile, JSON.stringify(jobDocument(spec, topic, join(dir, 'state')), null, 2));
  try {
    const env = { ...process.env, ...spec.env };
    if (!spec.env?.NODE_OPTIONS) delete env.NODE_OPTIONS;
    const proc = await measureProcess(process.execPath, [...(spec.nodeArgs ?? []), join(spec.sluiceDir ?? repoRoot(), 'bin', 'sluice.js'), 'run', jobFile, '--snapshot-only', '--skip-precheck'], {
      cwd: dir,
      env,
      ...(spec.watch ? { watch: spec.watch } : {}),
      ...(spec.echo ? { echo: true } : {}),
    });
    if (proc.exitCode !== 0) throw new Error(`sluice exited with ${proc.exitCode}:\n${proc.stderr.slice(-3000)}`);
    const fig = await observeTopic([KAFKA.plaintext], topic, { skipKeyPrefix: spec.db });
    const rows = fig.records;
    const span = (fig.lastMs - fig.firstMs) / 1000;
    const m = /snapshot finished: (\d+) rows in [\d.]+ s \((\d+) rows\/s\)/.exec(proc.stderr);
    if (m && Number(m[1]) !== rows) throw new Error(`sluice reported ${m[1]} rows, the topic holds ${rows}`);
    return {
      proc,
      topic: fig,
      rows,
      observedRowsPerSec: rows / Math.max(span, 0.001),
      wallRowsPerSec: rows / (proc.wallMs / 1000),
      reportedRowsPerSec: m ? Number(m[2]) : null,
      mbPerSec: fig.valueBytes / 1e6 / Math.max(span, 0.001),
      cpuSecPer1M: ((proc.userSec + proc.sysSec) / rows) * 1e6,
      jobFile,
    };
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
