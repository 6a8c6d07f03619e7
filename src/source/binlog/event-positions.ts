/**
 * The real end offset of every binlog event, header or not. From MariaDB 11.4 on the server writes the events
 * of a transaction body (Annotate_rows, Table_map, Rows, in-transaction Query) with `end_log_pos 0`
 * (binlog_legacy_event_pos=OFF, the default), on disk and over the replication stream; only the events that
 * open or close a group (GTID, XID, Query COMMIT/DDL) and the file's own events carry a real offset. The
 * bytes are still contiguous in the file, so a body event ends where the previous event ended plus its
 * length. The gate (event-gate.ts) sees every packet, filtered or not, in stream order, and runs each header
 * through here before zongji parses it, so everything downstream (framer, checkpoints, sourcePosition) sees
 * the offsets a server with binlog_legacy_event_pos=ON would have written.
 */

const ROTATE_EVENT = 4;
const FORMAT_DESCRIPTION_EVENT = 15;
const HEARTBEAT_LOG_EVENT = 27;
const HEARTBEAT_LOG_EVENT_V2 = 41;
const BINLOG_CHECKPOINT_EVENT = 161;
const GTID_LIST_EVENT = 163;
const START_ENCRYPTION_EVENT = 164;
/** LOG_EVENT_ARTIFICIAL_F: made up by the dump thread (the Rotate that opens a dump), not read from the file */
const LOG_EVENT_ARTIFICIAL_F = 0x20;

/**
 * Events that may reach a dump without being the next bytes of the file: the Rotate and Format_description
 * that open a dump from an offset, MariaDB's fake Gtid_list / Binlog_checkpoint when a dump starts by GTID,
 * heartbeats. Their 0 is not "after the previous event", so no length is added for them.
 */
const NOT_CONTIGUOUS = new Set([ROTATE_EVENT, FORMAT_DESCRIPTION_EVENT, HEARTBEAT_LOG_EVENT, HEARTBEAT_LOG_EVENT_V2,
  BINLOG_CHECKPOINT_EVENT, GTID_LIST_EVENT, START_ENCRYPTION_EVENT]);

/** One event header's fields, as the server sent them. */
export interface EventHeaderFields {
  typeCode: number;
  flags: number;
  /** the whole event: header, body and checksum */
  eventLength: number;
  /** end_log_pos as written: 0 for a transaction body event on MariaDB ≥ 11.4 */
  nextPosition: number;
}

export class EventPositions {
  /** where the last event with a known end ended, in the current file; null until one is seen */
  private end: number | null = null;

  /**
   * The event's end offset: its own when it carries one, else the previous end plus its length; 0 when it is
   * not part of the file's byte sequence (or no position is known yet). `rotateTo`: a Rotate's payload
   * position (the offset its next event starts at in the file it names).
   */
  endOf(h: EventHeaderFields, rotateTo?: number): number {
    if (h.typeCode === ROTATE_EVENT) {
      this.end = rotateTo ?? null;
      return h.nextPosition;
    }
    if (h.typeCode === HEARTBEAT_LOG_EVENT || h.typeCode === HEARTBEAT_LOG_EVENT_V2) return h.nextPosition;
    if (h.nextPosition > 0) {
      // Offsets only grow within a file; the file's own Format_description (end 256, say) re-sent at the start
      // of a dump from a later offset must not move the tracked end back. An artificial event's offset
      // refers to the source's state, not to bytes just passed.
      if ((h.flags & LOG_EVENT_ARTIFICIAL_F) === 0) this.end = Math.max(this.end ?? 0, h.nextPosition);
      return h.nextPosition;
    }
    if (this.end === null || NOT_CONTIGUOUS.has(h.typeCode) || (h.flags & LOG_EVENT_ARTIFICIAL_F) !== 0) return 0;
    this.end += h.eventLength;
    return this.end;
  }
}
