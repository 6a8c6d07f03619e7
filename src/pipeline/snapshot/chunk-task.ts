import type { MessagePort } from 'node:worker_threads';
import type { ConnectionOptions } from 'mysql2';
import type { Partitioning } from '../../config/index.js';
import {
  AvroWriter,
  compileTableMapper,
  pointPlace,
  recordHeader,
  SnapshotRowEncoder,
  SNAPSHOT_CONNECTION_OPTIONS,
  SNAPSHOT_SESSION_SQL,
  type FormatOptions,
  type SnapshotHeader,
  type TableMapper,
} from '../../format/dts-avro/index.js';
import { EncodedBatchBuilder, transferList, type EncodedBatch } from '../../model/encoded-batch.js';
import type { TableSchema } from '../../model/table.js';
import type { ChunkSpec } from '../../source/snapshot/chunk.js';
import { openStreamingConnection, readChunk, RowPacer, type PacerShared, type RowPacket, type WorkerConnectionSettings } from '../../source/snapshot/read-chunk.js';
import { compileRouter, keyColumnsFor, type TableRouter } from '../../transform/index.js';
import { isConnectionLoss } from '../../source/mysql/connection-loss.js';

/** Everything a worker needs to read, encode and route one chunk: plain data only (it is cloned to the worker). */
export interface ChunkTask {
  kind: 'snapshot-chunk';
  connection: WorkerConnectionSettings;
  chunk: ChunkSpec;
  schema: TableSchema;
  filterSql: string | null;
  topic: string;
  partitions: number;
  partitioning: Partitioning;
  partitionKey: string[] | null;
  /** the binlog position captured before the snapshot: INIT records carry it as their position */
  position: { file: string; pos: number };
  serverVersion: string;
  serverId: number;
  /** the job file's `format` */
  format: FormatOptions;
  /** when the snapshot started, epoch seconds (the INIT records' source time) */
  snapshotTime: number;
  /** the job-wide pacer (snapshot.maxRowsPerSecond) shared by every reader, null = full speed */
  pacer: PacerShared | null;
  /** a batch is cut when its encoded bytes reach this */
  batchBytes: number;
  /**
   * Where the batches go, as they are cut (each with its buffers transferred, not copied): a
   * ChunkStreamMessage per batch, the last one with endPosition.chunkDone. The task waits for credits
   * (ChunkCredit) whenever `window` batches are posted and not yet credited, so a slow sink slows the read.
   * Pass it in the run's transferList.
   */
  port: MessagePort;
  /** batches a task may post ahead of the credits it got back */
  window: number;
}

/** Worker → main thread, on the task's port: one batch of the chunk, in order. */
export interface ChunkStreamMessage {
  batch: EncodedBatch;
}

/** Main thread → worker, on the task's port: `credit` more batches may be posted. */
export interface ChunkCredit {
  credit: number;
}

/** The task's own result: only the counts (the batches went through the port). */
export interface ChunkResult {
  chunkId: string;
  rows: number;
  bytes: number;
  /** batches posted on the port, the final (chunkDone) one included, empty or not */
  batches: number;
  /**
   * Set when the chunk was not read to its end (no chunkDone batch was posted): the source connection was lost
   * (read the chunk again once the server answers) or the table is gone (dropped or renamed under the snapshot).
   * `cause` is the server's or the socket's text, for the WARN line.
   */
  interrupted?: ChunkInterruption;
}

export interface ChunkInterruption {
  reason: 'connection-lost' | 'table-gone';
  cause: string;
}

/** ER_NO_SUCH_TABLE: the table was dropped or renamed after the snapshot was planned. */
const ER_NO_SUCH_TABLE = 1146;

/** What stopped a chunk's read, when it is one the snapshot knows how to go on from; null for anything else. */
function interruptionOf(e: unknown): ChunkInterruption | null {
  const err = (e ?? {}) as { errno?: number; code?: string; message?: string };
  const cause = `${err.message ?? String(e)}${err.code && !(err.message ?? '').includes(err.code) ? ` (${err.code})` : ''}`;
  if (err.errno === ER_NO_SUCH_TABLE) return { reason: 'table-gone', cause };
  if (isConnectionLoss(e)) return { reason: 'connection-lost', cause };
  return null;
}

/** Posts batches on a task's port, holding back one so the chunk's last batch can carry chunkDone. */
class BatchStream {
  private held: EncodedBatch | null = null;
  private outstanding = 0;
  private wake: (() => void) | null = null;
  private closed = false;
  posted = 0;

