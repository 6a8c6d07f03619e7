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
export async function observeTopic(brokers: string[], topic: string, opts: { skipKeyPrefix?: string } = {}): Promise<TopicFigures> {
  const kafka = benchKafka(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const high = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const expected = offsets.reduce((s, o) => s + Number(BigInt(o.high) - BigInt(o.low)), 0);
  const perPartition = new Array<number>(offsets.length).fill(0);
  const fig: TopicFigures = { records: 0, valueBytes: 0, keyBytes: 0, firstMs: Infinity, lastMs: -Infinity, perPartition };
  if (expected === 0) return fig;
  const consumer = kafka.consumer({ groupId: `sluice-bench-observer-${randomUUID()}`, maxBytes: 64 << 20, maxBytesPerPartition: 16 << 20, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      const hw = high.get(batch.partition) ?? 0n;
      for (const m of batch.messages) {
        if (BigInt(m.offset) >= hw) continue;
        seen++;
        if (opts.skipKeyPrefix !== undefined && m.key && m.key.toString('utf8').startsWith(opts.skipKeyPrefix)) continue;
        fig.records++;
        perPartition[batch.partition] = (perPartition[batch.partition] ?? 0) + 1;
        fig.valueBytes += m.value?.length ?? 0;
        fig.keyBytes += m.key?.length ?? 0;
        const ts = Number(m.timestamp);
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
  return fig;
}
