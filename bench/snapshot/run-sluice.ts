/**
 * One end-to-end snapshot run as a user runs it: a generated job file in a temp dir, a fresh state dir and
 * a fresh topic, `node bin/sluice.js run job.yaml --snapshot-only --skip-precheck` as a child process,
 * measured from the outside (measure-process) and read back by the observer (topic-observer).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  /** the ETA sluice's status showed at 25 % of the rows vs the actual finish (null: no status sample had one) */
  etaAt25Pct: EtaCheck | null;
}

/**
 * `etaSec`: the ETA in the first status.json (sampled every 200 ms, written by sluice every second) whose
 * rows reach 25 % of the rows the topic ends up holding; `actualSec`: from that status's updatedAt to the
 * broker append time of the last data record; errorPct = (eta − actual) / actual.
 */
export interface EtaCheck {
  etaSec: number | null;
  actualSec: number;
  errorPct: number | null;
  /** rows read ÷ final rows in that status */
  atFraction: number;
  estimatedRows: number;
  rowsPerSecShown: number;
}

interface StatusSample {
  updatedAtMs: number;
  rows: number;
  estimatedRows: number;
  etaSec: number | null;
  rowsPerSec: number;
}

/** Reads the job's status.json every 200 ms while the run goes; stop() returns the distinct samples. */
function sampleStatus(stateDir: string): { stop: () => StatusSample[] } {
  const samples: StatusSample[] = [];
  let last = '';
  const timer = setInterval(() => {
    let text: string;
    try {
      text = readFileSync(join(stateDir, 'status.json'), 'utf8');
    } catch {
      return;
    }
    if (text === last) return;
    last = text;
    try {
      const st = JSON.parse(text) as { updatedAt: string; phase: string; snapshot: Array<{ rows: number; estimatedRows: number; etaSec: number | null; rowsPerSec: number }> };
      const t = st.snapshot[0];
      if (st.phase === 'snapshot' && t) samples.push({ updatedAtMs: Date.parse(st.updatedAt), rows: t.rows, estimatedRows: t.estimatedRows, etaSec: t.etaSec, rowsPerSec: t.rowsPerSec });
    } catch {
      // a partial read cannot happen (rename), but an older sluice may write another shape
    }
  }, 200);
  return {
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}

function etaCheck(samples: StatusSample[], rows: number, lastRecordMs: number): EtaCheck | null {
  const s = samples.find((x) => x.rows >= rows / 4);
  if (!s) return null;
  const actualSec = (lastRecordMs - s.updatedAtMs) / 1000;
  return {
    etaSec: s.etaSec,
    actualSec: Number(actualSec.toFixed(2)),
    errorPct: s.etaSec === null || actualSec <= 0 ? null : Number((((s.etaSec - actualSec) / actualSec) * 100).toFixed(1)),
    atFraction: Number((s.rows / rows).toFixed(3)),
    estimatedRows: s.estimatedRows,
    rowsPerSecShown: s.rowsPerSec,
  };
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
    const sampler = sampleStatus(join(dir, 'state'));
    const proc = await measureProcess(process.execPath, [...(spec.nodeArgs ?? []), join(spec.sluiceDir ?? repoRoot(), 'bin', 'sluice.js'), 'run', jobFile, '--snapshot-only', '--skip-precheck'], {
      cwd: dir,
      env,
      ...(spec.watch ? { watch: spec.watch } : {}),
      ...(spec.echo ? { echo: true } : {}),
    });
    const samples = sampler.stop();
    if (proc.exitCode !== 0) throw new Error(`sluice exited with ${proc.exitCode}:\n${proc.stderr.slice(-3000)}`);
    const fig = await observeTopic([KAFKA.plaintext], topic, { skipKeyPrefix: spec.db, times: true });
    const rows = fig.records;
    const span = (fig.lastMs - fig.firstMs) / 1000;
    const m = /snapshot finished: (\d+) rows,[^"\n]* \((\d+) rows\/s\)/.exec(proc.stderr);
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
      etaAt25Pct: etaCheck(samples, rows, fig.lastMs),
    };
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
