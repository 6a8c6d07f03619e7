import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileColumnCodec } from '../../../src/format/dts-avro/column-codec.js';
import { column } from '../../support/dts-fixtures.js';

const t = (s: string): Buffer => Buffer.from(s, 'latin1');

test('integers: byte width as precision, exact decimal text from both paths', () => {
  const bi = compileColumnCodec(column(0, 'b', 'bigint', 'bigint unsigned', 8));
  assert.deepEqual(bi.fromSnapshot(t('18446744073709551615')), { kind: 'Integer', precision: 8, value: '18446744073709551615' });
  assert.deepEqual(bi.fromBinlog('18446744073709551615'), { kind: 'Integer', precision: 8, value: '18446744073709551615' });
  assert.deepEqual(bi.fromBinlog(-5), { kind: 'Integer', precision: 8, value: '-5' });
  const mi = compileColumnCodec(column(0, 'm', 'mediumint', 'mediumint', 9));
  assert.equal((mi.fromBinlog(-8388608) as { precision: number }).precision, 3);
});

test('DECIMAL keeps the exact text; FLOAT selects CAST AS DOUBLE and keeps the float32 value', () => {
  const d = compileColumnCodec(column(0, 'd', 'decimal', 'decimal(65,30)', 246, { precision: 65, scale: 30 }));
  assert.deepEqual(d.fromBinlog('-0.500000000000000000000000000000'), { kind: 'Decimal', value: '-0.500000000000000000000000000000', precision: 65, scale: 30 });
  const f = compileColumnCodec(column(0, 'f', 'float', 'float', 4));
  assert.equal(f.selectExpr, 'CAST(`f` AS DOUBLE)');
  assert.deepEqual(f.fromSnapshot(t('0.10000000149011612')), { kind: 'Float', value: Math.fround(0.1), precision: -1, scale: -1 });
  assert.deepEqual(f.fromBinlog(Math.fround(0.1)), { kind: 'Float', value: Math.fround(0.1), precision: -1, scale: -1 });
  const fd = compileColumnCodec(column(0, 'f', 'float', 'float(7,3)', 4));
  assert.deepEqual(fd.fromBinlog(1.5), { kind: 'Float', value: 1.5, precision: 7, scale: 3 });
});

test('BIT(64) is an Integer of 8 bytes, exact beyond 2^53', () => {
  const b = compileColumnCodec(column(0, 'b', 'bit', 'bit(64)', 16, { precision: 64 }));
  const bytes = Buffer.from('8000000000000001', 'hex');
  assert.deepEqual(b.fromSnapshot(bytes), { kind: 'Integer', precision: 8, value: '9223372036854775809' });
  assert.deepEqual(b.fromBinlog(bytes), b.fromSnapshot(bytes));
});

