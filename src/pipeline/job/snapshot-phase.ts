import type { Piscina } from 'piscina';
import type { Connection } from 'mysql2/promise';
import type { JobConfig } from '../../config/index.js';
import { SourceError } from '../../errors.js';
import type { StatusPublisher } from '../../metrics/job-status.js';
import { rowsToRead, SnapshotProgress, startProgressDisplay, tableRowEstimates } from '../../metrics/snapshot-progress.js';
import type { EncodedBatch } from '../../model/encoded-batch.js';
import { KafkaSink } from '../../sink/kafka/kafka-sink.js';
import { vanishedTopicError } from '../../sink/kafka/topic-history.js';
import type { BinlogPosition } from '../../source/binlog/index.js';
import type { ChunkSpec } from '../../source/snapshot/chunk.js';
import { chunkKey } from '../../source/snapshot/plan-chunks.js';
import { newPacerState, workerConnectionSettings } from '../../source/snapshot/read-chunk.js';
import { ChunkAckTracker } from '../../state/ack-tracker.js';
import { withChunksDone, type Checkpoint } from '../../state/checkpoint.js';
import type { CheckpointPart } from '../../state/index.js';
import type { ChunkResult, ChunkTask } from '../snapshot/chunk-task.js';
import { fromChunkPlan } from '../../state/index.js';
import { runSnapshotChunks, type ChunkTaskBase } from '../snapshot/run-snapshot.js';
import type { JobLifecycle } from './lifecycle.js';
import { schemaInitBatches } from './schema-init.js';
import type { SourceModel, SyncedTable } from './source-model.js';
import { jobWorkerPool } from './worker-pool.js';

const SCHEMA_DONE_MARK = '#schema';
/** `db.table#index` → `db.table` */
const tableOfChunk = (id: string): string => id.slice(0, id.lastIndexOf('#'));

export interface SnapshotPhaseArgs {
  job: JobConfig;
  conn: Connection;
  model: SourceModel;
  partitions: Map<string, number>;
  store: CheckpointPart;
  /** holds the snapshot plan (job-start.ts) */
  checkpoint: Checkpoint;
  lifecycle: JobLifecycle;
  log: (line: string) => void;
  warn: (line: string) => void;
  progressOut: NodeJS.WriteStream;
  signal?: AbortSignal;
  status?: StatusPublisher;
}

/** What the snapshot phase did (RunSummary's part). */
export interface SnapshotOutcome {
  snapshotRows: number;
  snapshotChunks: number;
  skippedChunks: number;
  schemaRecords: number;
  finished: boolean;
}

/**
 * Phase 1 of `sluice run` (DESIGN §2): the schema records, then the chunks of the plan not yet done, read on a
 * pool of workers and written to Kafka; a chunk is recorded done in the checkpoint once Kafka acknowledged
 * all of its records. Resumable at any point: a rerun reads only the chunks not recorded done.
 */
export class SnapshotPhase {
  private readonly tracker = new ChunkAckTracker();
  private readonly progress = new SnapshotProgress();
  private readonly byName: Map<string, SyncedTable>;
  private saving: Promise<void> = Promise.resolve();
  private sink: KafkaSink | null = null;
  private pool: Piscina<ChunkTask, ChunkResult> | null = null;
  /** the checkpoint as it stands (the status shows it; the incremental phase starts from it) */
  current: Checkpoint;
  savedAt: string | null = null;

  constructor(private readonly a: SnapshotPhaseArgs) {
    this.current = a.checkpoint;
    this.byName = new Map(a.model.tables.map((t) => [`${t.schema.db}.${t.schema.table}`, t]));
    a.status?.use({
      progress: this.progress,
      checkpoint: () => ({
        binlog: this.current.binlog ? `${this.current.binlog.file}:${this.current.binlog.pos}` : null,
        snapshotChunksDone: this.current.snapshot?.done.filter((d) => !d.startsWith('#')).length ?? 0,
        snapshotChunksTotal: this.current.snapshot?.chunks.length ?? 0,
        savedAt: this.savedAt,
      }),
    });
  }

  /** Where the binlog phase starts: the position captured before the snapshot's first row. */
  get binlogStart(): BinlogPosition {
    const s = this.current.snapshot!.binlogStart;
    return { file: s.file, pos: s.pos, gtid: s.gtidSet ?? '' };
  }

