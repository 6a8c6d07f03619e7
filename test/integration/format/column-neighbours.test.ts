/**
 * Column order and neighbours (issue 14 item 2): every column type right after every other type (and after
 * itself). The columns follow a de Bruijn sequence of order 2 over the type list, so each ordered pair of types
 * is adjacent somewhere; the sequence is cut into tables of COLUMNS_PER_TABLE columns that overlap by one, so
 * no pair is lost at a cut. A real sluice job syncs the tables on each server: rows present before the job
 * arrive through the snapshot, later rows through the binlog, once with binlog_row_metadata=FULL and once with
 * MINIMAL, and once with the TABLE_MAP optional metadata hidden (a 5.7-shaped stream). Every record must decode with avsc and the published schema, and every value must equal what the
 * server itself renders for it (a decoder bug that depends on a neighbour — a charset list shifted by a
 * GEOMETRY column, a length read with the wrong width — shows up as a wrong value next to that type).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import avro from 'avsc';
import { runJob } from '../../../src/pipeline/job/run-job.js';
import { decodeRecord, parseRecord } from '../../../src/format/dts-avro/index.js';
import { readTopic } from '../../../src/sink/kafka/read-topic.js';
import { ALL_DATABASES, type DbService } from '../../support/services.js';
import { requireService, withGlobal } from '../../support/db.js';
import { testJob } from '../../support/jobs.js';
import { readCheckpoint } from '../../support/sluice-cli.js';
import { Gen, rng } from '../../support/fuzz.js';

interface Kind {
  name: string;
  ddl: string;
  /** SQL literals (inserted with sql_mode '' and time_zone +05:30); NULL is added for every kind */
  values: readonly string[];
  /** how the server renders the value the way the decoder must (default CAST(… AS CHAR)) */
  render?: (col: string) => string;
  /** compared as numbers: FLOAT as its float32 */
  numeric?: 'float' | 'double';
  fsp?: number;
  only?: 'mariadb' | 'mysql';
  /**
   * Text columns: the record carries the column's own bytes, as Character (CHAR/VARCHAR) or as
   * BinaryObject{TEXT} (the TEXT types, as DTS writes them). A TEXT column's record names no charset, so its
   * value is compared as bytes where the charset is not UTF-8.
   */
  text?: 'Character' | 'TEXT';
  /** the value is compared as the column's bytes only */
  bytesOnly?: boolean;
}

const hex = (c: string): string => `LOWER(HEX(${c}))`;
const wkb = (c: string): string => `LOWER(HEX(ST_AsWKB(${c})))`;
const epoch = (c: string): string => `CAST(UNIX_TIMESTAMP(${c}) AS CHAR)`;
const bits = (c: string): string => `CAST(${c}+0 AS CHAR)`;
const double = (c: string): string => `CAST(${c} AS DOUBLE)`;

