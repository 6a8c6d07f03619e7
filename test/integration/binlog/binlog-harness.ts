/**
 * Shared pieces of the binlog integration tests: a job on fresh tables of a test server, a seeded random
 * workload (single/multi-row statements, multi-statement and rolled-back transactions, key updates), waiting
 * until sluice's checkpoint reaches the server's position, and replaying the topic by key.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { decodeRecord } from '../../../src/format/dts-avro/index.js';
import type { JobConfig } from '../../../src/config/index.js';
import { readSourceModel, type SourceModel } from '../../../src/pipeline/job/source-model.js';
import { runIncremental, type IncrementalSummary } from '../../../src/pipeline/job/run-incremental.js';
import { kafkaClient } from '../../../src/sink/kafka/client.js';
import { readTopic } from '../../../src/sink/kafka/read-topic.js';
import { ensureTopics } from '../../../src/sink/kafka/topics.js';
import { captureBinlogPosition } from '../../../src/source/binlog/capture-position.js';
import { openConnection } from '../../../src/source/mysql/connect.js';
import { emptyCheckpoint, parseCheckpoint, updateCheckpoint, type Checkpoint } from '../../../src/state/checkpoint.js';
import { CheckpointStore } from '../../../src/state/checkpoint-store.js';
import { rootConnection } from '../../support/db.js';
import { testJob } from '../../support/jobs.js';
import type { DbService } from '../../support/services.js';
import { Rng } from '../transform/random.js';


export const TABLES_DDL = [
  `CREATE TABLE acct (id INT PRIMARY KEY, owner VARCHAR(30) NOT NULL, balance DECIMAL(12,2) NOT NULL, flag TINYINT NULL,
     note TEXT NULL, updated DATETIME(6) NULL) DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE pair (a INT NOT NULL, b VARCHAR(8) NOT NULL, v BIGINT UNSIGNED NULL, PRIMARY KEY (a, b)) DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE filt (id INT PRIMARY KEY, grp INT NOT NULL, val VARCHAR(300) NULL) DEFAULT CHARSET=utf8mb4`,
];
export const FILTER = 'grp < 5';
/** Columns as the comparison reads them, and the fractional digits of temporal ones. */
export const COLUMNS: Record<string, { key: string[]; cols: string[]; fsp?: Record<string, number> }> = {
  acct: { key: ['id'], cols: ['id', 'owner', 'balance', 'flag', 'note', 'updated'], fsp: { updated: 6 } },
  pair: { key: ['a', 'b'], cols: ['a', 'b', 'v'] },
  filt: { key: ['id'], cols: ['id', 'grp', 'val'] },
};

export interface Setup {
  db: string;
  topic: string;
  job: JobConfig;
  model: SourceModel;
  partitions: Map<string, number>;
  store: CheckpointStore;
  checkpoint: Checkpoint;
  root: Connection;
}

/** A table a test adds to the standard ones: its DDL and its job object (register its COLUMNS entry too). */
export interface ExtraTable {
  ddl: string;
  object: Record<string, unknown>;
}