  /** Schema records (unless done), then every chunk not yet done. */
  async run(): Promise<SnapshotOutcome> {
    const a = this.a;
    this.sink = await KafkaSink.connect(a.job.target, {
      producer: a.job.producer,
      onAck: (b) => this.acked(b),
      onWritten: (topic, partition, end) => a.store.noteWritten(topic, partition, end),
      written: a.store.writtenTopics(),
      // every topic was there a moment ago (ensureTopics), so a missing one was deleted under the job
      missingTopicError: vanishedTopicError,
      warn: a.warn,
    });
    a.status?.use({ sink: this.sink });
    const snapshotTime = Math.floor(Date.now() / 1000);
    const schemaRecords = await this.writeSchema(snapshotTime);
    const { rows, total, skipped } = await this.readChunks(snapshotTime);
    await this.saving;
    await this.save();
    return { snapshotRows: rows, snapshotChunks: total, skippedChunks: skipped, schemaRecords, finished: this.current.snapshot!.finished };
  }

  /** The producer and the workers go, so two producers never write at once when the binlog phase starts. */
  async close(): Promise<void> {
    const pool = this.pool;
    const sink = this.sink;
    this.pool = null;
    this.sink = null;
    if (pool) await pool.destroy();
    if (sink) await sink.close().catch(() => undefined);
  }

  private save(): Promise<void> {
    return this.a.store.save(this.current).then(() => void (this.savedAt = new Date().toISOString()));
  }

  private acked(b: EncodedBatch): void {
    if (b.endPosition.kind !== 'snapshot') return;
    this.tracker.ack(b.endPosition.chunk);
    const done = this.tracker.takeCompleted();
    if (!done.length) return;
    const chunks = done.filter((id) => !id.startsWith('schema:'));
    for (const id of chunks) this.progress.chunkDone(tableOfChunk(id));
    this.current = withChunksDone(this.current, chunks);
    this.saving = this.saving.then(() => this.save());
  }

  private async writeSchema(time: number): Promise<number> {
    const { job, conn, model, partitions } = this.a;
    if (!job.init.schema || this.current.snapshot!.done.includes(SCHEMA_DONE_MARK)) return 0;
    this.a.lifecycle.enter('schema');
    const start = this.binlogStart;
    const batches = await schemaInitBatches(conn, model.tables, { partitioning: job.partitioning, partitions, position: start, serverVersion: model.dialect.version.text, serverId: model.serverId, time });
    for (const b of batches) {
      this.tracker.issue((b.endPosition as { chunk: string }).chunk, true);
      await this.sink!.write(b);
    }
    await this.sink!.flush();
    this.current = withChunksDone(this.current, [SCHEMA_DONE_MARK]);
    await (this.saving = this.saving.then(() => this.save()));
    this.a.log(`schema init: ${batches.length} DDL record(s) written`);
    return batches.length;
  }

  /**
   * The plan's chunks not yet done, as chunk specs; a table gone from the source since the plan (dropped or
   * renamed while the job was stopped) is said once and its chunks recorded done without a read.
   */
  private async pendingChunks(): Promise<ChunkSpec[]> {
    const snapshot = this.current.snapshot!;
    const done = new Set(snapshot.done);
    const gone = await tablesGone(this.a.conn, snapshot.chunks.filter((p) => !done.has(p.chunk) && !this.byName.has(p.table)).map((p) => p.table));
    const vanished: string[] = [];
    const pending: ChunkSpec[] = [];
    const perTable = new Map<string, { total: number; done: number }>();
    for (const plan of snapshot.chunks) {
      const c = perTable.get(plan.table) ?? { total: 0, done: 0 };
      c.total++;
      if (done.has(plan.chunk)) c.done++;
      perTable.set(plan.table, c);
      if (done.has(plan.chunk)) continue;
      const t = this.byName.get(plan.table);
      if (!t && gone.has(plan.table)) vanished.push(plan.chunk);
      else if (!t) throw new SourceError(`Table ${plan.table} is in the snapshot plan but no longer selected by the job's objects: select it again, or start over with 'sluice run <job> --resnapshot'.`);
      else pending.push(fromChunkPlan(plan, t.schema.db, t.schema.table, chunkKey(t.schema)));
    }
    if (vanished.length) {
      // As when a table vanishes during the read (run-snapshot.ts): said once, skipped, the rest goes on.
      for (const name of gone) this.a.warn(`Table ${name} was dropped or renamed while the job was stopped during its snapshot: its rows not yet read are skipped (${vanished.filter((c) => tableOfChunk(c) === name).length} chunk(s)), the rest of the snapshot goes on, and the binlog phase writes its DROP or RENAME as a DDL record.`);
      this.current = withChunksDone(this.current, vanished);
      await this.save();
    }
    const present = [...perTable.keys()].flatMap((n) => {
      const t = this.byName.get(n);
      return t ? [{ db: t.schema.db, table: t.schema.table }] : [];
    });
    const tableRows = await tableRowEstimates(this.a.conn, present);
    for (const [name, c] of perTable) this.progress.addTable(name, rowsToRead(tableRows.get(name) ?? 0, c.total, c.done), c.total, c.done);
    return pending;
  }

