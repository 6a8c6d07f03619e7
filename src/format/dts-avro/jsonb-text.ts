/**
 * MySQL's binary JSON (the JSON column's binlog and storage format, sql-common/json_binary.cc) rendered as
 * the text MySQL's SELECT prints for it. zongji's own JSON decoding cannot be used for exact text: it builds
 * JS objects, which reorder integer-like keys ("10" before "b") and print doubles the JS way (100 for 100.0).
 * Here keys keep the stored order (MySQL sorts them by length, then bytes), integers are exact (64-bit read
 * as BigInt) and doubles go through formatMysqlJsonDouble.
 */
import { formatMysqlJsonDouble } from './mysql-double.js';

/** MySQL binary JSON value types (sql-common/json_binary.h), shared with json-diff.ts */
export const SMALL_OBJECT = 0;
export const LARGE_OBJECT = 1;
export const SMALL_ARRAY = 2;
export const LARGE_ARRAY = 3;
export const LITERAL = 4;
export const INT16 = 5;
export const UINT16 = 6;
export const INT32 = 7;
export const UINT32 = 8;
const INT64 = 9;
const UINT64 = 10;
const DOUBLE = 11;
const STRING = 12;
const OPAQUE = 15;

/** MySQL field type codes that appear inside JSON opaque values */
const T_NEWDECIMAL = 246;
const T_DATE = 10;
const T_TIME = 11;
const T_DATETIME = 12;
const T_TIMESTAMP = 7;

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** Variable-length length prefix: 7 bits per byte, little-endian, high bit = more. */
function readVarLen(buf: Buffer, pos: number): [len: number, next: number] {
  let len = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    if (b === undefined) throw new Error('JSONB: truncated length');
    len += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [len, pos];
    shift += 7;
  }
}

/** MySQL's binary DECIMAL (strings/decimal.cc bin2decimal) as its text. */
export function decodeBinaryDecimal(buf: Buffer, start: number, precision: number, scale: number): string {
  const dig2bytes = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
  const intg = precision - scale;
  const intg0 = Math.floor(intg / 9);
  const intg0x = intg - intg0 * 9;
  const frac0 = Math.floor(scale / 9);
  const frac0x = scale - frac0 * 9;
  const size = intg0 * 4 + (dig2bytes[intg0x] as number) + frac0 * 4 + (dig2bytes[frac0x] as number);
  const b = Buffer.from(buf.subarray(start, start + size));
  const positive = ((b[0] as number) & 0x80) !== 0;
  b[0] = (b[0] as number) ^ 0x80;
  if (!positive) for (let i = 0; i < b.length; i++) b[i] = ~(b[i] as number) & 0xff;
  let pos = 0;
  const readBE = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + (b[pos++] as number);
    return v;
  };
  let intPart = '';
  if (intg0x > 0) intPart += String(readBE(dig2bytes[intg0x] as number));
  for (let i = 0; i < intg0; i++) intPart += pad(readBE(4), 9);
  intPart = intPart.replace(/^0+(?=\d)/, '') || '0';
  let fracPart = '';
  for (let i = 0; i < frac0; i++) fracPart += pad(readBE(4), 9);
  if (frac0x > 0) fracPart += pad(readBE(dig2bytes[frac0x] as number), frac0x);
  const text = scale > 0 ? `${intPart}.${fracPart}` : intPart;
  return positive || /^[0.]*$/.test(text) ? text : '-' + text;
}

/** A packed temporal (TIME_to_longlong_*_packed) from 8 little-endian bytes, as MySQL's JSON prints it. */
function packedTemporal(buf: Buffer, pos: number, type: number): string {
  let packed = buf.readBigInt64LE(pos);
  const neg = packed < 0n;
  if (neg) packed = -packed;
  const frac = Number(packed % (1n << 24n));
  const intPart = packed >> 24n;
  if (type === T_TIME) {
    const hms = Number(intPart);
    const h = (hms >> 12) % (1 << 10);
    return `${neg ? '-' : ''}${pad(h, 2)}:${pad((hms >> 6) % 64, 2)}:${pad(hms % 64, 2)}.${pad(frac, 6)}`;
  }
  const ymdhms = intPart;
  const ymd = Number(ymdhms >> 17n);
  const hms = Number(ymdhms % (1n << 17n));
  const ym = ymd >> 5;
  const date = `${pad(Math.floor(ym / 13), 4)}-${pad(ym % 13, 2)}-${pad(ymd % 32, 2)}`;
  if (type === T_DATE) return date;
  return `${date} ${pad(hms >> 12, 2)}:${pad((hms >> 6) % 64, 2)}:${pad(hms % 64, 2)}.${pad(frac, 6)}`;
}

