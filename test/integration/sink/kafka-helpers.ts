// Shared by the sink's integration tests: a target config for the test broker, batches of known records,
// and a consumer that reads a topic back (with the lz4 codec registered).
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Admin, Kafka as KafkaClient } from 'kafkajs';
import { Secret, type TargetConfig } from '../../../src/config/index.js';
import { EncodedBatchBuilder, type EncodedBatch } from '../../../src/model/encoded-batch.js';
import { registerLz4Codec } from '../../../src/sink/kafka/lz4-codec.js';
import { KAFKA } from '../../support/services.js';

const { Kafka, logLevel } = kafkajs;

export function plaintextTarget(over: Partial<TargetConfig> = {}): TargetConfig {
  return { brokers: [KAFKA.plaintext], clientId: 'sluice-sink-test', topic: 'unused', createTopics: false, connectTimeoutMs: 3000, ...over };
}

export function scramTarget(): TargetConfig {
  const u = KAFKA.scram512;
  return plaintextTarget({ brokers: [KAFKA.sasl], sasl: { mechanism: u.mechanism, username: u.username, password: new Secret(u.password) } });
}

// Once, at load: a test may then swap in a spying codec without a later client() undoing it.
registerLz4Codec();

export function client(): KafkaClient {
  return new Kafka({ clientId: 'sluice-sink-test', brokers: [KAFKA.plaintext], logLevel: logLevel.NOTHING, connectionTimeout: 3000, retry: { retries: 3 } });
}

export function topicName(what: string): string {
  return `sluice-sink-${what}-${randomUUID().slice(0, 8)}`;
}

export async function createTopic(admin: Admin, topic: string, partitions: number, config: Record<string, string> = {}): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries: Object.entries(config).map(([name, value]) => ({ name, value })) }],
  });
}

/** The key and value of record `seq`: distinct, checkable bytes (the value padded to `valueBytes`). */
export function recordOf(seq: number, valueBytes = 200): { key: Buffer; value: Buffer } {
  const key = Buffer.from(`["${seq}"]`);
  const value = Buffer.alloc(valueBytes, 0x61 + (seq % 26));
  value.write(`seq=${seq};`, 0);
  return { key, value };
}

/** A batch of `count` records with consecutive sequence numbers from `firstSeq`. */
export function batchOf(topic: string, partition: number, firstSeq: number, count: number, valueBytes = 200): EncodedBatch {
  const b = new EncodedBatchBuilder();
  for (let s = firstSeq; s < firstSeq + count; s++) {
    const r = recordOf(s, valueBytes);
    b.add(r.key, r.value, 1_760_000_000_000 + s);
  }
  const t = b.take();
  return {
    topic,
    partition,
    firstSeq,
    lastSeq: firstSeq + count - 1,
    ...t,
    endPosition: { kind: 'binlog', file: 'mysql-bin.000001', pos: firstSeq + count, txBoundary: true },
  };
}

export interface Consumed {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer;
  timestamp: string;
}

/** Reads `expected` records from the start of a topic (fails after `timeoutMs`). */
export async function consumeAll(topic: string, expected: number, timeoutMs = 30_000): Promise<Consumed[]> {
  const consumer = client().consumer({ groupId: `sluice-sink-test-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const out: Consumed[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${out.length} of ${expected} records from ${topic} in ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) out.push({ partition: batch.partition, offset: m.offset, key: m.key, value: m.value as Buffer, timestamp: m.timestamp });
          if (out.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}
