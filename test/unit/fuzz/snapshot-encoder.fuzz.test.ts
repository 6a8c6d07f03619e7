/**
 * The snapshot's fused INIT encoder (SnapshotRowEncoder: record bytes straight from a text-protocol row packet)
 * against the object path it replaces (mapper.snapshotImage + buildRowRecord('INIT') + encodeRecordView, and
 * imageText + the router for the partition and key). A case is one row of a fresh random table: random column
 * types with random parameters (charsets, precisions, members), random values of every length across the
 * row packet's length-prefix widths (250/251, 2^16, 2^24) and the Avro varint widths (63/64, 8191/8192), text
 * in every charset with every UTF-8 width, NULLs anywhere, and a random key under a random partition strategy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AvroWriter,
  buildRowRecord,
  compileTableMapper,
  encodeRecordView,
  imageText,
  SnapshotRowEncoder,
  type ChangeHeader,
  type SnapshotHeader,
} from '../../../src/format/dts-avro/index.js';
import type { ColumnMeta, TableSchema } from '../../../src/model/table.js';
import { compileRouter, keyColumnsFor, type PartitionStrategy } from '../../../src/transform/index.js';
import { recordToAvsc } from '../../../src/format/dts-avro/avsc-form.js';
import { dtsRecordType } from '../../../src/format/dts-avro/schema.js';
import { column } from '../../support/dts-fixtures.js';
import { lengthCoded } from '../../support/row-packet.js';
import { Gen, runFuzz } from '../../support/fuzz.js';

type Value = Buffer | null;

interface ColumnCase {
  meta: ColumnMeta;
  value: Value;
}

interface RowCase {
  flavor: 'mysql' | 'mariadb';
  db: string;
  table: string;
  columns: ColumnCase[];
  key: string[] | null;
  strategy: PartitionStrategy;
  id: number;
}

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const pad = (n: number, w: number): string => String(n).padStart(w, '0');

const SCRATCH = Buffer.alloc(64 * 4);

/**
 * Writes one character of `charset` with a random width (UTF-8: 1–4 bytes; GBK: 1 or 2; single-byte: any
 * byte) at `at` in SCRATCH; returns its width, or 0 when it would not fit under `limit`.
 */
function writeChar(g: Gen, charset: string, at: number, limit: number): number {
  if (charset === 'utf8mb4' || charset === 'utf8mb3') {
    const w = g.int(1, charset === 'utf8mb4' ? 4 : 3);
    if (at + w > limit) return 0;
    if (w === 1) SCRATCH[at] = g.int(0, 0x7f);
    else if (w === 2) {
      const cp = g.int(0x80, 0x7ff);
      SCRATCH[at] = 0xc0 | (cp >> 6);
      SCRATCH[at + 1] = 0x80 | (cp & 0x3f);
    } else if (w === 3) {
      const cp = g.bool() ? g.int(0x800, 0xd7ff) : g.int(0xe000, 0xffff);
      SCRATCH[at] = 0xe0 | (cp >> 12);
      SCRATCH[at + 1] = 0x80 | ((cp >> 6) & 0x3f);
      SCRATCH[at + 2] = 0x80 | (cp & 0x3f);
    } else {
      const cp = g.int(0x10000, 0x10ffff);
      SCRATCH[at] = 0xf0 | (cp >> 18);
      SCRATCH[at + 1] = 0x80 | ((cp >> 12) & 0x3f);
      SCRATCH[at + 2] = 0x80 | ((cp >> 6) & 0x3f);
      SCRATCH[at + 3] = 0x80 | (cp & 0x3f);
    }
    return w;
  }
  if (charset === 'gbk' && g.bool()) {
    if (at + 2 > limit) return 0;
    SCRATCH[at] = g.int(0x81, 0xfe);
    SCRATCH[at + 1] = g.int(0x40, 0xfe);
    return 2;
  }
  if (at + 1 > limit) return 0;
  SCRATCH[at] = charset === 'gbk' ? g.int(0x20, 0x7e) : g.int(0, 255);
  return 1;
}

