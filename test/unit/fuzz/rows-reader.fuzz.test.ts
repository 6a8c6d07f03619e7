/**
 * The hand-written rows decoding (rows-reader.ts in the workers, rows-layout.ts on the main thread) against
 * zongji, on the same bytes. A case is one rows event of a fresh random table: its TABLE_MAP event is encoded
 * byte for byte (per-column metadata, null bitmap, and — by case — no optional metadata (MySQL 5.7, MariaDB),
 * binlog_row_metadata=MINIMAL or FULL), parsed by zongji's own TableMap class and turned into zongji's table
 * map entry the way zongji's index.js does it (buildColumnSchemas under FULL, information_schema rows
 * otherwise), re-typed by zongji-raw.ts as the reader does in production. Then the rows event (v1 or v2,
 * WRITE/UPDATE/DELETE, full or partial images) is decoded by zongji's rows-event classes (rows-decode.ts,
 * the workers' fallback) and by compileRowsReader; every value must be identical (deepStrictEqual: numbers
 * by Object.is, so -0 and NaN count; DECIMAL and out-of-range BIGINT as exact text on both sides; bytes as
 * bytes). No normalisation is needed: after zongji-raw.ts re-typing zongji's values are already exact (temporal,
 * YEAR, ENUM/SET as BIT bytes; JSON/GEOMETRY/TEXT/CHAR as bytes), which is the representation the reader
 * promises to reproduce. What those bytes mean (temporal text, ENUM members, JSON text) is the format
 * layer's business and is not compared here. rows-layout must count the same rows, stop exactly at every row
 * boundary, and give an entry the same widths before and after re-typing.
 *
 * Cases are kept small on average (mostly 1–8 columns, 1–3 rows, values up to 40 bytes; up to 40 columns in 10%, up to 12
 * rows in 10%, 2000-byte values in 5% and 64 KiB ones in under 1%) so that SLUICE_FUZZ_COUNT=1000000 runs in a few minutes.
 *
 * zongji's one known divergence from MySQL here: it sizes a row's null bitmap from every bit of the present-
 * columns bitmap, the padding bits past the last column included (rows_event.js countBits), while MySQL
 * counts only the table's columns (bitmap_bits_set masks the last word). MySQL's full images set those bits
 * (the bitmap is 0xff…); there both counts agree. For a partial image with padding bits set the expectation
 * is zongji's decode of the same event with the padding bits cleared — what MySQL's own reader would decode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRowsBody, plainTableMapEntry, type PlainTableMapEntry } from '../../../src/source/binlog/rows-decode.js';
import { compileRowsReader, type RawValues, type ReadRow } from '../../../src/source/binlog/rows-reader.js';
import { compileRowsLayout, countRows, readRowsBodyHeader } from '../../../src/source/binlog/rows-layout.js';
import { rawifyTableMapEntry, retypeVectorColumns, type ZongjiTableMapEntry } from '../../../src/source/binlog/zongji-raw.js';
import { newZongjiParser, parserOffset, type ZongjiParser } from '../../../src/source/binlog/zongji-internals.js';
import { Gen, rng, runFuzz, shrinkArray } from '../../support/fuzz.js';

/** zongji's TableMap event class (lib/binlog_event.js), loaded by file as zongji-internals.ts loads the rows classes. */
interface ZongjiTableMapEvent {
  tableId: number;
  schemaName: string;
  tableName: string;
  columnCount: number;
  hasSelfDescribingMetadata(): boolean;
  buildColumnSchemas(): Record<string, unknown>[];
  updateColumnInfo(): void;
}
type TableMapClass = new (parser: ZongjiParser, options: object, zongji: object) => ZongjiTableMapEvent;
const zongjiLib = new URL('./lib/', import.meta.resolve('@vlasky/zongji'));
const { TableMap } = (await import(new URL('binlog_event.js', zongjiLib).href)) as { TableMap: TableMapClass };

const T = {
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  YEAR: 13,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  VECTOR: 242,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  BLOB: 252,
  STRING: 254,
  GEOMETRY: 255,
} as const;

type Kind =
  | 'tiny'
  | 'short'
  | 'int24'
  | 'long'
  | 'longlong'
  | 'float'
  | 'double'
  | 'decimal'
  | 'year'
  | 'date'
  | 'time2'
  | 'datetime2'
  | 'timestamp2'
  | 'varchar'
  | 'char'
  | 'enum'
  | 'set'
  | 'bit'
  | 'blob'
  | 'json'
  | 'geometry'
  /** MySQL 9 VECTOR (type 242, re-typed to BLOB in the TABLE_MAP bytes as the gate does) */
  | 'vector'
  /** MariaDB VECTOR: a binary VARCHAR whose information_schema type is vector(n) */
  | 'mariadbVector'
  /** MariaDB INET6/UUID/INET4: a binary STRING whose information_schema type names it */
  | 'mariadbFixed';

const KINDS: readonly Kind[] = ['tiny', 'short', 'int24', 'long', 'longlong', 'float', 'double', 'decimal', 'year', 'date', 'time2', 'datetime2', 'timestamp2', 'varchar', 'char', 'enum', 'set', 'bit', 'blob', 'json', 'geometry', 'vector', 'mariadbVector', 'mariadbFixed'];
/** Kinds only a server without optional metadata produces (MariaDB, whose I_S type names them). */
const MARIADB_ONLY = new Set<Kind>(['mariadbVector', 'mariadbFixed']);

