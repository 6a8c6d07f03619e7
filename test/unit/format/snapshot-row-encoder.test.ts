/**
 * The snapshot's fused INIT encoder against the object path it replaces (mapper.snapshotImage +
 * buildRowRecord('INIT') + encodeRecordView, imageText + the router for the key): identical record bytes and
 * identical partition and key, for every column type of the every-type table (test/support/every-type-table.ts)
 * with the values the server sends for its rows, plus NULLs, empty values, multi-byte charsets, values long
 * enough for 2-, 3- and 8-byte length prefixes, and odd text that must take the codec's own path.
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
import { column } from '../../support/dts-fixtures.js';
import { lengthCoded } from '../../support/row-packet.js';

type Value = string | Buffer | null;
const hex = (h: string): Buffer => Buffer.from(h, 'hex');
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
// '中文' and '汉字测试' in GBK, and one half character
const GBK_ZHONGWEN = hex('d6d0cec4');
const GBK_LONG = Buffer.concat(Array.from({ length: 30 }, () => hex('d6d0cec4d7d6b7fb')));
const wkb = (h: string): Buffer => Buffer.concat([hex('00000000'), hex(h)]);

interface Col {
  meta: ColumnMeta;
  /** text-protocol values the server sends for this column's select expression */
  values: Value[];
}

let ordinal = 0;
function col(name: string, dataType: string, columnType: string, typeCode: number, values: Value[], extra: Partial<ColumnMeta> = {}): Col {
  return { meta: column(ordinal++, name, dataType, columnType, typeCode, extra), values };
}
const cs = (charset: string): Partial<ColumnMeta> => ({ charset, collation: `${charset}_bin` });