test('temporal types: text and raw binlog bytes give the same DateTime / Timestamp', () => {
  const dt = compileColumnCodec(column(0, 'dt', 'datetime', 'datetime(6)', 12, { precision: 6 }));
  // 2024-02-29 12:34:56.123456 as DATETIME2(6)
  const ymd = ((2024 * 13 + 2) << 5) | 29;
  const hms = (12 << 12) | (34 << 6) | 56;
  const raw = Buffer.alloc(8);
  raw[0] = 0x80 | Math.floor(ymd / 2 ** 15);
  raw.writeUInt32BE(((ymd % 2 ** 15) * 2 ** 17 + hms) >>> 0, 1);
  raw.writeUIntBE(123456, 5, 3);
  const want = { kind: 'DateTime', year: 2024, month: 2, day: 29, hour: 12, minute: 34, second: 56, millis: 123456 };
  assert.deepEqual(dt.fromSnapshot(t('2024-02-29 12:34:56.123456')), want);
  assert.deepEqual(dt.fromBinlog(raw), want);
  const zero = Buffer.from('8000000000000000', 'hex');
  assert.deepEqual(dt.fromBinlog(zero), dt.fromSnapshot(t('0000-00-00 00:00:00.000000')));

  const tm = compileColumnCodec(column(0, 'tm', 'time', 'time(6)', 11, { precision: 6 }));
  assert.deepEqual(tm.fromSnapshot(t('-838:59:59.000000')), { kind: 'DateTime', year: null, month: null, day: null, hour: -838, minute: -59, second: -59, millis: 0 });
  // -00:00:01.500000 as TIME2(6): packed -(1 << 24 | 500000) offset by 0x800000000000
  const packed = 0x800000000000 - (2 ** 24 + 500000);
  const traw = Buffer.alloc(6);
  traw.writeUIntBE(packed, 0, 6);
  assert.deepEqual(tm.fromBinlog(traw), tm.fromSnapshot(t('-00:00:01.500000')));
  // TIME2(1): -00:00:01.5 stores intpart -2 and the complemented fraction 0x100-50
  const tm1 = compileColumnCodec(column(0, 'tm', 'time', 'time(1)', 11, { precision: 1 }));
  const t1 = Buffer.from([0x7f, 0xff, 0xfe, 0x100 - 50]);
  assert.deepEqual(tm1.fromBinlog(t1), tm1.fromSnapshot(t('-00:00:01.5')));

  const ts = compileColumnCodec(column(0, 'ts', 'timestamp', 'timestamp(3)', 7, { precision: 3 }));
  assert.equal(ts.selectExpr, 'UNIX_TIMESTAMP(`ts`)');
  assert.deepEqual(ts.fromSnapshot(t('1704164645.123')), { kind: 'Timestamp', timestamp: 1704164645, millis: 123000 });
  assert.deepEqual(ts.fromBinlog(Buffer.from([0x65, 0x93, 0xc1, 0x25, 0x04, 0xce])), { kind: 'Timestamp', timestamp: 0x6593c125, millis: 123000 });
  assert.deepEqual(ts.fromSnapshot(t('0')), { kind: 'Timestamp', timestamp: 0, millis: 0 });

  const yr = compileColumnCodec(column(0, 'y', 'year', 'year', 13));
  assert.deepEqual(yr.fromBinlog(Buffer.from([0])), yr.fromSnapshot(t('0000')));
  assert.deepEqual(yr.fromBinlog(Buffer.from([255])), yr.fromSnapshot(t('2155')));
  const dd = compileColumnCodec(column(0, 'd', 'date', 'date', 10));
  const draw = Buffer.alloc(3);
  draw.writeUIntLE((2024 << 9) | (2 << 5) | 29, 0, 3);
  assert.deepEqual(dd.fromBinlog(draw), dd.fromSnapshot(t('2024-02-29')));
});

test('character columns carry the original bytes with the MySQL charset name', () => {
  const g = compileColumnCodec(column(0, 'g', 'varchar', 'varchar(10)', 15, { charset: 'gbk' }));
  const bytes = Buffer.from('c4e3bac3', 'hex');
  assert.deepEqual(g.fromSnapshot(bytes), { kind: 'Character', charset: 'gbk', value: bytes });
  assert.deepEqual(g.fromBinlog(bytes), g.fromSnapshot(bytes));
  // VARCHAR is 253 as in the real DTS record (the binlog's code is 15)
  assert.equal(g.field.dataTypeNumber, 253);
  const u = compileColumnCodec(column(0, 'u', 'varchar', 'varchar(10)', 15, { charset: 'utf8mb4' }));
  assert.deepEqual(u.fromBinlog('😀'), { kind: 'Character', charset: 'utf8mb4', value: Buffer.from('😀') });
  assert.throws(() => g.fromBinlog('你好'), /re-typed/);
  const c = compileColumnCodec(column(0, 'c', 'char', 'char(3)', 254, { charset: 'latin1' }));
  assert.equal(c.field.dataTypeNumber, 254);
  assert.deepEqual(c.fromSnapshot(Buffer.from([0x80])), { kind: 'Character', charset: 'latin1', value: Buffer.from([0x80]) });
});

test('TEXT columns are BinaryObject{TEXT} under 249-252: the demo casts those numbers to BinaryObject', () => {
  const u = compileColumnCodec(column(0, 'u', 'text', 'text', 252, { charset: 'utf8mb4' }));
  assert.equal(u.field.dataTypeNumber, 252);
  assert.deepEqual(u.fromBinlog('😀'), { kind: 'BinaryObject', type: 'TEXT', value: Buffer.from('😀') });
  const l = compileColumnCodec(column(0, 'l', 'tinytext', 'tinytext', 249, { charset: 'latin1' }));
  assert.deepEqual(l.fromSnapshot(Buffer.from([0xe9])), { kind: 'BinaryObject', type: 'TEXT', value: Buffer.from([0xe9]) });
  assert.equal(compileColumnCodec(column(0, 'm', 'mediumtext', 'mediumtext', 250, { charset: 'gbk' })).field.dataTypeNumber, 250);
  assert.equal(compileColumnCodec(column(0, 'g', 'longtext', 'longtext', 251, { charset: 'utf8mb4' })).field.dataTypeNumber, 251);
});

