/**
 * The outside observer for latency (issue 9): a live consumer of the tools' target topics. Every data record
 * is decoded far enough to read the DATETIME(6) commit timestamp the workload wrote into the row (UTC), and
 * its latency — the moment this consumer receives the record minus that timestamp — goes into an
 * hdr-histogram (µs, 3 significant digits). The same consumer and the same clock measure both tools; only
 * the value decoding differs (DTS Avro for sluice, Debezium's JSON for the peer).
 *
 * Records whose commit timestamp is before a topic's `measureFromMs` (the warm-up) are counted but not
 * recorded.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import type { Consumer } from 'kafkajs';
import { benchKafka } from './topic-observer.js';

/** Reads the commit timestamp (epoch µs) from a record value, or null when the record carries none. */
export type CommitTimeReader = (value: Buffer) => number | null;

export interface LatencyFigures {
  /** records received (warm-up included) */
  records: number;
  /** records in the histogram */
  measured: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

interface TopicState {
  read: CommitTimeReader;
  histogram: hdr.Histogram;
  /** the measured time cut into equal windows by commit time (the last one takes any later commit) */
  windows: hdr.Histogram[];
  windowUs: number;
  records: number;
  /** records handed over again (a rebalance or retried fetch restarts from an older offset): not counted twice */
  redelivered: number;
  /** next offset per partition */
  next: Map<number, bigint>;
  measureFromUs: number;
}

const newHistogram = (): hdr.Histogram => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3 });

const HIGHEST_US = 600_000_000;
const nowUs = (): number => (performance.timeOrigin + performance.now()) * 1000;

function summarize(h: hdr.Histogram, records: number): LatencyFigures {
  const ms = (us: number): number => Number((us / 1000).toFixed(2));
  return { records, measured: h.totalCount, p50Ms: ms(h.getValueAtPercentile(50)), p99Ms: ms(h.getValueAtPercentile(99)), p999Ms: ms(h.getValueAtPercentile(99.9)), maxMs: ms(h.maxValue) };
}

export class LatencyObserver {
  private readonly topics = new Map<string, TopicState>();
  private consumer: Consumer | null = null;
  /** rebalances after the first join (each one pauses consumption: latencies around it are not the tool's) */
  rebalances = 0;

  constructor(private readonly brokers: string[]) {}

  /** Topics must be added before start(). */
  add(topic: string, read: CommitTimeReader, windows = 1): void {
    this.topics.set(topic, { read, histogram: newHistogram(), windows: Array.from({ length: windows }, newHistogram), windowUs: Number.MAX_SAFE_INTEGER, records: 0, redelivered: 0, next: new Map(), measureFromUs: Number.MAX_SAFE_INTEGER });
  }

  /** Records committed from `ms` on are measured (the ones before are the warm-up), in windows of `windowMs`. */
  measureFrom(topic: string, ms: number, windowMs: number): void {
    const s = this.state(topic);
    s.measureFromUs = ms * 1000;
    s.windowUs = windowMs * 1000;
  }

  private state(topic: string): TopicState {
    const s = this.topics.get(topic);
    if (!s) throw new Error(`the latency observer does not watch ${topic}`);
    return s;
  }

  records(topic: string): number {
    return this.state(topic).records;
  }

  redelivered(topic: string): number {
    return this.state(topic).redelivered;
  }

  /** Subscribes from the beginning of the (fresh) topics and waits until the group has its partitions. */
  async start(): Promise<void> {
    const kafka = benchKafka(this.brokers);
    // a lone member: a long session timeout so a busy machine cannot cost it its partitions (a rebalance
    // pauses consumption; the suite refuses the load's figures when one happens)
    const consumer = kafka.consumer({ groupId: `sluice-bench-latency-${randomUUID()}`, maxWaitTimeInMs: 20, minBytes: 1, maxBytes: 32 << 20, sessionTimeout: 120_000, rebalanceTimeout: 120_000, heartbeatInterval: 3000 });
    consumer.on(consumer.events.REBALANCING, () => (this.rebalances += 1));
    this.consumer = consumer;
    let joined!: () => void;
    const ready = new Promise<void>((r) => (joined = r));
    const off = consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.topics.keys()], fromBeginning: true });
    await consumer.run({
      // committed every second, so a rejoin resumes near where it was instead of at the beginning
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const received = nowUs();
        const s = this.topics.get(batch.topic);
        if (!s) return;
        for (const m of batch.messages) {
          const off = BigInt(m.offset);
          if (off < (s.next.get(batch.partition) ?? 0n)) {
            s.redelivered++;
            continue;
          }
          s.next.set(batch.partition, off + 1n);
          if (!m.value) continue;
          const committed = s.read(m.value);
          if (committed === null) continue;
          s.records++;
          if (committed < s.measureFromUs) continue;
          const lat = Math.min(Math.max(Math.round(received - committed), 1), HIGHEST_US);
          s.histogram.recordValue(lat);
          s.windows[Math.min(s.windows.length - 1, Math.floor((committed - s.measureFromUs) / s.windowUs))]!.recordValue(lat);
        }
      },
    });
    await ready;
    off();
  }

  /** percentiles over everything measured on the topic */
  figures(topic: string): LatencyFigures {
    const s = this.state(topic);
    return summarize(s.histogram, s.records);
  }

  /** percentiles per window */
  windowFigures(topic: string): LatencyFigures[] {
    const s = this.state(topic);
    return s.windows.map((h) => summarize(h, s.records));
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = null;
  }
}
