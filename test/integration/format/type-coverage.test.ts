/**
 * Issue 3, "Type coverage": one table holding every MySQL type with edge values, on MariaDB and MySQL. Rows
 * are inserted by root (permissive sql_mode, non-UTC session time_zone), then read back twice as the sluice
 * user: by SELECT through the snapshot options (mysql2 path) and from the binlog through @vlasky/zongji
 * (never re-SELECTed). Both encodings must be byte-identical, and the decoded values must equal what the
 * server itself renders for them (CAST(… AS CHAR), HEX(), ST_AsWKB(), UNIX_TIMESTAMP()).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import ZongJi from '@vlasky/zongji';
import { DATABASES, type DbService } from '../../support/services.js';
import { loadTableSchemas } from '../../../src/source/mysql/table-schema.js';
import {
  SNAPSHOT_CONNECTION_OPTIONS,
  SNAPSHOT_SESSION_SQL,
  buildRowRecord,
  compileTableMapper,
  decodeRecord,
  encodeRecord,
  parseRecord,
  type ChangeHeader,
} from '../../../src/format/dts-avro/index.js';
import type { TableSchema } from '../../../src/model/table.js';
import { attachRawBinlogValues, type ZongjiLike } from '../../../src/source/binlog/zongji-raw.js';
import { requireService } from '../../support/db.js';

const TABLE = 'all_types';

function ddl(svc: DbService): string {
  // MariaDB's JSON is an alias of LONGTEXT (with a json_valid check): it is a Character column there
  return `CREATE TABLE ${TABLE} (
    id INT PRIMARY KEY,
    ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
    i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
    d65 DECIMAL(65,30), d52 DECIMAL(5,2), d10 DECIMAL(10,0),
    f FLOAT, db DOUBLE,
    b1 BIT(1), b10 BIT(10), b64 BIT(64),
    dd DATE, dt0 DATETIME, dt1 DATETIME(1), dt2 DATETIME(2), dt3 DATETIME(3), dt4 DATETIME(4), dt5 DATETIME(5), dt6 DATETIME(6),
    ts0 TIMESTAMP NULL DEFAULT NULL, ts1 TIMESTAMP(1) NULL DEFAULT NULL, ts3 TIMESTAMP(3) NULL DEFAULT NULL,
    ts4 TIMESTAMP(4) NULL DEFAULT NULL, ts6 TIMESTAMP(6) NULL DEFAULT NULL,
    tm TIME, tm1 TIME(1), tm3 TIME(3), tm4 TIME(4), tm6 TIME(6), yr YEAR,
    c_utf CHAR(10) CHARACTER SET utf8mb4, v_utf VARCHAR(50) CHARACTER SET utf8mb4, t_utf TEXT CHARACTER SET utf8mb4,
    c_lat CHAR(10) CHARACTER SET latin1, v_lat VARCHAR(50) CHARACTER SET latin1, t_lat TINYTEXT CHARACTER SET latin1,
    c_gbk CHAR(10) CHARACTER SET gbk, v_gbk VARCHAR(300) CHARACTER SET gbk, t_gbk MEDIUMTEXT CHARACTER SET gbk,
    bn BINARY(8), vb VARBINARY(20), tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,
    en ENUM('a','b','c'), st SET('x','y','z'),
    j JSON,
    g GEOMETRY, p POINT
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4${svc.name === 'mysql' ? '' : ''}`;
}

const JSON_DOC =
  '{"b": 1, "10": 2, "a": [1.0, 1e2, 0.1, 1e21, 1.5e-7, 3.0e-5, 1e20, 123456789012345678901234, 9223372036854775807,' +
  ' 18446744073709551615, -9223372036854775808, 12345678901234567890], "s": "\\u0001\\u001f\\t\\"\\\\/é😀中", "n": null,' +
  ' "t": true, "f": false, "o": {"deep": {"deeper": [[], {}, ""]}}}';

const COLS =
  'id, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, d65, d52, d10, f, db, b1, b10, b64, dd, dt0, dt1, dt2, dt3, dt4, dt5, dt6, ' +
  'ts0, ts1, ts3, ts4, ts6, tm, tm1, tm3, tm4, tm6, yr, c_utf, v_utf, t_utf, c_lat, v_lat, t_lat, c_gbk, v_gbk, t_gbk, ' +
  'bn, vb, tb, bl, mb, lb, en, st, j, g, p';

/** Row literals in COLS order. The session time_zone is +05:30, so TIMESTAMP literals are local to it. */
const ROWS: string[] = [
  // maxima
  `1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615,
   '99999999999999999999999999999999999.999999999999999999999999999999', 999.99, 9999999999,
   3.4028234e38, 1.7976931348623157e308, b'1', b'1111111111', 0xFFFFFFFFFFFFFFFF,
   '9999-12-31', '9999-12-31 23:59:59', '9999-12-31 23:59:59.9', '9999-12-31 23:59:59.99', '9999-12-31 23:59:59.999',
   '9999-12-31 23:59:59.9999', '9999-12-31 23:59:59.99999', '9999-12-31 23:59:59.999999',
   '2038-01-19 08:44:07', '2038-01-19 08:44:07.9', '2038-01-19 08:44:07.999', '2038-01-19 08:44:07.9999', '2038-01-19 08:44:07.999999',
   '838:59:59', '838:59:59.9', '838:59:59.999', '838:59:59.9999', '838:59:59.999999', 2155,
   'emoji😀éz', 'ünïcødé 😀 中文 𝄞', REPEAT('长文本😀', 50),
   'café€', 'Ÿœ€‰ ÿ', CONCAT('latin1 ', X'818D8F909D', ' end'),
   '中文', '汉字测试ＡＢＣ', REPEAT('中文字符', 30),
   X'0102', X'00FF00FF', X'00', X'DEADBEEF00', REPEAT(X'AB', 300), REPEAT(X'CD', 70000),
   'c', 'x,z', '${JSON_DOC.replaceAll("'", "''").replaceAll('\\', '\\\\')}',
   ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0),(1 1,2 1,2 2,1 1))'), ST_GeomFromText('POINT(1.5 -2.25)')`,
  // minima and negatives
  `2, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,
   '-99999999999999999999999999999999999.999999999999999999999999999999', -999.99, -9999999999,
   -1.17549435e-38, -2.2250738585072014e-308, b'0', b'0', 0,
   '1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00.1', '1000-01-01 00:00:00.01', '1000-01-01 00:00:00.001',
   '1000-01-01 00:00:00.0001', '1000-01-01 00:00:00.00001', '1000-01-01 00:00:00.000001',
   '1970-01-01 05:30:01', '1970-01-01 05:30:01.1', '1970-01-01 05:30:01.001', '1970-01-01 05:30:01.0001', '1970-01-01 05:30:01.000001',
   '-838:59:59', '-838:59:58.9', '-00:00:01.5', '-00:00:00.0001', '-12:34:56.789012', 1901,
   '', '', '',
   '', '', '',
   '', '', '',
   X'', X'', X'', X'', X'', X'',
   'zz', '', '[]',
   ST_GeomFromText('POINT(0 0)'), ST_GeomFromText('POINT(-180 90)')`,
  // zero dates (permissive sql_mode), fractions, small values
  `3, 0, 1, -1, 1, 0, 1, 0, 1, 1, 9007199254740993,
   '0.000000000000000000000000000001', -0.5, 0,
   0.1, 0.1, b'1', b'101', 0x8000000000000001,
   '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '2024-02-29 12:34:56.123456',
   '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56.123456',
   '0000-00-00 00:00:00', '0000-00-00 00:00:00', '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56.123456',
   '00:00:00', '-00:00:00.5', '12:34:56.789', '100:00:00.0001', '-00:00:00.000001', '0000',
   'a  ', ' trailing ', 'tab\\there',
   'é', 'x', 'y',
   '啊', 'B', 'C',
   X'000000', X'0000', X'0000', X'00', X'01', X'02',
   'a', 'x,y,z', '{"k": [1, 2.5, "v"], "big": 1e308, "small": -2.2250738585072014e-308}',
   ST_GeomFromText('LINESTRING(0 0,1 1,2 4)'), ST_GeomFromText('POINT(3 4)')`,
  // NULL in every column
  `4${', NULL'.repeat(57)}`,
];

