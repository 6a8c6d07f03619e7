import { MessageChannel } from 'node:worker_threads';
import { setTimeout as delay } from 'node:timers/promises';
import type { Piscina } from 'piscina';
import type { EncodedBatch } from '../../model/encoded-batch.js';
import type { ChunkSpec } from '../../source/snapshot/chunk.js';
import type { ChunkCredit, ChunkInterruption, ChunkResult, ChunkStreamMessage, ChunkTask } from './chunk-task.js';
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
  /** WARN lines: the source lost and back, a table gone under the snapshot */
  warn: (line: string) => void;
  /** the wait before reading a chunk again after the source connection was lost (doubles up to maxMs) */
  retry?: { initialMs?: number; maxMs?: number };
}

/**
 * Reads chunks on the pool, `parallelism` at a time. A task streams its chunk's batches over its own
 * MessagePort as they fill (buffers transferred, not copied) and may run only `window` batches ahead of the
 * sink: a credit goes back each time `sink.write` accepts one, and `write` waits while the sink's byte budget
 * is spent, so a slow Kafka slows the reads and memory stays a few batches per chunk in progress (DESIGN §2),
 * whatever the chunk size.
 */
export async function runSnapshotChunks(opts: SnapshotRunOptions): Promise<void> {
  const stopMemoryLog = startMemoryLog(() => (opts.sink.stats ? `sinkQueued ${(opts.sink.stats.queuedBytes / 1048576).toFixed(0)}` : ''));
  try {
    await runLanes(opts);
  } finally {
    stopMemoryLog();
  }
}

/** Runs one chunk's task and writes its streamed batches in order; resolves when the last one is written. */
async function runChunk(opts: SnapshotRunOptions, chunk: ChunkSpec, window: number): Promise<ChunkResult> {
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
      await opts.sink.write(b);
      written++;
      if (b.endPosition.kind === 'snapshot' && b.endPosition.chunkDone) finish();
      else port1.postMessage({ credit: 1 } satisfies ChunkCredit);
    });
    writing.catch(fail);
  });
  try {
    const task: ChunkTask = { ...opts.taskFor(chunk), port: port2, window };
    // The task's result and its port's messages travel separately: a whole chunk is written when both are in;
    // a failed write (the sink) ends the wait at once.
    const run = opts.pool.run(task, { transferList: [port2] }) as Promise<ChunkResult>;
    run.catch(() => undefined);
    const result = await Promise.race([run, streamed.then(() => run)]);
    if (result.interrupted) {
      // no chunkDone batch will come: what was posted and not yet taken is dropped (the chunk is read again
      // or skipped), what is being written finishes first
      port1.close();
      await writing;
      return result;
    }
    await streamed;
    if (written !== result.batches) throw new Error(`chunk ${chunk.id}: ${written} batch(es) written, the task posted ${result.batches}`);
    return result;
  } finally {
    port1.close();
  }
}

/** The chunk's last batch, empty: marks a chunk done without rows (a table that vanished under the snapshot). */
function emptyLastBatch(chunk: ChunkSpec, topic: string): EncodedBatch {
  return {
    topic,
    partition: 0,
    firstSeq: chunk.idBase,
    lastSeq: chunk.idBase - 1,
    count: 0,
    bytes: new Uint8Array(0),
    index: new Int32Array(0),
    timestamps: new Float64Array(0),
    endPosition: { kind: 'snapshot', chunk: chunk.id, chunkDone: true },
  };
}

/** Waits `ms`, or less if `signal` aborts first (never rejects: the caller looks at the signal). */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);

/**
 * One outage of the source as the snapshot sees it, shared by every lane: the first lane to lose its
 * connection says so, the first chunk read in full afterwards says the source is back (one pair of WARN
 * lines per outage, not one per lane).
 */
class SourceOutage {
  private since: number | null = null;
  private rereads = 0;
  constructor(private readonly warn: (line: string) => void) {}

  lost(chunk: ChunkSpec, i: ChunkInterruption, retryMs: number, inProgress: number): void {
    this.rereads++;
    if (this.since !== null) return;
    this.since = Date.now();
    this.warn(
      `MySQL unreachable during the snapshot: ${i.cause}; chunk ${chunk.id}${inProgress > 1 ? ` and the ${inProgress - 1} other chunk(s) in progress` : ''} will be read again from its start, retrying in ${retryMs} ms (then up to every 30 s) until the server answers`,
    );
  }

  back(): void {
    if (this.since === null) return;
    this.warn(`MySQL is reachable again after ${((Date.now() - this.since) / 1000).toFixed(1)} s: the snapshot goes on (${this.rereads} chunk read(s) retried)`);
    this.since = null;
    this.rereads = 0;
  }
}

async function runLanes(opts: SnapshotRunOptions): Promise<void> {
  const queue = [...opts.chunks];
  const window = Math.max(1, opts.window ?? STREAM_WINDOW);
  const initialMs = opts.retry?.initialMs ?? 500;
  const maxMs = opts.retry?.maxMs ?? 30_000;
  const outage = new SourceOutage(opts.warn);
  /** tables found gone under the snapshot: their chunks are marked done without a read */
  const gone = new Set<string>();
  let inProgress = 0;
  let failure: unknown = null;

  const skip = async (chunk: ChunkSpec): Promise<void> => {
    await opts.sink.write(emptyLastBatch(chunk, opts.taskFor(chunk).topic));
  };

  const tableGone = (chunk: ChunkSpec, i: ChunkInterruption): void => {
    const name = `${chunk.db}.${chunk.table}`;
    if (gone.has(name)) return;
    gone.add(name);
    const left = queue.filter((c) => c.db === chunk.db && c.table === chunk.table).length;
    opts.warn(
      `Table ${name} was dropped or renamed during its snapshot (the server said: ${i.cause}): its rows not yet read are skipped (this chunk and ${left} more), the rest of the snapshot goes on, and the binlog phase writes its DROP or RENAME as a DDL record.`,
    );
  };

  const readChunkToEnd = async (chunk: ChunkSpec): Promise<ChunkResult | null> => {
    let backoff = initialMs;
    for (;;) {
      if (gone.has(`${chunk.db}.${chunk.table}`)) return null;
      const result = await runChunk(opts, chunk, window);
      const i = result.interrupted;
      if (!i) {
        outage.back();
        return result;
      }
      if (i.reason === 'table-gone') {
        tableGone(chunk, i);
        return null;
      }
      outage.lost(chunk, i, backoff, inProgress);
      await sleep(backoff, opts.signal);
      if (opts.signal?.aborted || failure) throw new SnapshotStopped();
      backoff = Math.min(maxMs, backoff * 2);
    }
  };

  const lane = async (): Promise<void> => {
    while (queue.length && !failure && !opts.signal?.aborted) {
      const chunk = queue.shift() as ChunkSpec;
      inProgress++;
      try {
        const result = await readChunkToEnd(chunk);
        if (result) opts.onChunkWritten(chunk, result);
        else await skip(chunk);
      } finally {
        inProgress--;
      }
    }
  };

  const lanes = Array.from({ length: Math.max(1, Math.min(opts.parallelism, opts.chunks.length)) }, () =>
    lane().catch((e: unknown) => {
      if (!(e instanceof SnapshotStopped)) failure ??= e;
    }),
  );
  await Promise.all(lanes);
  if (failure) throw failure;
}

/** A lane waiting to read a chunk again was told to stop (a signal, or another lane's failure). */
class SnapshotStopped extends Error {}
