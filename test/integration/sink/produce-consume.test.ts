// The sink's story against the real broker: what goes in as EncodedBatches comes out of Kafka once, in
// order per partition, byte for byte, lz4-compressed; memory stays within the budget; the user's mistakes
// (a record too large, a missing topic) stop it with one sentence; SCRAM-SHA-512 works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs, { type Admin } from 'kafkajs';
import { lz4Codec, registerLz4Codec, type KafkaCodec } from '../../../src/sink/kafka/lz4-codec.js';
import { KafkaSink } from '../../../src/sink/kafka/kafka-sink.js';
import { TargetError } from '../../../src/errors.js';
import type { EncodedBatch } from '../../../src/model/encoded-batch.js';
import { batchOf, client, consumeAll, createTopic, plaintextTarget, recordOf, scramTarget, topicName } from './kafka-helpers.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;
const settings = { batchBytes: 64 * 1024, lingerMs: 2, compression: 'lz4' as const, maxInFlight: 5 };
let admin: Admin;
const created: string[] = [];

before(async () => {
  admin = client().admin();
  await admin.connect();
});

after(async () => {
  if (created.length) await admin.deleteTopics({ topics: created }).catch(() => undefined);
  await admin.disconnect();
});

async function topic(what: string, partitions: number, config: Record<string, string> = {}): Promise<string> {
  const t = topicName(what);
  await createTopic(admin, t, partitions, config);
  created.push(t);
  return t;
}

test('3 partitions: every record arrives once, in order per partition, keys and values byte-equal, acks in order', async () => {
  const t = await topic('order', 3);
  const acked: EncodedBatch[] = [];
  const sink = await KafkaSink.connect(plaintextTarget(), { producer: settings, onAck: (b) => acked.push(b) });
  const written: EncodedBatch[] = [];
  let seq = 0;
  // 60 batches of varying sizes, round-robin over the partitions, written without waiting for acks.
  for (let i = 0; i < 60; i++) {
    const count = 1 + ((i * 37) % 400);
    const b = batchOf(t, i % 3, seq, count);
    seq += count;
    written.push(b);
    await sink.write(b);
  }
  await sink.flush();
  assert.equal(sink.stats.recordsAcked, seq);
  assert.equal(sink.stats.queuedBytes, 0);
  assert.equal(acked.length, written.length);
  for (let p = 0; p < 3; p++) {
    assert.deepEqual(
      acked.filter((b) => b.partition === p).map((b) => b.firstSeq),
      written.filter((b) => b.partition === p).map((b) => b.firstSeq),
      `acks of partition ${p} in arrival order`,
    );
  }
  await sink.close();

  const got = await consumeAll(t, seq);
  assert.equal(got.length, seq, 'no record twice');
  const expectedPartition = new Map<number, number>();
  for (const b of written) for (let s = b.firstSeq; s <= b.lastSeq; s++) expectedPartition.set(s, b.partition);
  const lastSeqIn = [-1, -1, -1];
  const seen = new Set<number>();
  for (const r of got) {
    const s = Number(/^\["(\d+)"\]$/.exec(r.key!.toString())![1]);
    assert.ok(!seen.has(s), `record ${s} once`);
    seen.add(s);
    assert.equal(r.partition, expectedPartition.get(s), `record ${s} in its partition`);
    assert.ok(s > lastSeqIn[r.partition]!, `record ${s} after ${lastSeqIn[r.partition]} in partition ${r.partition}`);
    lastSeqIn[r.partition] = s;
    const want = recordOf(s);
    assert.ok(r.key!.equals(want.key) && r.value.equals(want.value), `record ${s} bytes`);
    assert.equal(r.timestamp, String(1_760_000_000_000 + s));
  }
  assert.equal(seen.size, seq);
});

test('lz4 reaches the broker: the broker stores the sink lz4 batches and the consumer decompresses them', async () => {
  const t = await topic('lz4', 1);
  const sink = await KafkaSink.connect(plaintextTarget(), { producer: { ...settings, batchBytes: 1 << 20 } });
  // The consumer decompresses through the codec table kafkajs consults: count what it is given (restored below).
  const calls = { decompress: 0, compressedBytes: 0 };
  const table = CompressionCodecs as Record<number, () => KafkaCodec>;
  table[CompressionTypes.LZ4] = () => ({
    compress: async (e) => lz4Codec.compress(e),
    decompress: async (b) => {
      calls.decompress++;
      calls.compressedBytes += b.length;
      return lz4Codec.decompress(b);
    },
  });
  try {
    await sink.write(batchOf(t, 0, 0, 5000, 400));
    await sink.close();
    const got = await consumeAll(t, 5000);
    assert.equal(got.length, 5000);
    assert.ok(calls.decompress >= 1, 'the stored batches are lz4: the consumer had to decompress them');
    assert.ok(calls.compressedBytes < 5000 * 400 / 4, `compressed to ${calls.compressedBytes} bytes`);
  } finally {
    registerLz4Codec();
  }
});