/**
 * A text value of up to `maxBytes` bytes in `charset`, mixing every character width the charset has: mostly
 * short, now and then exactly at a length boundary, rarely long (a long value repeats a random run of
 * characters, which keeps a million cases fast and still mixes the widths).
 */
function text(g: Gen, charset: string, maxBytes: number): Buffer {
  const k = g.r();
  const target = k < 0.04 ? g.pick([0, 1, 2, 62, 63, 64, 65, 66, 126, 127, 128, 250, 251, 252]) : k < 0.043 ? g.pick([8191, 8192, 8193, 65535, 65536]) : k < 0.046 ? g.length(maxBytes) : g.length(300);
  const n = Math.min(target, maxBytes);
  const limit = Math.min(n, SCRATCH.length);
  let len = 0;
  for (let w = 1; len < limit && w > 0; len += w) w = writeChar(g, charset, len, limit);
  let out: Buffer;
  if (len < n && len > 0) {
    // repeat the run of whole characters, then pad with ASCII to the length
    const reps = Math.floor(n / len);
    out = Buffer.allocUnsafe(n).fill(0x61);
    out.fill(SCRATCH.subarray(0, len), 0, reps * len);
  } else out = Buffer.from(SCRATCH.subarray(0, len));
  // Now and then a multi-byte value cut in the middle, as a prefix or a bad row would give it.
  return g.bool(0.02) && out.length > 1 ? out.subarray(0, out.length - 1) : out;
}

function intText(g: Gen, bits: number, unsigned: boolean): string {
  const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  const k = g.int(0, 5);
  if (k === 0) return String(max);
  if (k === 1) return String(min);
  if (k === 2) return String(g.int(-2, 2) < 0 && !unsigned ? -g.int(0, 2) : g.int(0, 2));
  let v = 0n;
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(g.int(0, 0xffff));
  v = min + (v % (max - min + 1n));
  return String(v);
}

function decimalText(g: Gen, precision: number, scale: number): string {
  const intDigits = g.int(0, precision - scale);
  let s = g.bool(0.3) ? '-' : '';
  s += intDigits === 0 ? '0' : String(g.int(1, 9)) + Array.from({ length: intDigits - 1 }, () => g.int(0, 9)).join('');
  if (scale > 0) s += '.' + Array.from({ length: scale }, () => g.int(0, 9)).join('');
  return s;
}

function floatText(g: Gen, float: boolean): string {
  const k = g.int(0, 6);
  if (k === 0) return g.pick(['0', '-0', '1e-300', '1.7976931348623157e308', '-2.2250738585072014e-308', '3.4028234663852886e38', '-1.1754943508222875e-38']);
  const buf = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) buf[i] = g.int(0, 255);
  let d = buf.readDoubleLE(0);
  if (!Number.isFinite(d)) d = g.r() * 1e6;
  if (float) d = Math.fround(d);
  if (!Number.isFinite(d)) d = 1.5;
  return k < 4 ? String(d) : d.toExponential(g.int(0, 16));
}

function fraction(g: Gen, fsp: number): string {
  return fsp > 0 ? '.' + Array.from({ length: fsp }, () => g.int(0, 9)).join('') : '';
}

function dateText(g: Gen): string {
  return g.bool(0.1) ? '0000-00-00' : `${pad(g.int(1000, 9999), 4)}-${pad(g.int(1, 12), 2)}-${pad(g.int(1, 28), 2)}`;
}

/** One random column (its meta and the text-protocol value the server sends for its select expression). */
/**
 * A MySQL identifier (≤ 64 characters) mixing every UTF-8 width: names reach the record as Avro strings (the
 * fields list, objectName, tags), so their lengths must cross the writer's one- and two-byte length forms.
 */
