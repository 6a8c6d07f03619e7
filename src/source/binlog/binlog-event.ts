/**
 * The parts of @vlasky/zongji 0.9's event objects the binlog reader reads, as plain structural types so
 * the framing steps are pure functions a unit test can feed with literals.
 */

/** Every zongji event: its class name and the binlog header fields. */
export interface RawEventBase {
  getTypeName(): string;
  /** event time in milliseconds (the header's seconds × 1000) */
  timestamp: number;
  /** the header's end_log_pos: the offset right after this event in its binlog file (0 for artificial events) */
  nextPosition: number;
  /** zongji's size: the event's length minus its 19-byte header */
  size?: number;
}

export interface RawRotate extends RawEventBase {
  binlogName: string;
  position: number;
}

export interface RawQuery extends RawEventBase {
  query: string;
  schema: string;
  slaveProxyId: number;
}

export interface RawGtid extends RawEventBase {
  gtid?: string;
}

export interface RawMariadbGtid extends RawEventBase {
  gtid?: string;
  domainId: number;
  serverId: number;
  seqNo: number | string;
  /** a group without BEGIN/COMMIT (DDL, non-transactional statements): the next Query is the whole group */
  standalone: boolean;
}

export interface RawXid extends RawEventBase {
  xid: number | string;
}

export interface RawTableMap extends RawEventBase {
  tableId: number;
  schemaName: string;
  tableName: string;
}

export type RawRowImage = Readonly<Record<string, unknown>>;

export interface RawRowsEvent extends RawEventBase {
  tableId: number;
  /** which columns the (before) image holds, one bit per column; unset bits are columns left out */
  columns_present_bitmap?: Buffer;
  /** UpdateRows: which columns the after image holds */
  columns_present_bitmap2?: Buffer;
  /** WriteRows/DeleteRows: one image per row; UpdateRows: {before, after} per row */
  rows: ReadonlyArray<RawRowImage | { before: RawRowImage; after: RawRowImage }>;
  tableMap: Record<number, { parentSchema: string; tableName: string; columns?: ReadonlyArray<{ name: string }> }>;
}

/**
 * A rows event the reader's gate left undecoded (event-gate.ts, when the consumer decodes rows in workers):
 * its body bytes, the table map entry in force, and how many rows it holds (rows-layout.ts) so ids can be
 * reserved for them before they are decoded. `rows` is absent: the rows exist only as bytes here.
 */
export interface RawRowsBytes extends RawEventBase {
  tableId: number;
  columns_present_bitmap: Buffer;
  columns_present_bitmap2?: Buffer;
  tableMap: RawRowsEvent['tableMap'];
  /** the binlog type code (WRITE/UPDATE/DELETE_ROWS, v1 or v2) */
  typeCode: number;
  /** the bytes after the common header, checksum removed (a copy: it outlives the packet) */
  body: Buffer;
  rowCount: number;
}

/** Whether a rows event arrived as bytes (RawRowsBytes) rather than decoded rows. */
export function isRowsBytes(e: RawEventBase): e is RawRowsBytes {
  return (e as Partial<RawRowsBytes>).body !== undefined;
}

/** zongji's class names (getTypeName()) the reader handles. */
export const EVENT = {
  rotate: 'Rotate',
  format: 'Format',
  gtid: 'Gtid',
  anonymousGtid: 'AnonymousGtid',
  mariadbGtid: 'MariadbGtid',
  query: 'Query',
  xid: 'Xid',
  xaPrepare: 'XaPrepare',
  tableMap: 'TableMap',
  writeRows: 'WriteRows',
  updateRows: 'UpdateRows',
  deleteRows: 'DeleteRows',
  heartbeat: 'Heartbeat',
  /** not zongji's: an event the reader's gate (event-gate.ts) refuses, by its type name */
  refused: 'Refused',
} as const;

/** An event sluice cannot decode, handed on by the gate so the reader stops on it in stream order. */
export interface RawRefused extends RawEventBase {
  /** the server's name for the event type (event-types.ts) */
  typeName: string;
}

/**
 * zongji's includeEvents names (lower-cased class names) the reader asks for. Everything else (IntVar,
 * RowsQuery, AnnotateRows, ignorable events) carries no row change and no transaction boundary, so zongji may
 * skip parsing it. The events a binlog file opens with (MySQL's Previous_gtids, MariaDB's Gtid_list and
 * Binlog_checkpoint) carry none either, but they are asked for so the reader's position passes them: a new
 * file (after a server restart or FLUSH LOGS) ends there while the source is idle, and a reader left at the
 * Format_description before them never reached the server's end, so the lag kept growing. Event types zongji does not know never reach it: the
 * gate (event-gate.ts) decodes or refuses them by type code, as it does TRANSACTION_PAYLOAD and
 * PARTIAL_UPDATE_ROWS.
 */
export const INCLUDED_EVENTS: readonly string[] = [
  'rotate',
  'format',
  'gtid',
  'anonymousgtid',
  'mariadbgtid',
  'query',
  'xid',
  'xaprepare',
  'tablemap',
  'writerows',
  'updaterows',
  'deleterows',
  'heartbeat',
  'previousgtids',
  'mariadbgtidlist',
  'binlogcheckpoint',
];
