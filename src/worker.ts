/**
 * The piscina worker entry. Each task is plain data; rows never cross threads as objects (DESIGN §2):
 * a snapshot task reads its chunk on the worker's own connection and returns packed EncodedBatches; a binlog
 * task decodes and encodes rows events the main thread sent as bytes.
 */
import { Piscina } from 'piscina';
import { transferList } from './model/encoded-batch.js';
import { startMemoryLog } from './pipeline/snapshot/debug-memory.js';
import { runChunkTask, type ChunkResult, type ChunkTask } from './pipeline/snapshot/chunk-task.js';
import { runRowsTask, type RowsTask, type RowsTaskResult } from './pipeline/binlog/rows-task.js';

export type WorkerTask = ChunkTask | RowsTask;
export type WorkerResult = ChunkResult | RowsTaskResult;

startMemoryLog();

export default async function work(task: WorkerTask): Promise<WorkerResult> {
  switch (task.kind) {
    case 'snapshot-chunk':
      return runChunkTask(task);
    case 'binlog-rows': {
      const result = runRowsTask(task);
      // the batches' buffers move to the main thread instead of being copied there
      const movable = { [Piscina.transferableSymbol]: result.batches.flatMap(transferList), [Piscina.valueSymbol]: result };
      return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]) as unknown as RowsTaskResult;
    }
  }
}