function identifier(g: Gen, unique: string): string {
  if (g.bool(0.5)) return unique;
  const units = g.int(0, 60);
  let s = '';
  while (s.length < units) s += text(g, 'utf8mb4', 4).toString('utf8').replace(/[\u0000`]/g, '_');
  return `${s}${unique}`;
}

function randomColumn(g: Gen, ordinal: number, flavor: 'mysql' | 'mariadb'): ColumnCase {
  const name = identifier(g, `c${ordinal}`);
  const nul = g.bool(0.12);
  const v = (make: () => Buffer | string): Value => {
    if (nul) return null;
    const x = make();
    return typeof x === 'string' ? latin1(x) : x;
  };
  const ints = [
    ['tinyint', 1, 8],
    ['smallint', 2, 16],
    ['mediumint', 9, 24],
    ['int', 3, 32],
    ['bigint', 8, 64],
  ] as const;
  const charset = g.pick(['utf8mb4', 'utf8mb3', 'latin1', 'gbk'] as const);
  const cs = { charset, collation: `${charset}_bin` };
  switch (g.int(0, 22)) {
    case 0:
    case 1: {
      const [t, code, bits] = g.pick(ints);
      const unsigned = g.bool();
      return { meta: column(ordinal, name, t, `${t}${unsigned ? ' unsigned' : ''}`, code), value: v(() => intText(g, bits, unsigned)) };
    }
    case 2: {
      const p = g.int(1, 65);
      const s = g.int(0, Math.min(30, p));
      return { meta: column(ordinal, name, 'decimal', `decimal(${p},${s})`, 246, { precision: p, scale: s }), value: v(() => decimalText(g, p, s)) };
    }
    case 3: {
      const f = g.bool();
      return { meta: column(ordinal, name, f ? 'float' : 'double', f ? 'float' : 'double', f ? 4 : 5), value: v(() => floatText(g, f)) };
    }
    case 4: {
      const bits = g.int(1, 64);
      return { meta: column(ordinal, name, 'bit', `bit(${bits})`, 16, { precision: bits }), value: v(() => g.bytes(Math.ceil(bits / 8))) };
    }
    case 5:
      return { meta: column(ordinal, name, 'date', 'date', 10), value: v(() => dateText(g)) };
    case 6: {
      const fsp = g.int(0, 6);
      return {
        meta: column(ordinal, name, 'datetime', fsp ? `datetime(${fsp})` : 'datetime', 12, { precision: fsp }),
        value: v(() => (g.bool(0.05) ? `0000-00-00 00:00:00${fraction(g, fsp).replace(/\d/g, '0')}` : `${dateText(g)} ${pad(g.int(0, 23), 2)}:${pad(g.int(0, 59), 2)}:${pad(g.int(0, 59), 2)}${fraction(g, fsp)}`)),
      };
    }
    case 7: {
      const fsp = g.int(0, 6);
      return { meta: column(ordinal, name, 'timestamp', fsp ? `timestamp(${fsp})` : 'timestamp', 7, { precision: fsp }), value: v(() => `${g.int(0, 2147483647)}${fraction(g, fsp)}`) };
    }
    case 8: {
      const fsp = g.int(0, 6);
      return {
        meta: column(ordinal, name, 'time', fsp ? `time(${fsp})` : 'time', 11, { precision: fsp }),
        value: v(() => `${g.bool(0.3) ? '-' : ''}${pad(g.int(0, 838), 2)}:${pad(g.int(0, 59), 2)}:${pad(g.int(0, 59), 2)}${fraction(g, fsp)}`),
      };
    }
    case 9:
      return { meta: column(ordinal, name, 'year', 'year', 13), value: v(() => (g.bool(0.1) ? '0000' : String(g.int(1901, 2155)))) };
    case 10:
    case 11: {
      const fixed = g.bool(0.3);
      const chars = fixed ? g.int(1, 255) : g.pick([1, 10, 50, 255, 300, 5000, 16383]);
      const perChar = charset === 'utf8mb4' ? 4 : charset === 'utf8mb3' ? 3 : charset === 'gbk' ? 2 : 1;
      return { meta: column(ordinal, name, fixed ? 'char' : 'varchar', `${fixed ? 'char' : 'varchar'}(${chars})`, fixed ? 254 : 15, cs), value: v(() => text(g, charset, chars * perChar)) };
    }
    case 12:
    case 13: {
      const [t, code, max] = g.pick([
        ['tinytext', 249, 255],
        ['text', 252, 65535],
        ['mediumtext', 250, 100_000],
        ['longtext', 251, 100_000],
      ] as const);
      return { meta: column(ordinal, name, t, t, code, cs), value: v(() => text(g, charset, max)) };
    }
    case 14: {
      const [t, code, max] = g.pick([
        ['binary', 254, 255],
        ['varbinary', 15, 300],
        ['tinyblob', 249, 255],
        ['blob', 252, 65535],
        ['mediumblob', 250, 100_000],
        ['longblob', 251, 100_000],
      ] as const);
      const columnType = t === 'binary' || t === 'varbinary' ? `${t}(${max})` : t;
      return { meta: column(ordinal, name, t, columnType, code, { charset: 'binary', collation: null }), value: v(() => g.bytes(g.bool(0.04) ? g.pick([250, 251, 252, 8191, 8192, 65535, 65536]) % (max + 1) : g.length(g.bool(0.99) ? Math.min(max, 300) : max))) };
    }
    case 15: {
      // labels reach the record as Avro strings: every length and width
      const members = Array.from({ length: g.int(1, 70) }, (_, i) => (g.bool(0.5) ? `${text(g, 'utf8mb4', 120).toString('utf8')}${i}` : `m${i}`));
      // enum+0: the index; past the list (an invalid value MySQL stored as '') and leading zeros now and then
      return { meta: column(ordinal, name, 'enum', `enum(${members.map((m) => `'${m}'`).join(',')})`, 247, { members }), value: v(() => (g.bool(0.1) ? `00${g.int(0, members.length + 2)}` : String(g.int(0, members.length + 1)))) };
    }
    case 16: {
      const members = Array.from({ length: g.int(1, 64) }, (_, i) => (g.bool(0.3) ? `${text(g, 'utf8mb4', 60).toString('utf8').replaceAll(',', ';')}${i}` : `s${i}`));
      const mask = intText(g, members.length, true);
      return { meta: column(ordinal, name, 'set', `set(${members.map((m) => `'${m}'`).join(',')})`, 248, { members }), value: v(() => mask) };
    }
    case 17:
      if (flavor === 'mariadb') return { meta: column(ordinal, name, 'longtext', 'longtext', 252, { charset: 'utf8mb4', collation: 'utf8mb4_bin' }), value: v(() => text(g, 'utf8mb4', 500)) };
      return {
        meta: column(ordinal, name, 'json', 'json', 245),
        value: v(() => (g.bool(0.6) ? JSON.stringify(text(g, 'utf8mb4', 300).toString('utf8')) : JSON.stringify({ k: text(g, 'utf8mb4', 80).toString('utf8'), n: g.int(-1e9, 1e9), a: [g.r(), null, true] }))),
      };
    case 18: {
      const t = g.pick(['geometry', 'point', 'linestring', 'polygon']);
      return { meta: column(ordinal, name, t, t, 255), value: v(() => Buffer.concat([g.bytes(4), Buffer.from([1]), g.bytes(g.int(4, 200))])) };
    }
    case 19:
      if (flavor === 'mysql') {
        const dims = g.int(1, 40);
        return { meta: column(ordinal, name, 'vector', `vector(${dims})`, 242, { charset: 'binary' }), value: v(() => g.bytes(dims * 4)) };
      }
      return { meta: column(ordinal, name, 'inet6', 'inet6', 254), value: v(() => g.pick(['::1', 'fe80::1', '::ffff:1.2.3.4', '2001:db8::ff00:42:8329'])) };
    case 20:
      if (flavor === 'mariadb') return { meta: column(ordinal, name, 'uuid', 'uuid', 254), value: v(() => g.pick(['123e4567-e89b-12d3-a456-426614174000', '00000000-0000-0000-0000-000000000000'])) };
      return { meta: column(ordinal, name, 'varchar', 'varchar(20)', 15, cs), value: v(() => text(g, charset, 20)) };
    default: {
      const [t, code, bits] = g.pick(ints);
      return { meta: column(ordinal, name, t, t, code), value: v(() => intText(g, bits, false)) };
    }
  }
}

function generate(g: Gen): RowCase {
  const flavor = g.bool() ? 'mysql' : 'mariadb';
  const n = g.bool(0.05) ? g.int(30, 120) : g.int(1, 16);
  const columns = [{ meta: column(0, 'id', 'int', 'int', 3, { nullable: false }), value: latin1(String(g.int(-5, 1e9))) } as ColumnCase];
  for (let i = 1; i <= n; i++) columns.push(randomColumn(g, i, flavor));
  const keyCount = g.int(0, 3);
  const key = keyCount === 0 ? null : Array.from(new Set(Array.from({ length: keyCount }, () => g.pick(columns).meta.name)));
  const strategy = g.pick(['key-hash', 'table-hash', 'partition0'] as const);
  const id = g.pick([0, 1, 63, 64, 8191, 8192, 2 ** 31 - 1, 2 ** 31, 2 ** 52, g.int(0, 2 ** 30)]);
  return { flavor, db: identifier(g, 'db'), table: identifier(g, 't'), columns, key, strategy, id };
}

const HEADER: SnapshotHeader = {
  sourceTimestamp: 1_764_120_000,
  sourcePosition: '72469@78',
  safeSourcePosition: '72469@78',
  sourceTxid: '0',
  serverVersion: '9.7.0',
  threadId: 0,
  serverId: 1,
  readerThroughoutTime: 0,
};

const avscType = dtsRecordType();
const fusedWriter = new AvroWriter(16);
const refWriter = new AvroWriter(16);

function check(c: RowCase): void {
  const schema: TableSchema = { db: c.db, table: c.table, columns: c.columns.map((x) => x.meta), primaryKey: ['id'], uniqueKeys: [], version: 1 };
  const mapper = compileTableMapper(schema);
  const encoder = new SnapshotRowEncoder(mapper);
  const frame = encoder.frame(HEADER);
  const values = c.columns.map((x) => x.value);
  const body = Buffer.concat(values.map(lengthCoded));
  // the row inside a bigger buffer, as in a socket chunk
  const buffer = Buffer.concat([Buffer.from([0xfb, 0xfc, 0x01]), body, Buffer.from([0xfe, 0x00])]);
  const start = 3;
  const end = 3 + body.length;

  const after = mapper.snapshotImage(values);
  const record = buildRowRecord(mapper, 'INIT', { ...HEADER, id: c.id } as ChangeHeader, null, after);
  const want = Buffer.from(encodeRecordView(record, refWriter, mapper.fieldsBytes));
  // and both against avsc, the reference encoder, over the same record (the two paths share AvroWriter)
  const reference = avscType.toBuffer(recordToAvsc(record));
  if (!reference.equals(want)) assert.fail(`the object path's bytes differ from avsc's at offset ${want.findIndex((b, i) => b !== reference[i])}`);
  const got = Buffer.from(encoder.encode(fusedWriter, frame, c.id, buffer, start, end));
  if (!got.equals(want)) {
    const at = got.findIndex((b, i) => b !== want[i]);
    assert.fail(`record bytes differ at offset ${at} (fused ${got.length} bytes, object path ${want.length})`);
  }

  const keyCols = keyColumnsFor(schema, c.key);
  const ordinals = keyCols?.ordinals ?? [];
  const router = compileRouter({ strategy: c.strategy, partitions: 7, db: schema.db, table: schema.table, keyOrdinals: keyCols ? ordinals : null });
  const refKeys: (string | null)[] = new Array(schema.columns.length).fill(null);
  const fusedKeys: (string | null)[] = new Array(schema.columns.length).fill(null);
  // the object path's key text (binlog-table.ts keyText): TEXT decoded in the column's charset
  for (const o of ordinals) refKeys[o] = imageText(after[o] ?? null, schema.columns[o]?.charset);
  const wantRoute = router.routeRow(refKeys);
  encoder.keyTexts(buffer, ordinals, fusedKeys);
  assert.deepEqual(router.routeRow(fusedKeys), wantRoute, 'route from the fused key texts');
  const scratch = new Uint8Array(512);
  const keyLength = ordinals.length > 0 ? encoder.writeKeyJson(buffer, ordinals, scratch) : -1;
  if (keyLength >= 0) {
    assert.ok(wantRoute.key !== null, 'a copied key where the object path has none');
    assert.equal(Buffer.from(scratch.subarray(0, keyLength)).toString('utf8'), wantRoute.key, 'key bytes copied from the row');
    assert.equal(router.partitionOfKey(scratch, keyLength), wantRoute.partition, 'partition of the copied key');
  }
}

function* shrink(c: RowCase): Iterable<RowCase> {
  const renumber = (cols: ColumnCase[]): ColumnCase[] => cols.map((x, i) => ({ ...x, meta: { ...x.meta, ordinal: i } }));
  const keep = (cols: ColumnCase[]): RowCase => {
    const names = new Set(cols.map((x) => x.meta.name));
    const key = c.key?.filter((k) => names.has(k)) ?? null;
    return { ...c, columns: renumber(cols), key: key && key.length > 0 ? key : null };
  };
  const rest = c.columns.slice(1);
  const id = c.columns[0] as ColumnCase;
  if (rest.length > 1) {
    yield keep([id, ...rest.slice(0, rest.length >> 1)]);
    yield keep([id, ...rest.slice(rest.length >> 1)]);
  }
  for (let i = 0; i < rest.length; i++) yield keep([id, ...rest.slice(0, i), ...rest.slice(i + 1)]);
  if (c.key) yield { ...c, key: null };
  for (let i = 1; i < c.columns.length; i++) {
    const v = c.columns[i]?.value;
    if (v && v.length > 1) yield { ...c, columns: c.columns.map((x, j) => (j === i ? { ...x, value: v.subarray(0, v.length >> 1) } : x)) };
  }
}

function show(c: RowCase): string {
  return JSON.stringify({
    flavor: c.flavor,
    db: c.db,
    table: c.table,
    key: c.key,
    strategy: c.strategy,
    id: c.id,
    columns: c.columns.map((x) => ({ type: x.meta.columnType, charset: x.meta.charset, value: x.value === null ? null : x.value.length > 80 ? `${x.value.subarray(0, 80).toString('hex')}… (${x.value.length} bytes)` : x.value.toString('hex') })),
  });
}

/** The deterministic part: every value length across the length-prefix and varint widths, in each charset. */
function* boundaries(): Iterable<RowCase> {
  // Every length across the row packet's prefix widths and the Avro varint widths, in text and bytes columns.
  for (const n of [0, 1, 2, 62, 63, 64, 65, 66, 126, 127, 128, 250, 251, 252, 8190, 8191, 8192, 8193, 8194, 65535, 65536, 0x1000000 + 1]) {
    for (const [t, code, charset, unit] of [
      ['longblob', 251, 'binary', 'ab'],
      ['longtext', 251, 'utf8mb4', 'é'],
      ['longtext', 251, 'utf8mb4', '中'],
      ['longtext', 251, 'utf8mb4', '😀'],
      ['longtext', 251, 'latin1', 'x'],
      ['longtext', 251, 'gbk', 'd6d0'],
    ] as const) {
      const unitBytes = charset === 'binary' || charset === 'gbk' ? Buffer.from(unit, 'hex') : Buffer.from(unit, charset === 'latin1' ? 'latin1' : 'utf8');
      const count = Math.floor(n / unitBytes.length);
      const value = Buffer.concat([Buffer.alloc(count * unitBytes.length).fill(unitBytes), Buffer.alloc(n - count * unitBytes.length, 0x61)]);
      yield {
        flavor: 'mysql',
        db: 'fuzz_db',
        table: '中'.repeat(n % 43),
        columns: [
          { meta: column(0, 'id', 'int', 'int', 3, { nullable: false }), value: latin1('1') },
          { meta: column(1, 'v', t, t, code, { charset, collation: charset === 'binary' ? null : `${charset}_bin` }), value },
          { meta: column(2, 'after', 'varchar', 'varchar(10)', 15, { charset: 'utf8mb4', collation: 'utf8mb4_bin' }), value: Buffer.from('tail', 'utf8') },
        ],
        key: ['v'],
        strategy: 'key-hash',
        id: n,
      };
    }
  }
}

test('fuzz: the fused snapshot encoder gives the object path\'s bytes, partition and key on random tables and rows', () => {
  const ran = runFuzz({ name: 'snapshot-encoder', boundaries: boundaries(), generate, check, shrink, show, defaultCount: 1500 });
  assert.ok(ran.boundaries > 100);
});
