import type { Piscina } from 'piscina';
import type { EncodedBatch } from '../../model/encoded-batch.js';
import type { ChunkSpec } from '../../source/snapshot/chunk.js';
import type { ChunkResult, ChunkTask } from './chunk-task.js';

/** What the snapshot needs from the sink: writes that wait when the byte budget is spent. */
export interface BatchWriter {
  write(batch: EncodedBatch): Promise<void>;
}

export interface SnapshotRunOptions {
  pool: Piscina<ChunkTask, ChunkResult>;
  chunks: readonly ChunkSpec[];
  taskFor: (chunk: ChunkSpec) => ChunkTask;
  /** how many chunks are read at once (snapshot.parallelism) */
  parallelism: number;
  sink: BatchWriter;
  /** called when a chunk's batches are all handed to the sink; acks arrive later through the sink */
  onChunkWritten: (chunk: ChunkSpec, result: ChunkResult) => void;
  /** stops handing out new chunks (SIGINT/SIGTERM); chunks in progress finish */
  signal?: AbortSignal;
}

/**
 * Reads chunks on the pool, `parallelism` at a time, and writes each chunk's batches to the sink in
 * order. A chunk's batches are written before the next result is taken, and `write` waits while the sink's
 * budget is spent, so a slow Kafka slows the reads instead of growing the heap (DESIGN §2).
 */
export async function runSnapshotChunks(o: SnapshotRunOptions): Promise<void> {
  const queue = [...o.chunks];
  let failure: unknown = null;
  // The sink is written from one place at a time so each chunk's batches stay together per partition.
  let writing: Promise<void> = Promise.resolve();

  const lane = async (): Promise<void> => {
    while (queue.length && !failure && !o.signal?.aborted) {
      const chunk = queue.shift() as ChunkSpec;
      const result = await o.pool.run(o.taskFor(chunk));
      const write = writing.then(async () => {
        for (const b of result.batches) if (b.count > 0) await o.sink.write(b);
        o.onChunkWritten(chunk, result);
      });
      writing = write.catch(() => undefined);
      await write;
    }
  };

  const lanes = Array.from({ length: Math.max(1, Math.min(o.parallelism, o.chunks.length)) }, () =>
    lane().catch((e: unknown) => {
      failure ??= e;
    }),
  );
  await Promise.all(lanes);
  await writing;
  if (failure) throw failure;
}
