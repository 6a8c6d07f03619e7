/**
 * The one builder of DTS record headers (DESIGN §3): every record — snapshot INIT rows, binlog rows, DDL,
 * heartbeats — says where it comes from the same way. A binlog record names its event's end and its
 * transaction's start; a snapshot row or a heartbeat names one point, and no transaction ("0").
 */
import { dtsPosition, type ChangeHeader } from './record.js';

/** Where a record comes from in the source's binlog stream. */
export interface RecordPlace {
  /** the event time (a snapshot row: when the snapshot started; a heartbeat: the time it vouches for), epoch s */
  timestampSec: number;
  /** the binlog file and offset of the event's end */
  file: string;
  endPos: number;
  /** the start of its transaction, where a restart may resume (a point: the same as the end) */
  txFile: string;
  txPos: number;
  /** the transaction's GTID, null when none */
  gtid: string | null;
  threadId: number;
}

/** The server the records come from. */
export interface RecordSource {
  serverVersion: string;
  serverId: number;
}

export type MutableHeader = { -readonly [K in keyof ChangeHeader]: ChangeHeader[K] };

/** A header for record `id` (rows of one event share one header object; their writer sets `id` per row). */
export function recordHeader(id: number, place: RecordPlace, source: RecordSource): MutableHeader {
  return {
    id,
    sourceTimestamp: place.timestampSec,
    sourcePosition: dtsPosition(place.file, place.endPos),
    safeSourcePosition: dtsPosition(place.txFile, place.txPos),
    sourceTxid: place.gtid ?? '0',
    serverVersion: source.serverVersion,
    threadId: place.threadId,
    serverId: source.serverId,
    readerThroughoutTime: Date.now(),
  };
}

/** A place that is one point of the binlog, outside any transaction: a snapshot's start, a heartbeat's position. */
export function pointPlace(file: string, pos: number, timestampSec: number): RecordPlace {
  return { timestampSec, file, endPos: pos, txFile: file, txPos: pos, gtid: null, threadId: 0 };
}
