/**
 * Shared pieces of the DDL tests (issue 7): a job on a fresh database whose binlog phase starts from a
 * position captured before the workload, so sluice lags behind every ALTER; the source rows captured right
 * after each statement ("what was written", read from the server itself); and the topic's records decoded.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { JobConfig } from '../../../src/config/index.js';
import { parseRecord, renderValue, type DtsRecord, type DtsValue } from '../../../src/format/dts-avro/index.js';
import { runIncremental, type IncrementalSummary } from '../../../src/pipeline/job/run-incremental.js';
import { readSourceModel } from '../../../src/pipeline/job/source-model.js';
import { kafkaClient } from '../../../src/sink/kafka/client.js';
import { readTopic } from '../../../src/sink/kafka/read-topic.js';
import { ensureTopics } from '../../../src/sink/kafka/topics.js';
import { captureBinlogPosition } from '../../../src/source/binlog/capture-position.js';
import { openConnection } from '../../../src/source/mysql/connect.js';
import { emptyCheckpoint, updateCheckpoint } from '../../../src/state/checkpoint.js';
import { CheckpointStore } from '../../../src/state/checkpoint-store.js';
import { rootConnection } from '../../support/db.js';
import { testJob } from '../../support/jobs.js';
import type { DbService } from '../../support/services.js';
import { waitForCheckpoint } from './binlog-harness.js';

export interface DdlSetup {
  db: string;
  topic: string;
  job: JobConfig;
  store: CheckpointStore;
  root: Connection;
}

/** A fresh database (its tables created by `ddl`), a fresh topic, and a checkpoint at the binlog position now. */
export async function ddlSetUp(
  svc: DbService,
  name: string,
  ddl: readonly string[],
  o: { objects: (db: string) => Array<Record<string, unknown>>; partitions?: number; extra?: Record<string, unknown> },
): Promise<DdlSetup> {
  const db = `ddl_${name}_${svc.name}`;
  const root = await rootConnection(svc, { charset: 'utf8mb4' });
  await root.query(`DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db} DEFAULT CHARSET utf8mb4`);
  for (const s of ddl) await root.query(`USE ${db}; ${s}`);
  await root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'@'%'`).catch(() => root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'`));
  await root.query(`USE ${db}`);
  const topic = `sluice-ddl-${name}-${svc.name}-${Date.now().toString(36)}`;
  const dir = await mkdtemp(join(tmpdir(), 'sluice-ddl-'));
  const job = testJob(svc, { objects: o.objects(db), topic, target: { createTopics: true }, extra: { partitioning: 'key-hash', state: { dir }, ...o.extra } });
  const pos = await captureBinlogPosition(root, (await readModel(job)).dialect);
  const store = new CheckpointStore(dir);
  await store.save(
    updateCheckpoint(emptyCheckpoint(job.name), {
      snapshot: { binlogStart: { file: pos.file, pos: pos.pos, gtidSet: pos.gtid || null }, chunks: [], done: [], finished: true },
    }),
  );
  const admin = kafkaClient(job.target, { clientIdSuffix: 'admin' }).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, new Map([[topic, o.partitions ?? 3]]), true);
  } finally {
    await admin.disconnect();
  }
  return { db, topic, job, store, root };
}

async function readModel(job: JobConfig) {
  const conn = await openConnection(job.source);
  try {
    return await readSourceModel(conn, job);
  } finally {
    conn.destroy();
  }
}

/**
 * Runs the binlog phase the way `sluice run` starts it — the source model read from information_schema now,
 * after every ALTER of the workload — from the saved checkpoint until it reaches the server's position.
 */
export async function catchUp(s: DdlSetup): Promise<IncrementalSummary> {
  const model = await readModel(s.job);
  const checkpoint = await s.store.load();
  if (!checkpoint) throw new Error('no checkpoint');
  const admin = kafkaClient(s.job.target, { clientIdSuffix: 'admin' }).admin();
  await admin.connect();
  let partitions: Map<string, number>;
  try {
    partitions = await ensureTopics(admin, new Map([[s.topic, 1]]), false);
  } finally {
    await admin.disconnect();
  }
  const ac = new AbortController();
  const run = runIncremental({ job: s.job, model, partitions, checkpoint, store: s.store, log: () => undefined, signal: ac.signal });
  try {
    await Promise.race([waitForCheckpoint({ root: s.root, model, store: s.store }, 60_000), run.then(() => Promise.reject(new Error('the binlog phase ended early')))]);
  } finally {
    ac.abort();
  }
  return run;
}

/** A row as the server holds it: column names in table order → MySQL's text (NULL as null), and each column's charset. */
export interface SourceRow {
  columns: string[];
  text: Record<string, string | null>;
  charsets: Record<string, string | null>;
}

/** The row `id` of `table` as it is now, read from the server (null when there is none). */
export async function sourceRow(root: Connection, db: string, table: string, id: number): Promise<SourceRow | null> {
  const [cols] = await root.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS n, CHARACTER_SET_NAME AS cs, DATA_TYPE AS dt FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [db, table],
  );
  const names = cols.map((c) => String(c.n));
  const [rows] = await root.query<RowDataPacket[]>(`SELECT ${names.map((n) => `CAST(\`${n}\` AS CHAR) AS \`${n}\``).join(', ')} FROM \`${db}\`.\`${table}\` WHERE id = ?`, [id]);
  const r = rows[0];
  if (!r) return null;
  const text: Record<string, string | null> = {};
  const charsets: Record<string, string | null> = {};
  for (const c of cols) {
    const n = String(c.n);
    text[n] = r[n] === null ? null : String(r[n]);
    // TINYTEXT…LONGTEXT arrive as BinaryObject{TEXT}, as DTS writes them: the record names no charset for them
    charsets[n] = c.cs === null || /text$/i.test(String(c.dt)) ? null : String(c.cs);
  }
  return { columns: names, text, charsets };
}

