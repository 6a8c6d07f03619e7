import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import type { JobConfig, TargetConfig } from '../../config/index.js';
import type { EncodedBatch } from '../../model/encoded-batch.js';
import { TargetError } from '../../errors.js';
import { kafkaClient } from './client.js';
import { explainKafkaError } from './explain-error.js';
import { registerLz4Codec } from './lz4-codec.js';
import { PartitionQueue, sliceRuns, type Slice } from './partition-queue.js';
import { MissingPartitionError, PartitionLogRestartedError, ProduceSession, type PartitionBatch } from './produce-session.js';
import { buildRecordBatch, stampRecordBatch, type BatchCompression } from './record-batch.js';
import { classifySendError } from './send-error.js';
import { missingTopicError } from './topics.js';
import { recreatedTopicError } from './topic-history.js';
import type { TopicWrites } from '../../model/topic-writes.js';

// kafkajs is CommonJS: its enums come through the default export under Node's ESM loader.
const { ConfigResourceTypes } = kafkajs;

export type ProducerSettings = JobConfig['producer'];

export interface KafkaSinkOptions {
  producer: ProducerSettings;
  /**
   * Byte budget for batches queued and in flight (their bytes + index + timestamps). `write()` waits while it
   * is spent: the backpressure the readers feel. A single batch larger than the budget is still admitted
   * when nothing else is queued, so it cannot deadlock.
   */
  bufferBytes?: number;
  /** called once per batch, in arrival order per partition, when Kafka acknowledged all its records */
  onAck?: (batch: EncodedBatch) => void;
  /** backoff between resends of a failed request, and when to give up on a target that keeps failing */
  retry?: { initialMs?: number; maxMs?: number; giveUpAfterMs?: number };
  /** cap on record bytes in one Produce request across partitions */
  maxRequestBytes?: number;
  /** The most records in one partition's record batch (default: no limit but `producer.batchBytes`). */
  maxRecordsPerBatch?: number;
  /** ack timeout the broker applies (Produce `timeout`) */
  ackTimeoutMs?: number;
  /** told of every batch Kafka wrote: its partition's end offset after it (what the checkpoint records) */
  onWritten?: (topic: string, partition: number, end: bigint) => void;
  /** the ends Kafka acknowledged per topic partition before (the checkpoint's): a topic recreated under the job is caught from its first batch */
  written?: TopicWrites;
  /**
   * The error for a topic found missing while writing (default: "does not exist and auto-creation is off").
   * A job that checked its topics at start passes one saying the topic vanished.
   */
  missingTopicError?: (topic: string, cause: unknown) => Error;
  /** a kafkajs client to use instead of one built from the target (tests inject network faults this way) */
  client?: Kafka;
  /**
   * Told once when Kafka stops accepting (the cause, what waits, the retry delay) and once when it is back,
   * so an outage shows as a WARN line with its cause rather than only as a growing lag.
   */
  warn?: (line: string) => void;
}

/** Live counters for metrics and status; read them, do not write them. */
export interface SinkStats {
  recordsSent: number;
  bytesSent: number;
  recordsAcked: number;
  bytesAcked: number;
  batchesAcked: number;
  requests: number;
  requestsInFlight: number;
  retries: number;
  producerResets: number;
  /** bytes of batches admitted and not yet acknowledged (what the budget bounds) */
  queuedBytes: number;
  peakQueuedBytes: number;
  /** writes waiting for budget */
  waitingWrites: number;
  lastError: string | null;
}

interface Waiter {
  batch: EncodedBatch;
  size: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** What a batch holds in memory while the sink has it. */
export function batchFootprint(b: EncodedBatch): number {
  return b.bytes.byteLength + b.index.byteLength + b.timestamps.byteLength;
}


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The Kafka sink: takes EncodedBatches, sends them as an idempotent producer (acks=all, lz4 by default, the
 * partition the batch names), and reports each batch once Kafka acknowledged it. Record batches are built
 * from the EncodedBatch bytes by record-batch.ts; kafkajs carries them (connections, auth, metadata).
 *
 * Order: each (topic, partition) has its own queue with at most one slice in flight, so records reach a
 * partition in arrival order even across retries; different partitions proceed concurrently, share
 * Produce requests, and up to maxInFlight requests are outstanding at once.
 */
export class KafkaSink {
  readonly stats: SinkStats = {
    recordsSent: 0,
    bytesSent: 0,
    recordsAcked: 0,
    bytesAcked: 0,
    batchesAcked: 0,
    requests: 0,
    requestsInFlight: 0,
    retries: 0,
    producerResets: 0,
    queuedBytes: 0,
    peakQueuedBytes: 0,
    waitingWrites: 0,
    lastError: null,
  };