interface Col {
  kind: Kind;
  unsigned: boolean;
  /** character columns: the binary charset (collation 63) rather than a text one */
  binary: boolean;
  /** text columns' collation id */
  collation: number;
  /** DECIMAL precision/scale; temporal fsp in `scale` */
  precision: number;
  scale: number;
  /** VARCHAR/CHAR: max bytes; BIT: bits; BLOB family: length size; ENUM/SET: member count */
  n: number;
  /** MariaDB fixed binary's name */
  fixedName?: 'inet6' | 'uuid' | 'inet4';
}

type Meta = 'none' | 'minimal' | 'full';
type Op = 'write' | 'update' | 'delete';
/** A row image's values: the stored bytes of each present column (null: SQL NULL); absent columns ignored. */
type Image = Array<Buffer | null>;

interface Case {
  cols: Col[];
  meta: Meta;
  op: Op;
  v2: boolean;
  /** v2 extra data bytes (after its 2-byte length) */
  extra: number;
  present: boolean[];
  /** UPDATE: the after image's present columns */
  presentAfter: boolean[];
  /** bits OR-ed into the present bitmaps' padding (past the last column) */
  pad: number;
  /** bits OR-ed into each null bitmap's padding (MySQL sets them) */
  nullPad: number;
  /** UPDATE: before, after, before, after, … */
  images: Image[];
}

// ---------------------------------------------------------------------------------------------- encoders

const le = (v: bigint, bytes: number): Buffer => {
  const b = Buffer.alloc(bytes);
  let x = BigInt.asUintN(bytes * 8, v);
  for (let i = 0; i < bytes; i++) {
    b[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return b;
};
const be = (v: number, bytes: number): Buffer => {
  const b = Buffer.alloc(bytes);
  b.writeUIntBE(v, 0, bytes);
  return b;
};
const packed = (n: number): Buffer => (n < 251 ? Buffer.from([n]) : n < 65536 ? Buffer.from([252, n & 0xff, n >> 8]) : Buffer.from([253, n & 0xff, (n >> 8) & 0xff, n >> 16]));
const lenStr = (s: Buffer): Buffer => Buffer.concat([packed(s.length), s]);

const D2B = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

/** MySQL's decimal2bin: 9-digit groups in 4 big-endian bytes, leftover digits in 1–4; negatives inverted; sign bit flipped. */
function decimalBin(negative: boolean, intDigits: string, fracDigits: string, precision: number, scale: number): Buffer {
  const ip = intDigits.padStart(precision - scale, '0');
  const fp = fracDigits.padEnd(scale, '0');
  const parts: Buffer[] = [];
  const lead = ip.length % 9;
  if (lead) parts.push(be(Number(ip.slice(0, lead)), D2B[lead] as number));
  for (let i = lead; i < ip.length; i += 9) parts.push(be(Number(ip.slice(i, i + 9)), 4));
  const whole = Math.floor(scale / 9) * 9;
  for (let i = 0; i < whole; i += 9) parts.push(be(Number(fp.slice(i, i + 9)), 4));
  if (scale > whole) parts.push(be(Number(fp.slice(whole)), D2B[scale - whole] as number));
  const out = Buffer.concat(parts);
  if (negative) for (let i = 0; i < out.length; i++) out[i] = ~(out[i] as number) & 0xff;
  out[0] = (out[0] as number) ^ 0x80;
  return out;
}

const fracBytes = (fsp: number): number => (fsp + 1) >> 1;
/** The fraction part of TIME2/DATETIME2/TIMESTAMP2: fsp digits of microseconds in (fsp+1)/2 big-endian bytes. */
function fraction(micros: number, fsp: number): Buffer {
  const n = fracBytes(fsp);
  if (n === 0) return Buffer.alloc(0);
  const digits = Math.floor(micros / 10 ** (6 - fsp)); // fsp digits
  // MySQL stores 1–2 digits in 1 byte, 3–4 (as hundreds of µs) in 2, 5–6 in 3: pad the digit count to even
  return be(fsp % 2 ? digits * 10 : digits, n);
}

function uintWidth(k: Kind): number {
  return k === 'tiny' ? 1 : k === 'short' ? 2 : k === 'int24' ? 3 : k === 'long' ? 4 : 8;
}

function lengthSize(c: Col): number {
  switch (c.kind) {
    case 'varchar':
    case 'mariadbVector':
      return c.n > 255 ? 2 : 1;
    case 'char':
    case 'mariadbFixed':
      return c.n > 255 ? 2 : 1;
    case 'blob':
      return c.n;
    default:
      return 4; // JSON, GEOMETRY, VECTOR
  }
}

/** The most bytes a value of a length-prefixed column holds (kept testable: LONGBLOB values stay ≤ 70,000). */
function maxBytes(c: Col): number {
  switch (c.kind) {
    case 'varchar':
    case 'char':
    case 'mariadbVector':
      return c.n;
    case 'mariadbFixed':
      return c.fixedName === 'inet4' ? 4 : 16;
    default:
      return Math.min(2 ** (8 * lengthSize(c)) - 1, 70_000);
  }
}

function setSize(members: number): number {
  return members <= 8 ? 1 : members <= 16 ? 2 : members <= 24 ? 3 : members <= 32 ? 4 : 8;
}

function enumSize(members: number): number {
  return members <= 255 ? 1 : 2;
}

// ---------------------------------------------------------------------------------------------- TABLE_MAP

const CHARSET_OF: Readonly<Record<number, string>> = { 255: 'utf8mb4', 45: 'utf8mb4', 33: 'utf8mb3', 8: 'latin1', 28: 'gbk', 63: 'binary' };
const MAXLEN: Readonly<Record<string, number>> = { utf8mb4: 4, utf8mb3: 3, latin1: 1, gbk: 2 };
const TEXT_COLLATIONS = [255, 45, 33, 8, 28];

function typeCode(c: Col): number {
  switch (c.kind) {
    case 'tiny':
      return T.TINY;
    case 'short':
      return T.SHORT;
    case 'int24':
      return T.INT24;
    case 'long':
      return T.LONG;
    case 'longlong':
      return T.LONGLONG;
    case 'float':
      return T.FLOAT;
    case 'double':
      return T.DOUBLE;
    case 'decimal':
      return T.NEWDECIMAL;
    case 'year':
      return T.YEAR;
    case 'date':
      return T.DATE;
    case 'time2':
      return T.TIME2;
    case 'datetime2':
      return T.DATETIME2;
    case 'timestamp2':
      return T.TIMESTAMP2;
    case 'varchar':
    case 'mariadbVector':
      return T.VARCHAR;
    case 'char':
    case 'enum':
    case 'set':
    case 'mariadbFixed':
      return T.STRING; // ENUM/SET: real type in the metadata
    case 'bit':
      return T.BIT;
    case 'blob':
      return T.BLOB;
    case 'json':
      return T.JSON;
    case 'geometry':
      return T.GEOMETRY;
    case 'vector':
      return T.VECTOR;
  }
}

/** The per-column metadata bytes MySQL writes (Field::save_field_metadata). */
function columnMetadata(c: Col): Buffer {
  switch (c.kind) {
    case 'float':
      return Buffer.from([4]);
    case 'double':
      return Buffer.from([8]);
    case 'decimal':
      return Buffer.from([c.precision, c.scale]);
    case 'time2':
    case 'datetime2':
    case 'timestamp2':
      return Buffer.from([c.scale]);
    case 'varchar':
    case 'mariadbVector':
      return le(BigInt(c.n), 2);
    case 'char':
    case 'mariadbFixed': {
      // Field_string: real type, then the length's low byte; the length's bits 8–9 ride inverted in the type byte
      const len = c.kind === 'char' ? c.n : maxBytes(c);
      return Buffer.from([T.STRING ^ ((len & 0x300) >> 4), len & 0xff]);
    }
    case 'enum':
      return Buffer.from([T.ENUM, enumSize(c.n)]);
    case 'set':
      return Buffer.from([T.SET, setSize(c.n)]);
    case 'bit':
      return Buffer.from([c.n % 8, c.n >> 3]);
    case 'blob':
      return Buffer.from([c.n]);
    case 'json':
    case 'geometry':
    case 'vector':
      return Buffer.from([4]);
    default:
      return Buffer.alloc(0);
  }
}

const isNumeric = (c: Col): boolean => ['tiny', 'short', 'int24', 'long', 'longlong', 'float', 'double', 'decimal', 'year'].includes(c.kind);
/** Columns of the optional metadata's character lists (is_character_type: binary strings included). */
// MySQL 9's VECTOR is read by zongji as the BLOB the gate re-typed it to, so it sits in the character list (binary)
const isCharacter = (c: Col): boolean => ['varchar', 'char', 'blob', 'vector', 'mariadbVector', 'mariadbFixed'].includes(c.kind);
const isText = (c: Col): boolean => isCharacter(c) && !c.binary;
const members = (c: Col): string[] => Array.from({ length: c.n }, (_, j) => (j % 7 === 3 ? `m'${j}` : j % 5 === 2 ? `ü${j}` : `m${j}`));

function tlv(type: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), packed(value.length), value]);
}