/** One expected change: what the statement wrote, captured from the server before the next statement. */
export interface Expected {
  op: 'INSERT' | 'UPDATE' | 'DELETE';
  table: string;
  before: SourceRow | null;
  after: SourceRow | null;
}

/** Runs a statement that changes one row and records its before/after images as the server holds them. */
export async function write(root: Connection, db: string, table: string, id: number, sql: string, into: Expected[]): Promise<void> {
  const before = await sourceRow(root, db, table, id);
  await root.query(sql);
  const after = await sourceRow(root, db, table, id);
  const op = before && after ? 'UPDATE' : after ? 'INSERT' : 'DELETE';
  into.push({ op, table, before, after });
}

export interface TopicRecord {
  partition: number;
  offset: bigint;
  key: string | null;
  record: DtsRecord;
}

/** Every record of the topic, in id order (duplicates from a replay kept, each after its first). */
export async function topicRecords(s: Pick<DdlSetup, 'job' | 'topic'>): Promise<TopicRecord[]> {
  const out: TopicRecord[] = [];
  await readTopic(s.job.target, { topic: s.topic, from: 'earliest', idleMs: 2500 }, (m) => {
    if (m.value) out.push({ partition: m.partition, offset: BigInt(m.offset), key: m.key ? m.key.toString('utf8') : null, record: parseRecord(m.value) });
  });
  return out.sort((a, b) => a.record.id - b.record.id);
}

/** An image as text by field name (values rendered as MySQL prints them), and each Character value's charset. */
export function imageOf(rec: DtsRecord, which: 'before' | 'after'): { text: Record<string, string | null>; charsets: Record<string, string | null> } | null {
  const images = which === 'before' ? rec.beforeImages : rec.afterImages;
  if (!Array.isArray(images) || !Array.isArray(rec.fields)) return null;
  const text: Record<string, string | null> = {};
  const charsets: Record<string, string | null> = {};
  rec.fields.forEach((f, i) => {
    const v = images[i] as DtsValue;
    const fsp = v && v.kind === 'DateTime' ? 3 : undefined;
    text[f.name] = renderValue(v, { dataTypeNumber: f.dataTypeNumber, ...(fsp !== undefined ? { fsp } : {}) });
    charsets[f.name] = v && v.kind === 'Character' ? v.charset : null;
  });
  return { text, charsets };
}

/** Differences between a record and the change the server made, as readable lines (empty when equal). */
export function compareChange(rec: DtsRecord, want: Expected): string[] {
  const out: string[] = [];
  const where = `id ${rec.id} (${want.op} ${want.table})`;
  if (rec.operation !== want.op) out.push(`${where}: operation ${rec.operation}`);
  if (!rec.objectName?.endsWith(`.${want.table}`)) out.push(`${where}: objectName ${rec.objectName}`);
  const cols = (want.after ?? want.before)!.columns;
  const names = Array.isArray(rec.fields) ? rec.fields.map((f) => f.name) : [];
  if (JSON.stringify(names) !== JSON.stringify(cols)) out.push(`${where}: fields ${names.join(',')} but the row had ${cols.join(',')}`);
  for (const side of ['before', 'after'] as const) {
    const w = want[side];
    const g = imageOf(rec, side);
    if (!w || !g) {
      if (!w !== !g) out.push(`${where}: ${side} image ${g ? 'present' : 'missing'}`);
      continue;
    }
    for (const c of w.columns) {
      if (g.text[c] !== w.text[c]) out.push(`${where}: ${side}.${c} kafka=${JSON.stringify(g.text[c])} source=${JSON.stringify(w.text[c])}`);
      if (w.text[c] !== null && w.charsets[c] && !['binary'].includes(w.charsets[c] as string) && g.charsets[c] !== w.charsets[c]) {
        out.push(`${where}: ${side}.${c} charset kafka=${g.charsets[c]} source=${w.charsets[c]}`);
      }
    }
  }
  return out;
}