test('backpressure: queued + in-flight bytes never exceed the budget while a fast writer outruns Kafka', async () => {
  const t = await topic('budget', 3);
  const budget = 256 * 1024;
  const sink = await KafkaSink.connect(plaintextTarget(), { producer: settings, bufferBytes: budget });
  let maxSeen = 0;
  let waited = 0;
  let seq = 0;
  for (let i = 0; i < 200; i++) {
    const b = batchOf(t, i % 3, seq, 100, 300);
    seq += 100;
    const p = sink.write(b);
    if (sink.stats.waitingWrites > 0) waited++;
    await p;
    maxSeen = Math.max(maxSeen, sink.stats.queuedBytes);
  }
  await sink.close();
  assert.ok(waited > 0, 'the writer had to wait at least once');
  assert.ok(sink.stats.peakQueuedBytes <= budget, `peak ${sink.stats.peakQueuedBytes} within ${budget}`);
  assert.ok(maxSeen <= budget);
  assert.equal(sink.stats.recordsAcked, seq);
});

test('a record larger than the topic\'s max.message.bytes stops the sink with one sentence naming topic, size and limit', async () => {
  const t = await topic('toolarge', 1, { 'max.message.bytes': '2000' });
  const sink = await KafkaSink.connect(plaintextTarget(), { producer: { ...settings, compression: 'none' } });
  // Small records first: they fit, and must be acknowledged even though the batch that carried them with the
  // big one was refused.
  const small = batchOf(t, 0, 0, 3, 100);
  await sink.write(small);
  const big = batchOf(t, 0, 3, 1, 5000);
  await sink.write(big);
  await assert.rejects(sink.flush(), (e: unknown) => {
    assert.ok(e instanceof TargetError, String(e));
    assert.match(e.message, new RegExp(`topic '${t}'`));
    assert.match(e.message, /5\d{3} bytes/);
    assert.match(e.message, /max\.message\.bytes = 2000/);
    assert.equal(e.message.split('. ').length, 1, 'one sentence');
    return true;
  });
  assert.equal(sink.stats.recordsAcked, 3, 'the small records got through');
  await assert.rejects(sink.write(batchOf(t, 0, 4, 1)), TargetError, 'later writes fail with the same error');
  await sink.close().catch(() => undefined);
});

test('many records that together exceed max.message.bytes are cut into smaller batches, not refused', async () => {
  const t = await topic('split', 2, { 'max.message.bytes': '20000' });
  const sink = await KafkaSink.connect(plaintextTarget(), { producer: { ...settings, compression: 'none', batchBytes: 1 << 20 } });
  await sink.write(batchOf(t, 0, 0, 400, 300));
  await sink.write(batchOf(t, 1, 400, 400, 300));
  await sink.close();
  assert.equal(sink.stats.recordsAcked, 800);
  const got = await consumeAll(t, 800);
  assert.equal(got.length, 800);
});

test('a missing topic without createTopics stops with the one-sentence TargetError', async () => {
  const t = topicName('missing');
  const sink = await KafkaSink.connect(plaintextTarget(), { producer: settings });
  await sink.write(batchOf(t, 0, 0, 10));
  await assert.rejects(sink.flush(), (e: unknown) => {
    assert.ok(e instanceof TargetError);
    assert.equal(e.message, `Kafka topic '${t}' does not exist and auto-creation is off: create it or set target.createTopics: true.`);
    return true;
  });
  await sink.close().catch(() => undefined);
});

test('SASL SCRAM-SHA-512: the sink authenticates and produces', async () => {
  const t = await topic('scram', 1);
  const sink = await KafkaSink.connect(scramTarget(), { producer: settings });
  await sink.write(batchOf(t, 0, 0, 50));
  await sink.close();
  assert.equal(sink.stats.recordsAcked, 50);
  assert.equal((await consumeAll(t, 50)).length, 50);
});