/** An MSB-first bitmap, as the optional metadata writes them. */
function msbBitmap(bits: boolean[]): Buffer {
  const b = Buffer.alloc((bits.length + 7) >> 3);
  bits.forEach((v, i) => {
    if (v) b[i >> 3] = (b[i >> 3] as number) | (0x80 >> (i & 7));
  });
  return b;
}

function optionalMetadata(k: Case, g: Gen | null): Buffer {
  if (k.meta === 'none') return Buffer.alloc(0);
  const parts: Buffer[] = [];
  const numeric = k.cols.filter(isNumeric);
  if (numeric.length) parts.push(tlv(1, msbBitmap(numeric.map((c) => c.unsigned))));
  const chars = k.cols.filter(isCharacter);
  if (chars.length) {
    const ids = chars.map((c) => (c.binary ? 63 : c.collation));
    // MySQL writes whichever is shorter; both are read here by turns
    if (g === null || (ids.length & 1) === 0) {
      const def = ids[0] as number;
      const exceptions = ids.flatMap((id, i) => (id === def ? [] : [packed(i), packed(id)]));
      parts.push(tlv(2, Buffer.concat([packed(def), ...exceptions])));
    } else parts.push(tlv(3, Buffer.concat(ids.map(packed))));
  }
  const enumSet = k.cols.filter((c) => c.kind === 'enum' || c.kind === 'set');
  if (enumSet.length) parts.push(tlv(10, packed(255)));
  if (k.meta === 'full') {
    parts.push(tlv(4, Buffer.concat(k.cols.map((_, i) => lenStr(Buffer.from(`c${i}`))))));
    const values = (kind: Kind): Buffer =>
      Buffer.concat(k.cols.filter((c) => c.kind === kind).map((c) => Buffer.concat([packed(c.n), ...members(c).map((m) => lenStr(Buffer.from(m)))])));
    if (k.cols.some((c) => c.kind === 'set')) parts.push(tlv(5, values('set')));
    if (k.cols.some((c) => c.kind === 'enum')) parts.push(tlv(6, values('enum')));
    parts.push(tlv(8, packed(0)));
  }
  const geometries = k.cols.filter((c) => c.kind === 'geometry');
  if (geometries.length) parts.push(tlv(7, Buffer.concat(geometries.map((c) => packed(c.n % 8)))));
  return Buffer.concat(parts);
}

