/**
 * How many rows a rows event holds, read from its bytes without decoding a value (DESIGN §2: the main thread
 * reserves the rows' ids per event, and the piscina workers decode and encode them). Each column of a table
 * map becomes a width rule — a fixed width, or a little-endian length prefix — that walks a row image exactly
 * as zongji's readMysqlValue consumes it (for zongji's table map after zongji-raw.ts re-typed it). A table
 * with any column outside these rules gets no layout and its rows events stay with zongji on the main thread.
 */
import { readPackedInt } from './packed-int.js';
import type { ZongjiTableMapEntry } from './zongji-raw.js';

/** A column's width in a row image: >0 fixed bytes, <0 a length prefix of −n bytes followed by that many bytes. */
export type ColumnWidth = number;

export interface RowsLayout {
  readonly widths: readonly ColumnWidth[];
}

/** MySQL binlog column type codes (zongji's MysqlTypes) with a width rule here. */
const FIXED: Readonly<Record<number, number>> = {
  1: 1, // TINY
  2: 2, // SHORT
  9: 3, // INT24
  3: 4, // LONG
  8: 8, // LONGLONG
  4: 4, // FLOAT
  5: 8, // DOUBLE
  13: 1, // YEAR
  10: 3, // DATE
};
const NEWDECIMAL = 246;
const BIT = 16;
const ENUM = 247;
const SET = 248;
const VARCHAR = 15;
const STRING = 254;
const LENGTH_SIZED = new Set([252 /* BLOB */, 245 /* JSON */, 255 /* GEOMETRY */]);
const TEMPORAL2: Readonly<Record<number, number>> = { 17: 4 /* TIMESTAMP2 */, 18: 5 /* DATETIME2 */, 19: 3 /* TIME2 */ };

const DIG2BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

