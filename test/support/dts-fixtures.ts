/**
 * Shared fixtures for the DTS format tests and benchmark: table schemas and record generators.
 */
import type { ColumnMeta, TableSchema } from '../../src/model/table.js';

export function column(
  ordinal: number,
  name: string,
  dataType: string,
  columnType: string,
  typeCode: number,
  extra: Partial<ColumnMeta> = {},
): ColumnMeta {
  return {
    name,
    ordinal,
    typeCode,
    dataType,
    columnType,
    unsigned: columnType.includes('unsigned'),
    nullable: true,
    precision: null,
    scale: null,
    charset: null,
    collation: null,
    ...extra,
  };
}

/** The benchmark's 8-column row (issue 3): BIGINT PK, INT, VARCHAR(64), DECIMAL(12,2), DATETIME(3), TEXT, JSON, DOUBLE. */
export const BENCH_TABLE: TableSchema = {
  db: 'bench',
  table: 'orders',
  columns: [
    column(0, 'id', 'bigint', 'bigint', 8, { nullable: false }),
    column(1, 'qty', 'int', 'int', 3),
    column(2, 'name', 'varchar', 'varchar(64)', 15, { charset: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci' }),
    column(3, 'amount', 'decimal', 'decimal(12,2)', 246, { precision: 12, scale: 2 }),
    column(4, 'created', 'datetime', 'datetime(3)', 12, { precision: 3 }),
    column(5, 'note', 'text', 'text', 252, { charset: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci' }),
    column(6, 'attrs', 'json', 'json', 245),
    column(7, 'score', 'double', 'double', 5),
  ],
  primaryKey: ['id'],
  uniqueKeys: [],
  version: 1,
};

const NOTE = 'The quick brown fox jumps over the lazy dog; sphinx of black quartz, judge my vow. 0123456789 ok!';

/** DATETIME2(3) row-image bytes for 2024-05-06 07:08:09.<ms> (what zongji hands over once re-typed). */
export function datetime2Bytes(ms: number): Buffer {
  const ym = 2024 * 13 + 5;
  const ymd = (ym << 5) | 6;
  const hms = (7 << 12) | (8 << 6) | 9;
  const b = Buffer.alloc(7);
  const hi = 0x80 + Math.floor(ymd / 2 ** 15);
  b[0] = hi;
  b.writeUInt32BE(((ymd % 2 ** 15) * 2 ** 17 + hms) >>> 0, 1);
  b.writeUInt16BE((ms * 10) % 65536, 5);
  return b;
}

/** A binlog-path row of BENCH_TABLE, as zongji gives it with the raw table map (JSON as binary JSON). */
export function benchBinlogRow(i: number, jsonb: Buffer): Record<string, unknown> {
  return {
    id: 1_000_000 + i,
    qty: i % 1000,
    name: Buffer.from(`customer-${i % 10000}-name`),
    amount: `${(i % 100000) + 1}.${String(i % 100).padStart(2, '0')}`,
    created: datetime2Bytes(i % 1000),
    note: Buffer.from(NOTE),
    attrs: jsonb,
    score: i * 0.25 + 0.1,
  };
}

/** A small binary JSON: {"a": 1, "tag": "x"} as MySQL stores it. */
export function smallJsonb(): Buffer {
  // small object: count 2, size, key entries (offset u16, len u16) x2, value entries (type, u16) x2, keys, values
  const keys = ['a', 'tag'];
  const header = 4 + 2 * 4 + 2 * 3;
  const keyBytes = Buffer.from(keys.join(''));
  const strVal = Buffer.from([1, 'x'.charCodeAt(0)]);
  const size = header + keyBytes.length + strVal.length;
  const b = Buffer.alloc(1 + size);
  b[0] = 0; // small object
  let p = 1;
  b.writeUInt16LE(2, p);
  b.writeUInt16LE(size, p + 2);
  p += 4;
  b.writeUInt16LE(header, p);
  b.writeUInt16LE(1, p + 2);
  b.writeUInt16LE(header + 1, p + 4);
  b.writeUInt16LE(3, p + 6);
  p += 8;
  b[p] = 5; // int16 inlined
  b.writeUInt16LE(1, p + 1);
  b[p + 3] = 12; // string at offset
  b.writeUInt16LE(header + keyBytes.length, p + 4);
  p += 6;
  keyBytes.copy(b, p);
  p += keyBytes.length;
  strVal.copy(b, p);
  return b;
}
