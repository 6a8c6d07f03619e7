import { Piscina } from 'piscina';
import type { Connection } from 'mysql2/promise';
import type { JobConfig } from '../../config/index.js';
import { isUserError, SourceError, StateError } from '../../errors.js';
import { IncrementalStatus } from './incremental-status.js';
import type { StatusPublisher } from '../../metrics/job-status.js';
import { rowsToRead, SnapshotProgress, startProgressDisplay, tableRowEstimates } from '../../metrics/snapshot-progress.js';
import type { EncodedBatch } from '../../model/encoded-batch.js';
import { kafkaClient } from '../../sink/kafka/client.js';
import { explainKafkaError } from '../../sink/kafka/explain-error.js';
import { KafkaSink } from '../../sink/kafka/producer.js';
import { ensureTopics } from '../../sink/kafka/topics.js';
import { checkWrittenTopics, vanishedTopicError } from '../../sink/kafka/topic-history.js';
import { captureBinlogPosition, type BinlogPosition } from '../../source/binlog/index.js';
import { connectionOptions, openConnection } from '../../source/mysql/connect.js';
import type { ChunkSpec } from '../../source/snapshot/chunk.js';
import { chunkKey, planChunks } from '../../source/snapshot/plan-chunks.js';
import { newPacerState } from '../../source/snapshot/read-chunk.js';
import { ChunkAckTracker } from '../../state/ack-tracker.js';
import { emptyCheckpoint, updateCheckpoint, withChunksDone, type Checkpoint } from '../../state/checkpoint.js';
import { CheckpointStore } from '../../state/checkpoint-store.js';
import type { ChunkResult, ChunkTask } from '../snapshot/chunk-task.js';
import { fromChunkPlan, toChunkPlan } from '../snapshot/chunk-plan.js';
import { WORKER_FILE } from './worker-pool.js';
import { runSnapshotChunks, WORKER_YOUNG_GENERATION_MB, type ChunkTaskBase } from '../snapshot/run-snapshot.js';
import { schemaInitBatches } from './schema-init.js';
import { runIncremental } from './run-incremental.js';
import { readSourceModel, type SourceModel, type SyncedTable } from './source-model.js';

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
  /** `sluice run --resnapshot`: move the checkpoint aside and start over (schema, snapshot, binlog) */
  resnapshot?: boolean;
}

export interface RunSummary {
  snapshotRows: number;
  snapshotChunks: number;
  skippedChunks: number;
  schemaRecords: number;
  elapsedMs: number;
  finished: boolean;
}

const SCHEMA_DONE_MARK = '#schema';
/** `db.table#index` → `db.table` */
const tableOfChunk = (id: string): string => id.slice(0, id.lastIndexOf('#'));

/**
 * Every topic the job may write: those of the selected tables, and those of every object rule — a table
 * created or renamed into a rule later in the binlog starts syncing into the rule's topic (issue 7).
 */
function topicPartitions(job: JobConfig, model: SourceModel): Map<string, number> {
  const want = new Map<string, number>();
  for (const t of model.tables) want.set(t.object.topic, Math.max(want.get(t.object.topic) ?? 1, t.object.partitions ?? 1));
  for (const r of job.objects) {
    const topic = r.topic ?? job.target.topic;
    want.set(topic, Math.max(want.get(topic) ?? 1, r.partitions ?? 1));
  }
  if (want.size === 0) want.set(job.target.topic, 1);
  return want;
}

async function planSnapshot(conn: Connection, job: JobConfig, tables: readonly SyncedTable[], position: BinlogPosition): Promise<Checkpoint> {
  const chunks: ChunkSpec[] = [];
  for (const t of tables) chunks.push(...(await planChunks(conn, t.schema, { chunkRows: job.snapshot.chunkRows, firstChunkOrdinal: chunks.length })));
  const binlogStart = { file: position.file, pos: position.pos, gtidSet: position.gtid || null };
  return updateCheckpoint(emptyCheckpoint(job.name), {
    snapshot: { binlogStart, chunks: chunks.map(toChunkPlan), done: [], finished: chunks.length === 0 },
    schemaVersions: Object.fromEntries(tables.map((t) => [`${t.schema.db}.${t.schema.table}`, t.schema.version])),
  });
}

