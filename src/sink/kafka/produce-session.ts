/**
 * An idempotent producer session over kafkajs' cluster: one producer id and epoch (InitProducerId), the
 * next sequence number of each partition, and Produce requests carrying record batches built by
 * record-batch.ts. The sink keeps at most one batch in flight per partition, so a partition's sequence
 * advances only when its batch is acknowledged, and a resend carries the same sequence (the broker then
 * recognises a duplicate instead of writing it twice).
 */
import type { Kafka } from 'kafkajs';
import {
  createCluster,
  decodeProduceResponse,
  errorFromCode,
  PRODUCE_API_KEY,
  type KafkaBroker,
  type KafkaCluster,
  type EncodedPayload,
  type ProduceResponse,
} from './kafkajs-internals.js';
import type { ProducerStamp } from './record-batch.js';

/** Produce v7: the newest version kafkajs can decode the response of; v3–v8 requests have the same body. */
const PRODUCE_VERSION = 7;
const DUPLICATE_SEQUENCE_NUMBER = 46;
const INT32_MAX = 0x7fffffff;

/** One partition's record batch in a Produce request. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  batch: Buffer;
}

/** A partition the cluster's metadata does not list (the topic has fewer partitions than the job routes to). */
export class MissingPartitionError extends Error {
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {
    super(`no partition ${partition} in Kafka topic '${topic}'`);
  }
}

/**
 * Kafka placed a batch before the end it had already acknowledged on that partition, and the partition now
 * ends before that end too: the partition's log began again — the topic was deleted and created under the job.
 */
export class PartitionLogRestartedError extends Error {
  constructor(
    readonly topic: string,
    readonly partition: number,
    /** where the partition ends now */
    readonly end: bigint,
    /** the end Kafka had acknowledged before */
    readonly acked: bigint,
  ) {
    super(`partition ${partition} of Kafka topic '${topic}' ends at ${end}, before the acknowledged ${acked}`);
  }
}

/** Kafka's sequence arithmetic: sequences wrap to 0 after Int32 max (as the Java client's incrementSequence). */
export function nextSequence(seq: number, records: number): number {
  return seq > INT32_MAX - records ? records - (INT32_MAX - seq) - 1 : seq + records;
}

const key = (topic: string, partition: number): string => `${partition}\u0000${topic}`;

export class ProduceSession {
  private readonly cluster: KafkaCluster;
  private producerId = -1n;
  private producerEpoch = 0;
  private readonly sequences = new Map<string, number>();
  /** told of every batch Kafka wrote: the partition's end offset after it */
  onWritten: ((topic: string, partition: number, end: bigint) => void) | null = null;
  /**
   * Asked when Kafka places a batch before an end it acknowledged earlier on the partition: where the
   * partition ends now (null: cannot tell). An answer of a duplicate (a retried batch Kafka already had)
   * carries its first offsets too, but the partition still ends past them; a recreated topic does not.
   */
  partitionEnd: ((topic: string, partition: number) => Promise<bigint | null>) | null = null;
  /** per partition, the greatest end Kafka acknowledged (seeded from the checkpoint) */
  private readonly ends = new Map<string, bigint>();

  private constructor(cluster: KafkaCluster) {
    this.cluster = cluster;
  }

  /** Ends Kafka acknowledged before this session (the checkpoint's), so a restarted partition log is noticed from the first batch. */
  knownEnds(written: Readonly<Record<string, Readonly<Record<string, bigint>>>>): void {
    for (const [topic, parts] of Object.entries(written)) for (const [p, end] of Object.entries(parts)) this.ends.set(key(topic, Number(p)), end);
  }

  /** Connects to the cluster and obtains a producer id. Authentication and reachability fail here. */
  static async open(kafka: Kafka): Promise<ProduceSession> {
    // No cap on requests in flight per connection: the sink bounds them, per partition and in total.
    const s = new ProduceSession(createCluster(kafka, { maxInFlightRequests: null }));
    await s.cluster.connect();
    await s.newProducerId();
    return s;
  }

