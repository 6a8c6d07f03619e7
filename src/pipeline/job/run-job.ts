import type { JobConfig } from '../../config/index.js';
import type { StatusPublisher } from '../../metrics/job-status.js';
import { openLocalStateStore, type StateStore } from '../../state/index.js';
import { IncrementalStatus } from './incremental-status.js';
import { openPlanningConnection, prepareTopics, snapshotPlanned, startingCheckpoint } from './job-start.js';
import { JobLifecycle } from './lifecycle.js';
import { runIncremental } from './run-incremental.js';
import { SnapshotPhase, type SnapshotOutcome } from './snapshot-phase.js';
import { readSourceModel } from './source-model.js';

export interface RunOptions {
  /** stop after the snapshot (the incremental phase is not started) */
  snapshotOnly: boolean;
  /** where progress goes (a terminal gets redrawn bars) */
  progressOut: NodeJS.WriteStream;
  log: (line: string) => void;
  /** a WARN line (an outage and its end); default: log */
  warn?: (line: string) => void;
  /** aborted on SIGINT/SIGTERM: stop handing out work, flush, checkpoint, return */
  signal?: AbortSignal;
  /** publishes the job's status for `sluice status` */
  status?: StatusPublisher;
  /** the job's phases (the caller ends it: stopped or failed); default: one of its own */
  lifecycle?: JobLifecycle;
  /** `sluice run --resnapshot`: move the checkpoint aside and start over (schema, snapshot, binlog) */
  resnapshot?: boolean;
  /** the job's state store (its checkpoint part is used here); default: the local directory job.state.dir */
  state?: StateStore;
}

export interface RunSummary extends SnapshotOutcome {
  elapsedMs: number;
}

/**
 * `sluice run` after precheck (DESIGN §2), phase by phase: the start (checkpoint, source model, topics, snapshot
 * plan with the binlog position captured before the first row), the snapshot (schema records and chunks,
 * resumable), then the binlog from that position or the last checkpoint until a stop signal.
 */
export async function runJob(job: JobConfig, opts: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const lifecycle = opts.lifecycle ?? new JobLifecycle();
  const warn = opts.warn ?? opts.log;
  const store = (opts.state ?? openLocalStateStore(job.state.dir)).checkpoint;
  const resumed = await startingCheckpoint(store, job, opts.resnapshot === true, opts.log);
  const conn = await openPlanningConnection(job);
  let snapshot: SnapshotPhase | null = null;
  try {
    const model = await readSourceModel(conn, job);
    const partitions = await prepareTopics(job, model, store);
    const checkpoint = await snapshotPlanned(conn, job, model, store, resumed, opts.log);
    const { progressOut, log, signal, status } = opts;
    snapshot = new SnapshotPhase({ job, conn, model, partitions, store, checkpoint, lifecycle, log, warn, progressOut, ...(signal ? { signal } : {}), ...(status ? { status } : {}) });
    const outcome = await snapshot.run();
    if (opts.snapshotOnly || !outcome.finished || signal?.aborted) return { ...outcome, elapsedMs: Date.now() - started };

    await snapshot.close();
    log(`snapshot finished: ${outcome.snapshotRows} rows in ${((Date.now() - started) / 1000).toFixed(1)} s, ${outcome.skippedChunks} chunk(s) were already done`);
    lifecycle.enter('incremental');
    const watch = status && (await IncrementalStatus.create(status, { bufferBytes: Math.max(32 << 20, 4 * job.producer.batchBytes) }));
    const phase = snapshot;
    await runIncremental({
      job,
      model,
      partitions,
      checkpoint: phase.current,
      store,
      log,
      warn,
      ...(signal ? { signal } : {}),
      onCheckpoint: (cp) => {
        phase.current = cp;
        phase.savedAt = new Date().toISOString();
      },
      ...(watch ? { status: watch } : {}),
    });
    return { ...outcome, elapsedMs: Date.now() - started };
  } finally {
    await snapshot?.close();
    conn.destroy();
  }
}
