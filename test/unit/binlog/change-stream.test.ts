import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeStream, sameColumns, type RowsPool, type StreamPosition } from '../../../src/pipeline/binlog/change-stream.js';
import { runRowsTask, type RowsTask } from '../../../src/pipeline/binlog/rows-task.js';
import { compileRowsLayout, countRows, readRowsBodyHeader } from '../../../src/source/binlog/rows-layout.js';
import { int32, prefixed, rowImage, rowsBody } from './binlog-bytes.js';
import { lastIdBeforeBinlog } from '../../../src/state/record-ids.js';
import { TableRegistry } from '../../../src/pipeline/binlog/table-registry.js';
import type { SyncedTable } from '../../../src/pipeline/job/source-model.js';
import { parseRecord } from '../../../src/format/dts-avro/index.js';
import type { EncodedBatch } from '../../../src/model/encoded-batch.js';
import type { ColumnMeta, TableSchema } from '../../../src/model/table.js';
import { BinlogFramer, type FramedEvent } from '../../../src/source/binlog/framer.js';
import type { RawEventBase } from '../../../src/source/binlog/binlog-event.js';
import { GtidTracker } from '../../../src/source/binlog/gtid-tracker.js';
import { AckTracker } from '../../../src/state/ack-tracker.js';
import { emptyCheckpoint, updateCheckpoint } from '../../../src/state/checkpoint.js';
import { MYSQL_DIALECT } from '../../../src/transform/index.js';

function col(name: string, ordinal: number, dataType: 'int' | 'varchar'): ColumnMeta {
  return dataType === 'int'
    ? { name, ordinal, typeCode: 3, dataType, columnType: 'int', unsigned: false, nullable: false, precision: 10, scale: 0, charset: null, collation: null }
    : { name, ordinal, typeCode: 253, dataType, columnType: 'varchar(20)', unsigned: false, nullable: true, precision: null, scale: null, charset: 'utf8mb4', collation: 'utf8mb4_general_ci' };
}

const SCHEMA: TableSchema = { db: 'shop', table: 'items', columns: [col('id', 0, 'int'), col('grp', 1, 'int'), col('name', 2, 'varchar')], primaryKey: ['id'], uniqueKeys: [], version: 1 };

function synced(filter: string | null): SyncedTable {
  return { object: { db: 'shop', table: 'items', topic: 't', filter, partitionKey: null, partitions: 4, ruleIndex: 0 }, schema: SCHEMA, filterSql: null };
}

interface Harness {
  stream: ChangeStream;
  tracker: AckTracker<StreamPosition>;
  written: EncodedBatch[];
  feed(type: string, nextPosition: number, extra?: Record<string, unknown>): void | Promise<void>;
}

function harness(filter: string | null, lastId = 100, rowsPool?: RowsPool, inlineRowsBelow?: number): Harness {
  const routing = { rules: [{ db: 'shop', table: 'items', topic: 't', partitions: 4, ...(filter ? { filter } : {}) }], jobTopic: 't', partitioning: 'key-hash' as const, partitions: new Map([['t', 4]]) };
  const registry = new TableRegistry(
    { ...routing, filterDialect: MYSQL_DIALECT, fullMetadata: false, collations: new Map(), loadSchema: async () => SCHEMA, log: () => undefined },
    { tables: [synced(filter)], saved: null, versions: {} },
  );
  const tracker = new AckTracker<StreamPosition>();
  const written: EncodedBatch[] = [];
  const stream = new ChangeStream({
    registry,
    sink: { write: async (b) => void written.push(b), stats: { waitingWrites: 0 } },
    tracker,
    gtids: new GtidTracker('3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5', false),
    lastId,
    serverVersion: '9.7.4',
    serverId: 1,
    ddl: 'ignore',
    ddlRouting: routing,
    batchBytes: 1 << 20,
    log: () => undefined,
    ...(rowsPool ? { rowsPool } : {}),
    ...(inlineRowsBelow !== undefined ? { inlineRowsBelow } : {}),
  });
  const framer = new BinlogFramer({ file: 'binlog.000001', pos: 4 });
  const tableMap = { 7: { parentSchema: 'shop', tableName: 'items', columns: [{ name: 'id' }, { name: 'grp' }, { name: 'name' }] } };
  return {
    stream,
    tracker,
    written,
    feed(type, nextPosition, extra = {}) {
      const raw: RawEventBase = { getTypeName: () => type, timestamp: 1_700_000_000_000, nextPosition, tableId: 7, tableMap, ...extra } as RawEventBase;
      const framed: FramedEvent = framer.frame(raw);
      return stream.onEvent(framed);
    },
  };
}

const row = (id: number, grp: number, name: string) => ({ id, grp, name: Buffer.from(name) });

