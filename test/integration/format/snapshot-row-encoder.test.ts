/**
 * The snapshot's fused path against the object path, on the real servers: the every-type table
 * (test/support/every-type-table.ts, plus copies of its rows so reads span many socket chunks) is read as the
 * sluice user twice — by readChunk (row packets, paused and resumed in small blocks, each block encoded only
 * after a delay so held packets must stay valid) and by a plain mysql2 query with the snapshot options (a Buffer
 * per column) — and every row must give the same INIT record bytes and the same key-hash partition and key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { DATABASES, type DbService } from '../../support/services.js';
import { requireService } from '../../support/db.js';
import { COLS, ROWS, TABLE, ddl } from '../../support/every-type-table.js';
import { loadTableSchemas } from '../../../src/source/mysql/table-schema.js';
import {
  AvroWriter,
  buildRowRecord,
  compileTableMapper,
  encodeRecordView,
  imageText,
  SnapshotRowEncoder,
  SNAPSHOT_CONNECTION_OPTIONS,
  SNAPSHOT_SESSION_SQL,
  type SnapshotHeader,
} from '../../../src/format/dts-avro/index.js';
import type { TableSchema } from '../../../src/model/table.js';
import { openStreamingConnection, readChunk, RowPacer } from '../../../src/source/snapshot/read-chunk.js';
import { compileRouter, keyColumnsFor, type Route } from '../../../src/transform/index.js';

const COPIES = 30;
const HEADER: SnapshotHeader = {
  sourceTimestamp: 1_764_120_000,
  sourcePosition: '4711@3',
  safeSourcePosition: '4711@3',
  sourceTxid: '0',
  serverVersion: 'test',
  threadId: 0,
  serverId: 7,
  readerThroughoutTime: 0,
};

interface Encoded {
  value: Buffer;
  route: Route;
}

async function prepare(svc: DbService, db: string): Promise<mysql.Connection> {
  const root = await mysql.createConnection({ host: svc.host, port: svc.port, user: svc.root.user, password: svc.root.password, charset: 'utf8mb4', multipleStatements: true });
  await root.query(`DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db}; USE ${db}`);
  await root.query(ddl(svc));
  await root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'@'%'`).catch(() => root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'`));
  // the rows need no binlog; a non-UTC session zone as the type-coverage test uses
  await root.query(`SET SESSION sql_log_bin = 0; SET SESSION sql_mode = ''; SET SESSION time_zone = '+05:30'`);
  for (const r of ROWS) await root.query(`INSERT INTO ${TABLE} (${COLS}) VALUES (${r})`);
  const rest = COLS.split(', ').slice(1).join(', ');
  for (let k = 1; k <= COPIES; k++) {
    await root.query(`INSERT INTO ${TABLE} (${COLS}) SELECT id + ${10 * k}, ${rest} FROM ${TABLE} WHERE id <= ${ROWS.length}`);
  }
  return root;
}

async function compare(svc: DbService): Promise<void> {
  await requireService(svc);
  const db = `snapfx_types_${svc.name}`;
  const root = await prepare(svc, db);
  const user = { host: svc.host, port: svc.port, user: svc.sluice.user, password: svc.sluice.password };
  try {
    const meta = await mysql.createConnection(user);
    const [schema] = (await loadTableSchemas(meta, [{ db, table: TABLE }])) as [TableSchema];
    await meta.end();
    const mapper = compileTableMapper(schema);
    const keyCols = keyColumnsFor(schema, null);
    assert.ok(keyCols);
    const router = compileRouter({ strategy: 'key-hash', partitions: 5, db, table: TABLE, keyOrdinals: keyCols.ordinals });
    const n = schema.columns.length;

    // the object path: a Buffer per column from mysql2
    const reader = await mysql.createConnection({ ...user, ...SNAPSHOT_CONNECTION_OPTIONS });
    for (const s of SNAPSHOT_SESSION_SQL) await reader.query(s);
    const [rows] = await reader.query(`SELECT ${mapper.selectList} FROM ${db}.${TABLE}`);
    await reader.end();
    const want = new Map<string, Encoded>();
    const refWriter = new AvroWriter();
    const keyText: (string | null)[] = new Array(n).fill(null);
    const id = 1000;
    for (const row of rows as unknown as (Buffer | null)[][]) {
      const after = mapper.snapshotImage(row);
      for (const o of keyCols.ordinals) keyText[o] = imageText(after[o] ?? null);
      const route = router.routeRow(keyText);
      // ids follow the row's key, so both reads may return the rows in any order
      const rowId = id + Number(keyText[keyCols.ordinals[0] as number]);
      const value = Buffer.from(encodeRecordView(buildRowRecord(mapper, 'INIT', { ...HEADER, id: rowId }, null, after), refWriter, mapper.fieldsBytes));
      want.set(route.key ?? '', { value, route });
    }
    assert.equal(want.size, ROWS.length * (COPIES + 1));

    // the fused path: row packets through readChunk, in blocks of 7, each encoded after the read moved on
    const conn = await openStreamingConnection({ ...user, ...SNAPSHOT_CONNECTION_OPTIONS }, SNAPSHOT_SESSION_SQL);
    const encoder = new SnapshotRowEncoder(mapper);
    const frame = encoder.frame(HEADER);
    const writer = new AvroWriter();
    const got = new Map<string, Encoded>();
    const keyScratch = new Uint8Array(512);
    const chunk = { id: `${db}.${TABLE}#0`, db, table: TABLE, index: 0, keyColumns: ['id'], lower: null, upper: null, idBase: 0, estimatedRows: 0 };
    let blocks = 0;
    const count = await readChunk(conn, { chunk, selectList: mapper.selectList, filterSql: null }, 7, new RowPacer(0), async (block) => {
      blocks++;
      await new Promise((r) => setTimeout(r, 2));
      for (const row of block) {
        // the id is only known after the key texts, so encode once for them and again with the id
        encoder.encode(writer, frame, 0, row.buffer, row.start, row.end);
        encoder.keyTexts(row.buffer, keyCols.ordinals, keyText);
        const rowId = id + Number(keyText[keyCols.ordinals[0] as number]);
        const value = Buffer.from(encoder.encode(writer, frame, rowId, row.buffer, row.start, row.end));
        const route = router.routeRow(keyText);
        // the key's bytes copied from the row (an INT primary key) and their partition, as chunk-task uses them
        const keyLength = encoder.writeKeyJson(row.buffer, keyCols.ordinals, keyScratch);
        assert.ok(keyLength > 0 && route.key !== null);
        assert.equal(Buffer.from(keyScratch.subarray(0, keyLength)).toString(), route.key);
        assert.equal(router.partitionOfKey(keyScratch, keyLength), route.partition);
        got.set(route.key ?? '', { value, route });
      }
    });
    conn.end();
    assert.equal(count, want.size);
    assert.ok(blocks >= Math.floor(count / 7));
    for (const [key, w] of want) {
      const g = got.get(key);
      assert.ok(g, `${svc.name}: row ${key} read by readChunk`);
      assert.deepEqual(g.route, w.route, `${svc.name} row ${key}: route`);
      assert.ok(g.value.equals(w.value), `${svc.name} row ${key}: record bytes differ (${g.value.length} vs ${w.value.length})`);
    }
  } finally {
    await root.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    await root.end();
  }
}

for (const svc of DATABASES) {
  test(`${svc.name}: the fused snapshot encoder writes the every-type rows exactly as the object path`, async () => {
    await compare(svc);
  });
}
