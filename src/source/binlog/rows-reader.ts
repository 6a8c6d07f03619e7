/**
 * A rows event's row images read straight from its bytes into arrays of raw values (one per column, in table
 * map order) — the values zongji's readMysqlValue gives for the same bytes and re-typed table map
 * (zongji-raw.ts), without zongji's parser objects, per-row name-keyed objects or its copy-and-regex DECIMAL
 * printing. The worker's hot path (DESIGN §2: the per-row decode is the binlog path's largest cost); a table
 * with a column outside these readers gets no reader and its rows go through zongji's own classes
 * (rows-decode.ts). test/unit/binlog/rows-reader.test.ts holds both decoders to the same values.
 */
import { popcount, readRowsBodyHeader, ROWS_EVENT_TYPES } from './rows-layout.js';
import type { PlainTableMapEntry } from './rows-decode.js';

export type RawValue = number | string | Buffer | null;
export type RawValues = RawValue[];
export type ReadRow = RawValues | { before: RawValues; after: RawValues };

const enum Kind {
  Int8,
  Int16,
  Int24,
  Int32,
  UInt8,
  UInt16,
  UInt24,
  UInt32,
  Int64,
  UInt64,
  Float,
  Double,
  Decimal,
  /** fixed width bytes (BIT and everything re-typed as BIT) */
  Bytes,
  /** a little-endian length prefix of `width` bytes, then the bytes */
  Prefixed,
  /** BINARY(n): prefixed bytes re-padded with zero bytes to `pad` */
  PaddedBinary,
}

interface ColumnReader {
  kind: Kind;
  width: number;
  pad: number;
  precision: number;
  scale: number;
}

const T = { TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, LONGLONG: 8, INT24: 9, VARCHAR: 15, BIT: 16, JSON: 245, NEWDECIMAL: 246, BLOB: 252, STRING: 254, GEOMETRY: 255 } as const;

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function isUnsigned(schema: Record<string, unknown> | undefined): boolean {
  if (!schema) return false;
  if (schema.UNSIGNED !== undefined) return Boolean(schema.UNSIGNED);
  return typeof schema.COLUMN_TYPE === 'string' && schema.COLUMN_TYPE.indexOf('unsigned') !== -1;
}

function reader(kind: Kind, width = 0, extra: Partial<ColumnReader> = {}): ColumnReader {
  return { kind, width, pad: 0, precision: 0, scale: 0, ...extra };
}

function columnReader(entry: PlainTableMapEntry, i: number): ColumnReader | null {
  const c = entry.columns[i];
  if (!c) return null;
  const schema = entry.columnSchemas[i];
  const m = c.metadata ?? {};
  const unsigned = isUnsigned(schema);
  switch (c.type) {
    case T.TINY:
      return reader(unsigned ? Kind.UInt8 : Kind.Int8);
    case T.SHORT:
      return reader(unsigned ? Kind.UInt16 : Kind.Int16);
    case T.INT24:
      return reader(unsigned ? Kind.UInt24 : Kind.Int24);
    case T.LONG:
      return reader(unsigned ? Kind.UInt32 : Kind.Int32);
    case T.LONGLONG:
      return reader(unsigned ? Kind.UInt64 : Kind.Int64);
    case T.FLOAT:
      return reader(Kind.Float);
    case T.DOUBLE:
      return reader(Kind.Double);
    case T.NEWDECIMAL: {
      const precision = num(m.precision);
      const scale = num(m.decimals);
      return precision === null || scale === null ? null : reader(Kind.Decimal, 0, { precision, scale });
    }
    case T.BIT: {
      const bits = num(m.bits);
      return bits === null ? null : reader(Kind.Bytes, (bits + 7) >> 3);
    }
    case T.BLOB:
    case T.JSON:
    case T.GEOMETRY: {
      const ls = num(m.length_size);
      // re-typed JSON/GEOMETRY and every BLOB/TEXT arrive as bytes (charset cleared); JSON still typed JSON is parsed by zongji
      if (c.type !== T.BLOB || c.charset !== null || ls === null || ls < 1 || ls > 4) return null;
      return reader(Kind.Prefixed, ls);
    }
    case T.VARCHAR:
    case T.STRING: {
      const max = num(m.max_length);
      const def = typeof schema?.COLUMN_TYPE === 'string' ? schema.COLUMN_TYPE : '';
      if (max === null) return null;
      const prefix = max > 255 ? 2 : 1;
      const head = def.slice(0, 6);
      if (head === 'varbin' || head === 'vector') return reader(Kind.Prefixed, prefix);
      if (head === 'binary') {
        const pad = parseInt(def.slice(7, def.length - 1), 10);
        return Number.isFinite(pad) ? reader(Kind.PaddedBinary, prefix, { pad }) : null;
      }
      return null; // text zongji decodes through a charset (zongji-raw.ts leaves none such for selected tables)
    }
    default:
      return null;
  }
}