  async close(): Promise<void> {
    await this.cluster.disconnect();
  }

  /** The producer fields the partition's next batch must carry. */
  stampFor(topic: string, partition: number): ProducerStamp {
    return { producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence: this.sequences.get(key(topic, partition)) ?? 0 };
  }

  /** A batch of `records` stamped `stamp` was acknowledged: the partition's sequence moves on (if the id is still ours). */
  acknowledged(topic: string, partition: number, records: number, stamp: ProducerStamp): void {
    if (stamp.producerId !== this.producerId || stamp.producerEpoch !== this.producerEpoch) return;
    this.sequences.set(key(topic, partition), nextSequence(stamp.baseSequence, records));
  }

  /**
   * Kafka lost or refused this producer's sequence state: start over with a new producer id (what the Java
   * client does). Skipped when a batch stamped by an older id reports it — the id was renewed already.
   */
  async resetAfter(stamp: ProducerStamp): Promise<void> {
    if (stamp.producerId !== this.producerId || stamp.producerEpoch !== this.producerEpoch) return;
    await this.newProducerId();
  }

  /** Re-reads the cluster's metadata (leaders moved, a broker came back), reconnecting first if needed. */
  async refresh(): Promise<void> {
    if (!this.cluster.isConnected()) await this.cluster.connect();
    await this.cluster.refreshMetadata();
  }