/** The every-type table's columns, as MySQL sends their select expressions for the test rows (and more). */
function everyTypeColumns(mariadb: boolean): Col[] {
  ordinal = 0;
  const cols: Col[] = [
    col('id', 'int', 'int', 3, ['1', '2', '3', '4', '0', '-1'], { nullable: false }),
    col('ti', 'tinyint', 'tinyint', 1, ['127', '-128', '0']),
    col('tiu', 'tinyint', 'tinyint unsigned', 1, ['255', '0', '1']),
    col('si', 'smallint', 'smallint', 2, ['32767', '-32768', '-1']),
    col('siu', 'smallint', 'smallint unsigned', 2, ['65535', '0', '1']),
    col('mi', 'mediumint', 'mediumint', 9, ['8388607', '-8388608', '0']),
    col('miu', 'mediumint', 'mediumint unsigned', 9, ['16777215', '0', '1']),
    col('i', 'int', 'int', 3, ['2147483647', '-2147483648', '0']),
    col('iu', 'int', 'int unsigned', 3, ['4294967295', '0', '1']),
    col('bi', 'bigint', 'bigint', 8, ['9223372036854775807', '-9223372036854775808', '1']),
    col('biu', 'bigint', 'bigint unsigned', 8, ['18446744073709551615', '0', '9007199254740993']),
    col('d65', 'decimal', 'decimal(65,30)', 246, [
      '99999999999999999999999999999999999.999999999999999999999999999999',
      '-99999999999999999999999999999999999.999999999999999999999999999999',
      '0.000000000000000000000000000001',
    ], { precision: 65, scale: 30 }),
    col('d52', 'decimal', 'decimal(5,2)', 246, ['999.99', '-999.99', '-0.50'], { precision: 5, scale: 2 }),
    col('d10', 'decimal', 'decimal(10,0)', 246, ['9999999999', '-9999999999', '0'], { precision: 10, scale: 0 }),
    col('f', 'float', 'float', 4, ['3.4028234663852886e38', '-1.1754943508222875e-38', '0.10000000149011612', '0', '-0']),
    col('db', 'double', 'double', 5, ['1.7976931348623157e308', '-2.2250738585072014e-308', '0.1', '1e-300', '-0']),
    col('fd', 'float', 'float(7,3)', 4, ['1.5', '-1234.125']),
    col('b1', 'bit', 'bit(1)', 16, [hex('01'), hex('00')], { precision: 1 }),
    col('b10', 'bit', 'bit(10)', 16, [hex('03ff'), hex('0000'), hex('0005')], { precision: 10 }),
    col('b64', 'bit', 'bit(64)', 16, [hex('ffffffffffffffff'), hex('0000000000000000'), hex('8000000000000001')], { precision: 64 }),
    col('dd', 'date', 'date', 10, ['9999-12-31', '1000-01-01', '0000-00-00']),
    col('dt0', 'datetime', 'datetime', 12, ['9999-12-31 23:59:59', '1000-01-01 00:00:00', '0000-00-00 00:00:00'], { precision: 0 }),
    col('dt1', 'datetime', 'datetime(1)', 12, ['9999-12-31 23:59:59.9', '1000-01-01 00:00:00.1', '0000-00-00 00:00:00.0'], { precision: 1 }),
    col('dt3', 'datetime', 'datetime(3)', 12, ['9999-12-31 23:59:59.999', '1000-01-01 00:00:00.001', '2024-02-29 12:34:56.123'], { precision: 3 }),
    col('dt4', 'datetime', 'datetime(4)', 12, ['9999-12-31 23:59:59.9999', '2024-02-29 12:34:56.1234'], { precision: 4 }),
    col('dt6', 'datetime', 'datetime(6)', 12, ['9999-12-31 23:59:59.999999', '1000-01-01 00:00:00.000001', '2024-02-29 12:34:56.123456'], { precision: 6 }),
    // UNIX_TIMESTAMP(col): epoch seconds, the fraction at the column's precision, '0' for the zero TIMESTAMP
    col('ts0', 'timestamp', 'timestamp', 7, ['2147483647', '1', '0']),
    col('ts1', 'timestamp', 'timestamp(1)', 7, ['2147483647.9', '1.1', '0.0'], { precision: 1 }),
    col('ts3', 'timestamp', 'timestamp(3)', 7, ['2147483647.999', '1.001', '1709190296.123'], { precision: 3 }),
    col('ts6', 'timestamp', 'timestamp(6)', 7, ['2147483647.999999', '1.000001', '1709190296.123456', '0.000000'], { precision: 6 }),
    col('tm', 'time', 'time', 11, ['838:59:59', '-838:59:59', '00:00:00'], { precision: 0 }),
    col('tm1', 'time', 'time(1)', 11, ['838:59:59.9', '-838:59:58.9', '-00:00:00.5'], { precision: 1 }),
    col('tm3', 'time', 'time(3)', 11, ['838:59:59.999', '-00:00:01.500', '12:34:56.789'], { precision: 3 }),
    col('tm4', 'time', 'time(4)', 11, ['838:59:59.9999', '-00:00:00.0001', '100:00:00.0001'], { precision: 4 }),
    col('tm6', 'time', 'time(6)', 11, ['838:59:59.999999', '-12:34:56.789012', '-00:00:00.000001', '00:00:00.000000'], { precision: 6 }),
    col('yr', 'year', 'year', 13, ['2155', '1901', '0000']),
    col('c_utf', 'char', 'char(10)', 254, [utf8('emoji😀éz'), utf8(''), utf8('a  ')], cs('utf8mb4')),
    col('v_utf', 'varchar', 'varchar(50)', 15, [utf8('ünïcødé 😀 中文 𝄞'), utf8(''), utf8(' trailing '), utf8('quote " back \\ ctl \u0001')], cs('utf8mb4')),
    col('t_utf', 'text', 'text', 252, [utf8('长文本😀'.repeat(50)), utf8(''), utf8('tab\there')], cs('utf8mb4')),
    col('c_lat', 'char', 'char(10)', 254, [latin1('café€'), latin1(''), latin1('é')], cs('latin1')),
    col('v_lat', 'varchar', 'varchar(50)', 15, [hex('9f9c80892000ff'), latin1(''), latin1('x')], cs('latin1')),
    col('t_lat', 'tinytext', 'tinytext', 252, [Buffer.concat([latin1('latin1 '), hex('818d8f909d'), latin1(' end')]), latin1(''), latin1('y')], cs('latin1')),
    col('c_gbk', 'char', 'char(10)', 254, [GBK_ZHONGWEN, latin1(''), hex('b0a1')], cs('gbk')),
    col('v_gbk', 'varchar', 'varchar(300)', 15, [GBK_LONG, latin1(''), latin1('B'), hex('d6')], cs('gbk')),
    col('t_gbk', 'mediumtext', 'mediumtext', 252, [Buffer.concat(Array.from({ length: 30 }, () => hex('d6d0cec4d7d6b7fb'))), latin1(''), latin1('C')], cs('gbk')),
    col('bn', 'binary', 'binary(8)', 254, [hex('0102000000000000'), hex('0000000000000000')], cs('binary')),
    col('vb', 'varbinary', 'varbinary(20)', 15, [hex('00ff00ff'), hex(''), hex('0000')], cs('binary')),
    col('tb', 'tinyblob', 'tinyblob', 249, [hex('00'), hex('')], cs('binary')),
    col('bl', 'blob', 'blob', 252, [hex('deadbeef00'), hex(''), hex('00')], cs('binary')),
    col('mb', 'mediumblob', 'mediumblob', 250, [Buffer.alloc(300, 0xab), hex(''), hex('01')], cs('binary')),
    // 70000 bytes: a 3-byte length prefix (0xfd)
    col('lb', 'longblob', 'longblob', 251, [Buffer.alloc(70000, 0xcd), hex(''), hex('02')], cs('binary')),
    // enum+0 / set+0; 4 is past the member list ('' as MySQL stores an invalid value), 007 has leading zeros
    col('en', 'enum', "enum('a','b','c')", 247, ['3', '0', '1', '4', '007', '2'], { members: ['a', 'b', 'c'] }),
    col('st', 'set', "set('x','y','z')", 248, ['5', '0', '7', '3'], { members: ['x', 'y', 'z'] }),
  ];
  if (mariadb) {
    // MariaDB's JSON is LONGTEXT; its INET6/INET4/UUID print as text
    cols.push(
      col('j', 'longtext', 'longtext', 252, [utf8('{"s": "é😀中"}'), utf8('[]')], cs('utf8mb4')),
      col('ip6', 'inet6', 'inet6', 254, ['::1', 'fe80::1', '::ffff:1.2.3.4']),
      col('ip4', 'inet4', 'inet4', 254, ['1.2.3.4', '0.0.0.0']),
      col('uu', 'uuid', 'uuid', 254, ['123e4567-e89b-12d3-a456-426614174000']),
    );
  } else {
    cols.push(
      col('j', 'json', 'json', 245, [
        '{"a": [1.0, 100.0, 0.1, 1e21], "b": 1, "n": null, "t": true}',
        '[]',
        utf8('{"s": "\\u0001\\u001f\\t\\"\\\\/é😀中"}'),
        '{"big": 1e308, "k": [1, 2.5, "v"]}',
        'x'.repeat(300),
      ]),
      col('vec', 'vector', 'vector(2)', 242, [hex('0000803f00000040')], cs('binary')),
    );
  }
  cols.push(
    col('g', 'geometry', 'geometry', 255, [wkb('010100000000000000000000000000000000000000'), wkb('0101000000000000000000f83f000000000000')]),
    col('p', 'point', 'point', 255, [wkb('01010000000000000000000840000000000000104')]),
  );
  return cols;
}