const KINDS: readonly Kind[] = [
  { name: 'ti', ddl: 'TINYINT', values: ['-128', '127', '0'] },
  { name: 'tiu', ddl: 'TINYINT UNSIGNED', values: ['0', '255'] },
  { name: 'si', ddl: 'SMALLINT', values: ['-32768', '32767'] },
  { name: 'miu', ddl: 'MEDIUMINT UNSIGNED', values: ['16777215', '0'] },
  { name: 'mi', ddl: 'MEDIUMINT', values: ['-8388608', '8388607'] },
  { name: 'i', ddl: 'INT', values: ['-2147483648', '2147483647'] },
  { name: 'bi', ddl: 'BIGINT', values: ['-9223372036854775808', '9223372036854775807'] },
  { name: 'biu', ddl: 'BIGINT UNSIGNED', values: ['18446744073709551615', '9007199254740993'] },
  { name: 'd65', ddl: 'DECIMAL(65,30)', values: ["'-99999999999999999999999999999999999.999999999999999999999999999999'", "'0.000000000000000000000000000001'"] },
  { name: 'd52', ddl: 'DECIMAL(5,2)', values: ['-999.99', '0.5'] },
  { name: 'd10', ddl: 'DECIMAL(10,0) UNSIGNED', values: ['9999999999', '0'] },
  { name: 'f', ddl: 'FLOAT', values: ['3.4028234e38', '-1.17549435e-38', '0.1'], render: double, numeric: 'float' },
  { name: 'db', ddl: 'DOUBLE', values: ['1.7976931348623157e308', '-2.2250738585072014e-308', '0.1'], render: double, numeric: 'double' },
  { name: 'b1', ddl: 'BIT(1)', values: ["b'1'", "b'0'"], render: bits },
  { name: 'b10', ddl: 'BIT(10)', values: ["b'1111111111'", "b'101'"], render: bits },
  { name: 'b64', ddl: 'BIT(64)', values: ['0xFFFFFFFFFFFFFFFF', '0x8000000000000001'], render: bits },
  { name: 'dd', ddl: 'DATE', values: ["'9999-12-31'", "'0000-00-00'", "'1000-01-01'"] },
  { name: 'dt0', ddl: 'DATETIME', values: ["'9999-12-31 23:59:59'", "'0000-00-00 00:00:00'"], fsp: 0 },
  { name: 'dt3', ddl: 'DATETIME(3)', values: ["'2024-02-29 12:34:56.123'", "'1000-01-01 00:00:00.001'"], fsp: 3 },
  { name: 'dt6', ddl: 'DATETIME(6)', values: ["'2024-02-29 12:34:56.123456'", "'9999-12-31 23:59:59.999999'"], fsp: 6 },
  { name: 'ts0', ddl: 'TIMESTAMP NULL DEFAULT NULL', values: ["'2038-01-19 08:44:07'", "'1970-01-01 05:30:01'"], render: epoch, fsp: 0 },
  { name: 'ts6', ddl: 'TIMESTAMP(6) NULL DEFAULT NULL', values: ["'2024-02-29 12:34:56.123456'", "'1970-01-01 05:30:01.000001'"], render: epoch, fsp: 6 },
  { name: 'tm', ddl: 'TIME', values: ["'838:59:59'", "'-838:59:59'", "'00:00:00'"], fsp: 0 },
  { name: 'tm4', ddl: 'TIME(4)', values: ["'-00:00:00.0001'", "'100:00:00.0001'"], fsp: 4 },
  { name: 'tm6', ddl: 'TIME(6)', values: ["'-12:34:56.789012'", "'00:00:00.000001'"], fsp: 6 },
  { name: 'yr', ddl: 'YEAR', values: ['2155', '1901', '0'] },
  { name: 'cu', ddl: 'CHAR(10) CHARACTER SET utf8mb4', values: ["'emoji😀éz'", "''", "'a  '"], text: 'Character' },
  { name: 'vu', ddl: 'VARCHAR(50) CHARACTER SET utf8mb4', values: ["'ünïcødé 😀 中文 𝄞'", "REPEAT('中', 22)", "'[{\"name\": \"👩‍👩‍👧‍👦\"}, \"👩‍👩‍👧‍👦p\"]'", "''"], text: 'Character' },
  { name: 'v3', ddl: 'VARCHAR(40) CHARACTER SET utf8mb3', values: ["REPEAT('é中', 20)", "'x'"], text: 'Character' },
  { name: 'tu', ddl: 'TEXT CHARACTER SET utf8mb4', values: ["REPEAT('长文本😀', 50)", "''", "REPEAT('中', 21)"], text: 'TEXT' },
  { name: 'cl', ddl: 'CHAR(10) CHARACTER SET latin1', values: ["'café€'", "'x'"], text: 'Character' },
  { name: 'vl', ddl: 'VARCHAR(300) CHARACTER SET latin1', values: ["REPEAT('Ÿœ€‰ ÿ', 50)", "''"], text: 'Character' },
  { name: 'tl', ddl: 'TINYTEXT CHARACTER SET latin1', values: ["CONCAT('latin1 ', X'818D8F909D', ' end')", "'y'"], text: 'TEXT', bytesOnly: true },
  { name: 'vg', ddl: 'VARCHAR(300) CHARACTER SET gbk', values: ["'汉字测试ＡＢＣ'", "REPEAT('中文字符', 30)"], text: 'Character' },
  { name: 'mg', ddl: 'MEDIUMTEXT CHARACTER SET gbk', values: ["REPEAT('啊', 200)", "''"], text: 'TEXT', bytesOnly: true },
  { name: 'bn', ddl: 'BINARY(8)', values: ["X'0102'", "X'00'", "X''"], render: hex },
  { name: 'vb', ddl: 'VARBINARY(300)', values: ["X'00FF00FF'", "X''", "REPEAT(X'AB', 256)"], render: hex },
  { name: 'tb', ddl: 'TINYBLOB', values: ["X'DEADBEEF00'", "REPEAT(X'01', 255)"], render: hex },
  { name: 'bl', ddl: 'BLOB', values: ["REPEAT(X'AB', 300)", "X''"], render: hex },
  { name: 'mb', ddl: 'MEDIUMBLOB', values: ["REPEAT(X'CD', 70000)", "X'00'"], render: hex },
  { name: 'lb', ddl: 'LONGBLOB', values: ["REPEAT(X'EF', 1000)", "X''"], render: hex },
  { name: 'en', ddl: "ENUM('a','b','c')", values: ["'c'", "'a'", "''"] },
  { name: 'st', ddl: "SET('x','y','z')", values: ["'x,z'", "''", "'x,y,z'"] },
  { name: 'j', ddl: 'JSON', values: ["'{\"a\": [1, 2.5, \"v\"], \"b\": null}'", "'[]'", "'[{\"name\": \"👩‍👩‍👧‍👦\"}, \"👩‍👩‍👧‍👦p\"]'"] },
  { name: 'g', ddl: 'GEOMETRY', values: ["ST_GeomFromText('POINT(1 1)')", "ST_GeomFromText('LINESTRING(0 0,1 1,2 4)')"], render: wkb },
  { name: 'p', ddl: 'POINT', values: ["ST_GeomFromText('POINT(1.5 -2.25)')"], render: wkb },
  { name: 'i6', ddl: 'INET6', values: ["'::2'", "'2001:db8::ff00:42:8329'"], only: 'mariadb' },
  { name: 'uu', ddl: 'UUID', values: ["'6ccd780c-baba-1026-9564-5b8c656024db'"], only: 'mariadb' },
  { name: 'i4', ddl: 'INET4', values: ["'1.2.3.4'"], only: 'mariadb' },
  { name: 've', ddl: 'VECTOR(3)', values: ["STRING_TO_VECTOR('[1.5, -2, 3.25]')"], render: hex, only: 'mysql' },
];

