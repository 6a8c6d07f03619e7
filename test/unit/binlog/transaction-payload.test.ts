import { test } from 'node:test';
import assert from 'node:assert/strict';
import { innerEvents } from '../../../src/source/binlog/transaction-payload.js';
import { binlogEvent, payloadBody, zstdRawFrame } from './binlog-bytes.js';

const BEGIN = binlogEvent(2, Buffer.from('query-body'));
const XID = binlogEvent(16, Buffer.alloc(8, 7));

test('a zstd payload decompresses into its inner events, in order, byte for byte', () => {
  const raw = Buffer.concat([BEGIN, XID]);
  const events = innerEvents(payloadBody(zstdRawFrame(raw), 0, raw.length));
  assert.deepEqual(events.map((e) => e.typeCode), [2, 16]);
  assert.ok(events[0]!.bytes.equals(BEGIN));
  assert.ok(events[1]!.bytes.equals(XID));
});

test('an uncompressed payload (compression type NONE) is split as is', () => {
  const raw = Buffer.concat([XID, BEGIN]);
  assert.deepEqual(innerEvents(payloadBody(raw, 255, raw.length)).map((e) => e.typeCode), [16, 2]);
});

test('a payload whose size or compression does not check out is an error, not a silent skip', () => {
  const raw = Buffer.concat([BEGIN, XID]);
  assert.throws(() => innerEvents(payloadBody(zstdRawFrame(raw), 0, raw.length + 1)), /decompressed to|header says|length/);
  assert.throws(() => innerEvents(payloadBody(raw, 7, raw.length)), /compression type 7/);
  assert.throws(() => innerEvents(payloadBody(raw.subarray(0, raw.length - 3), 255, raw.length - 3)), /invalid length|ends inside/);
});