/** A row packet inside a bigger buffer (bytes before and after it, as in a socket chunk), and its columns. */
function packet(values: Value[]): { buffer: Buffer; start: number; end: number; columns: (Buffer | null)[] } {
  const body = Buffer.concat(values.map((v) => lengthCoded(typeof v === 'string' ? latin1(v) : v)));
  const buffer = Buffer.concat([hex('fbfcfd0102'), body, hex('fefb00')]);
  const columns = values.map((v) => (v === null ? null : typeof v === 'string' ? latin1(v) : v));
  return { buffer, start: 5, end: 5 + body.length, columns };
}

const SNAPSHOT_HEADER: SnapshotHeader = {
  sourceTimestamp: 1_764_120_000,
  sourcePosition: '72469@78',
  safeSourcePosition: '72469@78',
  sourceTxid: '0',
  serverVersion: '9.4.0',
  threadId: 0,
  serverId: 1,
  readerThroughoutTime: 0,
};

function schemaOf(cols: Col[], name: string): TableSchema {
  return { db: 'snapfx_db', table: name, columns: cols.map((c) => c.meta), primaryKey: ['id'], uniqueKeys: [{ name: 'uk_v', columns: ['v_utf', 'bi'], unique: true }], version: 3 };
}

/** Rows cycling through every column's values, NULLs spread over them, and one row of NULLs only. */
function rowsOf(cols: Col[]): Value[][] {
  const longest = Math.max(...cols.map((c) => c.values.length));
  const rows: Value[][] = [];
  for (let r = 0; r < longest * 3; r++) {
    rows.push(cols.map((c, i) => (r >= longest && (i + r) % 3 === 0 ? null : (c.values[r % c.values.length] as Value))));
  }
  rows.push(cols.map((c, i) => (i === 0 ? (c.values[0] as Value) : null)));
  rows.push(cols.map(() => null));
  return rows;
}