test('ids: every row of a selected table takes the next id, filtered or not, so a replay numbers rows the same', () => {
  const h = harness('grp < 5');
  h.feed('Gtid', 50, { gtid: '3e11fa47-71ca-11e1-9e33-c80aa9429562:6' });
  h.feed('Query', 90, { query: 'BEGIN' });
  h.feed('WriteRows', 200, { rows: [row(1, 1, 'a'), row(2, 9, 'b'), row(3, 2, 'c')] });
  h.feed('UpdateRows', 300, { rows: [{ before: row(2, 9, 'b'), after: row(2, 3, 'b') }, { before: row(4, 9, 'x'), after: row(4, 8, 'y') }] });
  h.feed('DeleteRows', 350, { rows: [row(1, 1, 'a')] });
  h.feed('Xid', 380, { xid: 1 });
  h.stream.cut();
  const records = h.written.flatMap((b) => Array.from({ length: b.count }, (_, i) => parseRecord(Buffer.from(b.bytes.subarray(b.index[i * 4 + 2]!, b.index[i * 4 + 2]! + b.index[i * 4 + 3]!)))));
  const got = records.map((r) => `${r.id}:${r.operation}`).sort();
  // 101 INSERT id1, 102 filtered out (grp 9), 103 INSERT id3, 104 UPDATE into the set, 105 filtered (9→8), 106 DELETE
  assert.deepEqual(got, ['101:INSERT', '103:INSERT', '104:UPDATE', '106:DELETE']);
  assert.equal(h.stream.currentLastId, 106);
  const rec = records.find((r) => r.id === 104)!;
  assert.equal(rec.sourcePosition, '300@1');
  assert.equal(rec.safeSourcePosition, '4@1');
  assert.equal(rec.sourceTxid, '3e11fa47-71ca-11e1-9e33-c80aa9429562:6');
});

