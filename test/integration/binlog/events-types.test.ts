/**
 * Issue 7, "value fidelity": the format issue's every-type table (test/support/every-type-table.ts) and the
 * server-specific types (MariaDB INET6/INET4/UUID, MySQL 9 VECTOR), synced by a real sluice job on both servers:
 * rows present before the job arrive through the snapshot, the same rows inserted again (new ids) while the job
 * follows the binlog arrive through zongji — on MySQL once plainly and once inside a compressed transaction. Every
 * binlog record's images must equal its snapshot twin's union values, byte for byte (only the id differs), and
 * the server-specific texts must be what the server prints. On MySQL a transaction with a tagged GTID
 * (SET gtid_next='AUTOMATIC:tag') is written with that GTID as sourceTxid.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { runJob } from '../../../src/pipeline/job/run-job.js';
import { decodeRecord, parseRecord } from '../../../src/format/dts-avro/index.js';
import { readTopic } from '../../../src/sink/kafka/read-topic.js';
import { DATABASES, type DbService } from '../../support/services.js';
import { requireService } from '../../support/db.js';
import { testJob } from '../../support/jobs.js';
import { readCheckpoint } from '../../support/sluice-cli.js';
import { COLS, ROWS, TABLE, ddl } from '../../support/every-type-table.js';

/** Server-specific types, with values the format issue's table cannot hold on both servers. */
function extraTable(svc: DbService): { ddl: string; cols: string; rows: string[]; printed: string } {
  if (svc.flavor === 'mariadb') {
    return {
      ddl: 'CREATE TABLE extra_types (id INT PRIMARY KEY, i6 INET6, i4 INET4, u UUID)',
      cols: 'id, i6, i4, u',
      rows: [
        `1, '::2', '1.2.3.4', '6ccd780c-baba-1026-9564-5b8c656024db'`,
        `2, '::ffff:1.2.3.4', '0.0.0.0', '123e4567-e89b-42d3-a456-426614174000'`,
        `3, '2001:db8::ff00:42:8329', '255.255.255.255', '1ef3c5d2-aaaa-6bbb-8ccc-0123456789ab'`,
        `4, '1:0:2:3:4:5:6:7', NULL, '00000000-0000-0000-0000-000000000000'`,
        `5, '::1.2.0.0', '10.0.0.1', 'ffffffff-ffff-ffff-ffff-ffffffffffff'`,
        `6, '::', NULL, NULL`,
        `7, NULL, NULL, '6ccd780c-baba-5026-c564-5b8c656024db'`,
      ],
      printed: 'CAST(i6 AS CHAR), CAST(i4 AS CHAR), CAST(u AS CHAR)',
    };
  }
  return {
    ddl: 'CREATE TABLE extra_types (id INT PRIMARY KEY, v3 VECTOR(3), v VECTOR(16), tail CHAR(4) CHARACTER SET latin1, bn BINARY(4))',
    cols: 'id, v3, v, tail, bn',
    rows: [
      `1, STRING_TO_VECTOR('[1.5, -2, 3.25]'), STRING_TO_VECTOR('[1e-3, 3.4028234e38, -1.17549435e-38]'), 'ab', X'01'`,
      `2, STRING_TO_VECTOR('[0, 0, 0]'), STRING_TO_VECTOR('[1]'), 'é', X'00'`,
      `3, NULL, STRING_TO_VECTOR('[${Array.from({ length: 16 }, (_, i) => i / 7).join(', ')}]'), NULL, NULL`,
    ],
    printed: 'LOWER(HEX(v3)), LOWER(HEX(v)), CONVERT(tail USING utf8mb4), LOWER(HEX(bn))',
  };
}

const BINLOG_ID = 100;
const COMPRESSED_ID = 200;
const TAGGED_ID = 900;

const withId = (row: string, offset: number): string => row.replace(/^\s*(\d+)/, (_, d: string) => String(Number(d) + offset));

interface Rec {
  id: string;
  table: string;
  op: string;
  sourceTxid: string;
  fields: unknown;
  after: unknown[];
  afterText: Record<string, string | null>;
}

