import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRowsLayout, countRows, decimalBinarySize, readRowsBodyHeader } from '../../../src/source/binlog/rows-layout.js';
import { decodeRowsBody, plainTableMapEntry } from '../../../src/source/binlog/rows-decode.js';
import { rawifyTableMapEntry, type ZongjiColumn } from '../../../src/source/binlog/zongji-raw.js';
import { int32, prefixed, rowImage, rowsBody } from './binlog-bytes.js';

const WRITE_V2 = 0x1e;
const UPDATE_V2 = 0x1f;

/** A table map entry as zongji builds it, then re-typed as the reader does. */
function entry(cols: Array<{ name: string; type: number; metadata: Record<string, unknown>; columnType: string; charset?: string | null }>) {
  const e = {
    parentSchema: 'shop',
    tableName: 'items',
    columns: cols.map((c): ZongjiColumn => ({ name: c.name, type: c.type, metadata: c.metadata, charset: c.charset ?? null })),
    columnSchemas: cols.map((c) => ({ COLUMN_TYPE: c.columnType })),
  };
  rawifyTableMapEntry(e);
  return e;
}

// id INT, note VARCHAR(300) (2-byte prefix), body BLOB (2-byte prefix), price DECIMAL(10,2), at DATETIME(3) (re-typed as 7 bytes)
const TABLE = entry([
  { name: 'id', type: 3, metadata: {}, columnType: 'int' },
  { name: 'note', type: 15, metadata: { max_length: 1200 }, columnType: 'varchar(300)', charset: 'utf8mb4' },
  { name: 'body', type: 252, metadata: { length_size: 2 }, columnType: 'blob' },
  { name: 'price', type: 246, metadata: { precision: 10, decimals: 2 }, columnType: 'decimal(10,2)' },
  { name: 'at', type: 18, metadata: { decimals: 3 }, columnType: 'datetime(3)' },
]);

const price = (units: number, cents: number): Buffer => {
  // DECIMAL(10,2): 8 integer digits (4 bytes), 2 fraction digits (1 byte); sign bit flipped for positives
  const b = Buffer.alloc(5);
  b.writeUInt32BE(units, 0);
  b[4] = cents;
  b[0]! ^= 0x80;
  return b;
};
const at = Buffer.from([0x99, 0xb4, 0x5c, 0x00, 0x00, 0x01, 0x2c]);

function image(id: number, note: string | null, body: Buffer | null): Buffer {
  return rowImage([int32(id), note === null ? null : prefixed(Buffer.from(note), 2), body === null ? null : prefixed(body, 2), price(12, 34), at]);
}

test('rows layout: counts the rows of an event exactly where zongji would read them, NULLs and long values included', () => {
  const layout = compileRowsLayout(TABLE);
  assert.ok(layout);
  assert.deepEqual(layout.widths, [4, -2, -2, decimalBinarySize(10, 2), 7]);
  const body = rowsBody(42, 5, [image(1, 'a', Buffer.alloc(0)), image(2, null, Buffer.alloc(4464, 7)), image(3, 'é'.repeat(200), null)]);
  const h = readRowsBodyHeader(body, WRITE_V2);
  assert.equal(h.tableId, 42);
  assert.equal(countRows(body, body.length, layout, h), 3);
  const rows = decodeRowsBody(body, WRITE_V2, plainTableMapEntry(TABLE)) as Array<Record<string, unknown>>;
  assert.equal(rows.length, 3);
  assert.equal(rows[0]!.id, 1);
  assert.deepEqual(rows[0]!.note, Buffer.from('a'));
  assert.equal(rows[1]!.note, null);
  assert.equal(rows[0]!.price, '12.34');
  assert.deepEqual(rows[2]!.note, Buffer.from('é'.repeat(200)));
  assert.equal(rows[2]!.body, null);
});

test('rows layout: an UPDATE holds two images per row, each with its own present-columns bitmap', () => {
  const layout = compileRowsLayout(TABLE)!;
  const body = rowsBody(42, 5, [image(1, 'a', null), image(1, 'b', null), image(2, 'c', Buffer.from([1])), image(2, 'c', Buffer.from([2]))], true);
  const h = readRowsBodyHeader(body, UPDATE_V2);
  assert.equal(countRows(body, body.length, layout, h), 2);
  const rows = decodeRowsBody(body, UPDATE_V2, plainTableMapEntry(TABLE)) as Array<{ before: Record<string, unknown>; after: Record<string, unknown> }>;
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0]!.after.note, Buffer.from('b'));
  assert.deepEqual(rows[1]!.before.body, Buffer.from([1]));
});

test('rows layout: a column left out of the image (MINIMAL) is skipped by the present bitmap', () => {
  const layout = compileRowsLayout(TABLE)!;
  const img = rowImage([int32(5), prefixed(Buffer.from('x'), 2)]);
  const body = rowsBody(42, 5, [img, img], false, [0, 1]);
  assert.equal(countRows(body, body.length, layout, readRowsBodyHeader(body, WRITE_V2)), 2);
});

test('rows layout: bytes that do not walk as the map says throw (the gate then leaves the event to zongji)', () => {
  const layout = compileRowsLayout(TABLE)!;
  const body = rowsBody(42, 5, [image(1, 'a', null)]);
  assert.throws(() => countRows(body, body.length - 1, layout, readRowsBodyHeader(body, WRITE_V2)), /overrun/);
  const wrongColumns = compileRowsLayout(entry([{ name: 'id', type: 3, metadata: {}, columnType: 'int' }]))!;
  assert.throws(() => countRows(body, body.length, wrongColumns, readRowsBodyHeader(body, WRITE_V2)), /columns/);
});

test('rows layout: a table with a column type without a width rule gets no layout', () => {
  // MariaDB's old TIMESTAMP (type 7) depends on the column definition: zongji decodes those rows itself
  assert.equal(compileRowsLayout(entry([{ name: 'ts', type: 7, metadata: {}, columnType: 'timestamp(3)' }])), null);
  assert.equal(compileRowsLayout({ columnSchemas: [], columns: [] }), null);
});

test('decimalBinarySize follows MySQL decimal_bin_size', () => {
  assert.equal(decimalBinarySize(10, 2), 5);
  assert.equal(decimalBinarySize(65, 30), 30);
  assert.equal(decimalBinarySize(18, 9), 8);
  assert.equal(decimalBinarySize(1, 0), 1);
});
