/**
 * The one type mapper: for each column (ColumnMeta) it builds, once, the functions that turn that column's
 * value into its DTS union member — from the snapshot path (the text-protocol bytes mysql2 returns with
 * `typeCast: false`, for the SELECT expression chosen here) and from the binlog path (the values @vlasky/zongji
 * 0.9 decodes once zongji-raw.ts has re-typed its table map). Both paths end in the same builders, so a
 * snapshot row and the same binlog row give the same union members, byte for byte once encoded.
 */
import { SourceError } from '../../errors.js';
import type { ColumnMeta } from '../../model/table.js';
import { jsonbToText } from './jsonb-text.js';
import { applyJsonDiff } from './json-diff.js';
import { inet4Text, inet6Text, uuidText } from './inet-text.js';
import { isPartialJson } from '../../model/partial-json.js';
import {
  dateFromBinlog,
  dateFromText,
  dateTimeFromBinlog,
  dateTimeFromText,
  timeFromBinlog,
  timeFromText,
  timestampFromBinlog,
  timestampFromEpochText,
  yearFromBinlog,
  yearFromText,
} from './temporal.js';
import type { DtsField, DtsValue } from './types.js';
import { quoteIdent } from '../../model/table.js';

/** How the DTS record is filled where consumers differ (job file `format`). */
export interface FormatOptions {
  /**
   * `dts` (default): MySQL's own charset names, as DTS writes them (`utf8mb3`, seen in a real DTS record);
   * `legacy`: `utf8` for utf8mb3 columns, for the old DTS demo whose charset mapper has no `utf8mb3`.
   */
  readonly charsetNames: 'dts' | 'legacy';
}

export const DEFAULT_FORMAT_OPTIONS: FormatOptions = { charsetNames: 'dts' };

/** A column charset as the record names it; MySQL 5.7 and old MariaDB name utf8mb3 `utf8`. */
export function dtsCharsetName(charset: string, o: FormatOptions): string {
  if (charset === 'utf8mb3' || charset === 'utf8') return o.charsetNames === 'legacy' ? 'utf8' : 'utf8mb3';
  return charset;
}

/**
 * `fields[].dataTypeNumber` as DTS writes it (public evidence: /work/shared/reference/dts-type-evidence.md; README
 * "Type mapping"). It differs from MySQL's binlog type code (ColumnMeta.typeCode) where the binlog's code is
 * not what DTS reports: VARCHAR/VARBINARY are 253 (the real record says 253, the binlog 15); VECTOR (242) has
 * no adapter in the DTS demo's number table, so it is written as the variable binary string it is.
 */
export function dtsDataTypeNumber(meta: ColumnMeta): number {
  switch (meta.dataType.toLowerCase()) {
    case 'varchar':
    case 'varbinary':
    case 'vector':
      return 253;
    default:
      return meta.typeCode;
  }
}

export interface ColumnCodec {
  readonly meta: ColumnMeta;
  readonly field: DtsField;
  /** the SELECT expression the snapshot reader must use for this column (aliased to the column name) */
  readonly selectExpr: string;
  /** a non-NULL snapshot value: the text-protocol bytes of `selectExpr` */
  fromSnapshot(v: Buffer): DtsValue;
  /** a non-NULL binlog value as zongji (with the raw table map) gives it */
  fromBinlog(v: unknown): DtsValue;
}


const INT_WIDTH: Readonly<Record<string, number>> = {
  tinyint: 1,
  smallint: 2,
  mediumint: 3,
  int: 4,
  integer: 4,
  bigint: 8,
};

const GEOMETRY_TYPES = new Set([
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
  'geomcollection',
]);

/** MariaDB's fixed-width binary types that print as text, and their printers */
const MARIADB_FIXED_TEXT: Readonly<Record<string, (b: Uint8Array) => string>> = { inet6: inet6Text, inet4: inet4Text, uuid: uuidText };

const TEXT_TYPES = new Set(['char', 'varchar']);
const LOB_TEXT_TYPES = new Set(['tinytext', 'text', 'mediumtext', 'longtext']);

function ascii(b: Buffer): string {
  return b.toString('latin1');
}