const TABLE_ID = 0x0000_1234_5678;

function tableMapBody(k: Case): Buffer {
  const head = Buffer.alloc(8);
  head.writeUIntLE(TABLE_ID, 0, 6);
  head.writeUInt16LE(1, 6);
  const meta = Buffer.concat(k.cols.map(columnMetadata));
  const nullable = Buffer.alloc((k.cols.length + 7) >> 3, 0xff);
  return Buffer.concat([
    head,
    Buffer.from([4]),
    Buffer.from('shop\0'),
    Buffer.from([5]),
    Buffer.from('items\0'),
    packed(k.cols.length),
    Buffer.from(k.cols.map(typeCode)),
    packed(meta.length),
    meta,
    nullable,
    optionalMetadata(k, null),
  ]);
}

/** information_schema.COLUMNS as zongji's _fetchTableInfo reads it (the path without FULL metadata). */
function informationSchemaRow(c: Col, i: number): Record<string, unknown> {
  const charset = isText(c) || c.kind === 'enum' || c.kind === 'set' ? (CHARSET_OF[c.collation] as string) : null;
  const u = c.unsigned ? ' unsigned' : '';
  const fsp = (t: string): string => (c.scale ? `${t}(${c.scale})` : t);
  const list = (): string => members(c).map((m) => `'${m.replaceAll("'", "''")}'`).join(',');
  const chars = (): number => Math.floor(c.n / (MAXLEN[charset ?? ''] ?? 1));
  const type: Record<Kind, () => string> = {
    tiny: () => `tinyint${u}`,
    short: () => `smallint${u}`,
    int24: () => `mediumint${u}`,
    long: () => `int${u}`,
    longlong: () => `bigint${u}`,
    float: () => `float${u}`,
    double: () => `double${u}`,
    decimal: () => `decimal(${c.precision},${c.scale})${u}`,
    year: () => 'year',
    date: () => 'date',
    time2: () => fsp('time'),
    datetime2: () => fsp('datetime'),
    timestamp2: () => fsp('timestamp'),
    varchar: () => (c.binary ? `varbinary(${c.n})` : `varchar(${chars()})`),
    char: () => (c.binary ? `binary(${c.n})` : `char(${chars()})`),
    enum: () => `enum(${list()})`,
    set: () => `set(${list()})`,
    bit: () => `bit(${c.n})`,
    blob: () => (['tinyblob', 'blob', 'mediumblob', 'longblob'][c.n - 1] as string).replace('blob', c.binary ? 'blob' : 'text'),
    json: () => 'json',
    geometry: () => 'geometry',
    vector: () => `vector(${c.n})`,
    mariadbVector: () => `vector(${c.n >> 2})`,
    mariadbFixed: () => c.fixedName as string,
  };
  return { COLUMN_NAME: `c${i}`, COLLATION_NAME: null, CHARACTER_SET_NAME: charset, COLUMN_COMMENT: '', COLUMN_TYPE: type[c.kind]() };
}

/** zongji's table map entry for the case, built from the TABLE_MAP bytes as zongji's index.js builds it, then re-typed. */
function tableMapEntry(k: Case): { entry: ZongjiTableMapEntry & { parentSchema: string; tableName: string }; unretyped: readonly number[] | null } {
  const body = tableMapBody(k);
  retypeVectorColumns(body); // the gate does this to every TABLE_MAP before zongji sees it
  const parser = newZongjiParser(body);
  const zongji = { tableMap: {} as Record<number, ZongjiTableMapEntry & { parentSchema: string; tableName: string }>, useChecksum: false, _skipSchema: () => false };
  const ev = new TableMap(parser, { timestamp: 0, nextPosition: 0, size: body.length }, zongji);
  assert.equal(parserOffset(parser), body.length, 'zongji read the whole TABLE_MAP');
  assert.equal(ev.tableId, TABLE_ID);
  assert.equal(ev.hasSelfDescribingMetadata(), k.meta === 'full');
  const columnSchemas = k.meta === 'full' ? ev.buildColumnSchemas() : k.cols.map(informationSchemaRow);
  zongji.tableMap[TABLE_ID] = { columnSchemas: columnSchemas as unknown as ZongjiTableMapEntry['columnSchemas'], parentSchema: ev.schemaName, tableName: ev.tableName };
  ev.updateColumnInfo();
  const entry = zongji.tableMap[TABLE_ID];
  // the layout's own rules for YEAR, DATE, TIME2/DATETIME2/TIMESTAMP2 and ENUM/SET apply only to an entry not
  // re-typed: they must give the widths the re-typed (BIT) columns get
  const unretyped = compileRowsLayout(entry);
  rawifyTableMapEntry(entry);
  return { entry, unretyped: unretyped?.widths ?? null };
}

// ---------------------------------------------------------------------------------------------- rows event

function bitmap(bits: boolean[], pad: number): Buffer {
  const b = Buffer.alloc((bits.length + 7) >> 3);
  bits.forEach((v, i) => {
    if (v) b[i >> 3] = (b[i >> 3] as number) | (1 << (i & 7));
  });
  const used = bits.length & 7;
  if (used) b[b.length - 1] = (b[b.length - 1] as number) | ((pad << used) & 0xff);
  return b;
}

function imageBytes(img: Image, present: boolean[], nullPad: number): Buffer {
  const values = img.filter((_, i) => present[i]);
  const nulls = bitmap(values.map((v) => v === null), nullPad);
  return Buffer.concat([nulls, ...values.filter((v): v is Buffer => v !== null)]);
}