interface Compared {
  rows: number;
  /** rows whose key bytes the encoder copied from the row (the rest took the key text path) */
  copiedKeys: number;
}

/** Encodes every row both ways and routes it both ways under `keyOrdinals`; fails on the first difference. */
function compareBothWays(schema: TableSchema, rows: Value[][], strategy: PartitionStrategy, keyNames: string[] | null, id0: number, keyScratchBytes = 512): Compared {
  const mapper = compileTableMapper(schema);
  const encoder = new SnapshotRowEncoder(mapper);
  const frame = encoder.frame(SNAPSHOT_HEADER);
  const keyCols = keyColumnsFor(schema, keyNames);
  const ordinals = keyCols?.ordinals ?? [];
  const router = compileRouter({ strategy, partitions: 7, db: schema.db, table: schema.table, keyOrdinals: keyCols ? ordinals : null });
  const fusedWriter = new AvroWriter(64);
  const refWriter = new AvroWriter(64);
  const refKeys: (string | null)[] = new Array(schema.columns.length).fill(null);
  const fusedKeys: (string | null)[] = new Array(schema.columns.length).fill(null);
  const keyScratch = new Uint8Array(keyScratchBytes);
  let copiedKeys = 0;
  rows.forEach((values, r) => {
    const id = id0 + r;
    const p = packet(values);
    const after = mapper.snapshotImage(p.columns);
    const header: ChangeHeader = { ...SNAPSHOT_HEADER, id };
    const want = Buffer.from(encodeRecordView(buildRowRecord(mapper, 'INIT', header, null, after), refWriter, mapper.fieldsBytes));
    // the object path's key text (binlog-table.ts keyText): TEXT decoded in the column's charset
    for (const o of ordinals) refKeys[o] = imageText(after[o] ?? null, schema.columns.find((c) => c.ordinal === o)?.charset);
    const wantRoute = router.routeRow(refKeys);

    const got = Buffer.from(encoder.encode(fusedWriter, frame, id, p.buffer, p.start, p.end));
    encoder.keyTexts(p.buffer, ordinals, fusedKeys);
    const gotRoute = router.routeRow(fusedKeys);
    // the key's bytes straight from the row, where the encoder can copy them, and their partition
    const keyLength = ordinals.length > 0 ? encoder.writeKeyJson(p.buffer, ordinals, keyScratch) : -1;
    if (keyLength >= 0) {
      copiedKeys++;
      assert.ok(wantRoute.key !== null);
      assert.equal(Buffer.from(keyScratch.subarray(0, keyLength)).toString('hex'), Buffer.from(wantRoute.key, 'utf8').toString('hex'), `row ${r}: key bytes`);
      assert.equal(router.partitionOfKey(keyScratch, keyLength), wantRoute.partition, `row ${r}: partition of the key bytes`);
    }
    if (!got.equals(want)) {
      const at = got.findIndex((b, i) => b !== want[i]);
      assert.fail(`row ${r} (${values.map((v) => (v === null ? 'NULL' : typeof v === 'string' ? v.slice(0, 20) : v.subarray(0, 8).toString('hex'))).join(' | ')}): record bytes differ at ${at} of ${want.length}/${got.length}`);
    }
    assert.deepEqual(gotRoute, wantRoute, `row ${r}: route under ${strategy} keyed by ${keyNames?.join(',') ?? 'the primary key'}`);
  });
  return { rows: rows.length, copiedKeys };
}