  private async newProducerId(): Promise<void> {
    // A broker that just started answers "coordinator loading" for a few seconds: retriable, like kafkajs' own retrier.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.cluster.refreshMetadataIfNecessary();
        const broker = await this.cluster.findControllerBroker();
        const res = await broker.initProducerId({ transactionTimeout: 60_000 });
        this.producerId = BigInt(res.producerId);
        this.producerEpoch = res.producerEpoch;
        this.sequences.clear();
        return;
      } catch (e) {
        if (attempt >= 8 || (e as { retriable?: boolean }).retriable !== true) throw e;
        await new Promise((r) => setTimeout(r, Math.min(3000, 100 * 2 ** attempt)));
      }
    }
  }

  /**
   * Sends the batches, one request per leader broker, and returns per batch (in order) null when Kafka
   * acknowledged it or the error that refused it. Fails as a whole only when the topics cannot be looked
   * up (an unknown topic, a lost cluster).
   */
  async produce(batches: readonly PartitionBatch[], acks: number, timeoutMs: number): Promise<Array<Error | null>> {
    const topics = [...new Set(batches.map((b) => b.topic))];
    await this.cluster.addMultipleTargetTopics(topics);
    const outcome: Array<Error | null> = batches.map(() => null);
    const byLeader = new Map<string, number[]>();
    for (const topic of topics) {
      const mine: number[] = [];
      batches.forEach((b, i) => {
        if (b.topic === topic) mine.push(i);
      });
      const leaders = this.cluster.findLeaderForPartitions(topic, mine.map((i) => (batches[i] as PartitionBatch).partition));
      const led = new Set<number>();
      for (const [nodeId, partitions] of Object.entries(leaders)) {
        for (const i of mine) {
          const b = batches[i] as PartitionBatch;
          if (!partitions.includes(b.partition)) continue;
          led.add(i);
          const list = byLeader.get(nodeId);
          if (list) list.push(i);
          else byLeader.set(nodeId, [i]);
        }
      }
      for (const i of mine) if (!led.has(i)) outcome[i] = new MissingPartitionError(topic, (batches[i] as PartitionBatch).partition);
    }
    await Promise.all(
      [...byLeader].map(async ([nodeId, members]) => {
        try {
          const broker = await this.cluster.findBroker({ nodeId });
          const res = await this.send(broker, members.map((i) => batches[i] as PartitionBatch), acks, timeoutMs);
          const parts = new Map<string, { errorCode: number; baseOffset: string }>();
          for (const t of res.topics) for (const p of t.partitions) parts.set(key(t.topicName, p.partition), p);
          for (const i of members) {
            const b = batches[i] as PartitionBatch;
            const p = parts.get(key(b.topic, b.partition));
            if (p === undefined) outcome[i] = new MissingPartitionError(b.topic, b.partition);
            else if (p.errorCode !== 0 && p.errorCode !== DUPLICATE_SEQUENCE_NUMBER) outcome[i] = errorFromCode(p.errorCode);
            else if (p.errorCode === 0 && /^\d+$/.test(p.baseOffset)) {
              // lastOffsetDelta sits at byte 23 of a v2 record batch: the batch ends at base + delta + 1
              const base = BigInt(p.baseOffset);
              const end = base + BigInt(b.batch.readInt32BE(23)) + 1n;
              const k = key(b.topic, b.partition);
              const acked = this.ends.get(k);
              const now = acked !== undefined && base < acked && this.partitionEnd ? await this.partitionEnd(b.topic, b.partition) : null;
              if (acked !== undefined && now !== null && now < acked) {
                outcome[i] = new PartitionLogRestartedError(b.topic, b.partition, now, acked);
                continue;
              }
              if (acked === undefined || end > acked) this.ends.set(k, end);
              this.onWritten?.(b.topic, b.partition, end);
            }
          }
        } catch (e) {
          const err = e instanceof Error ? e : new Error(String(e));
          const closed = err as Error & { host?: string; port?: number };
          if (closed.name === 'KafkaJSConnectionClosedError' && closed.host && closed.port) this.cluster.removeBroker({ host: closed.host, port: closed.port });
          for (const i of members) outcome[i] = err;
        }
      }),
    );
    return outcome;
  }

  private async send(broker: KafkaBroker, batches: PartitionBatch[], acks: number, timeoutMs: number): Promise<ProduceResponse> {
    const byTopic = new Map<string, PartitionBatch[]>();
    for (const b of batches) {
      const l = byTopic.get(b.topic);
      if (l) l.push(b);
      else byTopic.set(b.topic, [b]);
    }
    const encode = async (): Promise<EncodedPayload> => {
      const buf = produceBody(byTopic, acks, timeoutMs);
      return { buf, buffer: buf };
    };
    const res = await broker.connectionPool.send({
      request: { apiKey: PRODUCE_API_KEY, apiVersion: PRODUCE_VERSION, apiName: 'Produce', expectResponse: () => true, encode },
      // Partition errors are handled per partition by the caller, so parsing never throws.
      response: { decode: decodeProduceResponse, parse: async (data: unknown) => data },
    });
    return res as ProduceResponse;
  }
}

/**
 * The Produce v3–v8 request body in one buffer (kafkajs' Encoder would copy every record batch once per
 * nesting level): transactional_id (null: idempotent, not transactional), acks, timeout, then per topic its
 * name and per partition its index and record batch.
 */
function produceBody(byTopic: Map<string, PartitionBatch[]>, acks: number, timeoutMs: number): Buffer {
  let size = 2 + 2 + 4 + 4;
  for (const [topic, parts] of byTopic) {
    size += 2 + Buffer.byteLength(topic) + 4;
    for (const p of parts) size += 4 + 4 + p.batch.length;
  }
  const buf = Buffer.allocUnsafe(size);
  let at = buf.writeInt16BE(-1, 0);
  at = buf.writeInt16BE(acks, at);
  at = buf.writeInt32BE(timeoutMs, at);
  at = buf.writeInt32BE(byTopic.size, at);
  for (const [topic, parts] of byTopic) {
    const len = Buffer.byteLength(topic);
    at = buf.writeInt16BE(len, at);
    at += buf.write(topic, at);
    at = buf.writeInt32BE(parts.length, at);
    for (const p of parts) {
      at = buf.writeInt32BE(p.partition, at);
      at = buf.writeInt32BE(p.batch.length, at);
      at += p.batch.copy(buf, at);
    }
  }
  return buf;
}