export interface RowsReader {
  /** The rows of a rows event body (after the common header, checksum removed). */
  read(body: Buffer, typeCode: number): ReadRow[];
}

const DIG2BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
const ZEROS = '000000000';

function pad9(n: number, size: number): string {
  const s = String(n);
  return s.length >= size ? s.slice(s.length - size) : ZEROS.slice(0, size - s.length) + s;
}

/** A signed big-endian integer of 1–4 bytes from a buffer. */
function intBE(b: Buffer, at: number, n: number): number {
  switch (n) {
    case 1:
      return b.readInt8(at);
    case 2:
      return b.readInt16BE(at);
    case 3:
      return (b.readInt8(at) << 16) + b.readUInt16BE(at + 1);
    default:
      return b.readInt32BE(at);
  }
}

/**
 * MySQL's binary DECIMAL as exact text, digit for digit as zongji prints it (parseNewDecimal): sign, integer
 * digits without leading zeros ("0" when none), and `scale` fraction digits.
 */
export function decimalText(src: Buffer, at: number, precision: number, scale: number, scratch: Buffer): { text: string; size: number } {
  const integral = precision - scale;
  const uncompIntegral = Math.floor(integral / 9);
  const uncompFractional = Math.floor(scale / 9);
  const compIntegral = integral - uncompIntegral * 9;
  const compFractional = scale - uncompFractional * 9;
  const size = uncompIntegral * 4 + (DIG2BYTES[compIntegral] as number) + uncompFractional * 4 + (DIG2BYTES[compFractional] as number);
  src.copy(scratch, 0, at, at + size);
  const isPositive = ((scratch[0] as number) & 0x80) === 0x80;
  scratch[0] = (scratch[0] as number) ^ 0x80;
  const mask = isPositive ? 0 : -1;
  let pos = 0;
  let intDigits = '';
  const compIntegralSize = DIG2BYTES[compIntegral] as number;
  if (compIntegralSize > 0) {
    intDigits += String(intBE(scratch, 0, compIntegralSize) ^ mask);
    pos += compIntegralSize;
  }
  for (let i = 0; i < uncompIntegral; i++) {
    intDigits += pad9(scratch.readInt32BE(pos) ^ mask, 9);
    pos += 4;
  }
  let z = 0;
  while (z < intDigits.length - 1 && intDigits.charCodeAt(z) === 48) z++;
  intDigits = intDigits.length === 0 ? '0' : z > 0 ? intDigits.slice(z) : intDigits;
  let text = (isPositive ? '' : '-') + intDigits;
  if (scale > 0) {
    let fraction = '';
    for (let k = 0; k < uncompFractional; k++) {
      fraction += pad9(scratch.readInt32BE(pos) ^ mask, 9);
      pos += 4;
    }
    const compFractionalSize = DIG2BYTES[compFractional] as number;
    if (compFractionalSize > 0) fraction += pad9(intBE(scratch, pos, compFractionalSize) ^ mask, compFractional);
    text += '.' + fraction;
  }
  return { text, size };
}

const TWO_32 = 2 ** 32;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

function int64(b: Buffer, at: number, unsigned: boolean): number | string {
  const low = b.readUInt32LE(at);
  const high = b.readUInt32LE(at + 4);
  if (unsigned) {
    if (high >>> 21 === 0) return high * TWO_32 + low;
    const v = (BigInt(high) << 32n) | BigInt(low);
    return v <= MAX_SAFE ? Number(v) : v.toString();
  }
  if (high >>> 21 === 0) return high * TWO_32 + low;
  const v = BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low));
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v.toString();
}