for (const server of ['mysql', 'mariadb'] as const) {
  test(`fused INIT encoder: same bytes and route as the object path, every type (${server})`, () => {
    const cols = everyTypeColumns(server === 'mariadb');
    const schema = schemaOf(cols, `all_types_${server}`);
    const rows = rowsOf(cols);
    let compared = 0;
    for (const strategy of ['key-hash', 'table-hash', 'partition0'] as const) {
      compared += compareBothWays(schema, rows, strategy, null, 1).rows;
    }
    // every column as the key on its own (its image text), and a two-column key, under key-hash
    for (const c of cols) compared += compareBothWays(schema, rows, 'key-hash', [c.meta.name], 2 ** 40).rows;
    compared += compareBothWays(schema, rows, 'key-hash', ['v_gbk', 'ts6'], 300).rows;
    assert.ok(compared > cols.length * rows.length);
    // integer and decimal keys, one or several columns, NULLs among them: their bytes are copied
    for (const key of [['id'], ['biu'], ['d65'], ['bi', 'd52', 'ti']]) {
      for (const strategy of ['key-hash', 'table-hash', 'partition0'] as const) {
        const c = compareBothWays(schema, rows, strategy, key, 9);
        assert.equal(c.copiedKeys, c.rows, `${key.join(',')} copied`);
      }
    }
    // a key too long for the scratch space takes the text path (the 67-character DECIMAL(65,30) maxima)
    const small = compareBothWays(schema, rows, 'key-hash', ['d65'], 9, 40);
    assert.ok(small.copiedKeys > 0 && small.copiedKeys < small.rows, `${small.copiedKeys} of ${small.rows} keys copied into 40 bytes`);
  });
}

test('fused INIT encoder: ids across the varint widths, and a table with no key', () => {
  const cols = everyTypeColumns(false);
  const schema = { ...schemaOf(cols, 'no_key'), primaryKey: [], uniqueKeys: [] };
  const rows = rowsOf(cols).slice(0, 3);
  for (const id0 of [0, 63, 64, 8191, 2 ** 31 - 2, 2 ** 53 - 10]) compareBothWays(schema, rows, 'key-hash', null, id0);
});

test('fused INIT encoder: a value over 16 MB (8-byte length prefix) and text the codec must render', () => {
  const cols = everyTypeColumns(false);
  const schema = schemaOf(cols, 'long_values');
  const names = cols.map((c) => c.meta.name);
  const base = cols.map((c) => c.values[0] as Value);
  const withValue = (name: string, v: Value): Value[] => base.map((x, i) => (names[i] === name ? v : x));
  const rows: Value[][] = [
    withValue('lb', Buffer.alloc(0x1000000 + 5, 0x5a)),
    // not what the server prints, but each must still match the codec: non-ASCII digits, short temporals
    withValue('bi', latin1('12\u00e93')),
    withValue('d52', latin1('-\u00b51.00')),
    withValue('dd', '2024-1-2'),
    withValue('dt0', '2024-01-02 03:04'),
    withValue('tm', '12:3'),
    withValue('en', '123456'),
    withValue('en', '1a'),
    withValue('j', utf8('{"é": "\u00e9"}')),
    withValue('j', hex('7b22c3')),
  ];
  for (const r of rows) compareBothWays(schema, [r], 'key-hash', ['bi', 'd52', 'dd', 'dt0', 'en'], 5);
});

test('fused INIT encoder: a row that does not hold the table\'s columns is refused, not misread', () => {
  const cols = everyTypeColumns(false);
  const mapper = compileTableMapper(schemaOf(cols, 'short_row'));
  const encoder = new SnapshotRowEncoder(mapper);
  const frame = encoder.frame(SNAPSHOT_HEADER);
  const values = cols.map((c) => c.values[0] as Value);
  const short = packet(values.slice(0, -1));
  assert.throws(() => encoder.encode(new AvroWriter(), frame, 1, short.buffer, short.start, short.end), /does not hold its/);
  const long = packet([...values, '1']);
  assert.throws(() => encoder.encode(new AvroWriter(), frame, 1, long.buffer, long.start, long.end), /does not hold its/);
});

test('fused INIT encoder: only BIT, SET and geometry columns always take the codec', () => {
  const mysqlCols = everyTypeColumns(false);
  assert.deepEqual(new SnapshotRowEncoder(compileTableMapper(schemaOf(mysqlCols, 't'))).codecColumns, ['b1', 'b10', 'b64', 'st', 'g', 'p']);
  const mariaCols = everyTypeColumns(true);
  assert.deepEqual(new SnapshotRowEncoder(compileTableMapper(schemaOf(mariaCols, 't'))).codecColumns, ['b1', 'b10', 'b64', 'st', 'g', 'p']);
});