const OP_CODE: Record<Op, number> = { write: 0, update: 1, delete: 2 };
const typeOf = (k: Case): number => (k.v2 ? 0x1e : 0x17) + OP_CODE[k.op];

interface Encoded {
  body: Buffer;
  /** the offset after each row (its after image, for UPDATE) */
  boundaries: number[];
}

function rowsEventBody(k: Case, pad = k.pad): Encoded {
  const n = k.cols.length;
  const head = Buffer.alloc(8);
  head.writeUIntLE(TABLE_ID, 0, 6);
  head.writeUInt16LE(1, 6);
  const extra = k.v2 ? [le(BigInt(2 + k.extra), 2), Buffer.alloc(k.extra, 0x5a)] : [];
  const bitmaps = [bitmap(k.present, pad), ...(k.op === 'update' ? [bitmap(k.presentAfter, pad)] : [])];
  const parts = [head, ...extra, packed(n), ...bitmaps];
  let pos = parts.reduce((s, b) => s + b.length, 0);
  const boundaries: number[] = [];
  k.images.forEach((img, i) => {
    const after = k.op === 'update' && i % 2 === 1;
    const b = imageBytes(img, after ? k.presentAfter : k.present, k.nullPad);
    parts.push(b);
    pos += b.length;
    if (k.op !== 'update' || after) boundaries.push(pos);
  });
  return { body: Buffer.concat(parts), boundaries };
}

function zongjiRows(body: Buffer, type: number, entry: PlainTableMapEntry): ReadRow[] {
  const names = entry.columns.map((c) => c.name);
  const asArray = (o: Record<string, unknown>): RawValues => names.map((nm) => o[nm] as RawValues[number]);
  return decodeRowsBody(body, type, entry).map((r) =>
    'before' in r && 'after' in r ? { before: asArray(r.before as Record<string, unknown>), after: asArray(r.after as Record<string, unknown>) } : asArray(r as Record<string, unknown>),
  );
}

function check(k: Case): void {
  const { entry, unretyped } = tableMapEntry(k);
  const plain = plainTableMapEntry(entry);
  const reader = compileRowsReader(plain);
  const layout = compileRowsLayout(entry);
  assert.ok(reader, 'the reader has a column reader for every column of the table');
  assert.ok(layout, 'the layout has a width rule for every column of the table');
  assert.deepStrictEqual(unretyped, layout.widths, 'the same widths before and after zongji-raw.ts re-typing');
  const type = typeOf(k);
  const { body, boundaries } = rowsEventBody(k);
  const ours = reader.read(body, type);
  const n = k.cols.length;
  const paddingMatters = k.pad !== 0 && n % 8 !== 0 && (!k.present.every(Boolean) || (k.op === 'update' && !k.presentAfter.every(Boolean)));
  // see the file comment: zongji's null-bitmap size counts the padding bits MySQL ignores
  const theirs = zongjiRows(paddingMatters ? rowsEventBody(k, 0).body : body, type, plain);
  assert.deepStrictEqual(ours, theirs);
  assert.equal(ours.length, boundaries.length, 'one row per encoded row');
  const h = readRowsBodyHeader(body, type);
  assert.equal(h.tableId, TABLE_ID);
  assert.equal(countRows(body, body.length, layout, h), boundaries.length);
  boundaries.forEach((end, i) => assert.equal(countRows(body, end, layout, h), i + 1, `rows-layout stops at the end of row ${i}`));
  const last = boundaries[boundaries.length - 1] as number;
  const previous = boundaries.length > 1 ? (boundaries[boundaries.length - 2] as number) : h.rowsStart;
  // a last row of one byte (its null bitmap: every column NULL) cut by a byte is simply one row fewer
  if (last - 1 === previous) assert.equal(countRows(body, previous, layout, h), boundaries.length - 1);
  else assert.throws(() => countRows(body, last - 1, layout, h), /overrun/, 'an event cut inside its last row does not count');
  if (boundaries.length > 1) {
    const cut = boundaries[boundaries.length - 2] as number;
    assert.deepStrictEqual(reader.read(body.subarray(0, cut), type), ours.slice(0, -1), 'the reader stops at the row boundary rows-layout found');
  }
}

// ---------------------------------------------------------------------------------------------- values

const UTF8_2 = Buffer.from('é');
const UTF8_3 = Buffer.from('中');
const UTF8_4 = Buffer.from('😀');

function bytesOfLength(g: Gen, len: number): Buffer {
  switch (g.int(0, 3)) {
    case 0:
      return g.bytes(len);
    case 1: {
      // multi-byte text filling exactly `len` bytes
      const ch = g.pick([UTF8_2, UTF8_3, UTF8_4]);
      const out = Buffer.alloc(len, 0x61);
      for (let i = 0; i + ch.length <= len; i += ch.length) ch.copy(out, i);
      return out;
    }
    case 2:
      return Buffer.alloc(len, g.pick([0, 0x20, 0xff]));
    default:
      return Buffer.alloc(len, 0x61 + g.int(0, 25));
  }
}

function length(g: Gen, c: Col): number {
  const max = maxBytes(c);
  if (g.bool(0.3)) {
    const edges = [0, 1, 2, 254, 255, 256, 65535, 65536, max, max - 1].filter((x) => x >= 0 && x <= max);
    const e = g.pick(edges);
    // the 64 KiB values are a boundary, not the common case (they keep 1M cases within minutes)
    return e > 300 && !g.bool(0.02) ? g.int(0, Math.min(max, 40)) : e;
  }
  return g.length(Math.min(max, g.bool(0.05) ? 2000 : 40));
}