/** Of the tables named `db.table`, those the source no longer has (dropped or renamed). */
async function tablesGone(conn: Connection, names: readonly string[]): Promise<Set<string>> {
  const gone = new Set<string>();
  for (const name of new Set(names)) {
    const [rows] = await conn.query('SELECT 1 FROM information_schema.TABLES WHERE CONCAT(TABLE_SCHEMA, \'.\', TABLE_NAME) = ?', [name]);
    if ((rows as unknown[]).length === 0) gone.add(name);
  }
  return gone;
}

/**
 * `sluice run`, phase 1 (DESIGN §2): schema records and the full-data snapshot, resumable from the
 * checkpoint. The binlog position is captured before the first row is read and kept for the incremental phase.
 */
export async function runJob(job: JobConfig, opts: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const store = new CheckpointStore(job.state.dir);
  let cp = await store.load();
  if (opts.resnapshot) {
    const aside = await store.discard();
    opts.log(
      aside
        ? `--resnapshot: the old checkpoint was moved to ${aside}; starting the job over (schema, full snapshot, then the binlog)`
        : '--resnapshot: there was no checkpoint; starting the job from the beginning',
    );
    cp = null;
  }
  if (cp && cp.job !== job.name) {
    throw new StateError(`The state directory ${job.state.dir} belongs to job '${cp.job}', not '${job.name}': give each job its own state.dir.`);
  }
  const conn = await openConnection(job.source);
  // The planning connection sits idle while the snapshot reads on the workers' own connections: a server
  // restart then closes it with an 'error' event nobody waits for, which must not end the process.
  conn.on('error', () => undefined);
  // The chunk planner reads TIMESTAMP key bounds in the zone the snapshot readers use (SNAPSHOT_SESSION_SQL).
  await conn.query("SET SESSION time_zone = '+00:00'");
  let sink: KafkaSink | null = null;
  let pool: Piscina<ChunkTask, ChunkResult> | null = null;
  try {
    const model = await readSourceModel(conn, job);
    const byName = new Map(model.tables.map((t) => [`${t.schema.db}.${t.schema.table}`, t]));
    const admin = kafkaClient(job.target, { clientIdSuffix: 'admin' }).admin();
    let partitions: Map<string, number>;
    try {
      await admin.connect();
      // before ensureTopics, which would create a deleted topic again
      await checkWrittenTopics(admin, store.writtenTopics(), job.state.dir);
      partitions = await ensureTopics(admin, topicPartitions(job, model), job.target.createTopics);
    } catch (e) {
      throw isUserError(e) ? e : explainKafkaError(job.target, e);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }

    if (!cp?.snapshot) {
      const position = await captureBinlogPosition(conn, model.dialect);
      opts.log(`binlog position before the snapshot: ${position.file}:${position.pos}${position.gtid ? ` (GTID ${position.gtid})` : ''}`);
      cp = job.init.data ? await planSnapshot(conn, job, model.tables, position) : await planSnapshot(conn, job, [], position);
      await store.save(cp);
    }
    const snapshot = cp.snapshot!;
    const position: BinlogPosition = { file: snapshot.binlogStart.file, pos: snapshot.binlogStart.pos, gtid: snapshot.binlogStart.gtidSet ?? '' };
    const tracker = new ChunkAckTracker();
    let current = cp;
    let savedAt: string | null = null;
    const saveCurrent = (): Promise<void> => store.save(current).then(() => void (savedAt = new Date().toISOString()));
    const progress = new SnapshotProgress();
    opts.status?.use({
      progress,
      checkpoint: () => ({
        binlog: current.binlog ? `${current.binlog.file}:${current.binlog.pos}` : null,
        snapshotChunksDone: current.snapshot?.done.filter((d) => !d.startsWith('#')).length ?? 0,
        snapshotChunksTotal: current.snapshot?.chunks.length ?? 0,
        savedAt,
      }),
    });
    let saving: Promise<void> = Promise.resolve();
    const onAck = (b: EncodedBatch): void => {
      if (b.endPosition.kind !== 'snapshot') return;
      tracker.ack(b.endPosition.chunk);
      const done = tracker.takeCompleted();
      if (!done.length) return;
      for (const id of done) if (!id.startsWith('schema:')) progress.chunkDone(id.slice(0, id.lastIndexOf('#')));
      current = withChunksDone(current, done.filter((id) => !id.startsWith('schema:')));
      if (done.some((id) => id.startsWith('schema:')) && !current.snapshot!.done.includes(SCHEMA_DONE_MARK)) {
        // schema records are done once all of them are acked; they are issued together
      }
      saving = saving.then(() => saveCurrent());
    };
    sink = await KafkaSink.connect(job.target, {
      producer: job.producer,
      onAck,
      onWritten: (topic, partition, end) => store.noteWritten(topic, partition, end),
      written: store.writtenTopics(),
      // every topic was there a moment ago (ensureTopics), so a missing one was deleted under the job
      missingTopicError: vanishedTopicError,
      warn: opts.warn ?? opts.log,
    });
    opts.status?.use({ sink });

    const time = Math.floor(Date.now() / 1000);
    let schemaRecords = 0;
    if (job.init.schema && !snapshot.done.includes(SCHEMA_DONE_MARK)) {
      opts.status?.phase('schema');
      const batches = await schemaInitBatches(conn, model.tables, { partitioning: job.partitioning, partitions, position, serverVersion: model.dialect.version.text, serverId: model.serverId, time });
      for (const b of batches) {
        tracker.issue((b.endPosition as { chunk: string }).chunk, true);
        await sink.write(b);
      }
      await sink.flush();
      schemaRecords = batches.length;
      current = withChunksDone(current, [SCHEMA_DONE_MARK]);
      await (saving = saving.then(() => saveCurrent()));
      opts.log(`schema init: ${schemaRecords} DDL record(s) written`);
    }

    const done = new Set(current.snapshot!.done);
    const gone = await tablesGone(conn, snapshot.chunks.filter((p) => !done.has(p.chunk) && !byName.has(p.table)).map((p) => p.table));
    const vanished: string[] = [];
    const pending: ChunkSpec[] = [];
    const chunksPerTable = new Map<string, { total: number; done: number }>();
    for (const plan of snapshot.chunks) {
      const t = byName.get(plan.table);
      const c = chunksPerTable.get(plan.table) ?? { total: 0, done: 0 };
      c.total++;
      if (done.has(plan.chunk)) c.done++;
      chunksPerTable.set(plan.table, c);
      if (done.has(plan.chunk)) continue;
      if (!t && gone.has(plan.table)) {
        vanished.push(plan.chunk);
        continue;
      }
      if (!t) throw new SourceError(`Table ${plan.table} is in the snapshot plan but no longer selected by the job's objects: select it again, or start over with 'sluice run <job> --resnapshot'.`);
      pending.push(fromChunkPlan(plan, t.schema.db, t.schema.table, chunkKey(t.schema)));
    }
    if (vanished.length) {
      // As when a table vanishes during the read (run-snapshot.ts): said once, skipped, the rest goes on.
      for (const name of gone) (opts.warn ?? opts.log)(`Table ${name} was dropped or renamed while the job was stopped during its snapshot: its rows not yet read are skipped (${vanished.filter((c) => tableOfChunk(c) === name).length} chunk(s)), the rest of the snapshot goes on, and the binlog phase writes its DROP or RENAME as a DDL record.`);
      current = withChunksDone(current, vanished);
      await saveCurrent();
    }
    const tableRows = await tableRowEstimates(conn, [...chunksPerTable.keys()].flatMap((n) => (byName.has(n) ? [{ db: byName.get(n)!.schema.db, table: byName.get(n)!.schema.table }] : [])));
    for (const [name, c] of chunksPerTable) progress.addTable(name, rowsToRead(tableRows.get(name) ?? 0, c.total, c.done), c.total, c.done);
    const skipped = snapshot.chunks.length - pending.length;
    if (skipped) opts.log(`resuming the snapshot: ${skipped} of ${snapshot.chunks.length} chunk(s) already in Kafka`);

    let rows = 0;
    opts.status?.phase('snapshot');
    if (pending.length) {
      const parallelism = job.snapshot.parallelism;
      pool = new Piscina<ChunkTask, ChunkResult>({
        filename: WORKER_FILE,
        minThreads: Math.min(job.workers.threads, parallelism),
        maxThreads: job.workers.threads,
        concurrentTasksPerWorker: Math.max(1, Math.ceil(parallelism / job.workers.threads)),
        idleTimeout: 60_000,
        // A worker's live heap is a few MB (it holds a few batches, not a chunk); V8's default 48 MB young
        // generation per thread was most of its RSS.
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      });
      const conn0 = connectionOptions(job.source);
      const connection: ChunkTask['connection'] = {
        host: job.source.host,
        port: job.source.port,
        user: job.source.user,
        password: job.source.password.reveal(),
        connectTimeout: Number(conn0.connectTimeout),
        ...(job.source.tls ? { ssl: { ca: job.source.tls.ca, cert: job.source.tls.cert, key: job.source.tls.key, rejectUnauthorized: job.source.tls.verify } } : {}),
      };
      // one schedule for the whole snapshot, shared by every reader thread (snapshot.maxRowsPerSecond)
      const pacer = job.snapshot.maxRowsPerSecond > 0 ? { state: newPacerState(), rowsPerSecond: job.snapshot.maxRowsPerSecond } : null;
      const taskFor = (chunk: ChunkSpec): ChunkTaskBase => {
        const t = byName.get(`${chunk.db}.${chunk.table}`) as SyncedTable;
        return {
          kind: 'snapshot-chunk',
          connection,
          chunk,
          schema: t.schema,
          filterSql: t.filterSql,
          topic: t.object.topic,
          partitions: partitions.get(t.object.topic) ?? 1,
          partitioning: job.partitioning,
          partitionKey: t.object.partitionKey ? [...t.object.partitionKey] : null,
          position: { file: position.file, pos: position.pos },
          serverVersion: model.dialect.version.text,
          serverId: model.serverId,
          format: job.format,
          snapshotTime: time,
          pacer,
          batchBytes: Math.min(job.producer.batchBytes, 1 << 20),
        };
      };
      const stopDisplay = startProgressDisplay(progress, opts.progressOut);
      try {
        await runSnapshotChunks({
          pool,
          chunks: pending,
          taskFor,
          parallelism,
          sink: {
            // every batch, the chunk's last (chunkDone) one included even when empty: the sink acks an empty
            // batch once those before it on its partition are acked
            write: (b) => {
              if (b.count > 0) progress.rowsRead(tableOfChunk((b.endPosition as { chunk: string }).chunk), b.count);
              tracker.issue((b.endPosition as { chunk: string }).chunk, (b.endPosition as { chunkDone: boolean }).chunkDone);
              return sink!.write(b);
            },
            stats: sink.stats,
          },
          onChunkWritten: (chunk, result) => {
            rows += result.rows;
          },
          ...(opts.signal ? { signal: opts.signal } : {}),
          warn: opts.warn ?? opts.log,
        });
        await sink.flush();
      } finally {
        stopDisplay();
      }
    }
    await saving;
    await saveCurrent();
    const finished = current.snapshot!.finished;
    const summary: RunSummary = { snapshotRows: rows, snapshotChunks: snapshot.chunks.length, skippedChunks: skipped, schemaRecords, elapsedMs: Date.now() - started, finished };
    if (opts.snapshotOnly || !finished || opts.signal?.aborted) return summary;

    // Phase 2: the binlog from the position captured before the snapshot (or the last checkpoint).
    // The snapshot's producer and workers go first so two producers never write at once.
    if (pool) await pool.destroy();
    pool = null;
    await sink.close();
    sink = null;
    opts.log(`snapshot finished: ${rows} rows in ${((Date.now() - started) / 1000).toFixed(1)} s, ${skipped} chunk(s) were already done`);
    opts.status?.phase('incremental');
    const watch = opts.status && (await IncrementalStatus.create(opts.status, { bufferBytes: Math.max(32 << 20, 4 * job.producer.batchBytes) }));
    await runIncremental({
      job,
      model,
      partitions,
      checkpoint: current,
      store,
      log: opts.log,
      ...(opts.warn ? { warn: opts.warn } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onCheckpoint: (cp) => {
        current = cp;
        savedAt = new Date().toISOString();
      },
      ...(watch ? { status: watch } : {}),
    });
    return { ...summary, elapsedMs: Date.now() - started };
  } finally {
    if (pool) await pool.destroy();
    if (sink) await sink.close().catch(() => undefined);
    conn.destroy();
  }
}