  private readonly kafka: Kafka;
  private readonly target: TargetConfig;
  private readonly session: ProduceSession;
  private admin: Admin | null = null;
  private readonly settings: ProducerSettings;
  private readonly bufferBytes: number;
  private readonly onAck: ((batch: EncodedBatch) => void) | undefined;
  private readonly missingTopicError: (topic: string, cause: unknown) => Error;
  private readonly warn: ((line: string) => void) | undefined;
  /** since when Kafka has refused every send, and why (null while it accepts) */
  private outage: { since: number; cause: string } | null = null;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly giveUpAfterMs: number;
  private readonly maxRequestBytes: number;
  private readonly maxRecordsPerBatch: number;
  private readonly ackTimeoutMs: number;
  private readonly compression: BatchCompression;

  private readonly queues = new Map<string, PartitionQueue>();
  private readonly waiting: Waiter[] = [];
  private idleWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private failure: Error | null = null;
  private closing = false;
  private pumping = false;
  private lingerTimer: NodeJS.Timeout | null = null;
  private lingerDue = Infinity;
  private readonly maxMessageBytes = new Map<string, number>();

  private constructor(kafka: Kafka, session: ProduceSession, target: TargetConfig, opts: KafkaSinkOptions) {
    this.kafka = kafka;
    this.target = target;
    this.settings = opts.producer;
    this.bufferBytes = opts.bufferBytes ?? Math.max(32 << 20, 4 * opts.producer.batchBytes);
    this.onAck = opts.onAck;
    this.missingTopicError = opts.missingTopicError ?? missingTopicError;
    this.warn = opts.warn;
    if (opts.onWritten) session.onWritten = opts.onWritten;
    if (opts.written) session.knownEnds(opts.written);
    session.partitionEnd = (topic, partition) => this.partitionEnd(topic, partition);
    this.retryInitialMs = opts.retry?.initialMs ?? 200;
    this.retryMaxMs = opts.retry?.maxMs ?? 5000;
    this.giveUpAfterMs = opts.retry?.giveUpAfterMs ?? 10 * 60_000;
    this.maxRequestBytes = opts.maxRequestBytes ?? Math.max(16 << 20, opts.producer.batchBytes);
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 30_000;
    this.maxRecordsPerBatch = opts.maxRecordsPerBatch ?? Infinity;
    this.compression = opts.producer.compression;
    this.session = session;
  }

  /** Connects an idempotent producer to the job's target. Authentication and reachability fail here. */
  static async connect(target: TargetConfig, opts: KafkaSinkOptions): Promise<KafkaSink> {
    registerLz4Codec();
    const kafka = opts.client ?? kafkaClient(target, { clientIdSuffix: 'sink' });
    let session: ProduceSession;
    try {
      session = await ProduceSession.open(kafka);
    } catch (e) {
      throw explainKafkaError(target, e);
    }
    return new KafkaSink(kafka, session, target, opts);
  }

