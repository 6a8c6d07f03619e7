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
import { DATABASES, MARIADB118, MYSQL_MINIMAL, type DbService } from '../../support/services.js';
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
import { COLS, ROWS, TABLE, ddl } from '../../support/every-type-table.js';

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
        const col = schema.columns[i];
        // TINYTEXT…LONGTEXT arrive as BinaryObject{TEXT} (as DTS writes them), which names no charset: the
        // decoder renders them as UTF-8, so a TEXT column in another charset is held to its bytes below
        const lobText = /text$/.test(dt ?? '') && !['utf8mb4', 'utf8mb3', 'utf8', 'ascii'].includes(col?.charset ?? '');
        if (want === null || got === null) {
          assert.equal(got, want, `${svc.name} row ${id} ${n}`);
        } else if (dt === 'float' || dt === 'double') {
          // the decoded FLOAT is the shortest text of its float32; the server's CAST AS DOUBLE is its exact value
          const w = Number(want);
          assert.equal(dt === 'float' ? Math.fround(Number(got)) : Number(got), w, `${svc.name} row ${id} ${n}: ${got} vs ${want}`);
        } else if (!lobText) {
          assert.equal(got, String(want), `${svc.name} row ${id} ${n}`);
        }
        // character columns: the original bytes in their own charset
        const v = (rawImages as readonly unknown[])[i] as { kind?: string; value?: Uint8Array } | null;
        if (v && (v.kind === 'Character' || (v.kind === 'BinaryObject' && /text$/.test(dt ?? ''))) && v.value) {
          assert.equal(Buffer.from(v.value).toString('hex'), hexes[k]?.[i], `${svc.name} row ${id} ${n} bytes`);
        }
      });
    }
  } finally {
    await root.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    await root.end();
  }
}

for (const [i, svc] of [...DATABASES, MARIADB118, MYSQL_MINIMAL].entries()) {
  test(`${svc.name}: every MySQL type encodes identically from SELECT and from the binlog, and decodes to what the server prints`, async (t) => {
    await coverage(t, svc, 31_000 + i);
  });
}