function intValue(g: Gen, c: Col): Buffer {
  const w = uintWidth(c.kind);
  const bits = BigInt(w * 8);
  const min = c.unsigned ? 0n : -(1n << (bits - 1n));
  const max = c.unsigned ? (1n << bits) - 1n : (1n << (bits - 1n)) - 1n;
  const safe = 2n ** 53n;
  const edges = [min, max, 0n, 1n, -1n, min + 1n, max - 1n, safe, safe - 1n, safe + 1n, -safe, -safe + 1n, -safe - 1n, 1n << 31n, 1n << 32n, 1n << 63n];
  return le(g.bool(0.4) ? g.pick(edges) : BigInt.asUintN(w * 8, BigInt('0x' + (g.bytes(w).toString('hex') || '0'))), w);
}

const FLOAT_EDGES = [0, -0, 1, -1, 3.4028234663852886e38, -3.4028234663852886e38, 1.1754943508222875e-38, 1.401298464324817e-45, -1.401298464324817e-45, NaN, Infinity, -Infinity, 0.1, 16777217];
const DOUBLE_EDGES = [0, -0, 1, -1, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2.2250738585072014e-308, NaN, Infinity, -Infinity, 0.1, 2 ** 53 + 2, Math.PI];

function floatValue(g: Gen, c: Col): Buffer {
  const w = c.kind === 'float' ? 4 : 8;
  if (!g.bool(0.4)) return g.bytes(w);
  const b = Buffer.alloc(w);
  if (w === 4) b.writeFloatLE(g.pick(FLOAT_EDGES));
  else b.writeDoubleLE(g.pick(DOUBLE_EDGES));
  return b;
}

function digits(g: Gen, n: number): string {
  if (n === 0) return '';
  switch (g.int(0, 5)) {
    case 0:
      return '9'.repeat(n);
    case 1:
      return '';
    case 2:
      return '1';
    case 3:
      return '1' + '0'.repeat(n - 1);
    default: {
      let s = '';
      const len = g.int(1, n);
      for (let i = 0; i < len; i++) s += String(g.int(0, 9));
      return s;
    }
  }
}

function decimalValue(g: Gen, c: Col): Buffer {
  const ip = digits(g, c.precision - c.scale);
  let fp = digits(g, c.scale);
  if (fp.length < c.scale && g.bool()) fp = fp.padStart(c.scale, '0'); // small fractions: 0.000…1
  const zero = /^0*$/.test(ip) && /^0*$/.test(fp);
  return decimalBin(!zero && g.bool(), ip, fp, c.precision, c.scale); // MySQL never stores −0
}

function temporalValue(g: Gen, c: Col): Buffer {
  const fsp = c.scale;
  const edge = g.bool(0.4);
  const micros = edge ? g.pick([0, 999999, 1, 500000]) : g.int(0, 999999);
  switch (c.kind) {
    case 'year':
      return Buffer.from([edge ? g.pick([0, 1, 155, 255]) : g.int(0, 255)]);
    case 'date': {
      const [y, m, d] = edge ? g.pick([[0, 0, 0], [9999, 12, 31], [1000, 1, 1], [2024, 2, 29], [2000, 0, 0]]) : [g.int(0, 9999), g.int(0, 12), g.int(0, 31)];
      return le(BigInt(d | (m << 5) | (y << 9)), 3);
    }
    case 'time2': {
      const [h, m, s] = edge ? g.pick([[0, 0, 0], [838, 59, 59], [23, 59, 59], [1, 0, 0]]) : [g.int(0, 838), g.int(0, 59), g.int(0, 59)];
      const negative = g.bool(0.3);
      const intPart = 0x800000 + (negative ? -1 : 1) * ((h << 12) | (m << 6) | s);
      return Buffer.concat([be(intPart, 3), fraction(micros, fsp)]);
    }
    case 'datetime2': {
      const [y, mo, d, h, mi, s] = edge ? g.pick([[0, 0, 0, 0, 0, 0], [9999, 12, 31, 23, 59, 59], [1000, 1, 1, 0, 0, 0], [1970, 1, 1, 0, 0, 0]]) : [g.int(0, 9999), g.int(0, 12), g.int(0, 31), g.int(0, 23), g.int(0, 59), g.int(0, 59)];
      const ymd = (((y * 13 + mo) << 5) | d) >>> 0;
      const packedValue = 2 ** 39 + ymd * 2 ** 17 + ((h << 12) | (mi << 6) | s);
      return Buffer.concat([be(packedValue, 5), fraction(micros, fsp)]);
    }
    default: {
      const secs = edge ? g.pick([0, 1, 2 ** 31 - 1, 1_700_000_000]) : g.int(0, 2 ** 31 - 1);
      return Buffer.concat([be(secs, 4), fraction(micros, fsp)]);
    }
  }
}

