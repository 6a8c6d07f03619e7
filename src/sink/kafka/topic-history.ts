import type { Admin } from 'kafkajs';
import { FaultError } from '../../errors.js';
import type { TopicWrites } from '../../model/topic-writes.js';

const CHOICE = "restore the topic (with every record the job wrote), or start the job over into a new topic with 'sluice run <job> --resnapshot' (schema, full snapshot, then the binlog)";

/** A topic the job wrote to is gone now (found at start). */
export function deletedTopicError(topic: string, stateDir: string): FaultError {
  return new FaultError(`Kafka topic '${topic}' was deleted after the job wrote to it (the checkpoint in ${stateDir} records what Kafka acknowledged there): ${CHOICE}.`);
}

/** A topic the job wrote to holds fewer records than Kafka acknowledged: deleted and created again. */
export function recreatedTopicError(topic: string, partition: number, end: bigint, acked: bigint): FaultError {
  return new FaultError(
    `Kafka topic '${topic}' was deleted and created again after the job wrote to it (partition ${partition} ends at offset ${end}, Kafka had acknowledged up to ${acked}): ${CHOICE}.`,
  );
}

/** A topic that disappeared while the job was writing to it. */
export function vanishedTopicError(topic: string, cause?: unknown): FaultError {
  return new FaultError(`Kafka topic '${topic}' was deleted while the job wrote to it: ${CHOICE}.`, cause === undefined ? undefined : { cause });
}

/**
 * Stops a job whose topics are not the ones it wrote to (issue 15): one the checkpoint records as written
 * must exist, and each of its partitions must end at or after the offset Kafka acknowledged. Without this,
 * `createTopics: true` would recreate a deleted topic and the snapshot counted done would be missing from it.
 * Runs before any topic is created.
 */
export async function checkWrittenTopics(admin: Admin, written: TopicWrites, stateDir: string): Promise<void> {
  const topics = Object.keys(written);
  if (topics.length === 0) return;
  const existing = new Set(await admin.listTopics());
  for (const topic of topics) {
    const ends = existing.has(topic) ? new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)])) : null;
    const fault = writtenTopicFault(topic, written[topic] ?? {}, ends, stateDir);
    if (fault) throw fault;
  }
}

/**
 * The fault of one topic the job wrote to, or null when it is still the topic the job wrote: `ends` are its
 * partitions' end offsets now (null: the topic does not exist). run (above) and precheck share it, so both
 * say the same sentence.
 */
export function writtenTopicFault(topic: string, acked: Readonly<Record<string, bigint>>, ends: ReadonlyMap<number, bigint> | null, stateDir: string): FaultError | null {
  if (ends === null) return deletedTopicError(topic, stateDir);
  for (const [p, ack] of Object.entries(acked)) {
    const end = ends.get(Number(p)) ?? 0n;
    if (end < ack) return recreatedTopicError(topic, Number(p), end, ack);
  }
  return null;
}
