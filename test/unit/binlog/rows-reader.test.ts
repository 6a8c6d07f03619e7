import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRowsBody, plainTableMapEntry } from '../../../src/source/binlog/rows-decode.js';
import { compileRowsReader, type RawValues } from '../../../src/source/binlog/rows-reader.js';
import { rawifyTableMapEntry, type ZongjiColumn } from '../../../src/source/binlog/zongji-raw.js';
import { prefixed, rowImage, rowsBody } from './binlog-bytes.js';

const WRITE_V2 = 0x1e;
const UPDATE_V2 = 0x1f;
const DELETE_V2 = 0x20;

interface Col {
  name: string;
  type: number;
  metadata?: Record<string, unknown>;
  columnType: string;
  charset?: string | null;
  encode: (v: never) => Buffer;
}

/** MySQL's binary DECIMAL (decimal2bin): digit groups of 9 in 4 bytes, leftovers in 1–4; negative inverted; sign bit flipped. */
function decimalBin(text: string, precision: number, scale: number): Buffer {
  const negative = text.startsWith('-');
  const [ip = '', fp = ''] = text.replace('-', '').split('.');
  const intDigits = ip.replace(/^0+/, '').padStart(precision - scale, '0');
  const fracDigits = fp.padEnd(scale, '0');
  const d2b = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
  const parts: Buffer[] = [];
  const group = (digits: string, bytes: number): void => {
    if (bytes === 0) return;
    const b = Buffer.alloc(bytes);
    b.writeUIntBE(Number(digits), 0, bytes);
    parts.push(b);
  };
  const lead = intDigits.length % 9;
  group(intDigits.slice(0, lead), d2b[lead]!);
  for (let i = lead; i < intDigits.length; i += 9) group(intDigits.slice(i, i + 9), 4);
  const whole = Math.floor(scale / 9) * 9;
  for (let i = 0; i < whole; i += 9) group(fracDigits.slice(i, i + 9), 4);
  group(fracDigits.slice(whole), d2b[scale - whole]!);
  const out = Buffer.concat(parts);
  if (negative) for (let i = 0; i < out.length; i++) out[i] = ~out[i]! & 0xff;
  out[0]! ^= 0x80;
  return out;
}

const le = (n: bigint, bytes: number): Buffer => {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return b;
};
const float = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return b;
};
const double = (v: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b;
};

const COLS: Col[] = [
  { name: 'ti', type: 1, columnType: 'tinyint', encode: (v: bigint) => le(v, 1) },
  { name: 'tiu', type: 1, columnType: 'tinyint unsigned', encode: (v: bigint) => le(v, 1) },
  { name: 'si', type: 2, columnType: 'smallint', encode: (v: bigint) => le(v, 2) },
  { name: 'mi', type: 9, columnType: 'mediumint', encode: (v: bigint) => le(v, 3) },
  { name: 'miu', type: 9, columnType: 'mediumint unsigned', encode: (v: bigint) => le(v, 3) },
  { name: 'i', type: 3, columnType: 'int', encode: (v: bigint) => le(v, 4) },
  { name: 'iu', type: 3, columnType: 'int unsigned', encode: (v: bigint) => le(v, 4) },
  { name: 'bi', type: 8, columnType: 'bigint', encode: (v: bigint) => le(v, 8) },
  { name: 'biu', type: 8, columnType: 'bigint unsigned', encode: (v: bigint) => le(v, 8) },
  { name: 'f', type: 4, metadata: { size: 4 }, columnType: 'float', encode: float },
  { name: 'd', type: 5, metadata: { size: 8 }, columnType: 'double', encode: double },
  { name: 'dec', type: 246, metadata: { precision: 12, decimals: 2 }, columnType: 'decimal(12,2)', encode: (v: string) => decimalBin(v, 12, 2) },
  { name: 'wide', type: 246, metadata: { precision: 65, decimals: 30 }, columnType: 'decimal(65,30)', encode: (v: string) => decimalBin(v, 65, 30) },
  { name: 'frac', type: 246, metadata: { precision: 5, decimals: 5 }, columnType: 'decimal(5,5)', encode: (v: string) => decimalBin(v, 5, 5) },
  { name: 'whole', type: 246, metadata: { precision: 18, decimals: 0 }, columnType: 'decimal(18,0)', encode: (v: string) => decimalBin(v, 18, 0) },
  { name: 'bits', type: 16, metadata: { bits: 37 }, columnType: 'bit(37)', encode: (v: Buffer) => v },
  { name: 'dt', type: 18, metadata: { decimals: 6 }, columnType: 'datetime(6)', encode: (v: Buffer) => v },
  { name: 'vb', type: 15, metadata: { max_length: 300 }, columnType: 'varbinary(300)', encode: (v: Buffer) => prefixed(v, 2) },
  { name: 'txt', type: 15, metadata: { max_length: 80 }, columnType: 'varchar(20)', charset: 'utf8mb4', encode: (v: Buffer) => prefixed(v, 1) },
  { name: 'bin', type: 254, metadata: { max_length: 16 }, columnType: 'binary(16)', encode: (v: Buffer) => prefixed(v, 1) },
  { name: 'blob', type: 252, metadata: { length_size: 3 }, columnType: 'mediumblob', encode: (v: Buffer) => prefixed(v, 3) },
  { name: 'doc', type: 245, metadata: { length_size: 4 }, columnType: 'json', encode: (v: Buffer) => prefixed(v, 4) },
];