/** The SQL that makes the server render each column the way the decoder must render it. */
function expectedExpr(schema: TableSchema, name: string): string {
  const c = schema.columns.find((x) => x.name === name);
  assert.ok(c);
  const q = `\`${name}\``;
  switch (c.dataType) {
    case 'float':
    case 'double':
      return `CAST(${q} AS DOUBLE)`;
    case 'bit':
      return `CAST(${q}+0 AS CHAR)`;
    case 'timestamp':
      return `CAST(UNIX_TIMESTAMP(${q}) AS CHAR)`;
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return `LOWER(HEX(${q}))`;
    case 'geometry':
    case 'point':
      return `LOWER(HEX(ST_AsWKB(${q})))`;
    default:
      return `CAST(${q} AS CHAR)`;
  }
}

const HEADER: ChangeHeader = {
  id: 42,
  sourceTimestamp: 1_700_000_000,
  sourcePosition: '1234@7',
  safeSourcePosition: '1000@7',
  sourceTxid: '0',
  serverVersion: 'test',
  threadId: 1,
  serverId: 1,
  readerThroughoutTime: 0,
};


interface BinlogRows {
  rows: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Starts zongji at the end of the binlog as the sluice user, collecting WriteRows rows of the table. */
async function streamBinlog(svc: DbService, db: string, serverId: number): Promise<BinlogRows> {
  const zongji = new ZongJi({ host: svc.host, port: svc.port, user: svc.sluice.user, password: svc.sluice.password });
  const detach = attachRawBinlogValues(zongji as unknown as ZongjiLike);
  const rows: Record<string, unknown>[] = [];
  const errors: Error[] = [];
  zongji.on('error', (e: Error) => errors.push(e));
  zongji.on('binlog', (ev) => {
    if (ev.getTypeName() === 'WriteRows') rows.push(...((ev as unknown as { rows: Record<string, unknown>[] }).rows));
  });
  await new Promise<void>((resolve, reject) => {
    zongji.once('ready', () => resolve());
    zongji.once('error', reject);
    zongji.start({ serverId, startAtEnd: true, includeEvents: ['tablemap', 'writerows'], includeSchema: { [db]: true } });
  });
  return {
    rows,
    async stop() {
      detach();
      await new Promise<void>((resolve) => {
        zongji.once('stopped', () => resolve());
        zongji.stop();
        setTimeout(resolve, 2000);
      });
      if (errors.length) throw errors[0];
    },
  };
}

async function coverage(t: TestContext, svc: DbService, serverId: number): Promise<void> {
  // A missing service is a failed run, not a skipped one: CI starts every service before the tests.
  await requireService(svc);
  const db = `fmt_types_${svc.name}`;
  const root = await mysql.createConnection({
    host: svc.host,
    port: svc.port,
    user: svc.root.user,
    password: svc.root.password,
    charset: 'utf8mb4',
    multipleStatements: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  });
  try {
    await root.query(`DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db}; USE ${db}`);
    await root.query(ddl(svc));
    await root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'@'%'`).catch(() => root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'`));
    const binlog = await streamBinlog(svc, db, serverId);
    try {
      await root.query(`SET SESSION sql_mode = ''; SET SESSION time_zone = '+05:30'`);
      for (const r of ROWS) await root.query(`INSERT INTO ${TABLE} (${COLS}) VALUES (${r})`);
      const deadline = Date.now() + 20_000;
      while (binlog.rows.length < ROWS.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await binlog.stop();
    }
    assert.equal(binlog.rows.length, ROWS.length, 'every inserted row arrives from the binlog');

    // snapshot path, as the sluice user with the exported options
    const reader = await mysql.createConnection({ host: svc.host, port: svc.port, user: svc.sluice.user, password: svc.sluice.password, ...SNAPSHOT_CONNECTION_OPTIONS });
    let schema: TableSchema;
    let snapRows: (Buffer | null)[][];
    const meta = await mysql.createConnection({ host: svc.host, port: svc.port, user: svc.sluice.user, password: svc.sluice.password });
    try {
      [schema] = (await loadTableSchemas(meta, [{ db, table: TABLE }])) as [TableSchema];
      for (const s of SNAPSHOT_SESSION_SQL) await reader.query(s);
      // a non-UTC session time zone must not change anything
      await reader.query(`SET SESSION time_zone = '-07:00'`);
      const mapper = compileTableMapper(schema);
      const [rows] = await reader.query(`SELECT ${mapper.selectList} FROM ${db}.${TABLE} ORDER BY id`);
      snapRows = rows as unknown as (Buffer | null)[][];
    } finally {
      await reader.end();
      await meta.end();
    }
    const mapper = compileTableMapper(schema);
    assert.equal(snapRows.length, ROWS.length);

    // what the server renders, per column
    const names = schema.columns.map((c) => c.name);
    const [expRows] = await root.query({ sql: `SELECT ${names.map((n) => expectedExpr(schema, n)).join(', ')} FROM ${TABLE} ORDER BY id`, rowsAsArray: true });
    const [hexRows] = await root.query({ sql: `SELECT ${names.map((n) => `LOWER(HEX(\`${n}\`))`).join(', ')} FROM ${TABLE} ORDER BY id`, rowsAsArray: true });
    const expected = expRows as unknown as (string | number | null)[][];
    const hexes = hexRows as unknown as (string | null)[][];
    const fsp: Record<string, number> = {};
    for (const c of schema.columns) if (['datetime', 'timestamp', 'time'].includes(c.dataType)) fsp[c.name] = c.precision ?? 0;

    const byId = new Map(binlog.rows.map((r) => [Number(r.id), r]));
    for (let k = 0; k < ROWS.length; k++) {
      const snap = snapRows[k] as (Buffer | null)[];
      const id = Number((snap[0] as Buffer).toString());
      const bin = byId.get(id);
      assert.ok(bin, `binlog row ${id}`);
      const fromSnapshot = encodeRecord(buildRowRecord(mapper, 'INSERT', HEADER, null, mapper.snapshotImage(snap)));
      const fromBinlog = encodeRecord(buildRowRecord(mapper, 'INSERT', HEADER, null, mapper.binlogImage(bin)));
      if (!fromSnapshot.equals(fromBinlog)) {
        const a = parseRecord(fromSnapshot).afterImages as unknown[];
        const b = parseRecord(fromBinlog).afterImages as unknown[];
        const diffs = names.filter((_, i) => JSON.stringify(a[i]) !== JSON.stringify(b[i])).map((n) => {
          const i = names.indexOf(n);
          return `${n}: snapshot ${JSON.stringify(a[i])} binlog ${JSON.stringify(b[i])}`;
        });
        assert.fail(`${svc.name} row ${id}: snapshot and binlog encodings differ:\n${diffs.join('\n')}`);
      }
      const decoded = decodeRecord(fromBinlog, { timestamp: 'epoch', fsp });
      const after = decoded.after;
      assert.ok(after);
      if (process.env.FMT_DEBUG) console.log(svc.name, id, after, expected[k]);
      const rawImages = parseRecord(fromBinlog).afterImages;
      assert.ok(Array.isArray(rawImages));
      names.forEach((n, i) => {
        const want = expected[k]?.[i] ?? null;
        const got = after[n] ?? null;
        const dt = schema.columns[i]?.dataType;
        if (want === null || got === null) {
          assert.equal(got, want, `${svc.name} row ${id} ${n}`);
        } else if (dt === 'float' || dt === 'double') {
          // the decoded FLOAT is the shortest text of its float32; the server's CAST AS DOUBLE is its exact value
          const w = Number(want);
          assert.equal(dt === 'float' ? Math.fround(Number(got)) : Number(got), w, `${svc.name} row ${id} ${n}: ${got} vs ${want}`);
        } else {
          assert.equal(got, String(want), `${svc.name} row ${id} ${n}`);
        }
        // character columns: the original bytes in their own charset
        const v = (rawImages as readonly unknown[])[i] as { kind?: string; value?: Uint8Array } | null;
        if (v && v.kind === 'Character' && v.value) {
          assert.equal(Buffer.from(v.value).toString('hex'), hexes[k]?.[i], `${svc.name} row ${id} ${n} bytes`);
        }
      });
    }
  } finally {
    await root.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    await root.end();
  }
}

for (const [i, svc] of DATABASES.entries()) {
  test(`${svc.name}: every MySQL type encodes identically from SELECT and from the binlog, and decodes to what the server prints`, async (t) => {
    await coverage(t, svc, 31_000 + i);
  });
}