test('utf8mb3 columns are named utf8mb3 (as DTS does), or utf8 with charsetNames: legacy', () => {
  for (const name of ['utf8mb3', 'utf8']) {
    const v = column(0, 'v', 'varchar', 'varchar(5)', 15, { charset: name });
    assert.equal((compileColumnCodec(v).fromSnapshot(t('a')) as { charset: string }).charset, 'utf8mb3');
    assert.equal((compileColumnCodec(v, { charsetNames: 'legacy' }).fromSnapshot(t('a')) as { charset: string }).charset, 'utf8');
  }
  const v4 = column(0, 'v', 'varchar', 'varchar(5)', 15, { charset: 'utf8mb4' });
  assert.equal((compileColumnCodec(v4, { charsetNames: 'legacy' }).fromSnapshot(t('a')) as { charset: string }).charset, 'utf8mb4');
});

test('binary, ENUM, SET, JSON and geometry', () => {
  // BINARY/VARBINARY: Character{charset "binary"} under 254/253 (the demo casts 253/254 to Character)
  const bn = compileColumnCodec(column(0, 'b', 'binary', 'binary(4)', 254));
  assert.equal(bn.field.dataTypeNumber, 254);
  assert.deepEqual(bn.fromBinlog(Buffer.from([1, 0, 0, 0])), { kind: 'Character', charset: 'binary', value: Buffer.from([1, 0, 0, 0]) });
  const vb = compileColumnCodec(column(0, 'b', 'varbinary', 'varbinary(4)', 15));
  assert.equal(vb.field.dataTypeNumber, 253);
  assert.deepEqual(vb.fromSnapshot(Buffer.from([0xff])), { kind: 'Character', charset: 'binary', value: Buffer.from([0xff]) });
  const bl = compileColumnCodec(column(0, 'b', 'mediumblob', 'mediumblob', 250));
  assert.equal((bl.fromSnapshot(Buffer.from([1])) as { type: string }).type, 'BLOB');
  assert.equal(bl.field.dataTypeNumber, 250);
  const en = compileColumnCodec(column(0, 'e', 'enum', "enum('a','b')", 247, { members: ['a', 'b'] }));
  assert.equal(en.selectExpr, '`e`+0');
  assert.deepEqual(en.fromSnapshot(t('2')), { kind: 'TextObject', type: 'ENUM', value: 'b' });
  assert.deepEqual(en.fromBinlog(Buffer.from([0])), { kind: 'TextObject', type: 'ENUM', value: '' });
  const st = compileColumnCodec(column(0, 's', 'set', "set('x','y','z')", 248, { members: ['x', 'y', 'z'] }));
  assert.deepEqual(st.fromSnapshot(t('5')), { kind: 'TextObject', type: 'SET', value: 'x,z' });
  assert.deepEqual(st.fromBinlog(Buffer.from([5])), st.fromSnapshot(t('5')));
  const j = compileColumnCodec(column(0, 'j', 'json', 'json', 245));
  // {"a": 1} in binary JSON
  const jsonb = Buffer.from('00010010000b000100050100' + '61', 'hex');
  jsonb.writeUInt16LE(jsonb.length - 1, 3);
  assert.deepEqual(j.fromBinlog(jsonb), { kind: 'TextObject', type: 'JSON', value: '{"a": 1}' });
  const g = compileColumnCodec(column(0, 'g', 'point', 'point', 255));
  const internal = Buffer.from('00000000' + '0101000000000000000000f03f0000000000000040', 'hex');
  assert.deepEqual(g.fromSnapshot(internal), { kind: 'BinaryGeometry', type: 'POINT', value: internal.subarray(4) });
});

test('an unsupported type is refused at compile time with a sentence naming the column', () => {
  assert.throws(() => compileColumnCodec(column(0, 'x', 'xmltype', 'xmltype', 254)), /Column x has type xmltype/);
});
