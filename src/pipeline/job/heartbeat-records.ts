/**
 * HEARTBEAT records (DESIGN §3: only where the job asks for them, `heartbeat.records: true`), so a consumer of
 * a quiet topic still learns how far the source has been read. One record per topic of the job, on partition
 * 0: a heartbeat names no table, and DESIGN §4 sends records that name no table to partition 0.
 *
 * A heartbeat is written only when the lag clock found sluice caught up: every change the source committed
 * before its sourceTimestamp is already acknowledged by Kafka, on every partition.
 *
 * Its id is 0 (HEARTBEAT_ID), an id no change has (schema records start at 1): a heartbeat cannot take an id
 * of the stream, because ids are recomputed from the checkpoint on replay (state/record-ids.ts) and a heartbeat,
 * which depends on timing, is not replayed; and reusing the id of the change before it would let a consumer
 * that drops ids it has seen (README: replayed changes keep their ids) drop that change instead.
 */
import { AvroWriter, buildHeartbeatRecord, encodeRecord, pointPlace, recordHeader } from '../../format/dts-avro/index.js';
import type { LagClock } from './lag-clock.js';
import { EncodedBatchBuilder, type EncodedBatch } from '../../model/encoded-batch.js';

/** The id of every HEARTBEAT record. */
export const HEARTBEAT_ID = 0;

export interface HeartbeatInput {
  /** every topic the job writes to */
  topics: readonly string[];
  /** a time (ms) before which every change of the source is acknowledged by Kafka */
  completeUpToMs: number;
  /** the reader's position then (a transaction boundary: the server's binlog end) */
  position: { file: string; pos: number };
  gtid: string | null;
  serverVersion: string;
  serverId: number;
}

/** One single-record batch per topic, for partition 0. */
export function heartbeatBatches(h: HeartbeatInput, writer = new AvroWriter()): EncodedBatch[] {
  const value = encodeRecord(buildHeartbeatRecord(recordHeader(HEARTBEAT_ID, pointPlace(h.position.file, h.position.pos, Math.floor(h.completeUpToMs / 1000)), h)), writer);
  return h.topics.map((topic) => {
    const b = new EncodedBatchBuilder(value.length, 1);
    b.add(null, value, h.completeUpToMs);
    return {
      topic,
      partition: 0,
      firstSeq: HEARTBEAT_ID,
      lastSeq: HEARTBEAT_ID,
      ...b.take(),
      endPosition: { kind: 'binlog', file: h.position.file, pos: h.position.pos, ...(h.gtid ? { gtid: h.gtid } : {}), txBoundary: true },
    };
  });
}

export interface HeartbeatWriterOptions {
  /** heartbeat.records */
  enabled: boolean;
  /** heartbeat.intervalMs: at most one heartbeat per interval, and only after an interval without records */
  everyMs: number;
  topics: readonly string[];
  serverVersion: string;
  serverId: number;
  clock: LagClock;
  /** the sink (a heartbeat bypasses the ack tracker: it holds no change a checkpoint must wait for) */
  write: (b: EncodedBatch) => Promise<void>;
}

/** Decides when to write heartbeats; runIncremental tells it of record batches and calls tick() on its timer. */
export class HeartbeatWriter {
  private readonly mine = new WeakSet<EncodedBatch>();
  private readonly writer = new AvroWriter();
  private lastRecordsAt = 0;
  private lastProbeAt = 0;
  private lastWrittenAt = 0;

  constructor(private readonly o: HeartbeatWriterOptions) {}

  /** A batch of changes went to the sink: the topic is not quiet. */
  recordsIssued(now = Date.now()): void {
    this.lastRecordsAt = now;
  }

  /** Whether an acknowledged batch is a heartbeat (not a change). */
  owns(b: EncodedBatch): boolean {
    return this.mine.has(b);
  }

  /** Writes a heartbeat per topic when one is due; a failed write goes to `fail`. */
  tick(now: number, gtid: string | null, fail: (e: Error) => void): void {
    const at = this.o.clock.caughtUpAtMs;
    const pos = this.o.clock.caughtUpPosition;
    if (!this.o.enabled || at === null || !pos || at <= this.lastProbeAt) return;
    if (now - this.lastWrittenAt < this.o.everyMs || now - this.lastRecordsAt < this.o.everyMs) return;
    this.lastProbeAt = at;
    this.lastWrittenAt = now;
    const input = { topics: this.o.topics, completeUpToMs: at, position: pos, gtid, serverVersion: this.o.serverVersion, serverId: this.o.serverId };
    for (const b of heartbeatBatches(input, this.writer)) {
      this.mine.add(b);
      this.o.write(b).catch((e: unknown) => fail(e as Error));
    }
  }
}
