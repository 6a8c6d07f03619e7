/**
 * The outside observer (issue 9): a topic created with message.timestamp.type=LogAppendTime, so the broker
 * stamps every batch with the time it appended it, whatever the producer wrote; after the run a consumer
 * reads the topic back and counts records, sums their value (and key) sizes and takes the first and last
 * append time. Throughput = records ÷ (last − first), measured the same way for any tool. Reading happens
 * after the run, so the observer takes no CPU from the tool under test on a small machine.
 */
import { randomUUID } from 'node:crypto';
import kafkajs, { type Admin } from 'kafkajs';
import { registerLz4Codec } from '../../src/sink/kafka/lz4-codec.js';

const { Kafka, logLevel } = kafkajs;

export interface TopicFigures {
  records: number;
  valueBytes: number;
  keyBytes: number;
  /** broker append times (ms) of the first and last record */
  firstMs: number;
  lastMs: number;
  /** per partition record counts */
  perPartition: number[];
  /** every counted record's append time, ascending (only when asked for: `times: true`) */
  times?: Float64Array;
}

/**
 * Records per second after the warm-up: the first `warmupFraction` of the records (by append time) are left
 * out, so start-up (connections, JIT, the first batches) does not count; rate = the rest ÷ their time span.
 */
export function steadyRate(fig: TopicFigures, warmupFraction: number): number {
  const t = fig.times;
  if (!t || t.length < 2) throw new Error('steadyRate needs the append times: observe the topic with times: true');
  const from = Math.min(t.length - 2, Math.floor(t.length * warmupFraction));
  const span = (t[t.length - 1]! - t[from]!) / 1000;
  return (t.length - 1 - from) / Math.max(span, 0.001);
}

export function benchKafka(brokers: string[]) {
  registerLz4Codec();
  return new Kafka({ clientId: 'sluice-bench-observer', brokers, logLevel: logLevel.NOTHING });
}

/** Creates a fresh topic whose record timestamps are the broker's append times. */
export async function createObservedTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }],
  });
}

/** Reads the whole topic (up to its high watermarks at call time) and returns what it holds. */
export async function observeTopic(brokers: string[], topic: string, opts: { skipKeyPrefix?: string; times?: boolean; fromOffsets?: ReadonlyMap<number, bigint> } = {}): Promise<TopicFigures> {
  const kafka = benchKafka(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const high = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  // records below fromOffsets (what a tool wrote before the measured run) are read but not counted
  const expected = offsets.reduce((s, o) => s + Number(BigInt(o.high) - BigInt(o.low)), 0);
  const perPartition = new Array<number>(offsets.length).fill(0);
  const fig: TopicFigures = { records: 0, valueBytes: 0, keyBytes: 0, firstMs: Infinity, lastMs: -Infinity, perPartition };
  if (expected === 0) return fig;
  const consumer = kafka.consumer({ groupId: `sluice-bench-observer-${randomUUID()}`, maxBytes: 64 << 20, maxBytesPerPartition: 16 << 20, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const times = opts.times ? new Float64Array(expected) : null;
  let seen = 0;
  // a fetch can hand the same record over again (kafkajs after a retried fetch): each offset counts once
  const next = new Map<number, bigint>();
  let redelivered = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      const hw = high.get(batch.partition) ?? 0n;
      for (const m of batch.messages) {
        const off = BigInt(m.offset);
        if (off >= hw) continue;
        if (off < (next.get(batch.partition) ?? 0n)) {
          redelivered++;
          continue;
        }
        next.set(batch.partition, off + 1n);
        seen++;
        if (opts.fromOffsets && BigInt(m.offset) < (opts.fromOffsets.get(batch.partition) ?? 0n)) continue;
        if (opts.skipKeyPrefix !== undefined && m.key && m.key.toString('utf8').startsWith(opts.skipKeyPrefix)) continue;
        fig.records++;
        perPartition[batch.partition] = (perPartition[batch.partition] ?? 0) + 1;
        fig.valueBytes += m.value?.length ?? 0;
        fig.keyBytes += m.key?.length ?? 0;
        const ts = Number(m.timestamp);
        if (times) times[fig.records - 1] = ts;
        if (ts < fig.firstMs) fig.firstMs = ts;
        if (ts > fig.lastMs) fig.lastMs = ts;
      }
      if (seen >= expected) finish();
    },
  });
  const timeout = setTimeout(finish, 300_000);
  await done;
  clearTimeout(timeout);
  await consumer.disconnect();
  if (seen < expected) throw new Error(`observer read ${seen} of ${expected} records on ${topic}`);
  if (times) fig.times = times.subarray(0, fig.records).sort();
  if (redelivered) console.error(`  (observer: ${redelivered} record(s) of ${topic} were handed over twice by the consumer and counted once)`);
  return fig;
}
