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
  /** WriteRows/DeleteRows: one image per row; UpdateRows: {before, after} per row */
  rows: ReadonlyArray<RawRowImage | { before: RawRowImage; after: RawRowImage }>;
  tableMap: Record<number, { parentSchema: string; tableName: string; columns?: ReadonlyArray<{ name: string }> }>;
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
  transactionPayload: 'TransactionPayload',
  partialUpdateRows: 'PartialUpdateRows',
} as const;

/**
 * zongji's includeEvents names (lower-cased class names) the reader asks for. Everything else (IntVar,
 * RowsQuery, AnnotateRows, PreviousGtids, GTID lists, checkpoints, Unknown) carries no row change and no
 * transaction boundary, so zongji may skip parsing it. TRANSACTION_PAYLOAD and PARTIAL_UPDATE_ROWS are asked
 * for so the reader sees them (with their positions) and stops instead of letting zongji drop their rows.
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
  'transactionpayload',
  'partialupdaterows',
];