test('a boundary reaches the tracker only after its records are issued, and is safe only after they are acked', () => {
  const h = harness(null);
  h.feed('Gtid', 50, { gtid: '3e11fa47-71ca-11e1-9e33-c80aa9429562:6' });
  h.feed('Query', 90, { query: 'BEGIN' });
  h.feed('WriteRows', 200, { rows: [row(1, 1, 'a'), row(2, 2, 'b')] });
  h.feed('Xid', 230, { xid: 1 });
  assert.equal(h.tracker.position, null, 'records still in open batches');
  h.stream.cut();
  assert.ok(h.written.length > 0);
  assert.equal(h.tracker.position, null, 'issued, not acked');
  for (const b of h.written) h.tracker.ack(b);
  const { tables: _t, ...pos } = h.tracker.position!;
  assert.deepEqual(pos, { file: 'binlog.000001', pos: 230, gtidSet: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-6', lastId: 102 });
});

test('a transaction with no selected rows still moves the checkpoint', () => {
  const h = harness('grp < 0');
  h.feed('Gtid', 50, { gtid: '3e11fa47-71ca-11e1-9e33-c80aa9429562:6' });
  h.feed('WriteRows', 200, { rows: [row(1, 1, 'a')] });
  h.feed('Xid', 230, { xid: 1 });
  const { tables: _t, ...pos } = h.tracker.position!;
  assert.deepEqual(pos, { file: 'binlog.000001', pos: 230, gtidSet: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-6', lastId: 101 });
});

test('key-hash routes an UPDATE by its after image', () => {
  const h = harness(null);
  h.feed('Gtid', 50, { gtid: '3e11fa47-71ca-11e1-9e33-c80aa9429562:6' });
  h.feed('UpdateRows', 200, { rows: [{ before: row(1, 1, 'a'), after: row(777, 1, 'a') }] });
  h.feed('Xid', 230, { xid: 1 });
  h.stream.cut();
  const b = h.written[0]!;
  const key = Buffer.from(b.bytes.subarray(b.index[0]!, b.index[0]! + b.index[1]!)).toString();
  assert.equal(key, '["777"]');
});

test('the first binlog id sits above every id the snapshot reserved; later runs continue from the checkpoint', () => {
  const base = emptyCheckpoint('j');
  const chunk = (k: number) => ({ chunk: `d.t#${k}`, table: 'd.t', lower: null, upper: null, firstId: BigInt((k + 1) * 2 ** 32) });
  const snap = (n: number) => updateCheckpoint(base, { snapshot: { binlogStart: { file: 'b.1', pos: 4, gtidSet: null }, chunks: Array.from({ length: n }, (_, k) => chunk(k)), done: [], finished: true } });
  assert.equal(lastIdBeforeBinlog(snap(0)), 2n ** 32n - 1n, 'schema records (1..n) only');
  assert.equal(lastIdBeforeBinlog(snap(3)), 4n * 2n ** 32n - 1n, 'chunk 2 holds [3·2^32, 4·2^32)');
  const resumed = updateCheckpoint(snap(3), { binlog: { file: 'b.1', pos: 900, gtidSet: null }, lastId: 4n * 2n ** 32n + 41n });
  assert.equal(lastIdBeforeBinlog(resumed), 4n * 2n ** 32n + 41n);
});

test('sameColumns: a row must hold exactly the schema columns in order', () => {
  assert.equal(sameColumns({ a: 1, b: 2 }, ['a', 'b']), true);
  assert.equal(sameColumns({ a: 1 }, ['a', 'b']), false);
  assert.equal(sameColumns({ a: 1, b: 2, c: 3 }, ['a', 'b']), false);
  assert.equal(sameColumns({ b: 1, a: 2 }, ['a', 'b']), false);
});

// Rows as bytes (the reader's rowsAsBytes): ids reserved here, decoded and encoded by a rows task.
const TYPED_MAP = {
  7: {
    parentSchema: 'shop',
    tableName: 'items',
    columns: [
      { name: 'id', type: 3, metadata: {}, charset: null },
      { name: 'grp', type: 3, metadata: {}, charset: null },
      { name: 'name', type: 15, metadata: { max_length: 80 }, charset: null },
    ],
    columnSchemas: [{ COLUMN_TYPE: 'int' }, { COLUMN_TYPE: 'int' }, { COLUMN_TYPE: 'varbinary /* sluice: raw bytes */' }],
  },
};

function bytesEvent(op: 'WriteRows' | 'UpdateRows' | 'DeleteRows', rows: Array<[number, number, string]>): Record<string, unknown> {
  const typeCode = { WriteRows: 0x1e, UpdateRows: 0x1f, DeleteRows: 0x20 }[op];
  const images = rows.map(([id, grp, name]) => rowImage([int32(id), int32(grp), prefixed(Buffer.from(name), 1)]));
  const body = rowsBody(7, 3, images, op === 'UpdateRows');
  const layout = compileRowsLayout(TYPED_MAP[7] as never)!;
  const h = readRowsBodyHeader(body, typeCode);
  return { typeCode, body, rowCount: countRows(body, body.length, layout, h), columns_present_bitmap: h.present, tableMap: TYPED_MAP };
}

function decodedRecords(written: EncodedBatch[]): Array<Record<string, unknown>> {
  return written
    .flatMap((b) => Array.from({ length: b.count }, (_, i) => ({ partition: b.partition, r: parseRecord(Buffer.from(b.bytes.subarray(b.index[i * 4 + 2]!, b.index[i * 4 + 2]! + b.index[i * 4 + 3]!))) })))
    .map(({ partition, r }) => {
      // the only field that depends on when a record was encoded
      const tags = { ...(r.tags as Record<string, string>), readerThroughoutTime: '0' };
      return { partition, ...r, readerThroughoutTime: 0, tags };
    });
}

const byId = (rs: Array<Record<string, unknown>>) => [...rs].sort((a, b) => Number(a.id) - Number(b.id));

for (const [how, inlineBelow] of [['in a worker task', 0], ['inline (a task too small for a worker)', 1000]] as const) {
test(`rows as bytes ${how}: the same records, ids and order as rows decoded on the main thread`, async () => {
  let tasks = 0;
  const inProcessPool = {
    run: async (task: RowsTask) => {
      tasks++;
      return runRowsTask(structuredClone(task));
    },
  };
  const viaBytes = harness('grp < 5', 100, inProcessPool, inlineBelow);
  const onMain = harness('grp < 5', 100);
  const feedBoth = (type: string, pos: number, decoded: Record<string, unknown>, bytes?: Record<string, unknown>) => {
    viaBytes.feed(type, pos, bytes ?? decoded);
    onMain.feed(type, pos, decoded);
  };
  feedBoth('Gtid', 50, { gtid: '3e11fa47-71ca-11e1-9e33-c80aa9429562:6' });
  feedBoth('Query', 90, { query: 'BEGIN' });
  feedBoth('WriteRows', 200, { rows: [row(1, 1, 'a'), row(2, 9, 'b'), row(3, 2, 'c')] }, bytesEvent('WriteRows', [[1, 1, 'a'], [2, 9, 'b'], [3, 2, 'c']]));
  // a decoded event between two byte events (zongji decodes tables without a rows layout): order must hold
  feedBoth('UpdateRows', 300, { rows: [{ before: row(3, 2, 'c'), after: row(3, 3, 'c2') }] });
  feedBoth('DeleteRows', 350, { rows: [row(1, 1, 'a'), row(3, 3, 'c2')] }, bytesEvent('DeleteRows', [[1, 1, 'a'], [3, 3, 'c2']]));
  feedBoth('Xid', 380, { xid: 1 });
  await viaBytes.stream.flush();
  await onMain.stream.flush();
  const got = decodedRecords(viaBytes.written);
  assert.deepEqual(byId(got), byId(decodedRecords(onMain.written)));
  const last = new Map<unknown, number>();
  for (const r of got) {
    assert.ok(Number(r.id) > (last.get(r.partition) ?? 0), `ids increase within partition ${r.partition}`);
    last.set(r.partition, Number(r.id));
  }
  assert.deepEqual(byId(got).map((r) => `${r.id}:${r.operation}`), ['101:INSERT', '103:INSERT', '104:UPDATE', '105:DELETE', '106:DELETE']);
  assert.equal(viaBytes.stream.currentLastId, 106);
  assert.equal(viaBytes.stream.rows, 6);
  assert.equal(viaBytes.stream.records, 5);
  for (const b of viaBytes.written) viaBytes.tracker.ack(b);
  assert.equal(viaBytes.tracker.position?.lastId, 106, 'the boundary after the task reached the tracker');
  assert.equal(tasks, inlineBelow === 0 ? 2 : 0, 'worker tasks sent');
});
}