function value(g: Gen, c: Col): Buffer {
  switch (c.kind) {
    case 'tiny':
    case 'short':
    case 'int24':
    case 'long':
    case 'longlong':
      return intValue(g, c);
    case 'float':
    case 'double':
      return floatValue(g, c);
    case 'decimal':
      return decimalValue(g, c);
    case 'year':
    case 'date':
    case 'time2':
    case 'datetime2':
    case 'timestamp2':
      return temporalValue(g, c);
    case 'enum': {
      const v = g.bool(0.3) ? g.pick([0, 1, c.n]) : g.int(0, c.n);
      return le(BigInt(v), enumSize(c.n));
    }
    case 'set': {
      const all = (1n << BigInt(c.n)) - 1n;
      const v = g.bool(0.3) ? g.pick([0n, 1n, all, 1n << BigInt(c.n - 1)]) : BigInt('0x' + g.bytes(8).toString('hex')) & all;
      return le(v, setSize(c.n));
    }
    case 'bit': {
      const w = (c.n + 7) >> 3;
      const b = g.bool(0.3) ? Buffer.alloc(w, g.pick([0, 0xff])) : g.bytes(w);
      if (c.n % 8) b[0] = (b[0] as number) & ((1 << c.n % 8) - 1); // big-endian: the top byte holds the leftover bits
      return b;
    }
    default: {
      let len = length(g, c);
      if (c.kind === 'vector' || c.kind === 'mariadbVector') len -= len % 4; // float32s
      let v = bytesOfLength(g, len);
      // the row image strips BINARY(n)'s trailing zero bytes (zongji and the reader re-pad them)
      if (c.kind === 'mariadbFixed' || (c.kind === 'char' && c.binary)) {
        let end = v.length;
        while (end > 0 && v[end - 1] === 0) end--;
        v = v.subarray(0, end);
      }
      const ls = lengthSize(c);
      return Buffer.concat([le(BigInt(v.length), ls), v]);
    }
  }
}

// ---------------------------------------------------------------------------------------------- columns

function column(g: Gen, kind: Kind, edge: boolean): Col {
  const c: Col = { kind, unsigned: false, binary: false, collation: g.pick(TEXT_COLLATIONS), precision: 0, scale: 0, n: 0 };
  switch (kind) {
    case 'tiny':
    case 'short':
    case 'int24':
    case 'long':
    case 'longlong':
    case 'float':
    case 'double':
    case 'decimal':
      c.unsigned = g.bool();
      break;
  }
  switch (kind) {
    case 'decimal': {
      const precisions = [1, 8, 9, 10, 17, 18, 19, 27, 36, 64, 65];
      c.precision = edge || g.bool(0.3) ? g.pick(precisions) : g.int(1, 65);
      const scales = [0, 1, 8, 9, 10, 29, 30, c.precision].filter((s) => s <= Math.min(30, c.precision));
      c.scale = edge || g.bool(0.3) ? g.pick(scales) : g.int(0, Math.min(30, c.precision));
      break;
    }
    case 'time2':
    case 'datetime2':
    case 'timestamp2':
      c.scale = g.int(0, 6);
      break;
    case 'varchar':
      c.binary = g.bool();
      c.n = edge || g.bool(0.4) ? g.pick([1, 255, 256, 1020, 65535]) : g.int(1, g.bool(0.8) ? 300 : 65535);
      break;
    case 'char':
      c.binary = g.bool();
      // BINARY(n) ≤ 255 bytes; CHAR(255) in utf8mb4 is 1020 bytes
      c.n = c.binary ? (edge || g.bool(0.4) ? g.pick([1, 16, 255]) : g.int(1, 255)) : edge || g.bool(0.4) ? g.pick([1, 255, 256, 511, 512, 767, 768, 1020]) : g.int(1, 1020);
      if (!c.binary) c.n -= c.n % (MAXLEN[CHARSET_OF[c.collation] as string] as number) || 0;
      if (c.n === 0) c.n = MAXLEN[CHARSET_OF[c.collation] as string] as number;
      break;
    case 'enum':
      c.n = g.bool(0.03) ? g.int(256, 300) : edge || g.bool(0.3) ? g.pick([1, 2, 255]) : g.int(1, 20);
      break;
    case 'set':
      c.n = edge || g.bool(0.4) ? g.pick([1, 8, 9, 16, 17, 24, 25, 32, 33, 64]) : g.int(1, 64);
      break;
    case 'bit':
      c.n = edge || g.bool(0.4) ? g.pick([1, 7, 8, 9, 15, 16, 17, 63, 64]) : g.int(1, 64);
      break;
    case 'blob':
      c.binary = g.bool();
      c.n = g.int(1, 4);
      break;
    case 'geometry':
      c.n = g.int(0, 7); // geometry type
      break;
    case 'vector':
      c.n = g.int(1, 16384); // dimensions
      c.binary = true;
      break;
    case 'mariadbVector':
      c.binary = true;
      c.n = 4 * (edge || g.bool(0.3) ? g.pick([1, 63, 64, 65, 16383]) : g.int(1, 100));
      break;
    case 'mariadbFixed':
      c.binary = true;
      c.fixedName = g.pick(['inet6', 'uuid', 'inet4'] as const);
      break;
  }
  return c;
}

function images(g: Gen, cols: Col[], op: Op, rows: number, nullRate: number): Image[] {
  const out: Image[] = [];
  for (let r = 0; r < rows * (op === 'update' ? 2 : 1); r++) out.push(cols.map((c) => (g.bool(nullRate) ? null : value(g, c))));
  return out;
}

function presentBits(g: Gen, n: number, full: boolean): boolean[] {
  if (full) return new Array<boolean>(n).fill(true);
  const p = Array.from({ length: n }, () => g.bool());
  if (!p.some(Boolean)) p[g.int(0, n - 1)] = true; // MySQL logs no image without a column
  return p;
}

function generate(g: Gen): Case {
  const meta = g.pick<Meta>(['none', 'minimal', 'full']);
  const kinds = KINDS.filter((k) => meta === 'none' || !MARIADB_ONLY.has(k));
  const n = g.bool(0.1) ? g.int(1, 40) : g.bool(0.2) ? g.int(1, 20) : g.int(1, 8);
  const cols = Array.from({ length: n }, () => column(g, g.pick(kinds), false));
  const op = g.pick<Op>(['write', 'update', 'delete']);
  const partial = g.bool(0.3);
  const rows = g.bool(0.1) ? g.int(1, 12) : g.int(1, 3);
  return {
    cols,
    meta,
    op,
    v2: g.bool(0.8),
    extra: g.bool(0.2) ? g.int(0, 8) : 0,
    present: presentBits(g, n, !partial),
    presentAfter: presentBits(g, n, !partial || g.bool()),
    pad: partial && g.bool(0.3) ? g.int(1, 255) : partial ? 0 : 0xff,
    nullPad: g.int(0, 255),
    images: images(g, cols, op, rows, g.pick([0, 0.1, 0.5, 0.9])),
  };
}

