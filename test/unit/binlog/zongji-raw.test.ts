import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawifyTableMapEntry, retypeVectorColumns, type ZongjiTableMapEntry } from '../../../src/source/binlog/zongji-raw.js';

test("MariaDB INET6/INET4/UUID columns read as their stored bytes whatever zongji's column source (information_schema or FULL metadata)", () => {
  const entry: ZongjiTableMapEntry = {
    columnSchemas: [{ COLUMN_TYPE: 'inet6' }, { COLUMN_TYPE: 'uuid' }, { COLUMN_TYPE: 'inet4' }, { COLUMN_TYPE: 'binary(16)' }],
    columns: [0, 1, 2, 3].map((i) => ({ name: `c${i}`, charset: null, type: 254, metadata: { max_length: 16 } })),
  };
  rawifyTableMapEntry(entry);
  assert.deepEqual(entry.columnSchemas.map((c) => c.COLUMN_TYPE), ['binary(16)', 'binary(16)', 'binary(4)', 'binary(16)']);
});

test('JSON columns keep their binlog type code after being re-typed as BLOB (partial JSON updates find them by it)', () => {
  const entry: ZongjiTableMapEntry = { columnSchemas: [{ COLUMN_TYPE: 'json' }], columns: [{ name: 'j', charset: 'binary', type: 245, metadata: { length_size: 4 } }] };
  rawifyTableMapEntry(entry);
  assert.equal(entry.columns?.[0]?.type, 252);
  assert.equal(entry.columns?.[0]?.binlogType, 245);
});

test("a TABLE_MAP's VECTOR (242) column types become BLOB (252) in place; nothing else changes", () => {
  // table id, flags, "db", "t", 4 columns: INT, VECTOR, VARCHAR, VECTOR, then metadata
  const body = Buffer.concat([Buffer.alloc(8), Buffer.from([2]), Buffer.from('db\0'), Buffer.from([1]), Buffer.from('t\0'), Buffer.from([4, 3, 242, 15, 242]), Buffer.from([4, 4, 0x40, 0, 4])]);
  body.writeUIntLE(77, 0, 6);
  const before = Buffer.from(body);
  assert.deepEqual(retypeVectorColumns(body), { tableId: 77, columns: [1, 3] });
  const types = body.subarray(16, 20);
  assert.deepEqual([...types], [3, 252, 15, 252]);
  assert.ok(body.subarray(20).equals(before.subarray(20)), 'metadata untouched');
});
