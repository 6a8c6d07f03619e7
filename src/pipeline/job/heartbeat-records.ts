/**
 * HEARTBEAT records (DESIGN §3: only where the job asks for them, `heartbeat.records: true`), so a consumer of
 * a quiet topic still learns how far the source has been read. One record per topic of the job, on partition
 * 0: a heartbeat names no table, and DESIGN §4 sends records that name no table to partition 0.
 *
 * A heartbeat is written only when the lag clock found sluice caught up: every change the source committed
 * before its sourceTimestamp is already acknowledged by Kafka, on every partition.
 *
 * Its id is 0 (HEARTBEAT_ID), an id no change has (schema records start at 1): a heartbeat cannot take an id
 * of the stream, because ids are recomputed from the checkpoint on replay (record-ids.ts) and a heartbeat,
 * which depends on timing, is not replayed; and reusing the id of the change before it would let a consumer
 * that drops ids it has seen (README: replayed changes keep their ids) drop that change instead.
 */
import { AvroWriter, buildHeartbeatRecord, dtsPosition, encodeRecord } from '../../format/dts-avro/index.js';
import { EncodedBatchBuilder, type EncodedBatch } from '../../model/encoded-batch.js';

/** The id of every HEARTBEAT record. */
export const HEARTBEAT_ID = 0;

export interface HeartbeatInput {
  /** every topic the job writes to */
  topics: readonly string[];
  /** the id of the last change issued before the heartbeat (the batch's sequence number, for ordering) */
  lastId: number;
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
  const at = dtsPosition(h.position.file, h.position.pos);
  const value = encodeRecord(
    buildHeartbeatRecord({
      id: HEARTBEAT_ID,
      sourceTimestamp: Math.floor(h.completeUpToMs / 1000),
      sourcePosition: at,
      safeSourcePosition: at,
      sourceTxid: '0',
      serverVersion: h.serverVersion,
      threadId: 0,
      serverId: h.serverId,
      readerThroughoutTime: 0,
    }),
    writer,
  );
  return h.topics.map((topic) => {
    const b = new EncodedBatchBuilder(value.length, 1);
    b.add(null, value, h.completeUpToMs);
    return {
      topic,
      partition: 0,
      firstSeq: h.lastId,
      lastSeq: h.lastId,
      ...b.take(),
      endPosition: { kind: 'binlog', file: h.position.file, pos: h.position.pos, ...(h.gtid ? { gtid: h.gtid } : {}), txBoundary: true },
    };
  });
}