// ---------------------------------------------------------------------------------------------- boundaries

function* boundaries(): Iterable<Case> {
  let seed = 1;
  const base = (cols: Col[], meta: Meta, op: Op, imgs: Image[]): Case => ({
    cols,
    meta,
    op,
    v2: true,
    extra: 0,
    present: cols.map(() => true),
    presentAfter: cols.map(() => true),
    pad: 0xff,
    nullPad: 0xff,
    images: imgs,
  });
  // every kind alone, under each metadata source, with each of its edge column shapes and edge values
  for (const kind of KINDS) {
    for (const meta of ['none', 'minimal', 'full'] as const) {
      if (meta !== 'none' && MARIADB_ONLY.has(kind)) continue;
      for (let shape = 0; shape < 12; shape++) {
        const sg = new Gen(rng(seed++));
        const c = column(sg, kind, true);
        const imgs: Image[] = [];
        for (let v = 0; v < 16; v++) imgs.push([value(sg, c)]);
        imgs.push([null]);
        yield base([c], meta, 'write', imgs);
      }
    }
  }
  // every kind after every other kind (a wrong width in the first shifts the second), NULL and not
  for (const a of KINDS) {
    for (const b of KINDS) {
      const meta: Meta = MARIADB_ONLY.has(a) || MARIADB_ONLY.has(b) ? 'none' : 'minimal';
      const sg = new Gen(rng(seed++));
      const cols = [column(sg, a, true), column(sg, b, true)];
      yield base(cols, meta, 'update', [
        [value(sg, cols[0] as Col), value(sg, cols[1] as Col)],
        [null, value(sg, cols[1] as Col)],
        [value(sg, cols[0] as Col), null],
        [value(sg, cols[0] as Col), value(sg, cols[1] as Col)],
      ]);
    }
  }
  // v1 events, extra data, and a partial image whose present bitmap pads with set bits (zongji's divergence)
  const sg = new Gen(rng(seed++));
  const cols = KINDS.filter((k) => !MARIADB_ONLY.has(k)).map((k) => column(sg, k, true));
  for (const op of ['write', 'update', 'delete'] as const) {
    yield { ...base(cols, 'full', op, images(sg, cols, op, 3, 0.2)), v2: false };
    yield { ...base(cols, 'minimal', op, images(sg, cols, op, 3, 0.2)), extra: 5 };
    const present = cols.map((_, i) => i % 3 !== 1);
    yield { ...base(cols, 'none', op, images(sg, cols, op, 2, 0.2)), present, presentAfter: cols.map((_, i) => i % 2 === 0), pad: 0xff };
  }
}

// ---------------------------------------------------------------------------------------------- shrinking

function dropColumn(k: Case, i: number): Case {
  const without = <T>(a: T[]): T[] => [...a.slice(0, i), ...a.slice(i + 1)];
  return { ...k, cols: without(k.cols), present: without(k.present), presentAfter: without(k.presentAfter), images: k.images.map(without) };
}

function* shrink(k: Case): Iterable<Case> {
  const perRow = k.op === 'update' ? 2 : 1;
  const rows = Array.from({ length: k.images.length / perRow }, (_, r) => k.images.slice(r * perRow, r * perRow + perRow));
  for (const fewer of shrinkArray(rows)) if (fewer.length > 0) yield { ...k, images: fewer.flat() };
  for (let i = 0; i < k.cols.length && k.cols.length > 1; i++) {
    const c = dropColumn(k, i);
    if (c.present.some(Boolean) && (k.op !== 'update' || c.presentAfter.some(Boolean))) yield c;
  }
  if (k.meta !== 'none') yield { ...k, meta: 'none' };
  if (!k.v2) yield { ...k, v2: true };
  if (k.extra) yield { ...k, extra: 0 };
}

function show(k: Case): string {
  const cols = k.cols.map((c, i) => `c${i}:${c.kind}${c.unsigned ? ' unsigned' : ''}${c.binary ? ' binary' : ''}(p${c.precision},s${c.scale},n${c.n}${c.fixedName ? ',' + c.fixedName : ''}${c.kind === 'varchar' || c.kind === 'char' || c.kind === 'blob' ? ',coll' + c.collation : ''})`);
  const imgs = k.images.map((img) => img.map((v, i) => (k.present[i] || k.op === 'update' ? (v === null ? 'NULL' : v.length > 40 ? `${v.subarray(0, 40).toString('hex')}…(${v.length}B)` : v.toString('hex')) : '-')).join(' '));
  return `meta=${k.meta} op=${k.op} v${k.v2 ? 2 : 1} extra=${k.extra} present=${k.present.map(Number).join('')} after=${k.presentAfter.map(Number).join('')} pad=${k.pad} nullPad=${k.nullPad}\n  ${cols.join('\n  ')}\n  rows:\n  ${imgs.join('\n  ')}`;
}

test('rows reader and rows layout decode every rows event exactly as zongji does (differential fuzz)', () => {
  const r = runFuzz<Case>({ name: 'rows-reader', boundaries: boundaries(), generate, check, shrink, show, defaultCount: 20_000 });
  assert.ok(r.boundaries > 0 && r.random >= 0);
});