const COLUMNS_PER_TABLE = 80;

/** A de Bruijn sequence of order 2 over k symbols (k² symbols, cyclic): every ordered pair occurs once. */
export function deBruijn2(k: number): number[] {
  const a = new Array<number>(2 * k + 1).fill(0);
  const out: number[] = [];
  const db = (t: number, p: number): void => {
    if (t > 2) {
      if (2 % p === 0) out.push(...a.slice(1, p + 1));
      return;
    }
    a[t] = a[t - p] as number;
    db(t + 1, p);
    for (let j = (a[t - p] as number) + 1; j < k; j++) {
      a[t] = j;
      db(t + 1, t);
    }
  };
  db(1, 1);
  return out;
}

interface Table {
  name: string;
  columns: Array<{ col: string; kind: Kind }>;
}

function tablesFor(svc: DbService): Table[] {
  const flavor = svc.flavor;
  const kinds = KINDS.filter((k) => !k.only || k.only === flavor);
  const seq = deBruijn2(kinds.length);
  seq.push(seq[0] as number); // close the cycle so the last pair is adjacent too
  const tables: Table[] = [];
  for (let start = 0, n = 0; start < seq.length - 1; start += COLUMNS_PER_TABLE - 1, n++) {
    const part = seq.slice(start, start + COLUMNS_PER_TABLE);
    tables.push({ name: `nb_${String(n).padStart(2, '0')}`, columns: part.map((k, i) => ({ col: `${(kinds[k] as Kind).name}_${i}`, kind: kinds[k] as Kind })) });
  }
  return tables;
}

/** Every ordered pair of kinds adjacent in some table (checked, so a change to the cutting cannot lose one). */
function adjacentPairs(tables: readonly Table[]): Set<string> {
  const pairs = new Set<string>();
  for (const t of tables) for (let i = 1; i < t.columns.length; i++) pairs.add(`${t.columns[i - 1]?.kind.name}>${t.columns[i]?.kind.name}`);
  return pairs;
}

