/**
 * Golden tests: records sluice encodes, decoded by avsc with the REFERENCE schema file (what a DTS consumer
 * holds), carry the expected field values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import {
  buildDdlRecord,
  buildRowRecord,
  compileTableMapper,
  decodeRecord,
  decodeRecordRaw,
  dtsPosition,
  encodeRecord,
  imageText,
  type ChangeHeader,
} from '../../../src/format/dts-avro/index.js';
import { BENCH_TABLE, benchBinlogRow, smallJsonb } from '../../support/dts-fixtures.js';

/** avsc builds union wrappers as class instances; strict deepEqual wants plain objects. */
function plain(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(plain);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

function referenceType(): avro.Type {
  const registry: Record<string, avro.Type> = {};
  avro.Type.forSchema(JSON.parse(readFileSync('/work/shared/reference/dts-record.avsc', 'utf8')) as avro.Schema, { registry, wrapUnions: true });
  return registry['com.alibaba.dts.formats.avro.Record'] as avro.Type;
}

const header: ChangeHeader = {
  id: 7,
  sourceTimestamp: 1_714_000_000,
  sourcePosition: dtsPosition('mysql-bin.000078', 72469),
  safeSourcePosition: dtsPosition('mysql-bin.000078', 72000),
  sourceTxid: '3E11FA47-71CA-11E1-9E33-C80AA9429562:23',
  serverVersion: '9.7.4',
  threadId: 12,
  serverId: 1,
  readerThroughoutTime: 5,
};

test('an INSERT decodes with the reference schema to DTS header, tags and typed images', () => {
  const m = compileTableMapper({ ...BENCH_TABLE, uniqueKeys: [{ name: 'uk_name', columns: ['name'], unique: true }] });
  const row = benchBinlogRow(1, smallJsonb());
  const bytes = encodeRecord(buildRowRecord(m, 'INSERT', header, null, m.binlogImage(row)));
  const r = plain(referenceType().fromBuffer(bytes)) as Record<string, unknown>;
  assert.equal(r.version, 0);
  assert.equal(r.id, 7);
  assert.equal(r.sourcePosition, '72469@78');
  assert.equal(r.safeSourcePosition, '72000@78');
  assert.equal(r.operation, 'INSERT');
  assert.deepEqual(r.objectName, { string: 'bench.orders' });
  assert.equal(r.bornTimestamp, 1_714_000_000);
  const tags = r.tags as Record<string, string>;
  // the real DTS record's tags (dts-type-evidence.md), pk_uk_info first (DESIGN §3)
  assert.deepEqual(Object.keys(tags), ['pk_uk_info', 'thread_id', 'server_id', 'metaVersion', 'readerThroughoutTime', 'l_db_name', 'l_tb_name']);
  assert.equal(tags.pk_uk_info, '{"PRIMARY":["id"],"uk_name":["name"]}');
  assert.equal(tags.l_db_name, 'bench');
  assert.equal(tags.l_tb_name, 'orders');
  const fields = (r.fields as { array: { name: string; dataTypeNumber: number }[] }).array;
  // VARCHAR 253 as in the real DTS record, not the binlog's 15
  assert.deepEqual(fields.map((f) => f.dataTypeNumber), [8, 3, 253, 246, 12, 252, 245, 5]);
  assert.equal(r.beforeImages, null);
  const after = (r.afterImages as { array: Record<string, Record<string, unknown>>[] }).array;
  const ns = 'com.alibaba.dts.formats.avro.';
  assert.deepEqual(after[0], { [ns + 'Integer']: { precision: 8, value: '1000001' } });
  assert.deepEqual(after[2], { [ns + 'Character']: { charset: 'utf8mb4', value: Buffer.from('customer-1-name') } });
  assert.deepEqual(after[3], { [ns + 'Decimal']: { value: '2.01', precision: 12, scale: 2 } });
  assert.deepEqual(after[4], {
    [ns + 'DateTime']: { year: { int: 2024 }, month: { int: 5 }, day: { int: 6 }, hour: { int: 7 }, minute: { int: 8 }, second: { int: 9 }, millis: { int: 1000 } },
  });
  assert.deepEqual(after[6], { [ns + 'TextObject']: { type: 'JSON', value: '{"a": 1, "tag": "x"}' } });
  assert.deepEqual(after[7], { [ns + 'Float']: { value: 0.35, precision: -1, scale: -1 } });
});

test('decodeRecord renders values as MySQL prints them; raw keeps the union form', () => {
  const m = compileTableMapper(BENCH_TABLE);
  const before = m.binlogImage(benchBinlogRow(2, smallJsonb()));
  const after = m.binlogImage(benchBinlogRow(3, smallJsonb()));
  const bytes = encodeRecord(buildRowRecord(m, 'UPDATE', header, before, after));
  const d = decodeRecord(bytes, { fsp: { created: 3 } });
  assert.equal(d.operation, 'UPDATE');
  assert.equal(d.before?.id, '1000002');
  assert.equal(d.after?.created, '2024-05-06 07:08:09.003');
  assert.equal(d.after?.amount, '4.03');
  assert.equal(d.after?.attrs, '{"a": 1, "tag": "x"}');
  assert.equal(decodeRecord(bytes).after?.created, '2024-05-06 07:08:09.003');
  const raw = decodeRecordRaw(bytes) as { afterImages: { array: Record<string, { value: string }>[] } };
  assert.equal(raw.afterImages.array[2]?.['com.alibaba.dts.formats.avro.Character']?.value, Buffer.from('customer-3-name').toString('hex'));
});

test('a DDL record carries the statement as afterImages, the database as objectName', () => {
  const bytes = encodeRecord(buildDdlRecord('shop', 'ALTER TABLE t ADD c INT', header));
  const r = plain(referenceType().fromBuffer(bytes)) as Record<string, unknown>;
  assert.equal(r.operation, 'DDL');
  assert.deepEqual(r.objectName, { string: 'shop' });
  assert.equal(r.fields, null);
  assert.equal(r.beforeImages, null);
  assert.deepEqual(r.afterImages, { string: 'ALTER TABLE t ADD c INT' });
  assert.equal(decodeRecord(bytes).ddl, 'ALTER TABLE t ADD c INT');
});

test('imageText: binary as lowercase hex, NULL as null, negative TIME, TIMESTAMP in UTC, latin1 and gbk decoded', () => {
  assert.equal(imageText(null), null);
  assert.equal(imageText({ kind: 'BinaryObject', type: 'BINARY', value: Buffer.from([0xab, 0x01]) }), 'ab01');
  assert.equal(imageText({ kind: 'DateTime', year: null, month: null, day: null, hour: -838, minute: -59, second: -59, millis: 0 }), '-838:59:59');
  assert.equal(imageText({ kind: 'DateTime', year: null, month: null, day: null, hour: 0, minute: 0, second: -1, millis: -500000 }), '-00:00:01.5');
  assert.equal(imageText({ kind: 'Timestamp', timestamp: 1704164645, millis: 123456 }), '2024-01-02 03:04:05.123456');
  assert.equal(imageText({ kind: 'Timestamp', timestamp: 0, millis: 0 }), '0000-00-00 00:00:00');
  assert.equal(imageText({ kind: 'DateTime', year: 0, month: 0, day: 0, hour: null, minute: null, second: null, millis: null }), '0000-00-00');
  assert.equal(imageText({ kind: 'Character', charset: 'latin1', value: Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x80]) }), 'café€');
  assert.equal(imageText({ kind: 'Character', charset: 'gbk', value: Buffer.from('c4e3bac3', 'hex') }), '你好');
});
