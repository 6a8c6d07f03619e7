/**
 * Image values rendered as text the way MySQL prints them, for `sluice tail` and for message keys.
 */
import { formatMysqlDouble } from './mysql-double.js';
import type { DtsDateTimeFields, DtsValue } from './types.js';

export interface RenderOptions {
  /** binary values (BLOB/BINARY, geometry WKB) as lowercase hex (default) or base64 */
  readonly binary?: 'hex' | 'base64';
  /** TIMESTAMP as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]' (default) or epoch 'seconds[.ffffff]' */
  readonly timestamp?: 'utc' | 'epoch';
  /** BIT as its unsigned decimal value (default) or as a bit string of the column's byte width ('00000101') */
  readonly bit?: 'number' | 'bits';
  /** fractional-second digits of the column (temporal types); without it the fraction is printed trimmed */
  readonly fsp?: number;
  /** the column's MySQL type code (fields[].dataTypeNumber): tells BIT (16) and FLOAT (4) apart */
  readonly dataTypeNumber?: number;
  /**
   * the column's charset, for TEXT columns: DTS carries them as BinaryObject{type "TEXT"}, which names no
   * charset; without it the bytes are read as UTF-8
   */
  readonly charset?: string | null;
}

const DECODERS = new Map<string, TextDecoder | null>();

/** MySQL charset names → WHATWG decoder labels (latin1 is handled by decodeMysqlLatin1). */
function decoderFor(charset: string): TextDecoder | null {
  let d = DECODERS.get(charset);
  if (d !== undefined) return d;
  const label =
    charset === 'utf8mb4' || charset === 'utf8mb3' || charset === 'utf8' || charset === 'ascii'
      ? 'utf-8'
      : charset === 'gb2312'
          ? 'gbk'
          : charset === 'ujis'
            ? 'euc-jp'
            : charset === 'sjis' || charset === 'cp932'
              ? 'shift_jis'
              : charset === 'utf16'
                ? 'utf-16be'
                : charset === 'utf16le'
                  ? 'utf-16le'
                  : charset;
  try {
    d = new TextDecoder(label);
  } catch {
    d = null;
  }
  DECODERS.set(charset, d);
  return d;
}

/** cp1252's 0x80-0x9F (the five bytes it leaves undefined map to the C1 controls, as in MySQL's latin1). */
const CP1252_HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d,
  0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0x009d, 0x017e, 0x0178,
];

/** MySQL latin1 text. Node 20's TextDecoder('windows-1252') decodes as ISO-8859-1 (0x80 → U+0080, not €),
 * so the cp1252 range is mapped here. */
function decodeMysqlLatin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    s += String.fromCharCode(b >= 0x80 && b < 0xa0 ? (CP1252_HIGH[b - 0x80] as number) : b);
  }
  return s;
}

/** Text of bytes in a MySQL charset; undecodable charsets fall back to hex. */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
  if (charset === 'latin1') return decodeMysqlLatin1(bytes);
  // BINARY/VARBINARY are Character{charset "binary"}: their text is their bytes, shown as hex
  if (charset === 'binary') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  const d = decoderFor(charset);
  return d ? d.decode(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

function fraction(micros: number, fsp: number | undefined): string {
  if (fsp !== undefined) return fsp > 0 ? '.' + pad(micros, 6).slice(0, fsp) : '';
  if (micros === 0) return '';
  return '.' + pad(micros, 6).replace(/0+$/, '');
}

function bin(b: Uint8Array, mode: 'hex' | 'base64'): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString(mode);
}

/** DATE, TIME, DATETIME or YEAR text, chosen by which DateTime fields are present. */
export function renderDateTime(v: DtsDateTimeFields, fsp?: number): string {
  const hasDate = v.year !== null && v.month !== null;
  const hasTime = v.hour !== null;
  if (!hasDate && !hasTime) return pad(v.year ?? 0, 4); // YEAR
  const date = hasDate ? `${pad(v.year ?? 0, 4)}-${pad(v.month ?? 0, 2)}-${pad(v.day ?? 0, 2)}` : '';
  if (!hasTime) return date;
  const h = v.hour ?? 0;
  const m = v.minute ?? 0;
  const s = v.second ?? 0;
  const us = v.millis ?? 0;
  if (!hasDate) {
    // TIME: a negative value carries the sign on every part
    const neg = h < 0 || m < 0 || s < 0 || us < 0;
    return `${neg ? '-' : ''}${pad(Math.abs(h), 2)}:${pad(Math.abs(m), 2)}:${pad(Math.abs(s), 2)}${fraction(Math.abs(us), fsp)}`;
  }
  return `${date} ${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${fraction(us, fsp)}`;
}

/** TIMESTAMP text in UTC; the zero TIMESTAMP prints as MySQL prints it. */
export function renderTimestampUtc(seconds: number, micros: number, fsp?: number): string {
  if (seconds === 0 && micros === 0) return '0000-00-00 00:00:00' + (fsp ? '.' + '0'.repeat(fsp) : '');
  const d = new Date(seconds * 1000);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}${fraction(micros, fsp)}`
  );
}

/** A FLOAT column's value: the shortest text that reads back as the same float32. */
export function renderFloat32(x: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return formatMysqlDouble(Number(s));
  }
  return formatMysqlDouble(x);
}

/** A value as readable text (or null for SQL NULL / DTS EmptyObject). */
export function renderValue(v: DtsValue, opts: RenderOptions = {}): string | null {
  if (v === null) return null;
  const binary = opts.binary ?? 'hex';
  switch (v.kind) {
    case 'Integer':
      if (opts.dataTypeNumber === 16 && opts.bit === 'bits') {
        return BigInt(v.value).toString(2).padStart(v.precision * 8, '0');
      }
      return v.value;
    case 'Decimal':
      return v.value;
    case 'Float':
      return opts.dataTypeNumber === 4 ? renderFloat32(v.value) : formatMysqlDouble(v.value);
    case 'Character':
      return decodeCharset(v.value, v.charset);
    case 'Timestamp':
      if (opts.timestamp === 'epoch') return `${v.timestamp}${fraction(v.millis, opts.fsp)}`;
      return renderTimestampUtc(v.timestamp, v.millis, opts.fsp);
    case 'DateTime':
      return renderDateTime(v, opts.fsp);
    case 'TimestampWithTimeZone':
      return `${renderDateTime(v.value, opts.fsp)} ${v.timezone}`;
    case 'BinaryObject':
      if (v.type === 'TEXT') return decodeCharset(v.value, opts.charset ?? 'utf8mb4');
      return bin(v.value, binary);
    case 'BinaryGeometry':
      return bin(v.value, binary);
    case 'TextGeometry':
    case 'TextObject':
      return v.value;
    case 'EmptyObject':
      return null;
  }
}

/**
 * The DTS image text of a key column, as DESIGN §4 hashes it: the rendered value, binary (BLOB/BINARY,
 * geometry) as lowercase hex, NULL as null, TIMESTAMP in UTC, fractions trimmed; TEXT decoded in `charset`
 * (the column's), so a TEXT key hashes as its text.
 */
export function imageText(v: DtsValue, charset?: string | null): string | null {
  return charset ? renderValue(v, { charset }) : renderValue(v);
}