/** A fresh database `db` with the test tables (TABLES_DDL, then `extra`), readable by the sluice account; returns a root connection. */
export async function createTables(svc: DbService, db: string, extra: readonly string[] = []): Promise<Connection> {
  const root = await rootConnection(svc, { charset: 'utf8mb4' });
  await root.query(`DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db}`);
  for (const ddl of [...TABLES_DDL, ...extra]) await root.query(`USE ${db}; ${ddl}`);
  await root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'@'%'`).catch(() => root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'`));
  return root;
}

/** The job objects of the test tables (3 partitions each, the filter on `filt`). */
export function jobObjects(db: string): Array<Record<string, unknown>> {
  return [
    { db, table: 'acct', partitions: 3 },
    { db, table: 'pair', partitions: 3 },
    { db, table: 'filt', filter: FILTER, partitions: 3 },
  ];
}

/** Fresh tables, a fresh topic (3 partitions, key-hash), and a checkpoint at the current binlog position. */
export async function setUp(svc: DbService, name: string, extra: readonly ExtraTable[] = [], prefix = { db: 'bl_', topic: 'sluice-bl-' }): Promise<Setup> {
  const db = `${prefix.db}${name}_${svc.name}`;
  const root = await createTables(svc, db, extra.map((t) => t.ddl));
  const topic = `${prefix.topic}${name}-${svc.name}-${Date.now().toString(36)}`;
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bl-'));
  const job = testJob(svc, {
    objects: [...jobObjects(db), ...extra.map((t) => ({ db, ...t.object }))],
    topic,
    target: { createTopics: true },
    extra: { partitioning: 'key-hash', state: { dir } },
  });
  const conn = await openConnection(job.source);
  let model: SourceModel;
  let checkpoint: Checkpoint;
  try {
    model = await readSourceModel(conn, job);
    const pos = await captureBinlogPosition(conn, model.dialect);
    checkpoint = updateCheckpoint(emptyCheckpoint(job.name), {
      snapshot: { binlogStart: { file: pos.file, pos: pos.pos, gtidSet: pos.gtid || null }, chunks: [], done: [], finished: true },
    });
  } finally {
    conn.destroy();
  }
  const admin = kafkaClient(job.target, { clientIdSuffix: 'admin' }).admin();
  await admin.connect();
  let partitions: Map<string, number>;
  try {
    partitions = await ensureTopics(admin, new Map([[topic, 3]]), true);
  } finally {
    await admin.disconnect();
  }
  const store = new CheckpointStore(dir);
  await store.save(checkpoint);
  return { db, topic, job, model, partitions, store, checkpoint, root };
}

/** A seeded random workload of `steps` statements or transactions; returns how many row changes it tried. */
export async function workload(root: Connection, db: string, seed: number, steps: number): Promise<void> {
  const r = new Rng(seed);
  await root.query(`USE ${db}`);
  const id = () => r.int(1, 120);
  const money = () => (r.int(-100000, 10000000) / 100).toFixed(2);
  const when = () => `'2024-0${r.int(1, 9)}-1${r.int(0, 9)} 1${r.int(0, 9)}:${r.int(10, 59)}:${r.int(10, 59)}.${String(r.int(0, 999999)).padStart(6, '0')}'`;
  const text = () => (r.chance(0.2) ? 'NULL' : `'${r.pick(['', 'a', 'héllo', '中文', "it''s", 'x'.repeat(r.int(1, 200)), '😀 emoji'])}'`);
  const one = (): string => {
    switch (r.int(0, 11)) {
      case 0:
        return `INSERT IGNORE INTO acct VALUES (${id()}, 'o${r.int(0, 99)}', ${money()}, ${r.chance(0.2) ? 'NULL' : r.int(-128, 127)}, ${text()}, ${r.chance(0.1) ? 'NULL' : when()})`;
      case 1: {
        const rows = Array.from({ length: r.int(2, 6) }, () => `(${id()}, 'm${r.int(0, 99)}', ${money()}, ${r.int(0, 9)}, ${text()}, ${when()})`);
        return `INSERT IGNORE INTO acct VALUES ${rows.join(', ')}`;
      }
      case 2:
        return `UPDATE acct SET balance = ${money()}, note = ${text()}, updated = ${when()} WHERE id = ${id()}`;
      case 3: {
        const lo = id();
        return `UPDATE acct SET flag = ${r.int(-5, 5)}, owner = CONCAT(owner, '+') WHERE id BETWEEN ${lo} AND ${lo + r.int(1, 10)}`;
      }
      case 4:
        return `DELETE FROM acct WHERE id = ${id()}`;
      case 5: {
        const lo = id();
        return `DELETE FROM acct WHERE id BETWEEN ${lo} AND ${lo + r.int(1, 4)}`;
      }
      case 6:
        // a key update: the row moves to another key (and usually another partition)
        return `UPDATE IGNORE acct SET id = ${id() + 1000 * r.int(0, 1)} WHERE id = ${id()}`;
      case 7:
        return `INSERT IGNORE INTO pair VALUES (${r.int(1, 30)}, '${r.pick(['a', 'b', 'c', 'ü'])}', ${r.chance(0.1) ? 'NULL' : r.pick(['0', '18446744073709551615', String(r.int(0, 1e9))])})`;
      case 8:
        return r.chance(0.5)
          ? `UPDATE pair SET v = ${r.int(0, 1000)} WHERE a = ${r.int(1, 30)}`
          : `UPDATE IGNORE pair SET b = '${r.pick(['a', 'b', 'c', 'd'])}' WHERE a = ${r.int(1, 30)} AND b = '${r.pick(['a', 'b', 'c', 'ü'])}'`;
      case 9:
        return `DELETE FROM pair WHERE a = ${r.int(1, 30)}`;
      case 10:
        return `INSERT INTO filt VALUES (${r.int(1, 60)}, ${r.int(0, 9)}, ${text()}) ON DUPLICATE KEY UPDATE grp = VALUES(grp), val = VALUES(val)`;
      default:
        return r.chance(0.5) ? `UPDATE filt SET grp = ${r.int(0, 9)} WHERE id BETWEEN ${r.int(1, 60)} AND ${r.int(1, 60)}` : `DELETE FROM filt WHERE id = ${r.int(1, 60)}`;
    }
  };
  for (let s = 0; s < steps; s++) {
    const kind = r.next();
    if (kind < 0.6) {
      await root.query(one());
    } else if (kind < 0.9) {
      await root.query('BEGIN');
      for (let i = r.int(2, 6); i > 0; i--) await root.query(one());
      await root.query('COMMIT');
    } else {
      await root.query('BEGIN');
      for (let i = r.int(1, 4); i > 0; i--) await root.query(one());
      await root.query('ROLLBACK');
    }
  }
}

function comparePos(a: { file: string; pos: number }, b: { file: string; pos: number }): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.pos - b.pos;
}

/** Waits until the saved checkpoint reaches the server's current binlog position. */
export async function waitForCheckpoint(s: Pick<Setup, 'root' | 'model' | 'store'>, timeoutMs = 60_000): Promise<void> {
  const pos = await captureBinlogPosition(s.root, s.model.dialect);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // read the file directly: CheckpointStore.load() also sweeps temp files, which would race the running job's saves
    const text = await readFile(s.store.path, 'utf8').catch(() => '');
    const parsed = text ? parseCheckpoint(text) : null;
    const cp = parsed?.ok ? parsed.checkpoint : null;
    if (cp?.binlog && comparePos(cp.binlog, pos) >= 0) return;
    if (Date.now() > deadline) throw new Error(`checkpoint ${cp?.binlog?.file}:${cp?.binlog?.pos} did not reach ${pos.file}:${pos.pos} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Runs the binlog phase from `checkpoint` while `during` writes to the source (after `settleMs`, so the reader
 * is connected first), until the saved checkpoint reaches the server's position; then stops it (as SIGTERM
 * would) and returns its summary.
 */
