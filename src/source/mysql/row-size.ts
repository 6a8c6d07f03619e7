import type { ColumnMeta, TableSchema } from '../../model/table.js';

const BYTES_PER_CHAR: Readonly<Record<string, number>> = { utf8mb4: 4, utf8mb3: 3, utf8: 3, ucs2: 2, utf16: 4, utf32: 4, gbk: 2, gb2312: 2, gb18030: 4, big5: 2, ujis: 3, sjis: 2, cp932: 2, eucjpms: 3, euckr: 2 };

const FIXED: Readonly<Record<string, number>> = {
  tinyint: 1, smallint: 2, mediumint: 3, int: 4, integer: 4, bigint: 8, float: 4, double: 8, real: 8,
  date: 3, year: 1, time: 6, datetime: 8, timestamp: 7, enum: 2, set: 8,
  tinyblob: 255, tinytext: 255, blob: 65535, text: 65535,
  mediumblob: 16777215, mediumtext: 16777215, longblob: 4294967295, longtext: 4294967295,
  // JSON is stored like LONGBLOB; a document is bounded only by max_allowed_packet.
  json: 4294967295,
  inet6: 16, inet4: 4, uuid: 16,
  geometry: 4294967295, point: 25, linestring: 4294967295, polygon: 4294967295, multipoint: 4294967295,
  multilinestring: 4294967295, multipolygon: 4294967295, geometrycollection: 4294967295, geomcollection: 4294967295,
};

/** The most bytes one value of this column can take, from its declared type. */
export function maxColumnBytes(c: ColumnMeta): number {
  const fixed = FIXED[c.dataType];
  if (fixed !== undefined) return fixed;
  if (c.dataType === 'decimal' || c.dataType === 'numeric') return Math.ceil((c.precision ?? 65) / 2) + 1;
  if (c.dataType === 'bit') return Math.ceil((c.precision ?? 64) / 8);
  const n = Number(/\((\d+)\)/.exec(c.columnType)?.[1] ?? 255);
  if (c.dataType === 'char' || c.dataType === 'varchar') return n * (BYTES_PER_CHAR[c.charset ?? ''] ?? 1);
  return n; // binary, varbinary and anything else measured in bytes
}

/** The largest row the table's definition allows, and the column that dominates it. */
export function maxRowBytes(t: TableSchema): { bytes: number; widest: string | null } {
  let bytes = 0;
  let widest: ColumnMeta | null = null;
  for (const c of t.columns) {
    const b = maxColumnBytes(c);
    bytes += b;
    if (!widest || b > maxColumnBytes(widest)) widest = c;
  }
  return { bytes, widest: widest ? `${widest.name} ${widest.columnType}` : null };
}