function unexpected(meta: ColumnMeta, v: unknown, hint: string): Error {
  const what = v === null ? 'null' : Buffer.isBuffer(v) ? 'Buffer' : v instanceof Date ? 'Date' : typeof v;
  return new Error(`column ${meta.name} (${meta.columnType}): unexpected binlog value of type ${what}; ${hint}`);
}

const RAW_HINT = 'the zongji table map must be re-typed by attachRawBinlogValues (src/source/binlog/zongji-raw.ts)';

function asBuffer(meta: ColumnMeta, v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  throw unexpected(meta, v, RAW_HINT);
}

/** Unsigned big-endian bytes as decimal text (BIT values, SET bitmaps). */
export function unsignedBytesToDecimal(b: Uint8Array, littleEndian = false): string {
  const n = b.length;
  if (n <= 6) {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + (b[littleEndian ? n - 1 - i : i] as number);
    return String(v);
  }
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(b[littleEndian ? n - 1 - i : i] as number);
  return v.toString();
}

/** FLOAT(M,D)/DOUBLE(M,D) declared digits, from the column type text; -1 when not declared. */
function declaredFloatDigits(columnType: string): [precision: number, scale: number] {
  const m = /\((\d+)(?:,(\d+))?\)/.exec(columnType);
  if (!m) return [-1, -1];
  return [Number(m[1]), m[2] === undefined ? -1 : Number(m[2])];
}

function members(meta: ColumnMeta): readonly string[] {
  if (!meta.members) throw new SourceError(`Column ${meta.name} (${meta.columnType}) has no member list; sluice needs the ENUM/SET members to encode it.`);
  return meta.members;
}

/** The ENUM member of a 1-based index (0 is the '' MySQL stores for an invalid value). */
function enumText(list: readonly string[], index: number): string {
  return index === 0 ? '' : (list[index - 1] ?? '');
}

/** SET members of a bitmap, in definition order, comma-separated, as MySQL prints them. */
function setText(list: readonly string[], bitmap: bigint): string {
  let out = '';
  for (let i = 0; i < list.length && bitmap !== 0n; i++, bitmap >>= 1n) {
    if (bitmap & 1n) out = out === '' ? (list[i] as string) : out + ',' + (list[i] as string);
  }
  return out;
}

function littleEndianBigInt(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
  return v;
}

