/**
 * The piscina pools of a job, from one factory: both load the one worker file and bound each thread's young
 * generation. The snapshot's pool (snapshot-phase.ts) is sized by snapshot.parallelism and runs chunk tasks;
 * the binlog phase's runs rows tasks (rows-task.ts) on workers.threads threads.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { RowsPool } from '../binlog/change-stream.js';
import type { RowsTask, RowsTaskResult } from '../binlog/rows-task.js';

export const WORKER_FILE = fileURLToPath(new URL('../../worker-entry.cjs', import.meta.url));

/**
 * Young generation size of each worker thread, MB (README "Environment variables"): a worker's live heap is
 * a few MB (a few batches, not a chunk), and V8's default 48 MB per thread was most of its RSS.
 */
export const WORKER_YOUNG_GENERATION_MB = Number(process.env.SLUICE_WORKER_YOUNG_MB) || 12;

export interface PoolSize {
  minThreads: number;
  maxThreads: number;
  /** tasks one thread may run at once (snapshot readers wait on I/O most of the time) */
  tasksPerThread?: number;
}

export function jobWorkerPool<T, R>(size: PoolSize): Piscina<T, R> {
  return new Piscina<T, R>({
    filename: WORKER_FILE,
    minThreads: size.minThreads,
    maxThreads: size.maxThreads,
    ...(size.tasksPerThread ? { concurrentTasksPerWorker: size.tasksPerThread } : {}),
    idleTimeout: 60_000,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
}

export interface BinlogWorkers extends RowsPool {
  destroy(): Promise<void>;
}

/** `threads` workers (workers.threads) that decode and encode rows events for the binlog phase. */
export function binlogWorkers(threads: number): BinlogWorkers {
  const pool = jobWorkerPool<RowsTask, RowsTaskResult>({ minThreads: threads, maxThreads: threads });
  return {
    run: (task, transferList) => pool.run(task, { transferList }),
    destroy: () => pool.destroy(),
  };
}