function table(): ReturnType<typeof plainTableMapEntry> {
  const e = {
    parentSchema: 'shop',
    tableName: 'every',
    columns: COLS.map((c): ZongjiColumn => ({ name: c.name, type: c.type, metadata: c.metadata ?? {}, charset: c.charset ?? null })),
    columnSchemas: COLS.map((c) => ({ COLUMN_TYPE: c.columnType })),
  };
  rawifyTableMapEntry(e);
  return plainTableMapEntry(e);
}

type Values = Array<bigint | string | number | Buffer | null>;
const ROWS: Values[] = [
  [-128n, 255n, -32768n, -8388608n, 16777215n, -2147483648n, 4294967295n, -(2n ** 63n), 2n ** 64n - 1n, 3.4e38, -1.7976931348623157e308, '-9999999999.99', '-' + '9'.repeat(35) + '.' + '9'.repeat(30), '0.00001', '999999999999999999', Buffer.from([0x1f, 1, 2, 3, 4]), Buffer.from([0x99, 0xb4, 0x5c, 0, 0, 0x0f, 0x42, 0x3f]), Buffer.alloc(290, 0x61), Buffer.from('grün 中文'), Buffer.from([1, 2, 3]), Buffer.alloc(70_000, 7), Buffer.from([0, 1, 0, 12, 0])],
  [127n, 0n, 32767n, 8388607n, 0n, 2147483647n, 0n, 2n ** 63n - 1n, 2n ** 53n + 1n, 0.1, Math.PI, '0.00', '0.' + '0'.repeat(29) + '1', '-0.00001', '-1', Buffer.alloc(5), Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0]), Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(16, 0xff), Buffer.alloc(0), Buffer.from([4])],
  [-1n, 1n, -1n, -1n, 1n, -1n, 1n, -1n, 2n ** 53n - 1n, -0, 5e-324, '-0.01', '1' + '0'.repeat(34) + '.5', '0.99999', '-999999999999999999', null, null, null, null, null, null, null],
  [0n, null, 0n, 0n, null, 0n, null, -(2n ** 53n) - 1n, null, null, null, '12345678.90', null, null, '0', null, null, Buffer.from('x'), null, Buffer.alloc(0), null, null],
];

function image(values: Values, present: boolean[] = COLS.map(() => true)): Buffer {
  return rowImage(values.flatMap((v, i) => (present[i] ? [v === null ? null : COLS[i]!.encode(v as never)] : [])));
}

function byZongji(body: Buffer, type: number): unknown[] {
  return decodeRowsBody(body, type, table()).map((r) => {
    const asArray = (o: Record<string, unknown>) => COLS.map((c) => o[c.name]);
    return 'before' in r && 'after' in r ? { before: asArray(r.before as Record<string, unknown>), after: asArray(r.after as Record<string, unknown>) } : asArray(r as Record<string, unknown>);
  });
}

test('rows reader: every column type it reads gives exactly the value zongji gives for the same bytes', () => {
  const reader = compileRowsReader(table());
  assert.ok(reader, 'every column of the table has a reader');
  const body = rowsBody(9, COLS.length, ROWS.map((r) => image(r)));
  const ours = reader.read(body, WRITE_V2) as RawValues[];
  assert.equal(ours.length, ROWS.length);
  assert.deepStrictEqual(ours, byZongji(body, WRITE_V2));
  // spot checks that the comparison is of real values
  assert.equal(ours[0]![7], '-9223372036854775808');
  assert.equal(ours[0]![8], '18446744073709551615');
  assert.equal(ours[0]![12], '-' + '9'.repeat(35) + '.' + '9'.repeat(30));
  assert.equal(ours[1]![11], '0.00');
  assert.deepEqual(ours[1]![19], Buffer.alloc(16, 0xff));
  assert.deepEqual(ours[3]![19], Buffer.alloc(16), 'BINARY(16) re-padded with zero bytes');
});

test('rows reader: UPDATE before/after images and DELETE rows match zongji', () => {
  const reader = compileRowsReader(table())!;
  const update = rowsBody(9, COLS.length, [image(ROWS[0]!), image(ROWS[1]!), image(ROWS[2]!), image(ROWS[3]!)], true);
  assert.deepStrictEqual(reader.read(update, UPDATE_V2), byZongji(update, UPDATE_V2));
  const del = rowsBody(9, COLS.length, [image(ROWS[3]!)]);
  assert.deepStrictEqual(reader.read(del, DELETE_V2), byZongji(del, DELETE_V2));
});

test('rows reader: columns left out of the image read as NULL, as zongji reports them', () => {
  const reader = compileRowsReader(table())!;
  const present = COLS.map((_, i) => i % 3 !== 1);
  const body = rowsBody(9, COLS.length, [image(ROWS[0]!, present), image(ROWS[1]!, present)], false, present.flatMap((p, i) => (p ? [i] : [])));
  const ours = reader.read(body, WRITE_V2) as RawValues[];
  assert.deepStrictEqual(ours, byZongji(body, WRITE_V2));
  assert.equal(ours[0]![1], null);
});

test('rows reader: a text column zongji decodes through a charset, or a type without a reader, leaves the table to zongji', () => {
  const e = {
    parentSchema: 's',
    tableName: 't',
    columns: [{ name: 'ts', type: 7, metadata: {}, charset: null }],
    columnSchemas: [{ COLUMN_TYPE: 'timestamp' }],
  };
  assert.equal(compileRowsReader(plainTableMapEntry(e)), null);
  const text = { parentSchema: 's', tableName: 't', columns: [{ name: 'c', type: 15, metadata: { max_length: 80 }, charset: 'utf8mb4' }], columnSchemas: [{ COLUMN_TYPE: 'varchar(20)' }] };
  assert.equal(compileRowsReader(plainTableMapEntry(text)), null, 'not re-typed: zongji would decode it as text');
});