function renderOpaque(buf: Buffer, pos: number): string {
  const fieldType = buf[pos] as number;
  const [len, dataPos] = readVarLen(buf, pos + 1);
  switch (fieldType) {
    case T_NEWDECIMAL:
      return decodeBinaryDecimal(buf, dataPos + 2, buf[dataPos] as number, buf[dataPos + 1] as number);
    case T_DATE:
    case T_TIME:
    case T_DATETIME:
    case T_TIMESTAMP:
      return quote(packedTemporal(buf, dataPos, fieldType));
    default:
      // what MySQL prints for any other opaque value
      return quote(`base64:type${fieldType}:${buf.toString('base64', dataPos, dataPos + len)}`);
  }
}

/** UTF-8 text of buf[start, end): short ASCII is built in JS (a native toString call costs more). */
export function utf8Text(buf: Buffer, start: number, end: number): string {
  if (end - start <= 24) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i] as number;
      if (c >= 0x80) return buf.toString('utf8', start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return buf.toString('utf8', start, end);
}

/** A JSON string literal: plain text needs only quotes; anything MySQL escapes goes through JSON.stringify. */
export function quote(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

/** The text of the value of binary JSON type `type` stored at `pos`. */
export function renderValue(buf: Buffer, type: number, pos: number): string {
  switch (type) {
    case SMALL_OBJECT:
    case LARGE_OBJECT:
    case SMALL_ARRAY:
    case LARGE_ARRAY:
      return renderContainer(buf, type, pos);
    case LITERAL:
      return literal(buf[pos] as number);
    case INT16:
      return String(buf.readInt16LE(pos));
    case UINT16:
      return String(buf.readUInt16LE(pos));
    case INT32:
      return String(buf.readInt32LE(pos));
    case UINT32:
      return String(buf.readUInt32LE(pos));
    case INT64:
      return buf.readBigInt64LE(pos).toString();
    case UINT64:
      return buf.readBigUInt64LE(pos).toString();
    case DOUBLE:
      return formatMysqlJsonDouble(buf.readDoubleLE(pos));
    case STRING: {
      const [len, start] = readVarLen(buf, pos);
      // MySQL escapes ", \ and control characters and leaves the rest as UTF-8, as JSON.stringify does
      return quote(buf.toString('utf8', start, start + len));
    }
    case OPAQUE:
      return renderOpaque(buf, pos);
    default:
      throw new Error(`JSONB: unknown value type ${type}`);
  }
}

function literal(b: number): string {
  if (b === 0) return 'null';
  if (b === 1) return 'true';
  if (b === 2) return 'false';
  throw new Error(`JSONB: unknown literal ${b}`);
}

function renderContainer(buf: Buffer, type: number, pos: number): string {
  const large = type === LARGE_OBJECT || type === LARGE_ARRAY;
  const isObject = type === SMALL_OBJECT || type === LARGE_OBJECT;
  const w = large ? 4 : 2;
  const count = large ? buf.readUInt32LE(pos) : buf.readUInt16LE(pos);
  const keyEntries = pos + 2 * w;
  const valueEntries = keyEntries + (isObject ? count * (w + 2) : 0);
  let out = isObject ? '{' : '[';
  for (let i = 0; i < count; i++) {
    if (i > 0) out += ', ';
    if (isObject) {
      const ke = keyEntries + i * (w + 2);
      const keyOff = large ? buf.readUInt32LE(ke) : buf.readUInt16LE(ke);
      const keyLen = buf.readUInt16LE(ke + w);
      out += quote(utf8Text(buf, pos + keyOff, pos + keyOff + keyLen)) + ': ';
    }
    const ve = valueEntries + i * (1 + w);
    const vt = buf[ve] as number;
    const inlined = vt === LITERAL || vt === INT16 || vt === UINT16 || (large && (vt === INT32 || vt === UINT32));
    if (inlined) {
      out += renderValue(buf, vt, ve + 1);
    } else {
      const off = large ? buf.readUInt32LE(ve + 1) : buf.readUInt16LE(ve + 1);
      out += renderValue(buf, vt, pos + off);
    }
  }
  return out + (isObject ? '}' : ']');
}

/** The text MySQL prints for a binary JSON value (an empty buffer is JSON null, as MySQL treats it). */
export function jsonbToText(buf: Buffer): string {
  if (buf.length === 0) return 'null';
  return renderValue(buf, buf[0] as number, 1);
}
