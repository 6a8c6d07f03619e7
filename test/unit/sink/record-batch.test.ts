import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { EncodedBatchBuilder, type EncodedBatch } from '../../../src/model/encoded-batch.js';
import { registerLz4Codec } from '../../../src/sink/kafka/lz4-codec.js';
import { buildRecordBatch, readStamp, stampRecordBatch, type BatchCompression, type RecordRun } from '../../../src/sink/kafka/record-batch.js';
import { nextSequence } from '../../../src/sink/kafka/produce-session.js';
import { recordsOfRuns } from '../../support/record-runs.js';

// kafkajs' own record batch encoder, the reference our builder must match byte for byte.
const require = createRequire(import.meta.url);
interface KjsEncoder {
  buffer: Buffer;
}
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (a: Record<string, unknown>) => Promise<KjsEncoder> };
const KjsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (a: Record<string, unknown>) => KjsEncoder;
const Long = require('kafkajs/src/utils/long') as { fromValue(v: string): unknown };
const CODE: Record<BatchCompression, number> = { none: 0, gzip: 1, lz4: 3 };

interface Msg {
  key: Buffer | null;
  value: Buffer;
  timestamp: string;
}

function messagesOf(runs: RecordRun[]): Msg[] {
  return recordsOfRuns(runs).map((r) => ({ key: r.key, value: r.value, timestamp: String(r.timestamp) }));
}

/** What kafkajs' Produce request (v3–v7 partition encoder) builds for these messages. */
async function kafkajsBatch(messages: Msg[], compression: BatchCompression, producerId: bigint, producerEpoch: number, firstSequence: number): Promise<Buffer> {
  const timestamps = messages.map((m) => m.timestamp).sort();
  const firstTimestamp = timestamps[0]!;
  const maxTimestamp = timestamps[timestamps.length - 1]!;
  const records = messages.map((m, i) => KjsRecord({ ...m, offsetDelta: i, timestampDelta: Number(m.timestamp) - Number(firstTimestamp) }));
  const enc = await RecordBatch({
    compression: CODE[compression],
    records,
    firstTimestamp,
    maxTimestamp,
    producerId: Long.fromValue(String(producerId)),
    producerEpoch,
    firstSequence,
    transactional: false,
    lastOffsetDelta: records.length - 1,
  });
  return enc.buffer;
}

function batchOf(rows: Array<{ key: Buffer | null; value: Buffer; ts: number }>, sharedTs?: number): EncodedBatch {
  const b = new EncodedBatchBuilder(16, 2);
  for (const r of rows) b.add(r.key, r.value, r.ts);
  const t = b.take();
  if (sharedTs !== undefined) t.timestamps = new Float64Array([sharedTs]);
  return { topic: 't', partition: 0, firstSeq: 0, lastSeq: t.count - 1, ...t, endPosition: { kind: 'snapshot', chunk: 'x#0', chunkDone: false } };
}

function rows(n: number, seed: number, valueBytes: (i: number) => number): Array<{ key: Buffer | null; value: Buffer; ts: number }> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const v = Buffer.alloc(valueBytes(i));
    for (let j = 0; j < v.length; j++) v[j] = (i * 31 + j * 7 + seed) % 97; // compressible but not uniform
    // Timestamps out of order and ~1.7e12 like real ones: the batch's first timestamp is the smallest.
    out.push({ key: i % 4 === 0 ? null : Buffer.from(`key-${seed}-${i}`), value: v, ts: 1_764_000_000_000 + ((i * 7919) % 1000) });
  }
  return out;
}

registerLz4Codec();

for (const compression of ['none', 'gzip', 'lz4'] as const) {
  test(`a record batch (${compression}) is byte-identical to kafkajs' encoding of the same messages`, async () => {
    const a = batchOf(rows(300, 1, (i) => (i % 50 === 0 ? 0 : 40 + (i % 200))));
    const b = batchOf(rows(50, 2, (i) => (i === 3 ? 150_000 : 100)));
    const c = batchOf(rows(5, 3, () => 20), 1_764_000_000_500);
    // Runs that start mid-batch and end mid-batch, as slices cut them.
    const runs: RecordRun[] = [
      { batch: a, from: 17, count: 283 },
      { batch: b, from: 0, count: 50 },
      { batch: c, from: 1, count: 3 },
    ];
    const stamp = { producerId: 9_007_199_254_740_993n, producerEpoch: 3, baseSequence: 2_147_483_000 };
    const ours = buildRecordBatch(runs, compression, stamp);
    const theirs = await kafkajsBatch(messagesOf(runs), compression, stamp.producerId, stamp.producerEpoch, stamp.baseSequence);
    assert.equal(ours.length, theirs.length);
    assert.ok(ours.equals(theirs), 'identical bytes');
  });
}

test('a single record with a null key and an empty value matches kafkajs', async () => {
  const b = batchOf([{ key: null, value: Buffer.alloc(0), ts: 1 }]);
  const stamp = { producerId: 0n, producerEpoch: 0, baseSequence: 0 };
  const ours = buildRecordBatch([{ batch: b, from: 0, count: 1 }], 'lz4', stamp);
  assert.ok(ours.equals(await kafkajsBatch(messagesOf([{ batch: b, from: 0, count: 1 }]), 'lz4', 0n, 0, 0)));
});

test('restamping a built batch gives the bytes of a batch built with that stamp', () => {
  const b = batchOf(rows(40, 4, () => 64));
  const runs = [{ batch: b, from: 0, count: 40 }];
  const built = buildRecordBatch(runs, 'lz4', { producerId: 5n, producerEpoch: 0, baseSequence: 10 });
  const next = { producerId: 6n, producerEpoch: 1, baseSequence: 0 };
  stampRecordBatch(built, next);
  assert.deepEqual(readStamp(built), next);
  assert.ok(built.equals(buildRecordBatch(runs, 'lz4', next)));
});

test('sequence numbers wrap after Int32 max as Kafka expects', () => {
  assert.equal(nextSequence(0, 5), 5);
  assert.equal(nextSequence(2_147_483_640, 7), 2_147_483_647);
  assert.equal(nextSequence(2_147_483_640, 8), 0);
  assert.equal(nextSequence(2_147_483_647, 10), 9);
});

test('an empty run list is refused rather than sent as an empty batch', () => {
  assert.throws(() => buildRecordBatch([], 'none', { producerId: 1n, producerEpoch: 0, baseSequence: 0 }));
});
