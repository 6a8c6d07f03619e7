import type { Connection } from 'mysql2/promise';
import type { JobConfig } from '../../config/index.js';
import { isUserError, StateError } from '../../errors.js';
import { kafkaClient } from '../../sink/kafka/client.js';
import { explainKafkaError } from '../../sink/kafka/explain-error.js';
import { ensureTopics } from '../../sink/kafka/topics.js';
import { checkWrittenTopics } from '../../sink/kafka/topic-history.js';
import { captureBinlogPosition } from '../../source/binlog/index.js';
import { openConnection } from '../../source/mysql/connect.js';
import type { ChunkSpec } from '../../source/snapshot/chunk.js';
import { planChunks } from '../../source/snapshot/plan-chunks.js';
import { emptyCheckpoint, updateCheckpoint, type Checkpoint } from '../../state/checkpoint.js';
import type { CheckpointPart } from '../../state/index.js';
import { toChunkPlan } from '../../state/index.js';
import type { SourceModel, SyncedTable } from './source-model.js';

/**
 * The start of `sluice run` (DESIGN §2), before any record is written: the checkpoint (or none), the planning
 * connection, the topics, and a snapshot plan with the binlog position captured before the first row is read.
 */

/** The checkpoint the run goes on from: none after --resnapshot (the old one moved aside), refused if another job's. */
export async function startingCheckpoint(store: CheckpointPart, job: JobConfig, resnapshot: boolean, log: (line: string) => void): Promise<Checkpoint | null> {
  let cp = await store.load();
  if (resnapshot) {
    const aside = await store.discard();
    log(
      aside
        ? `--resnapshot: the old checkpoint was moved to ${aside}; starting the job over (schema, full snapshot, then the binlog)`
        : '--resnapshot: there was no checkpoint; starting the job from the beginning',
    );
    cp = null;
  }
  if (cp && cp.job !== job.name) {
    throw new StateError(`The state directory ${job.state.dir} belongs to job '${cp.job}', not '${job.name}': give each job its own state.dir.`);
  }
  return cp;
}

/** The connection that reads the source's model and plans the snapshot (the readers have their own). */
export async function openPlanningConnection(job: JobConfig): Promise<Connection> {
  const conn = await openConnection(job.source);
  // It sits idle while the snapshot reads on the workers' connections: a server restart then closes it with
  // an 'error' event nobody waits for, which must not end the process.
  conn.on('error', () => undefined);
  // The chunk planner reads TIMESTAMP key bounds in the zone the snapshot readers use (SNAPSHOT_SESSION_SQL).
  await conn.query("SET SESSION time_zone = '+00:00'");
  return conn;
}

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

/**
 * Checks the topics the checkpoint says the job wrote to (deleted or recreated ones stop the job), then
 * checks or creates every topic the job may write. Returns the partition count of each.
 */
export async function prepareTopics(job: JobConfig, model: SourceModel, store: CheckpointPart): Promise<Map<string, number>> {
  const admin = kafkaClient(job.target, { clientIdSuffix: 'admin' }).admin();
  try {
    await admin.connect();
    // before ensureTopics, which would create a deleted topic again
    await checkWrittenTopics(admin, store.writtenTopics(), job.state.dir);
    return await ensureTopics(admin, topicPartitions(job, model), job.target.createTopics);
  } catch (e) {
    throw isUserError(e) ? e : explainKafkaError(job.target, e);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * The checkpoint holding a snapshot plan: the one given, or a new plan (saved before the first row is read)
 * with the binlog position captured now — the incremental phase starts there.
 */
export async function snapshotPlanned(conn: Connection, job: JobConfig, model: SourceModel, store: CheckpointPart, cp: Checkpoint | null, log: (line: string) => void): Promise<Checkpoint> {
  if (cp?.snapshot) return cp;
  const position = await captureBinlogPosition(conn, model.dialect);
  log(`binlog position before the snapshot: ${position.file}:${position.pos}${position.gtid ? ` (GTID ${position.gtid})` : ''}`);
  const tables: readonly SyncedTable[] = job.init.data ? model.tables : [];
  const chunks: ChunkSpec[] = [];
  for (const t of tables) chunks.push(...(await planChunks(conn, t.schema, { chunkRows: job.snapshot.chunkRows, firstChunkOrdinal: chunks.length })));
  const planned = updateCheckpoint(emptyCheckpoint(job.name), {
    snapshot: { binlogStart: { file: position.file, pos: position.pos, gtidSet: position.gtid || null }, chunks: chunks.map(toChunkPlan), done: [], finished: chunks.length === 0 },
    schemaVersions: Object.fromEntries(tables.map((t) => [`${t.schema.db}.${t.schema.table}`, t.schema.version])),
  });
  await store.save(planned);
  return planned;
}
