/**
 * HEARTBEAT records as a DTS consumer reads them (decoded with the same reader as every record), and when the
 * writer writes them: after a caught-up probe newer than the last heartbeat, once the topics were quiet for an
 * interval — plain data; the real servers are in test/integration/binlog/heartbeat.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecord } from '../../../src/format/dts-avro/index.js';
import type { LagClock } from '../../../src/pipeline/job/lag-clock.js';
import type { EncodedBatch } from '../../../src/model/encoded-batch.js';
import { HEARTBEAT_ID, HeartbeatWriter, heartbeatBatches } from '../../../src/pipeline/job/heartbeat-records.js';

test('one HEARTBEAT record per topic, on partition 0, naming no object, id 0, complete up to the probe', () => {
  const batches = heartbeatBatches({ topics: ['a', 'b'], completeUpToMs: 1_795_000_000_750, position: { file: 'binlog.000004', pos: 886 }, gtid: 'u:1-9', serverVersion: '9.7.4', serverId: 12 });
  assert.deepEqual(batches.map((b) => [b.topic, b.partition, b.count]), [['a', 0, 1], ['b', 0, 1]]);
  const b = batches[0]!;
  assert.equal(b.index[1], -1, 'no message key');
  const value = Buffer.from(b.bytes.subarray(b.index[2]!, b.index[2]! + b.index[3]!));
  const r = decodeRecord(value);
  assert.equal(r.operation, 'HEARTBEAT');
  assert.equal(r.id, HEARTBEAT_ID);
  assert.equal(r.objectName, null);
  assert.equal(r.sourceTimestamp, 1_795_000_000);
  assert.equal(r.sourcePosition, '886@4');
  assert.equal(r.fields, null);
  assert.equal(r.before, null);
  assert.equal(r.after, null);
  assert.deepEqual(b.endPosition, { kind: 'binlog', file: 'binlog.000004', pos: 886, gtid: 'u:1-9', txBoundary: true });
});

test('the writer writes after a new caught-up probe and a quiet interval, once per probe', () => {
  const clock = { caughtUpAtMs: null as number | null, caughtUpPosition: { file: 'binlog.000001', pos: 100 } };
  const written: EncodedBatch[] = [];
  const w = new HeartbeatWriter({ enabled: true, everyMs: 1000, topics: ['t'], serverVersion: 'v', serverId: 1, clock: clock as unknown as LagClock, write: async (b) => void written.push(b) });
  const fail = (e: Error) => assert.fail(e);
  w.tick(10_000, null, fail);
  assert.equal(written.length, 0, 'no caught-up probe yet');
  clock.caughtUpAtMs = 9_900;
  w.recordsIssued(9_500);
  w.tick(10_000, null, fail);
  assert.equal(written.length, 0, 'records went out less than an interval ago');
  w.tick(10_600, null, fail);
  assert.equal(written.length, 1);
  assert.ok(w.owns(written[0]!), 'its acks are told apart from changes');
  w.tick(12_000, null, fail);
  assert.equal(written.length, 1, 'no newer caught-up probe');
  clock.caughtUpAtMs = 11_900;
  w.tick(12_000, null, fail);
  assert.equal(written.length, 2);
});

test('heartbeat.records off: nothing is written', () => {
  const clock = { caughtUpAtMs: 5_000, caughtUpPosition: { file: 'b.000001', pos: 4 } };
  let n = 0;
  const w = new HeartbeatWriter({ enabled: false, everyMs: 100, topics: ['t'], serverVersion: 'v', serverId: 1, clock: clock as unknown as LagClock, write: async () => void n++ });
  w.tick(60_000, null, () => undefined);
  assert.equal(n, 0);
});