  constructor(
    private readonly port: MessagePort,
    private readonly window: number,
  ) {
    port.on('message', (m: ChunkCredit) => {
      this.outstanding -= m.credit;
      const w = this.wake;
      this.wake = null;
      w?.();
    });
    // the main thread gave up on this chunk (its lane failed): stop reading instead of waiting forever
    port.once('close', () => {
      this.closed = true;
      const w = this.wake;
      this.wake = null;
      w?.();
    });
  }

  push(b: EncodedBatch): void {
    if (this.held) this.post(this.held);
    this.held = b;
  }

  /** Resolves once fewer than `window` posted batches wait for their credit. */
  async ready(): Promise<void> {
    while (this.outstanding >= this.window) {
      if (this.closed) throw new Error('the snapshot stopped taking this chunk\'s batches');
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** Posts the held batch, or `empty` when the chunk had none, as the chunk's last. */
  end(empty: EncodedBatch): void {
    const last = this.held ?? empty;
    this.held = null;
    last.endPosition = { ...last.endPosition, chunkDone: true } as EncodedBatch['endPosition'];
    this.post(last);
  }

  close(): void {
    this.port.removeAllListeners('message');
    this.port.removeAllListeners('close');
    this.port.unref();
  }

  private post(b: EncodedBatch): void {
    this.port.postMessage({ batch: b } satisfies ChunkStreamMessage, transferList(b));
    this.outstanding++;
    this.posted++;
  }
}

interface CompiledTable {
  mapper: TableMapper;
  /** writes INIT records straight from row packets (byte-identical to the mapper's object path) */
  encoder: SnapshotRowEncoder;
  router: TableRouter;
  keyOrdinals: readonly number[];
}

/**
 * Per-worker caches: idle connections per source (a task takes one or opens one, so two tasks running in one
 * worker — snapshot.parallelism above workers.threads — read in parallel), and one compiled mapper/router
 * per table version.
 */
type StreamingConnection = Awaited<ReturnType<typeof openStreamingConnection>>;
const idleConnections = new Map<string, StreamingConnection[]>();
const compiled = new Map<string, CompiledTable>();

function sourceKey(task: ChunkTask): string {
  return `${task.connection.host}:${task.connection.port}:${task.connection.user}`;
}

/** Connections that reported an error while idle (the server restarted): never handed out again. */
const broken = new WeakSet<StreamingConnection>();

async function acquireConnection(task: ChunkTask): Promise<StreamingConnection> {
  const list = idleConnections.get(sourceKey(task));
  for (let idle = list?.pop(); idle; idle = list?.pop()) {
    if (!broken.has(idle)) return idle;
    idle.destroy();
  }
  const options: ConnectionOptions = { ...task.connection, ...SNAPSHOT_CONNECTION_OPTIONS };
  const conn = await openStreamingConnection(options, SNAPSHOT_SESSION_SQL);
  // An idle connection the server closes emits 'error' with no query to take it: without a listener that
  // would be an uncaught exception that kills the worker thread.
  conn.on('error', () => broken.add(conn));
  return conn;
}

function releaseConnection(task: ChunkTask, conn: StreamingConnection): void {
  if (broken.has(conn)) return void conn.destroy();
  const key = sourceKey(task);
  const list = idleConnections.get(key) ?? [];
  list.push(conn);
  idleConnections.set(key, list);
}

function compiledFor(task: ChunkTask): CompiledTable {
  const key = `${task.schema.db}.${task.schema.table}@${task.schema.version}:${task.partitioning}:${task.partitions}:${task.partitionKey?.join(',') ?? ''}:${task.format.charsetNames}`;
  let c = compiled.get(key);
  if (!c) {
    const keyCols = keyColumnsFor(task.schema, task.partitionKey);
    const keyOrdinals = keyCols?.ordinals ?? [];
    const mapper = compileTableMapper(task.schema, task.format);
    c = {
      mapper,
      encoder: new SnapshotRowEncoder(mapper),
      keyOrdinals,
      router: compileRouter({ strategy: task.partitioning, partitions: task.partitions, db: task.schema.db, table: task.schema.table, keyOrdinals: keyCols ? keyOrdinals : null }),
    };
    compiled.set(key, c);
  }
  return c;
}

/**
 * Reads one chunk on this worker's own connection and streams its records, encoded per partition, to the
 * task's port as batches fill; returns the counts.
 */
export async function runChunkTask(task: ChunkTask): Promise<ChunkResult> {
  const stream = new BatchStream(task.port, Math.max(1, task.window));
  try {
    return await streamChunk(task, stream);
  } catch (e) {
    // The batches posted so far stay posted (they are in Kafka or on their way); the main thread reads the
    // chunk again or skips the table, as the interruption says.
    const interrupted = interruptionOf(e);
    if (!interrupted) throw e;
    return { chunkId: task.chunk.id, rows: 0, bytes: 0, batches: stream.posted, interrupted };
  } finally {
    stream.close();
  }
}

async function streamChunk(task: ChunkTask, stream: BatchStream): Promise<ChunkResult> {
  const table = compiledFor(task);
  const conn = await acquireConnection(task);
  const writer = new AvroWriter();
  const builders = new Map<number, EncodedBatchBuilder>();
  const keyText: (string | null)[] = new Array(task.schema.columns.length).fill(null);
  // the builder copies each key out of it at once
  const keyScratch = new Uint8Array(512);
  const timestampMs = task.snapshotTime * 1000;
  let nextId = task.chunk.idBase;
  let bytes = 0;
  // the id varies per row; the rest, with the chunk's read time, is one frame per task (constant header bytes)
  const { id: _rowId, ...header } = recordHeader(0, pointPlace(task.position.file, task.position.pos, task.snapshotTime), task);
  const frame = table.encoder.frame(header satisfies SnapshotHeader);

  const cut = (partition: number, b: EncodedBatchBuilder): void => {
    const firstSeq = nextId - b.count;
    const packed = b.take();
    stream.push({
      topic: task.topic,
      partition,
      firstSeq,
      lastSeq: firstSeq + packed.count - 1,
      ...packed,
      endPosition: { kind: 'snapshot', chunk: task.chunk.id, chunkDone: false },
    });
  };

  const onBlock = (rows: RowPacket[]): Promise<void> => {
    for (const row of rows) {
      // a view of the writer's bytes: the builder copies it before the writer is used again
      const value = table.encoder.encode(writer, frame, nextId, row.buffer, row.start, row.end);
      // the key's bytes straight from the row where they can be (integer/decimal keys), else via its text
      let key: Uint8Array | null;
      let partition: number;
      const keyLength = table.keyOrdinals.length > 0 ? table.encoder.writeKeyJson(row.buffer, table.keyOrdinals, keyScratch) : -1;
      if (keyLength >= 0) {
        key = keyScratch.subarray(0, keyLength);
        partition = table.router.partitionOfKey(keyScratch, keyLength);
      } else {
        table.encoder.keyTexts(row.buffer, table.keyOrdinals, keyText);
        const route = table.router.routeRow(keyText);
        key = route.key === null ? null : Buffer.from(route.key, 'utf8');
        partition = route.partition;
      }
      let b = builders.get(partition);
      if (!b) builders.set(partition, (b = new EncodedBatchBuilder()));
      // Sequence numbers of different partitions interleave; each batch's range is only its own ids, which
      // stay increasing per partition, and that is all ordering needs here.
      b.add(key, value, timestampMs);
      nextId++;
      bytes += value.length;
      if (b.byteLength >= task.batchBytes) cut(partition, b);
    }
    // the read stays paused until the main thread has taken enough of the batches (credits)
    return stream.ready();
  };

  let rows: number;
  try {
    rows = await readChunk(conn, { chunk: task.chunk, selectList: table.mapper.selectList, filterSql: task.filterSql }, 1000, RowPacer.shared(task.pacer), onBlock);
  } catch (e) {
    // A broken connection must not be reused by the next chunk.
    conn.destroy();
    throw e;
  }
  releaseConnection(task, conn);
  for (const [partition, b] of builders) if (b.count > 0) cut(partition, b);
  // The last batch of the chunk carries chunkDone so the main thread knows when every record is acked;
  // an empty chunk still posts one (empty) batch for that.
  stream.end({
    topic: task.topic,
    partition: 0,
    firstSeq: nextId,
    lastSeq: nextId - 1,
    count: 0,
    bytes: new Uint8Array(0),
    index: new Int32Array(0),
    timestamps: new Float64Array(0),
    endPosition: { kind: 'snapshot', chunk: task.chunk.id, chunkDone: true },
  });
  return { chunkId: task.chunk.id, rows, bytes, batches: stream.posted };
}