  /**
   * Hands a batch to the sink. Resolves as soon as the batch is queued — at once while the byte budget has
   * room, later when acknowledgements free it. Rejects once the sink has failed.
   */
  write(batch: EncodedBatch): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error('KafkaSink.write() after close()'));
    const size = batchFootprint(batch);
    if (this.waiting.length === 0 && (this.stats.queuedBytes + size <= this.bufferBytes || this.stats.queuedBytes === 0)) {
      this.admit(batch, size);
      return RESOLVED;
    }
    this.stats.waitingWrites++;
    return new Promise((resolve, reject) => this.waiting.push({ batch, size, resolve, reject }));
  }

  /** Writes several batches in order. */
  async writeMany(batches: Iterable<EncodedBatch>): Promise<void> {
    for (const b of batches) {
      const p = this.write(b);
      if (p !== RESOLVED) await p;
    }
  }

  /** Resolves once everything written so far is acknowledged; linger is skipped while someone flushes. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.isIdle()) return RESOLVED;
    const p = new Promise<void>((resolve, reject) => this.idleWaiters.push({ resolve, reject }));
    this.pump();
    return p;
  }

  /** Flushes, then disconnects. After a failure it only disconnects, and rethrows the failure. */
  async close(): Promise<void> {
    let err: unknown = null;
    try {
      await this.flush();
    } catch (e) {
      err = e;
    }
    this.closing = true;
    await this.disconnect();
    if (err) throw err;
  }

  /** Stops at once without waiting for acknowledgements: pending writes and flushes reject. */
  async abort(reason: Error = new Error('sink aborted')): Promise<void> {
    this.fail(reason);
    this.closing = true;
    await this.disconnect();
  }

  /** The failure that stopped the sink, if any. */
  get error(): Error | null {
    return this.failure;
  }

  private async disconnect(): Promise<void> {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    await this.session.close().catch(() => undefined);
    if (this.admin) await this.admin.disconnect().catch(() => undefined);
  }

  private isIdle(): boolean {
    if (this.waiting.length > 0 || this.stats.requestsInFlight > 0) return false;
    for (const q of this.queues.values()) if (!q.empty) return false;
    return true;
  }

  private queueFor(topic: string, partition: number): PartitionQueue {
    const key = `${partition}\u0000${topic}`;
    let q = this.queues.get(key);
    if (!q) {
      q = new PartitionQueue(topic, partition, this.settings.batchBytes, this.maxRecordsPerBatch);
      this.queues.set(key, q);
    }
    return q;
  }

  private admit(batch: EncodedBatch, size: number): void {
    this.stats.queuedBytes += size;
    if (this.stats.queuedBytes > this.stats.peakQueuedBytes) this.stats.peakQueuedBytes = this.stats.queuedBytes;
    const q = this.queueFor(batch.topic, batch.partition);
    q.push(batch, Date.now());
    // An empty batch (a snapshot chunk with no rows) is acknowledged as soon as those before it are.
    if (batch.count === 0) this.released(q.popAcked());
    this.pump();
  }

  /** Starts Produce requests for every partition that is due, up to maxInFlight requests. */
  private pump(): void {
    if (this.failure || this.pumping) return;
    this.pumping = true;
    try {
      const urgent = this.idleWaiters.length > 0 || this.closing || this.waiting.length > 0;
      const now = Date.now();
      while (this.stats.requestsInFlight < this.settings.maxInFlight) {
        let nextDue = Infinity;
        const ready: PartitionQueue[] = [];
        for (const q of this.queues.values()) {
          if (q.inFlight || !q.hasUnsent) continue;
          const due = q.unsentSince + this.settings.lingerMs;
          if (urgent || now >= due || q.full) ready.push(q);
          else if (due < nextDue) nextDue = due;
        }
        this.armLinger(nextDue, now);
        if (ready.length === 0) break;
        const slices: Slice[] = [];
        let bytes = 0;
        for (const q of ready) {
          const s = q.take();
          q.inFlight = s;
          slices.push(s);
          bytes += s.bytes;
          if (bytes >= this.maxRequestBytes) break;
        }
        void this.send(slices);
      }
    } finally {
      this.pumping = false;
    }
  }

  private armLinger(due: number, now: number): void {
    if (due === Infinity || due >= this.lingerDue) return;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerDue = due;
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = null;
      this.lingerDue = Infinity;
      this.pump();
    }, Math.max(0, due - now));
  }

  /** The slice's record batch, stamped with the producer fields its partition needs now. */
  private prepared(s: Slice): PartitionBatch {
    const stamp = this.session.stampFor(s.queue.topic, s.queue.partition);
    if (!s.built) s.built = buildRecordBatch(sliceRuns(s), this.compression, stamp);
    else if (!sameStamp(s.stamp, stamp)) stampRecordBatch(s.built, stamp);
    s.stamp = stamp;
    return { topic: s.queue.topic, partition: s.queue.partition, batch: s.built };
  }

  /**
   * Sends one request's slices and resends the refused ones (same bytes, same sequence) until every slice
   * is acknowledged or the sink fails. Slices are acknowledged one by one as Kafka accepts them.
   */
  private async send(slices: Slice[]): Promise<void> {
    this.stats.requestsInFlight++;
    this.stats.requests++;
    for (const s of slices) {
      this.stats.recordsSent += s.records;
      this.stats.bytesSent += s.bytes;
    }
    const started = Date.now();
    let attempt = 0;
    let missingPartitionTries = 0;
    let pending = slices;
    try {
      while (pending.length > 0) {
        if (this.failure) return;
        let outcomes: Array<Error | null>;
        try {
          outcomes = await this.session.produce(pending.map((s) => this.prepared(s)), -1, this.ackTimeoutMs);
        } catch (e) {
          outcomes = pending.map(() => (e instanceof Error ? e : new Error(String(e))));
        }
        if (this.failure) return;
        const refused: Array<{ slice: Slice; error: Error }> = [];
        pending.forEach((s, i) => {
          const error = outcomes[i];
          if (error) refused.push({ slice: s, error });
          else {
            this.session.acknowledged(s.queue.topic, s.queue.partition, s.records, s.stamp as NonNullable<Slice['stamp']>);
            this.acked(s);
          }
        });
        pending = refused.map((r) => r.slice);
        if (refused.length < outcomes.length && this.outage) {
          const o = this.outage;
          this.outage = null;
          this.warn?.(`Kafka (${this.target.brokers.join(',')}) accepts records again after ${Math.round((Date.now() - o.since) / 1000)} s (${o.cause}); sending the ${this.stats.queuedBytes} byte(s) that waited.`);
        }
        if (refused.length === 0) break;

        const tooLarge = refused.filter((r) => classifySendError(r.error) === 'too-large');
        if (tooLarge.length > 0) {
          // Refused as too large means not written: cut those slices in half and send again at once.
          const halves = new Map<Slice, Slice>();
          for (const r of tooLarge) halves.set(r.slice, await this.halveTooLarge(r.slice));
          pending = pending.map((s) => halves.get(s) ?? s);
          continue;
        }
        const e = (refused[0] as { error: Error }).error;
        if (e instanceof PartitionLogRestartedError) throw recreatedTopicError(e.topic, e.partition, e.end, e.acked);
        const kind = e instanceof MissingPartitionError ? 'missing-partition' : classifySendError(e);
        if (kind === 'missing-partition') {
          const m = e as MissingPartitionError;
          if (++missingPartitionTries >= 3) {
            throw new TargetError(
              `Kafka topic '${m.topic}' has no partition ${m.partition}: the job routes to more partitions than the topic has; give the topic more partitions or fix the object's partition count.`,
            );
          }
        } else if (kind === 'unknown-topic') {
          const missing = await this.missingTopic(pending);
          if (missing) throw this.missingTopicError(missing, e);
        } else if (kind === 'reset') {
          this.stats.producerResets++;
          await this.session.resetAfter((pending[0] as Slice).stamp as NonNullable<Slice['stamp']>).catch(() => undefined);
        } else if (kind === 'permanent') {
          throw explainKafkaError(this.target, e);
        }
        attempt++;
        this.stats.retries++;
        this.stats.lastError = e.message ?? String(e);
        if (!this.outage && refused.length === outcomes.length) {
          const cause = explainKafkaError(this.target, e).message.replace(/\.$/, '');
          this.outage = { since: Date.now(), cause };
          this.warn?.(`Kafka does not accept records: ${cause}; ${this.stats.queuedBytes} byte(s) in ${this.stats.requestsInFlight} request(s) wait, retried every ${this.retryInitialMs}–${this.retryMaxMs} ms (the job stops after ${Math.round(this.giveUpAfterMs / 1000)} s of this).`);
        }
        if (this.giveUpAfterMs > 0 && Date.now() - started > this.giveUpAfterMs) {
          const why = explainKafkaError(this.target, e);
          throw new TargetError(`${why.message.replace(/\.$/, '')} (still failing after ${Math.round((Date.now() - started) / 1000)} s of retries).`, { cause: e });
        }
        await sleep(Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** Math.min(attempt - 1, 16)));
        // Leaders may have moved or a broker come back: look again before resending.
        await this.session.refresh().catch(() => undefined);
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.stats.requestsInFlight--;
      this.pump();
      this.checkIdle();
    }
  }

  private acked(s: Slice): void {
    this.stats.recordsAcked += s.records;
    this.stats.bytesAcked += s.bytes;
    this.released(s.queue.ackInFlight());
  }

  private released(batches: EncodedBatch[]): void {
    for (const b of batches) {
      this.stats.queuedBytes -= batchFootprint(b);
      this.stats.batchesAcked++;
      if (this.onAck) {
        try {
          this.onAck(b);
        } catch (e) {
          this.fail(e instanceof Error ? e : new Error(String(e)));
          return;
        }
      }
    }
    this.admitWaiting();
  }

  private admitWaiting(): void {
    while (this.waiting.length > 0 && !this.failure) {
      const w = this.waiting[0] as Waiter;
      if (this.stats.queuedBytes + w.size > this.bufferBytes && this.stats.queuedBytes > 0) break;
      this.waiting.shift();
      this.stats.waitingWrites--;
      this.admit(w.batch, w.size);
      w.resolve();
    }
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w.resolve();
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.stats.lastError = e.message;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    for (const w of this.waiting.splice(0)) w.reject(e);
    this.stats.waitingWrites = 0;
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w.reject(e);
  }

  /**
   * The broker refused a slice's record batch as larger than max.message.bytes (so none of it was
   * written): cut it in half, until a single record is refused — that record can never be sent, and the
   * job stops naming it.
   */
  private async halveTooLarge(s: Slice): Promise<Slice> {
    const q = s.queue;
    if (s.records > 1) {
      const half = q.halve(s);
      q.inFlight = half;
      this.stats.retries++;
      return half;
    }
    const max = await this.topicMaxMessageBytes(q.topic);
    throw new TargetError(
      `A record of ${s.bytes} bytes (key + value, before compression) for Kafka topic '${q.topic}' is larger than the topic accepts (max.message.bytes = ${max ?? 'unknown'}): raise max.message.bytes on the topic (and message.max.bytes on the brokers) or keep such rows out of the job.`,
    );
  }

  private adminClient(): Admin {
    if (!this.admin) this.admin = this.kafka.admin();
    return this.admin;
  }

  private async topicMaxMessageBytes(topic: string): Promise<number | undefined> {
    const known = this.maxMessageBytes.get(topic);
    if (known !== undefined) return known;
    try {
      const admin = this.adminClient();
      await admin.connect();
      const res = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
      });
      const v = res.resources[0]?.configEntries.find((c) => c.configName === 'max.message.bytes')?.configValue;
      if (v === undefined) return undefined;
      this.maxMessageBytes.set(topic, Number(v));
      return Number(v);
    } catch {
      return undefined;
    }
  }

  /** The first topic of the request the cluster does not have, or null (then the error was transient). */
  /** Where the partition ends now, by the admin API; null when Kafka cannot say right now. */
  private async partitionEnd(topic: string, partition: number): Promise<bigint | null> {
    try {
      const admin = this.adminClient();
      await admin.connect();
      const p = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition);
      return p ? BigInt(p.high) : null;
    } catch {
      return null;
    }
  }

  private async missingTopic(slices: Slice[]): Promise<string | null> {
    try {
      const admin = this.adminClient();
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      for (const s of slices) if (!existing.has(s.queue.topic)) return s.queue.topic;
    } catch {
      // cannot tell now: treat as transient and ask again on the next failure
    }
    return null;
  }

}

function sameStamp(a: Slice['stamp'], b: NonNullable<Slice['stamp']>): boolean {
  return a !== null && a.producerId === b.producerId && a.producerEpoch === b.producerEpoch && a.baseSequence === b.baseSequence;
}