/** Bytes of a DECIMAL(precision, scale) in its binary form (MySQL's decimal_bin_size). */
export function decimalBinarySize(precision: number, scale: number): number {
  const intg = precision - scale;
  return Math.floor(intg / 9) * 4 + (DIG2BYTES[intg % 9] as number) + Math.floor(scale / 9) * 4 + (DIG2BYTES[scale % 9] as number);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function widthOf(type: number, metadata: Record<string, unknown> | undefined): ColumnWidth | null {
  const m = metadata ?? {};
  const fixed = FIXED[type];
  if (fixed !== undefined) return fixed;
  const t2 = TEMPORAL2[type];
  if (t2 !== undefined) {
    const d = num(m.decimals) ?? 0;
    return t2 + ((d + 1) >> 1);
  }
  switch (type) {
    case NEWDECIMAL: {
      const p = num(m.precision);
      const s = num(m.decimals);
      return p === null || s === null ? null : decimalBinarySize(p, s);
    }
    case BIT: {
      const bits = num(m.bits);
      return bits === null ? null : (bits + 7) >> 3;
    }
    case ENUM:
    case SET: {
      const size = num(m.size);
      return size === null || size < 1 || size > 8 ? null : size;
    }
    case VARCHAR:
    case STRING: {
      const max = num(m.max_length);
      return max === null ? null : max > 255 ? -2 : -1;
    }
    default: {
      if (!LENGTH_SIZED.has(type)) return null;
      const ls = num(m.length_size);
      return ls === null || ls < 1 || ls > 4 ? null : -ls;
    }
  }
}

/** The width rules of a (re-typed) table map entry, or null when a column has none (zongji decodes those rows). */
export function compileRowsLayout(entry: ZongjiTableMapEntry): RowsLayout | null {
  const columns = entry.columns;
  if (!columns || columns.length === 0) return null;
  const widths: ColumnWidth[] = [];
  for (const c of columns) {
    const w = widthOf(c.type, c.metadata);
    if (w === null) return null;
    widths.push(w);
  }
  return { widths };
}

/** The fixed part of a rows event body (v1 or v2), up to its first row image. */
export interface RowsBodyHeader {
  tableId: number;
  flags: number;
  columnCount: number;
  /** columns present in the (before) image */
  present: Buffer;
  /** UPDATE: columns present in the after image */
  presentAfter: Buffer | null;
  /** offset of the first row image in the body */
  rowsStart: number;
}

/** WRITE/UPDATE/DELETE_ROWS v1 (0x17–0x19) and v2 (0x1e–0x20) */
export const ROWS_EVENT_TYPES: Readonly<Record<number, { version: 1 | 2; op: 'write' | 'update' | 'delete' }>> = {
  0x17: { version: 1, op: 'write' },
  0x18: { version: 1, op: 'update' },
  0x19: { version: 1, op: 'delete' },
  0x1e: { version: 2, op: 'write' },
  0x1f: { version: 2, op: 'update' },
  0x20: { version: 2, op: 'delete' },
};

export function readRowsBodyHeader(body: Buffer, typeCode: number): RowsBodyHeader {
  const kind = ROWS_EVENT_TYPES[typeCode];
  if (!kind) throw new Error(`event type ${typeCode} is not a rows event`);
  let pos = 0;
  const tableId = body.readUIntLE(pos, 6);
  pos += 6;
  const flags = body.readUInt16LE(pos);
  pos += 2;
  if (kind.version === 2) pos += body.readUInt16LE(pos); // extra data length counts its own 2 bytes
  const count = readPackedInt(body, pos);
  const columnCount = count.value;
  pos = count.next;
  const bitmapBytes = (columnCount + 7) >> 3;
  const present = body.subarray(pos, pos + bitmapBytes);
  pos += bitmapBytes;
  let presentAfter: Buffer | null = null;
  if (kind.op === 'update') {
    presentAfter = body.subarray(pos, pos + bitmapBytes);
    pos += bitmapBytes;
  }
  return { tableId, flags, columnCount, present, presentAfter, rowsStart: pos };
}

/** How many of the first `columns` bits of a column bitmap are set. */
export function popcount(bitmap: Buffer, columns: number): number {
  let n = 0;
  for (let i = 0; i < columns; i++) if (((bitmap[i >> 3] as number) >> (i & 7)) & 1) n++;
  return n;
}

/** Skips one row image starting at `pos`; returns the offset after it. */
function skipImage(body: Buffer, pos: number, widths: readonly ColumnWidth[], present: Buffer, presentCount: number): number {
  const nullBitmap = pos;
  pos += (presentCount + 7) >> 3;
  for (let i = 0, nullBit = 0; i < widths.length; i++) {
    if ((((present[i >> 3] as number) >> (i & 7)) & 1) === 0) continue;
    const isNull = ((body[nullBitmap + (nullBit >> 3)] as number) >> (nullBit & 7)) & 1;
    nullBit++;
    if (isNull) continue;
    const w = widths[i] as number;
    if (w > 0) pos += w;
    else {
      const prefix = -w;
      pos += prefix + body.readUIntLE(pos, prefix);
    }
  }
  return pos;
}

/**
 * The number of rows in a rows event body (`end`: where the row images stop — before the checksum). Throws
 * when the images do not end exactly at `end` (a layout that does not fit the bytes).
 */
export function countRows(body: Buffer, end: number, layout: RowsLayout, h: RowsBodyHeader): number {
  const widths = layout.widths;
  if (widths.length !== h.columnCount) throw new Error(`rows event has ${h.columnCount} columns, its table map ${widths.length}`);
  const n1 = popcount(h.present, h.columnCount);
  const n2 = h.presentAfter ? popcount(h.presentAfter, h.columnCount) : 0;
  let pos = h.rowsStart;
  let rows = 0;
  while (pos < end) {
    pos = skipImage(body, pos, widths, h.present, n1);
    if (h.presentAfter) pos = skipImage(body, pos, widths, h.presentAfter, n2);
    rows++;
  }
  if (pos !== end) throw new Error(`row images overrun the rows event by ${pos - end} byte(s)`);
  return rows;
}