export async function followUntilCheckpoint(
  s: Setup,
  checkpoint: Checkpoint,
  log: (line: string) => void,
  during: () => Promise<void> = async () => undefined,
  settleMs = 0,
): Promise<IncrementalSummary> {
  const ac = new AbortController();
  const run = runIncremental({ job: s.job, model: s.model, partitions: s.partitions, checkpoint, store: s.store, log, signal: ac.signal });
  try {
    if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
    await during();
    await waitForCheckpoint(s);
  } catch (e) {
    ac.abort();
    await run.catch(() => undefined);
    throw e;
  }
  ac.abort();
  return run;
}

export interface Replayed {
  /** table → key text → row (column → text) */
  tables: Map<string, Map<string, Record<string, string | null>>>;
  records: number;
  duplicates: number;
  /** partitions whose ids (after dropping replayed duplicates) were not increasing */
  orderViolations: string[];
}

/** One record of the topic, decoded (ids are numbers: snapshot ids stay below 2^53). */
export interface TopicRecordRead {
  id: number;
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer;
  op: string;
  table: string;
  before: Record<string, string | null> | null;
  after: Record<string, string | null> | null;
}

/** Every record of `topic` (until 3 s pass without one), decoded, in partition order. */
export async function readRecords(s: Pick<Setup, 'job' | 'topic'>): Promise<TopicRecordRead[]> {
  const recs: TopicRecordRead[] = [];
  await readTopic(s.job.target, { topic: s.topic, from: 'earliest', idleMs: 3000 }, (m) => {
    if (!m.value) return;
    const objectTable = (name: string | null) => (name ?? '').split('.')[1] ?? '';
    const probe = decodeRecord(m.value);
    const fsp = COLUMNS[objectTable(probe.objectName)]?.fsp;
    const d = fsp ? decodeRecord(m.value, { fsp }) : probe;
    recs.push({ id: d.id, partition: m.partition, offset: BigInt(m.offset), key: m.key, value: m.value, op: d.operation, table: objectTable(d.objectName), before: d.before, after: d.after });
  });
  return recs;
}

/**
 * Reads the whole topic and replays it in id order (ids are increasing along the stream; a change sent
 * twice keeps its id): INSERT sets the after image's key, UPDATE removes the before key and sets the after
 * key, DELETE removes the before key.
 */
export async function replayTopic(s: Pick<Setup, 'job' | 'topic'>): Promise<Replayed> {
  return replayRecords(await readRecords(s));
}

/**
 * replayTopic over records already read. `orderFromId`: only ids from there on are checked for order (snapshot
 * chunks are read in parallel, so their ids interleave within a partition; the binlog's must not).
 */
