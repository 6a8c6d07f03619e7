import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { EncodedBatch } from '../../model/encoded-batch.js';
import type { ChunkSpec } from '../../source/snapshot/chunk.js';
import type { ChunkCredit, ChunkResult, ChunkStreamMessage, ChunkTask } from './chunk-task.js';
import { startMemoryLog } from './debug-memory.js';

/** What the snapshot needs from the sink: writes that wait when the byte budget is spent. */
export interface BatchWriter {
  write(batch: EncodedBatch): Promise<void>;
  /** for SLUICE_DEBUG_MEMORY */
  stats?: { queuedBytes: number };
}

/** The task for a chunk, without its stream (port and window are added here). */
export type ChunkTaskBase = Omit<ChunkTask, 'port' | 'window'>;

/** Batches a chunk's task may post ahead of the sink accepting them (~1 MB each). */
export const STREAM_WINDOW = 4;

/** The pool's workers: young generation size (resourceLimits.maxYoungGenerationSizeMb). */
export const WORKER_YOUNG_GENERATION_MB = Number(process.env.SLUICE_WORKER_YOUNG_MB) || 12;

export interface SnapshotRunOptions {
  pool: Piscina<ChunkTask, ChunkResult>;
  chunks: readonly ChunkSpec[];
  taskFor: (chunk: ChunkSpec) => ChunkTaskBase;
  /** how many chunks are read at once (snapshot.parallelism) */
  parallelism: number;
  /**
   * Every batch of every chunk goes here, in the chunk's order, the chunk's last one (endPosition.chunkDone,
   * possibly empty: a chunk without rows) included; acks arrive later through the sink.
   */
  sink: BatchWriter;
  /** called when all of a chunk's batches are handed to the sink */
  onChunkWritten: (chunk: ChunkSpec, result: ChunkResult) => void;
  /** stops handing out new chunks (SIGINT/SIGTERM); chunks in progress finish */
  signal?: AbortSignal;
  /** batches a task may post before the sink has taken them (default STREAM_WINDOW) */
  window?: number;
}

/**
 * Reads chunks on the pool, `parallelism` at a time. A task streams its chunk's batches over its own
 * MessagePort as they fill (buffers transferred, not copied) and may run only `window` batches ahead of the
 * sink: a credit goes back each time `sink.write` accepts one, and `write` waits while the sink's byte budget
 * is spent, so a slow Kafka slows the reads and memory stays a few batches per chunk in progress (DESIGN §2),
 * whatever the chunk size.
 */
export async function runSnapshotChunks(o: SnapshotRunOptions): Promise<void> {
  const stopMemoryLog = startMemoryLog(() => (o.sink.stats ? `sinkQueued ${(o.sink.stats.queuedBytes / 1048576).toFixed(0)}` : ''));
  try {
    await runLanes(o);
  } finally {
    stopMemoryLog();
  }
}

/** Runs one chunk's task and writes its streamed batches in order; resolves when the last one is written. */
async function runChunk(o: SnapshotRunOptions, chunk: ChunkSpec, window: number): Promise<ChunkResult> {
  const { port1, port2 } = new MessageChannel();
  let fail: (e: unknown) => void = () => undefined;
  let finish: () => void = () => undefined;
  const streamed = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  let writing: Promise<void> = Promise.resolve();
  let written = 0;
  port1.on('message', (m: ChunkStreamMessage) => {
    const b = m.batch;
    writing = writing.then(async () => {
      await o.sink.write(b);
      written++;
      if (b.endPosition.kind === 'snapshot' && b.endPosition.chunkDone) finish();
      else port1.postMessage({ credit: 1 } satisfies ChunkCredit);
    });
    writing.catch(fail);
  });
  try {
    const task: ChunkTask = { ...o.taskFor(chunk), port: port2, window };
    // The task's result and its port's messages travel separately: the chunk is written when both are in.
    const [result] = await Promise.all([o.pool.run(task, { transferList: [port2] }), streamed]);
    if (written !== result.batches) throw new Error(`chunk ${chunk.id}: ${written} batch(es) written, the task posted ${result.batches}`);
    return result;
  } finally {
    port1.close();
  }
}

async function runLanes(o: SnapshotRunOptions): Promise<void> {
  const queue = [...o.chunks];
  const window = Math.max(1, o.window ?? STREAM_WINDOW);
  let failure: unknown = null;

  const lane = async (): Promise<void> => {
    while (queue.length && !failure && !o.signal?.aborted) {
      const chunk = queue.shift() as ChunkSpec;
      const result = await runChunk(o, chunk, window);
      o.onChunkWritten(chunk, result);
    }
  };

  const lanes = Array.from({ length: Math.max(1, Math.min(o.parallelism, o.chunks.length)) }, () =>
    lane().catch((e: unknown) => {
      failure ??= e;
    }),
  );
  await Promise.all(lanes);
  if (failure) throw failure;
}
