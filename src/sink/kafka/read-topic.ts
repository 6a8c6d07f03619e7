import { randomUUID } from 'node:crypto';
import type { TargetConfig } from '../../config/index.js';
import { kafkaClient } from './client.js';
import { explainKafkaError } from './explain-error.js';
import { registerLz4Codec } from './lz4-codec.js';
import { TargetError } from '../../errors.js';

export interface TopicMessage {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka's message timestamp, ms */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
}

export interface ReadTopicOptions {
  topic: string;
  /** 'latest' (only new records), 'earliest', or a time in ms since the epoch */
  from: 'latest' | 'earliest' | number;
  /** only this partition */
  partition?: number;
  /** stop after this many messages */
  max?: number;
  /** stop after this long without a message (ms) */
  idleMs?: number;
  /** stop when this resolves (e.g. on SIGINT) */
  stop?: Promise<void>;
}

/**
 * Reads a topic's messages in partition order with a throwaway consumer group that never commits, so
 * reading does not disturb anyone's offsets. Resolves when max/idle/stop ends the read.
 */
export async function readTopic(cfg: TargetConfig, o: ReadTopicOptions, onMessage: (m: TopicMessage) => void): Promise<number> {
  registerLz4Codec();
  const kafka = kafkaClient(cfg, { retries: 2, clientIdSuffix: 'tail' });
  const admin = kafka.admin();
  const consumer = kafka.consumer({ groupId: `sluice-tail-${randomUUID()}`, maxWaitTimeInMs: 200 });
  let count = 0;
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(o.topic)) throw new TargetError(`Kafka topic '${o.topic}' does not exist on ${cfg.brokers.join(',')}: check the topic name.`);
    if (o.partition !== undefined) {
      // a partition the topic has not got would be read forever without a record (and without the idle stop)
      const meta = await admin.fetchTopicMetadata({ topics: [o.topic] });
      const count = meta.topics[0]?.partitions.length ?? 0;
      if (o.partition >= count) throw new TargetError(`Kafka topic '${o.topic}' has partitions 0 to ${count - 1}, not ${o.partition}: give --partition a number in that range.`);
    }
    const seekTo = typeof o.from === 'number' ? await admin.fetchTopicOffsetsByTimestamp(o.topic, o.from) : null;
    await consumer.connect();
    await consumer.subscribe({ topics: [o.topic], fromBeginning: o.from !== 'latest' });
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = (): void => {
      if (!o.idleMs) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(finish, o.idleMs);
    };
    // Idleness counts from when partitions are assigned (joining the throwaway group takes a few seconds).
    // The listener goes on before run(): run() can resolve after the join, and a read from 'latest' of an
    // idle topic then never saw a message nor the join, and waited forever.
    consumer.on(consumer.events.GROUP_JOIN, armIdle);
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        if (o.partition !== undefined && partition !== o.partition) return;
        if (o.max !== undefined && count >= o.max) return;
        count++;
        armIdle();
        onMessage({ topic, partition, offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value });
        if (o.max !== undefined && count >= o.max) finish();
      },
    });
    if (seekTo) for (const p of seekTo) consumer.seek({ topic: o.topic, partition: p.partition, offset: p.offset });
    armIdle();
    if (o.max === 0) finish();
    await Promise.race([finished, ...(o.stop ? [o.stop] : [])]);
    clearTimeout(idleTimer);
    return count;
  } catch (e) {
    if (e instanceof TargetError) throw e;
    throw explainKafkaError(cfg, e);
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