async function fidelity(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const db = `evt_types_${svc.name}`;
  const extra = extraTable(svc);
  const root = await mysql.createConnection({ host: svc.host, port: svc.port, user: svc.root.user, password: svc.root.password, charset: 'utf8mb4', multipleStatements: true, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  const ac = new AbortController();
  let run: Promise<unknown> | null = null;
  try {
    await root.query(`DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db}; USE ${db}`);
    await root.query(ddl(svc));
    await root.query(extra.ddl);
    await root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'@'%'`).catch(() => root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'`));
    await root.query(`SET SESSION sql_mode = ''; SET SESSION time_zone = '+05:30'`);
    const insertAll = async (offset: number) => {
      for (const r of ROWS) await root.query(`INSERT INTO ${TABLE} (${COLS}) VALUES (${withId(r, offset)})`);
      for (const r of extra.rows) await root.query(`INSERT INTO extra_types (${extra.cols}) VALUES (${withId(r, offset)})`);
    };
    await insertAll(0);

    const dir = await mkdtemp(join(tmpdir(), 'sluice-evt-types-'));
    const topic = `sluice-evt-types-${svc.name}-${Date.now().toString(36)}`;
    const job = testJob(svc, { objects: [{ db, table: TABLE }, { db, table: 'extra_types' }], topic, target: { createTopics: true }, extra: { state: { dir } } });
    const lines: string[] = [];
    run = runJob(job, { snapshotOnly: false, progressOut: process.stderr, log: (l) => lines.push(l), signal: ac.signal });
    run.catch(() => undefined);
    const deadline = Date.now() + 60_000;
    while (!readCheckpoint(dir)?.snapshot?.finished) {
      if (Date.now() > deadline) throw new Error(`the snapshot did not finish: ${lines.join(' | ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    // through the binlog: the same rows again, then (MySQL) inside a compressed transaction and with a tagged GTID
    await insertAll(BINLOG_ID);
    let expected = 2 * (ROWS.length + extra.rows.length);
    if (svc.flavor === 'mysql') {
      await root.query('SET SESSION binlog_transaction_compression = ON; BEGIN');
      await insertAll(COMPRESSED_ID);
      await root.query('COMMIT; SET SESSION binlog_transaction_compression = OFF');
      await root.query(`SET gtid_next = 'AUTOMATIC:evt_tag'; INSERT INTO extra_types (id) VALUES (${TAGGED_ID}); SET gtid_next = 'AUTOMATIC'`);
      expected += ROWS.length + extra.rows.length + 1;
    }

    const recs = new Map<string, Rec>();
    const readDeadline = Date.now() + 60_000;
    while (recs.size < expected && Date.now() < readDeadline) {
      await readTopic(job.target, { topic, from: 'earliest', idleMs: 1500 }, (m) => {
        if (!m.value) return;
        const d = decodeRecord(m.value);
        if (d.operation !== 'INIT' && d.operation !== 'INSERT') return;
        const table = (d.objectName ?? '').split('.')[1] ?? '';
        const id = String(d.after?.id);
        const raw = parseRecord(m.value);
        recs.set(`${table}:${id}`, { id, table, op: d.operation, sourceTxid: d.sourceTxid, fields: raw.fields, after: raw.afterImages as unknown[], afterText: d.after ?? {} });
      });
    }
    ac.abort();
    await run;
    assert.equal(recs.size, expected, `every row arrived once (${recs.size} of ${expected})`);

    // each binlog twin equals its snapshot record except for the id (images[0])
    const offsets = svc.flavor === 'mysql' ? [BINLOG_ID, COMPRESSED_ID] : [BINLOG_ID];
    let compared = 0;
    for (const [table, rows] of [[TABLE, ROWS] as const, ['extra_types', extra.rows] as const]) {
      for (const r of rows) {
        const id = Number(/^\s*(\d+)/.exec(r)?.[1]);
        const snap = recs.get(`${table}:${id}`);
        assert.ok(snap && snap.op === 'INIT', `${table} ${id} arrived through the snapshot`);
        for (const off of offsets) {
          const bin = recs.get(`${table}:${id + off}`);
          assert.ok(bin && bin.op === 'INSERT', `${table} ${id + off} arrived through the binlog`);
          assert.deepStrictEqual(bin.fields, snap.fields, `${table} ${id + off}: fields`);
          assert.deepStrictEqual(bin.after.slice(1), snap.after.slice(1), `${svc.name} ${table} ${id + off}: the binlog images equal the snapshot's`);
          compared++;
        }
      }
    }
    t.diagnostic(`${svc.name}: ${compared} binlog rows compared with their snapshot twins`);

    // the server-specific types decode to what the server prints
    const names = extra.cols.split(', ').slice(1);
    const [printed] = await root.query<RowDataPacket[]>({ sql: `SELECT id, ${extra.printed} FROM extra_types WHERE id < ${BINLOG_ID} ORDER BY id`, rowsAsArray: true });
    for (const row of printed as unknown as (string | number | null)[][]) {
      const rec = recs.get(`extra_types:${Number(row[0]) + BINLOG_ID}`) as Rec;
      names.forEach((n, i) => {
        const want = row[i + 1] === null ? null : String(row[i + 1]).toLowerCase();
        const got = rec.afterText[n] ?? null;
        assert.equal(got === null ? null : got.toLowerCase(), want, `${svc.name} extra_types ${rec.id} ${n}`);
      });
    }

    if (svc.flavor === 'mysql') {
      const tagged = recs.get(`extra_types:${TAGGED_ID}`) as Rec;
      assert.match(tagged.sourceTxid, /^[0-9a-f-]{36}:evt_tag:\d+$/, 'a tagged GTID is the sourceTxid');
      const [[g]] = await root.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_executed AS g');
      const n = tagged.sourceTxid.split(':')[2];
      assert.ok(String(g?.g).replace(/\s/g, '').includes(`:evt_tag:`), 'the server executed the tagged GTID');
      assert.ok(new RegExp(`:evt_tag:(\\d+-)?\\d*`).test(String(g?.g)), `gtid_executed names tag evt_tag (${n})`);
      const cp = readCheckpoint(dir);
      assert.match(String(cp?.binlog?.gtidSet), /:evt_tag:/, 'the checkpoint GTID set carries the tagged transaction');
    }
  } finally {
    ac.abort();
    await run?.catch(() => undefined);
    await root.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    await root.end();
  }
}

for (const svc of DATABASES) {
  test(`binlog fidelity on ${svc.name}: every type synced through the binlog encodes exactly as through the snapshot`, { timeout: 180_000 }, (t) => fidelity(t, svc));
}
