/**
 * The piscina pools of a job: the worker file they load, and the binlog phase's pool for rows tasks
 * (rows-task.ts). The snapshot builds its own (snapshot-phase.ts), sized by snapshot.parallelism.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { RowsPool } from '../binlog/change-stream.js';
import type { RowsTask, RowsTaskResult } from '../binlog/rows-task.js';
import { WORKER_YOUNG_GENERATION_MB } from '../snapshot/run-snapshot.js';

export const WORKER_FILE = fileURLToPath(new URL('../../worker-entry.cjs', import.meta.url));

export interface BinlogWorkers extends RowsPool {
  destroy(): Promise<void>;
}

/** `threads` workers (workers.threads) that decode and encode rows events for the binlog phase. */
export function binlogWorkers(threads: number): BinlogWorkers {
  const pool = new Piscina<RowsTask, RowsTaskResult>({
    filename: WORKER_FILE,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  return {
    run: (task, transferList) => pool.run(task, { transferList }),
    destroy: () => pool.destroy(),
  };
}