export function compileColumnCodec(meta: ColumnMeta, options: FormatOptions = DEFAULT_FORMAT_OPTIONS): ColumnCodec {
  const col = quoteIdent(meta.name);
  const field: DtsField = { name: meta.name, dataTypeNumber: dtsDataTypeNumber(meta) };
  const dt = meta.dataType.toLowerCase();
  const base = { meta, field };

  const intWidth = INT_WIDTH[dt];
  if (intWidth !== undefined) {
    return {
      ...base,
      selectExpr: col,
      fromSnapshot: (b) => ({ kind: 'Integer', precision: intWidth, value: ascii(b) }),
      // zongji: a Number within ±(2^53-1), an exact decimal string beyond (BIGINT, signed or unsigned)
      fromBinlog: (v) => {
        if (typeof v === 'number' || typeof v === 'string') return { kind: 'Integer', precision: intWidth, value: String(v) };
        throw unexpected(meta, v, 'expected a number or string');
      },
    };
  }

  switch (dt) {
    case 'decimal':
    case 'numeric': {
      const precision = meta.precision ?? 10;
      const scale = meta.scale ?? 0;
      return {
        ...base,
        selectExpr: col,
        fromSnapshot: (b) => ({ kind: 'Decimal', value: ascii(b), precision, scale }),
        // zongji prints the binary decimal exactly as MySQL does (scale digits always shown)
        fromBinlog: (v) => {
          if (typeof v === 'string') return { kind: 'Decimal', value: v, precision, scale };
          throw unexpected(meta, v, 'expected a string (do not set decimalNumbers on the zongji connection)');
        },
      };
    }
    case 'float':
    case 'double':
    case 'real': {
      // DTS's precision/scale for FLOAT/DOUBLE are not documented; sluice writes the declared (M,D) and -1 for
      // "not declared" (the DEFAULT_FLOAT_PRECISION/SCALE convention of MySQL-compatible servers).
      const [precision, scale] = declaredFloatDigits(meta.columnType);
      const isFloat = dt === 'float';
      return {
        ...base,
        // FLOAT prints with 6 significant digits in the text protocol; widened to DOUBLE it prints the exact
        // float32 value (shortest round-trip digits of the double), on MySQL 9 and MariaDB 10.11 alike.
        selectExpr: isFloat ? `CAST(${col} AS DOUBLE)` : col,
        fromSnapshot: (b) => ({ kind: 'Float', value: Number(ascii(b)), precision, scale }),
        // zongji reads the IEEE bits: exact float32 (as a double) / double
        fromBinlog: (v) => {
          if (typeof v === 'number') return { kind: 'Float', value: v, precision, scale };
          throw unexpected(meta, v, 'expected a number');
        },
      };
    }
    case 'bit': {
      const precision = Math.ceil((meta.precision ?? 1) / 8);
      // both paths carry BIT as its big-endian bytes: the text protocol sends them raw, zongji slices them
      const toInteger = (b: Uint8Array): DtsValue => ({ kind: 'Integer', precision, value: unsignedBytesToDecimal(b) });
      return { ...base, selectExpr: col, fromSnapshot: toInteger, fromBinlog: (v) => toInteger(asBuffer(meta, v)) };
    }
    case 'date':
      return {
        ...base,
        selectExpr: col,
        fromSnapshot: dateFromText,
        fromBinlog: (v) => (typeof v === 'string' ? dateFromText(Buffer.from(v, 'latin1')) : dateFromBinlog(asBuffer(meta, v))),
      };
    case 'datetime': {
      const fsp = meta.precision ?? 0;
      return {
        ...base,
        selectExpr: col,
        fromSnapshot: dateTimeFromText,
        // a string only comes from MariaDB's pre-10.0 "hires" DATETIME, which zongji prints exactly
        fromBinlog: (v) =>
          typeof v === 'string' ? dateTimeFromText(Buffer.from(v, 'latin1')) : dateTimeFromBinlog(asBuffer(meta, v), fsp),
      };
    }
    case 'timestamp': {
      const fsp = meta.precision ?? 0;
      return {
        ...base,
        // epoch seconds straight from the stored value: no session time_zone conversion, no DST ambiguity
        selectExpr: `UNIX_TIMESTAMP(${col})`,
        fromSnapshot: timestampFromEpochText,
        fromBinlog: (v) => timestampFromBinlog(asBuffer(meta, v), fsp),
      };
    }
    case 'time': {
      const fsp = meta.precision ?? 0;
      return {
        ...base,
        selectExpr: col,
        fromSnapshot: timeFromText,
        fromBinlog: (v) => (typeof v === 'string' ? timeFromText(Buffer.from(v, 'latin1')) : timeFromBinlog(asBuffer(meta, v), fsp)),
      };
    }
    case 'year':
      return {
        ...base,
        selectExpr: col,
        fromSnapshot: yearFromText,
        fromBinlog: (v) => yearFromBinlog(asBuffer(meta, v)),
      };
    case 'enum': {
      const list = members(meta);
      return {
        ...base,
        // the index, so both paths map through the same member list and no charset decoding is involved
        selectExpr: `${col}+0`,
        fromSnapshot: (b) => ({ kind: 'TextObject', type: 'ENUM', value: enumText(list, Number(ascii(b))) }),
        fromBinlog: (v) => {
          if (typeof v === 'string') return { kind: 'TextObject', type: 'ENUM', value: v };
          return { kind: 'TextObject', type: 'ENUM', value: enumText(list, Number(littleEndianBigInt(asBuffer(meta, v)))) };
        },
      };
    }
    case 'set': {
      const list = members(meta);
      return {
        ...base,
        selectExpr: `${col}+0`,
        fromSnapshot: (b) => ({ kind: 'TextObject', type: 'SET', value: setText(list, BigInt(ascii(b))) }),
        fromBinlog: (v) => {
          if (typeof v === 'string') return { kind: 'TextObject', type: 'SET', value: v };
          return { kind: 'TextObject', type: 'SET', value: setText(list, littleEndianBigInt(asBuffer(meta, v))) };
        },
      };
    }
    case 'json':
      // MySQL's JSON. (MariaDB's JSON is LONGTEXT with a check: information_schema says 'longtext' and it
      // is a Character column.) Snapshot: MySQL's text; binlog: binary JSON rendered the same way.
      return {
        ...base,
        selectExpr: col,
        fromSnapshot: (b) => ({ kind: 'TextObject', type: 'JSON', value: b.toString('utf8') }),
        fromBinlog: (v) =>
          isPartialJson(v)
            ? { kind: 'TextObject', type: 'JSON', value: applyJsonDiff(v.base, v.diff) }
            : { kind: 'TextObject', type: 'JSON', value: jsonbToText(asBuffer(meta, v)) },
      };
    case 'binary':
    case 'varbinary':
    case 'vector': {
      // BINARY/VARBINARY as DTS reports them (254/253): Character{charset "binary"} — the demo casts 253/254 to
      // Character and both consumers' charset mappers know "binary". MySQL 9's VECTOR is its little-endian
      // float32 bytes on both paths, a variable-length binary string.
      const toBinaryString = (b: Uint8Array): DtsValue => ({ kind: 'Character', charset: 'binary', value: b });
      // BINARY(n): the server pads to n in SELECT, zongji re-pads the binlog's stripped zero bytes
      return { ...base, selectExpr: col, fromSnapshot: toBinaryString, fromBinlog: (v) => toBinaryString(asBuffer(meta, v)) };
    }
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob': {
      // 249-252 BinaryObject{BLOB}: what the demo's number table casts them to; the SDK's ObjectType knows BLOB
      const toObject = (b: Uint8Array): DtsValue => ({ kind: 'BinaryObject', type: 'BLOB', value: b });
      return { ...base, selectExpr: col, fromSnapshot: toObject, fromBinlog: (v) => toObject(asBuffer(meta, v)) };
    }
  }

  const fixedText = MARIADB_FIXED_TEXT[dt];
  if (fixedText) {
    // MariaDB's INET6/INET4/UUID: the text the server prints, as DTS carries strings (ASCII, named utf8mb4).
    // Snapshot: the server's own text; binlog: the stored bytes, printed by the same rules (inet-text.ts).
    const toText = (b: Buffer): DtsValue => ({ kind: 'Character', charset: 'utf8mb4', value: b });
    return {
      ...base,
      selectExpr: col,
      fromSnapshot: toText,
      fromBinlog: (v) => toText(Buffer.from(fixedText(asBuffer(meta, v)), 'latin1')),
    };
  }

  if (TEXT_TYPES.has(dt) || LOB_TEXT_TYPES.has(dt)) {
    const charset = meta.charset;
    if (charset === null) throw new SourceError(`Column ${meta.name} (${meta.columnType}) has no character set in its metadata.`);
    const utf8 = charset === 'utf8mb4' || charset === 'utf8mb3' || charset === 'utf8' || charset === 'ascii';
    // TINYTEXT…LONGTEXT share 249-252 with the BLOBs, and the demo casts those numbers to BinaryObject: DTS's
    // TEXT is BinaryObject{type "TEXT"} holding the bytes in the column's charset (which the record cannot name)
    const named = dtsCharsetName(charset, options);
    const make: (b: Uint8Array) => DtsValue = LOB_TEXT_TYPES.has(dt)
      ? (b) => ({ kind: 'BinaryObject', type: 'TEXT', value: b })
      : (b) => ({ kind: 'Character', charset: named, value: b });
    return {
      ...base,
      // bytes arrive in the column's own charset because the snapshot session sets character_set_results=NULL
      selectExpr: col,
      fromSnapshot: make,
      fromBinlog: (v) => {
        if (Buffer.isBuffer(v)) return make(v);
        // zongji without the raw table map decodes text; only UTF-8 round-trips back to the same bytes
        if (typeof v === 'string' && utf8) return make(Buffer.from(v, 'utf8'));
        throw unexpected(meta, v, RAW_HINT);
      },
    };
  }

  if (GEOMETRY_TYPES.has(dt)) {
    const type = dt.toUpperCase();
    // MySQL's internal geometry (both paths) is a 4-byte little-endian SRID, then WKB; DTS carries the WKB
    const toGeometry = (b: Buffer): DtsValue => ({ kind: 'BinaryGeometry', type, value: b.subarray(4) });
    return { ...base, selectExpr: col, fromSnapshot: toGeometry, fromBinlog: (v) => toGeometry(asBuffer(meta, v)) };
  }

  throw new SourceError(
    `Column ${meta.name} has type ${meta.columnType}, which sluice cannot encode as a DTS record yet.`,
  );
}