  private async readChunks(snapshotTime: number): Promise<{ rows: number; total: number; skipped: number }> {
    const { job } = this.a;
    const pending = await this.pendingChunks();
    const total = this.current.snapshot!.chunks.length;
    const skipped = total - pending.length;
    if (skipped) this.a.log(`resuming the snapshot: ${skipped} of ${total} chunk(s) already in Kafka`);
    this.a.lifecycle.enter('snapshot');
    let rows = 0;
    if (!pending.length) return { rows, total, skipped };
    const parallelism = job.snapshot.parallelism;
    this.pool = jobWorkerPool<ChunkTask, ChunkResult>({
      minThreads: Math.min(job.workers.threads, parallelism),
      maxThreads: job.workers.threads,
      tasksPerThread: Math.max(1, Math.ceil(parallelism / job.workers.threads)),
    });
    const taskFor = this.chunkTasks(snapshotTime);
    const sink = this.sink!;
    const stopDisplay = startProgressDisplay(this.progress, this.a.progressOut);
    try {
      await runSnapshotChunks({
        pool: this.pool,
        chunks: pending,
        taskFor,
        parallelism,
        sink: {
          // every batch, the chunk's last (chunkDone) one included even when empty: the sink acks an empty
          // batch once those before it on its partition are acked
          write: (b) => {
            const end = b.endPosition as { chunk: string; chunkDone: boolean };
            if (b.count > 0) this.progress.rowsRead(tableOfChunk(end.chunk), b.count);
            this.tracker.issue(end.chunk, end.chunkDone);
            return sink.write(b);
          },
          stats: sink.stats,
        },
        onChunkWritten: (_chunk, result) => {
          rows += result.rows;
        },
        ...(this.a.signal ? { signal: this.a.signal } : {}),
        warn: this.a.warn,
      });
      await sink.flush();
    } finally {
      stopDisplay();
    }
    return { rows, total, skipped };
  }

  /** What each chunk's task carries besides its stream: plain data, cloned to the worker. */
  private chunkTasks(snapshotTime: number): (chunk: ChunkSpec) => ChunkTaskBase {
    const { job, model, partitions } = this.a;
    const connection = workerConnectionSettings(job.source);
    // one schedule for the whole snapshot, shared by every reader thread (snapshot.maxRowsPerSecond)
    const pacer = job.snapshot.maxRowsPerSecond > 0 ? { state: newPacerState(), rowsPerSecond: job.snapshot.maxRowsPerSecond } : null;
    const start = this.binlogStart;
    return (chunk) => {
      const table = this.byName.get(`${chunk.db}.${chunk.table}`) as SyncedTable;
      return {
        kind: 'snapshot-chunk',
        connection,
        chunk,
        schema: table.schema,
        filterSql: table.filterSql,
        topic: table.object.topic,
        partitions: partitions.get(table.object.topic) ?? 1,
        partitioning: job.partitioning,
        partitionKey: table.object.partitionKey ? [...table.object.partitionKey] : null,
        position: { file: start.file, pos: start.pos },
        serverVersion: model.dialect.version.text,
        serverId: model.serverId,
        format: job.format,
        snapshotTime,
        pacer,
        batchBytes: Math.min(job.producer.batchBytes, 1 << 20),
      };
    };
  }
}

/** Of the tables named `db.table`, those the source no longer has (dropped or renamed). */
async function tablesGone(conn: Connection, names: readonly string[]): Promise<Set<string>> {
  const gone = new Set<string>();
  for (const name of new Set(names)) {
    const [rows] = await conn.query("SELECT 1 FROM information_schema.TABLES WHERE CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) = ?", [name]);
    if ((rows as unknown[]).length === 0) gone.add(name);
  }
  return gone;
}