export function replayRecords(recs: readonly TopicRecordRead[], opts: { orderFromId?: number } = {}): Replayed {
  const orderViolations: string[] = [];
  const lastPerPartition = new Map<number, number>();
  const seen = new Set<number>();
  let duplicates = 0;
  // order per partition: the first occurrence of each id must come in increasing order
  for (const r of recs) {
    if (seen.has(r.id)) {
      duplicates++;
      continue;
    }
    seen.add(r.id);
    if (r.id < (opts.orderFromId ?? -Infinity)) continue;
    const last = lastPerPartition.get(r.partition) ?? -1;
    if (r.id <= last) orderViolations.push(`partition ${r.partition}: id ${r.id} after ${last}`);
    lastPerPartition.set(r.partition, r.id);
  }
  const unique = new Map<number, TopicRecordRead>();
  for (const r of recs) if (!unique.has(r.id)) unique.set(r.id, r);
  const ordered = [...unique.values()].sort((a, b) => a.id - b.id);
  const tables = new Map<string, Map<string, Record<string, string | null>>>();
  for (const r of ordered) {
    const spec = COLUMNS[r.table];
    if (!spec) continue;
    const t = tables.get(r.table) ?? new Map<string, Record<string, string | null>>();
    tables.set(r.table, t);
    const keyOf = (row: Record<string, string | null>) => JSON.stringify(spec.key.map((k) => row[k]));
    if (r.before) t.delete(keyOf(r.before));
    if (r.after) t.set(keyOf(r.after), r.after);
  }
  return { tables, records: recs.length, duplicates, orderViolations };
}

/** The source tables as text, keyed like replayTopic's (the filtered table through its filter). */
export async function sourceState(s: Pick<Setup, 'root' | 'db'>): Promise<Map<string, Map<string, Record<string, string | null>>>> {
  const out = new Map<string, Map<string, Record<string, string | null>>>();
  for (const [table, spec] of Object.entries(COLUMNS)) {
    const where = table === 'filt' ? `WHERE ${FILTER}` : '';
    const [rows] = await s.root.query<RowDataPacket[]>(`SELECT ${spec.cols.map((c) => `CAST(\`${c}\` AS CHAR) AS \`${c}\``).join(', ')} FROM ${s.db}.${table} ${where}`);
    const m = new Map<string, Record<string, string | null>>();
    for (const r of rows) {
      const row: Record<string, string | null> = {};
      for (const c of spec.cols) row[c] = r[c] === null ? null : Buffer.isBuffer(r[c]) ? (r[c] as Buffer).toString('utf8') : String(r[c]);
      m.set(JSON.stringify(spec.key.map((k) => row[k])), row);
    }
    out.set(table, m);
  }
  return out;
}

/** Differences between the replayed topic and the source, as readable lines (empty when they agree). */
export function differences(replayed: Replayed, source: Map<string, Map<string, Record<string, string | null>>>): string[] {
  const out: string[] = [];
  for (const [table, want] of source) {
    const got = new Map(replayed.tables.get(table) ?? []);
    if (table === 'filt') for (const [k, row] of got) if (!(Number(row.grp) < 5)) got.delete(k);
    for (const [k, row] of want) {
      const g = got.get(k);
      if (!g) out.push(`${table} ${k}: missing in Kafka`);
      else {
        const cols = COLUMNS[table]!.cols;
        const bad = cols.filter((c) => g[c] !== row[c]);
        if (bad.length) out.push(`${table} ${k}: ${bad.map((c) => `${c} kafka=${JSON.stringify(g[c])} source=${JSON.stringify(row[c])}`).join(', ')}`);
      }
    }
    for (const k of got.keys()) if (!want.has(k)) out.push(`${table} ${k}: in Kafka but not in the source`);
  }
  return out;
}

/** A workload running in the background until stop() (see backgroundWorkload). */
export interface BackgroundWorkload {
  /** stops after the batch in progress; resolves with the batches run and the errors met */
  stop(): Promise<{ batches: number; errors: number; lastError: string | null }>;
}

/**
 * Runs `workload` in batches of `steps` (seeds seed, seed+1, …) on its own root connection until stopped.
 * A batch that fails (the server went away) is dropped with its connection — its open transaction is rolled
 * back by the server — and the next batch reconnects, so the workload outlives a server restart.
 */
export function backgroundWorkload(svc: DbService, db: string, seed: number, steps = 20, pauseMs = 0): BackgroundWorkload {
  let stopping = false;
  let batches = 0;
  let errors = 0;
  let lastError: string | null = null;
  const loop = (async () => {
    let conn: Connection | null = null;
    for (let i = 0; !stopping; i++) {
      try {
        if (!conn) {
          conn = await rootConnection(svc, { charset: 'utf8mb4', connectTimeout: 3000 });
          conn.on('error', () => undefined); // a server going away: the next query fails and the batch is retried
        }
        await workload(conn, db, seed + i, steps);
        batches++;
      } catch (e) {
        errors++;
        lastError = (e as Error).message;
        conn?.destroy();
        conn = null;
        await new Promise((r) => setTimeout(r, 300));
      }
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    }
    await conn?.end().catch(() => conn?.destroy());
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
      return { batches, errors, lastError };
    },
  };
}