/** Readers for every column of a table map entry, or null when a column needs zongji. */
export function compileRowsReader(entry: PlainTableMapEntry): RowsReader | null {
  const columns: ColumnReader[] = [];
  for (let i = 0; i < entry.columns.length; i++) {
    const r = columnReader(entry, i);
    if (!r) return null;
    columns.push(r);
  }
  const n = columns.length;
  const scratch = Buffer.alloc(64);

  function image(b: Buffer, pos: number, present: Buffer, presentCount: number, out: RawValues): number {
    const nulls = pos;
    pos += (presentCount + 7) >> 3;
    for (let i = 0, bit = 0; i < n; i++) {
      if ((((present[i >> 3] as number) >> (i & 7)) & 1) === 0) {
        out[i] = null;
        continue;
      }
      const isNull = ((b[nulls + (bit >> 3)] as number) >> (bit & 7)) & 1;
      bit++;
      if (isNull) {
        out[i] = null;
        continue;
      }
      const c = columns[i] as ColumnReader;
      switch (c.kind) {
        case Kind.Int8:
          out[i] = b.readInt8(pos);
          pos += 1;
          break;
        case Kind.UInt8:
          out[i] = b[pos] as number;
          pos += 1;
          break;
        case Kind.Int16:
          out[i] = b.readInt16LE(pos);
          pos += 2;
          break;
        case Kind.UInt16:
          out[i] = b.readUInt16LE(pos);
          pos += 2;
          break;
        case Kind.Int24:
          out[i] = b.readIntLE(pos, 3);
          pos += 3;
          break;
        case Kind.UInt24:
          out[i] = b.readUIntLE(pos, 3);
          pos += 3;
          break;
        case Kind.Int32:
          out[i] = b.readInt32LE(pos);
          pos += 4;
          break;
        case Kind.UInt32:
          out[i] = b.readUInt32LE(pos);
          pos += 4;
          break;
        case Kind.Int64:
        case Kind.UInt64:
          out[i] = int64(b, pos, c.kind === Kind.UInt64);
          pos += 8;
          break;
        case Kind.Float:
          out[i] = b.readFloatLE(pos);
          pos += 4;
          break;
        case Kind.Double:
          out[i] = b.readDoubleLE(pos);
          pos += 8;
          break;
        case Kind.Decimal: {
          const d = decimalText(b, pos, c.precision, c.scale, scratch);
          out[i] = d.text;
          pos += d.size;
          break;
        }
        case Kind.Bytes:
          out[i] = b.subarray(pos, pos + c.width);
          pos += c.width;
          break;
        case Kind.Prefixed: {
          const len = b.readUIntLE(pos, c.width);
          pos += c.width;
          out[i] = b.subarray(pos, pos + len);
          pos += len;
          break;
        }
        case Kind.PaddedBinary: {
          const len = b.readUIntLE(pos, c.width);
          pos += c.width;
          const v = Buffer.alloc(c.pad, 0);
          b.copy(v, 0, pos, pos + Math.min(len, c.pad));
          out[i] = v;
          pos += len;
          break;
        }
      }
    }
    return pos;
  }

  return {
    read(body, typeCode) {
      const h = readRowsBodyHeader(body, typeCode);
      if (h.columnCount !== n) throw new Error(`rows event has ${h.columnCount} columns, its table map ${n}`);
      const update = ROWS_EVENT_TYPES[typeCode]?.op === 'update';
      const n1 = popcount(h.present, n);
      const n2 = h.presentAfter ? popcount(h.presentAfter, n) : 0;
      const rows: ReadRow[] = [];
      let pos = h.rowsStart;
      while (pos < body.length) {
        const first: RawValues = new Array<RawValue>(n);
        pos = image(body, pos, h.present, n1, first);
        if (update) {
          const after: RawValues = new Array<RawValue>(n);
          pos = image(body, pos, h.presentAfter as Buffer, n2, after);
          rows.push({ before: first, after });
        } else rows.push(first);
      }
      if (pos !== body.length) throw new Error(`row images overrun the rows event by ${pos - body.length} byte(s)`);
      return rows;
    },
  };
}
