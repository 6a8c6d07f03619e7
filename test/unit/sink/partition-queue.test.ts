import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EncodedBatchBuilder, type EncodedBatch } from '../../../src/model/encoded-batch.js';
import { PartitionQueue, RECORD_OVERHEAD, BATCH_OVERHEAD, sliceRuns, type Slice } from '../../../src/sink/kafka/partition-queue.js';
import { recordsOfRuns, type RunRecord } from '../../support/record-runs.js';

/** The records a slice covers (views over the batch bytes). */
const recordsOf = (s: Slice): RunRecord[] => recordsOfRuns(sliceRuns(s));

function batch(firstSeq: number, count: number, valueBytes = 100, sharedTs = false): EncodedBatch {
  const b = new EncodedBatchBuilder(64, 2);
  for (let s = firstSeq; s < firstSeq + count; s++) b.add(s % 5 === 0 ? null : Buffer.from(`k${s}`), Buffer.alloc(valueBytes, s & 0xff), 1000 + s);
  const t = b.take();
  if (sharedTs) t.timestamps = new Float64Array([42]);
  return { topic: 't', partition: 2, firstSeq, lastSeq: firstSeq + count - 1, ...t, endPosition: { kind: 'snapshot', chunk: 'db.t#0', chunkDone: false } };
}

const seqOf = (v: Buffer): number => v[0]!;

test('slices cut records in order across batches, as runs over the batch bytes, with their timestamps', () => {
  const q = new PartitionQueue('t', 2, 1 << 20);
  const a = batch(0, 3);
  const b = batch(3, 4);
  q.push(a, 0);
  q.push(b, 0);
  const s = q.take();
  assert.equal(s.records, 7);
  const recs = recordsOf(s);
  assert.deepEqual(recs.map((m) => seqOf(m.value)), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(recs[0]!.key, null, 'a null key stays null');
  assert.equal(recs[1]!.key!.toString(), 'k1');
  assert.equal(s.queue.partition, 2);
  assert.equal(recs[4]!.timestamp, 1004);
  const v = recs[1]!.value;
  assert.equal(v.buffer, a.bytes.buffer, 'the value is a view, not a copy');
  assert.equal(q.hasUnsent, false);
});

test('a shared timestamp (length-1 array) applies to every record', () => {
  const q = new PartitionQueue('t', 2, 1 << 20);
  q.push(batch(0, 3, 10, true), 0);
  assert.deepEqual(recordsOf(q.take()).map((m) => m.timestamp), [42, 42, 42]);
});

test('slices respect the byte cap and the record cap, but always take at least one record', () => {
  const per = 100 + 2 + RECORD_OVERHEAD; // value + "kN" key + overhead
  const q = new PartitionQueue('t', 2, BATCH_OVERHEAD + per * 3 + 5, 1000);
  q.push(batch(1, 10), 0);
  assert.equal(q.take().records, 3);
  const capped = new PartitionQueue('t', 2, 1 << 20, 4);
  capped.push(batch(1, 10), 0);
  assert.equal(capped.take().records, 4);
  const tiny = new PartitionQueue('t', 2, 10);
  tiny.push(batch(1, 2, 5000), 0);
  assert.equal(tiny.take().records, 1, 'one record larger than the cap still goes');
});

test('acks release batches in order only when all their records are acked; empty batches follow their predecessors', () => {
  const q = new PartitionQueue('t', 2, BATCH_OVERHEAD + 2 * (100 + 2 + RECORD_OVERHEAD), 1000);
  const a = batch(1, 3);
  const empty = batch(4, 0);
  const b = batch(4, 1);
  q.push(a, 0);
  q.push(empty, 0);
  q.push(b, 0);
  assert.deepEqual(q.popAcked(), [], 'nothing acked yet');
  q.inFlight = q.take(); // records 1,2 of a
  assert.deepEqual(q.ackInFlight(), [], 'a is only partly acked');
  q.inFlight = q.take(); // record 3 of a, and b's record
  assert.equal(q.inFlight.records, 2);
  assert.deepEqual(q.ackInFlight(), [a, empty, b]);
  assert.ok(q.empty);
});

test('halving a refused slice gives back its second half, which is sent next, in order', () => {
  const q = new PartitionQueue('t', 2, 1 << 20);
  q.push(batch(1, 5), 0);
  q.push(batch(6, 5), 0);
  const s = q.take();
  assert.equal(s.records, 10);
  q.inFlight = s;
  const half = q.halve(s);
  assert.deepEqual(recordsOf(half).map((m) => seqOf(m.value)), [1, 2, 3, 4, 5]);
  q.inFlight = half;
  assert.equal(q.ackInFlight().length, 1, 'the first batch is wholly acked');
  const rest = q.take();
  assert.deepEqual(recordsOf(rest).map((m) => seqOf(m.value)), [6, 7, 8, 9, 10]);
  q.inFlight = rest;
  assert.equal(q.ackInFlight().length, 1);
  assert.ok(q.empty);
});