function rowValues(g: Gen, t: Table): string[] {
  return t.columns.map(({ kind }) => (g.bool(0.15) ? 'NULL' : g.pick(kind.values)));
}

const BATCHES = { snapshot: 0, full: 1000, minimal: 2000, none: 3000 } as const;
const ROWS_PER_BATCH = 3;

async function neighbours(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const db = `nb_cols_${svc.name.replace(/\W/g, '_')}`;
  const tables = tablesFor(svc);
  const flavorKinds = KINDS.filter((k) => !k.only || k.only === svc.flavor);
  assert.equal(adjacentPairs(tables).size, flavorKinds.length ** 2, 'every ordered pair of types is adjacent in some table');
  const root = await mysql.createConnection({ host: svc.host, port: svc.port, user: svc.root.user, password: svc.root.password, charset: 'utf8mb4', multipleStatements: true, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
  const g = new Gen(rng(Number(process.env.SLUICE_FUZZ_SEED ?? 20261203)));
  const ac = new AbortController();
  let run: Promise<unknown> | null = null;
  try {
    await root.query(`DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db}; USE ${db}`);
    for (const tb of tables) {
      await root.query(`CREATE TABLE ${tb.name} (id INT PRIMARY KEY, ${tb.columns.map((c) => `\`${c.col}\` ${c.kind.ddl}`).join(', ')}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 ROW_FORMAT=DYNAMIC`);
    }
    await root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'@'%'`).catch(() => root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'`));
    await root.query(`SET SESSION sql_mode = ''; SET SESSION time_zone = '+05:30'`);
    const insertBatch = async (base: number): Promise<void> => {
      for (const tb of tables) {
        for (let r = 1; r <= ROWS_PER_BATCH; r++) {
          await root.query(`INSERT INTO ${tb.name} (id, ${tb.columns.map((c) => `\`${c.col}\``).join(', ')}) VALUES (${base + r}, ${rowValues(g, tb).join(', ')})`);
        }
      }
    };
    await insertBatch(BATCHES.snapshot);

    const dir = await mkdtemp(join(tmpdir(), 'sluice-neighbours-'));
    const topic = `sluice-neighbours-${svc.name}-${Date.now().toString(36)}`;
    const job = testJob(svc, { objects: tables.map((tb) => ({ db, table: tb.name })), topic, target: { createTopics: true }, extra: { state: { dir } } });
    const lines: string[] = [];
    run = runJob(job, { snapshotOnly: false, progressOut: process.stderr, log: (l) => lines.push(l), signal: ac.signal });
    run.catch(() => undefined);
    const deadline = Date.now() + 120_000;
    while (!readCheckpoint(dir)?.snapshot?.finished) {
      if (Date.now() > deadline) throw new Error(`the snapshot did not finish: ${lines.join(' | ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await withGlobal(svc, 'binlog_row_metadata', 'FULL', () => insertBatch(BATCHES.full));
    await withGlobal(svc, 'binlog_row_metadata', 'MINIMAL', () => insertBatch(BATCHES.minimal));

    const registry: Record<string, avro.Type> = {};
    avro.Type.forSchema(JSON.parse(await readFile('/work/shared/reference/dts-record.avsc', 'utf8')) as avro.Schema, { registry, wrapUnions: true });
    const schema = registry['com.alibaba.dts.formats.avro.Record'] as avro.Type;
    const undecodable: string[] = [];
    const recs = new Map<string, Buffer>();
    const readUntil = async (expected: number): Promise<void> => {
      const readDeadline = Date.now() + 90_000;
      while (recs.size < expected && Date.now() < readDeadline) {
        await readTopic(job.target, { topic, from: 'earliest', idleMs: 1500 }, (m) => {
          if (!m.value) return;
          try {
            schema.fromBuffer(m.value);
          } catch (e) {
            undecodable.push(`partition ${m.partition} offset ${m.offset}: ${(e as Error).message}`);
            return;
          }
          const d = decodeRecord(m.value);
          if (d.operation !== 'INIT' && d.operation !== 'INSERT') return;
          recs.set(`${(d.objectName ?? '').split('.')[1]}:${d.after?.id}`, m.value);
        });
      }
      assert.deepEqual(undecodable, [], 'every record decodes with avsc and the published schema');
      assert.equal(recs.size, expected, `every row arrived (${recs.size} of ${expected})`);
    };
    const perBatch = tables.length * ROWS_PER_BATCH;
    await readUntil(3 * perBatch);
    // A TABLE_MAP without optional metadata, as a 5.7-shaped server writes it: the fenced zongji layer's
    // test-only switch, read when zongji parses each event (this job runs in this process).
    process.env.SLUICE_TEST_TABLE_MAP_WITHOUT_METADATA = '1';
    try {
      await insertBatch(BATCHES.none);
      await readUntil(4 * perBatch);
    } finally {
      delete process.env.SLUICE_TEST_TABLE_MAP_WITHOUT_METADATA;
    }
    ac.abort();
    await run;

    let values = 0;
    for (const tb of tables) {
      const names = tb.columns.map((c) => c.col);
      const exprs = tb.columns.map(({ col, kind }) => (kind.render ?? ((c: string) => `CAST(${c} AS CHAR)`))(`\`${col}\``));
      const [rendered] = await root.query({ sql: `SELECT id, ${exprs.join(', ')} FROM ${tb.name} ORDER BY id`, rowsAsArray: true });
      const [bytes] = await root.query({ sql: `SELECT id, ${names.map((n) => hex(`\`${n}\``)).join(', ')} FROM ${tb.name} ORDER BY id`, rowsAsArray: true });
      const fsp: Record<string, number> = {};
      for (const c of tb.columns) if (c.kind.fsp !== undefined) fsp[c.col] = c.kind.fsp;
      (rendered as unknown as (string | number | null)[][]).forEach((row, r) => {
        const id = Number(row[0]);
        const path = id > BATCHES.none ? 'binlog without TABLE_MAP metadata' : id > BATCHES.minimal ? 'binlog MINIMAL' : id > BATCHES.full ? 'binlog FULL' : 'snapshot';
        const buf = recs.get(`${tb.name}:${id}`);
        assert.ok(buf, `${tb.name} ${id} arrived`);
        const after = decodeRecord(buf, { timestamp: 'epoch', fsp }).after ?? {};
        const images = parseRecord(buf).afterImages as ReadonlyArray<{ kind?: string; type?: string; value?: Uint8Array } | null>;
        tb.columns.forEach(({ col, kind }, i) => {
          const where = `${svc.name} ${path} ${tb.name}.${col} (after ${i === 0 ? 'id' : tb.columns[i - 1]?.kind.ddl}) row ${id}`;
          const want = row[i + 1] ?? null;
          const got = after[col] ?? null;
          if (want === null || got === null) assert.equal(got, want, where);
          else if (kind.numeric) assert.equal(kind.numeric === 'float' ? Math.fround(Number(got)) : Number(got), Number(want), `${where}: ${got} vs ${want}`);
          // (a bytesOnly column's value is held to the server's bytes below)
          else if (!kind.bytesOnly) assert.equal(got, String(want), where);
          const img = images[i + 1];
          if (kind.text && want !== null) {
            assert.ok(img?.value, `${where}: bytes`);
            assert.equal(img?.kind === 'BinaryObject' && img.type === 'TEXT' ? 'TEXT' : img?.kind, kind.text, `${where}: a text column arrives as ${kind.text}`);
            assert.equal(Buffer.from(img?.value ?? []).toString('hex'), (bytes as unknown as (string | null)[][])[r]?.[i + 1], `${where}: its own bytes`);
          }
          values++;
        });
      });
    }
    t.diagnostic(`${svc.name}: ${tables.length} tables, ${adjacentPairs(tables).size} adjacent type pairs, ${recs.size} records, ${values} values equal the server's rendering`);
  } finally {
    ac.abort();
    await run?.catch(() => undefined);
    await root.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    await root.end();
  }
}

for (const svc of ALL_DATABASES) {
  test(`column neighbours on ${svc.name}: every type after every other, snapshot and binlog (FULL, MINIMAL, no TABLE_MAP metadata), equals the server's rendering`, { timeout: 300_000 }, (t) => neighbours(t, svc));
}
