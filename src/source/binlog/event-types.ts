/**
 * Every binlog event type code MySQL 9.x and MariaDB 10.11 may send, and what sluice does with it (DESIGN §5:
 * every event is decoded or refused). zongji maps a code it does not know to an `Unknown` event that sluice's
 * includeEvents filter would drop without a word, so the decision is taken here on the raw type code, before
 * zongji sees the packet (event-gate.ts).
 *
 * - 'zongji':   zongji decodes it (or it carries neither a row change nor a transaction boundary, so zongji
 *               may parse or skip it as includeEvents says).
 * - 'payload':  TRANSACTION_PAYLOAD: sluice decompresses it and feeds the inner events back through zongji.
 * - 'partial':  PARTIAL_UPDATE_ROWS: sluice decodes it (partial-update-rows.ts).
 * - 'refuse':   an event whose row changes sluice cannot read: the job stops with its position and kind.
 *
 * Codes not listed are refused unless the server flagged the event LOG_EVENT_IGNORABLE_F, which by protocol a
 * reader that does not know the type may skip (it is how servers add informational events).
 */

export type EventTreatment = 'zongji' | 'payload' | 'partial' | 'refuse';

interface EventType {
  readonly name: string;
  readonly treatment: EventTreatment;
}

export const TRANSACTION_PAYLOAD_EVENT = 40;
export const TABLE_MAP_EVENT = 19;
export const ROTATE_EVENT = 4;
export const PARTIAL_UPDATE_ROWS_EVENT = 39;
/** LOG_EVENT_IGNORABLE_F in the common header's flags */
export const LOG_EVENT_IGNORABLE_F = 0x80;

const TYPES: Readonly<Record<number, EventType>> = {
  0: { name: 'UNKNOWN_EVENT', treatment: 'refuse' },
  1: { name: 'START_EVENT_V3', treatment: 'refuse' },
  2: { name: 'QUERY_EVENT', treatment: 'zongji' },
  // written when the server shuts down; the next file follows after a rotate
  3: { name: 'STOP_EVENT', treatment: 'zongji' },
  4: { name: 'ROTATE_EVENT', treatment: 'zongji' },
  // INTVAR/RAND/USER_VAR only accompany a statement-logged Query, which the framer refuses itself
  5: { name: 'INTVAR_EVENT', treatment: 'zongji' },
  6: { name: 'LOAD_EVENT', treatment: 'refuse' },
  7: { name: 'SLAVE_EVENT', treatment: 'refuse' },
  8: { name: 'CREATE_FILE_EVENT', treatment: 'refuse' },
  9: { name: 'APPEND_BLOCK_EVENT', treatment: 'refuse' },
  10: { name: 'EXEC_LOAD_EVENT', treatment: 'refuse' },
  11: { name: 'DELETE_FILE_EVENT', treatment: 'refuse' },
  12: { name: 'NEW_LOAD_EVENT', treatment: 'refuse' },
  13: { name: 'RAND_EVENT', treatment: 'zongji' },
  14: { name: 'USER_VAR_EVENT', treatment: 'zongji' },
  15: { name: 'FORMAT_DESCRIPTION_EVENT', treatment: 'zongji' },
  16: { name: 'XID_EVENT', treatment: 'zongji' },
  17: { name: 'BEGIN_LOAD_QUERY_EVENT', treatment: 'refuse' },
  18: { name: 'EXECUTE_LOAD_QUERY_EVENT', treatment: 'refuse' },
  19: { name: 'TABLE_MAP_EVENT', treatment: 'zongji' },
  20: { name: 'PRE_GA_WRITE_ROWS_EVENT', treatment: 'refuse' },
  21: { name: 'PRE_GA_UPDATE_ROWS_EVENT', treatment: 'refuse' },
  22: { name: 'PRE_GA_DELETE_ROWS_EVENT', treatment: 'refuse' },
  23: { name: 'WRITE_ROWS_EVENT_V1', treatment: 'zongji' },
  24: { name: 'UPDATE_ROWS_EVENT_V1', treatment: 'zongji' },
  25: { name: 'DELETE_ROWS_EVENT_V1', treatment: 'zongji' },
  // the server could not write some events: rows may be missing from the binlog
  26: { name: 'INCIDENT_EVENT', treatment: 'refuse' },
  27: { name: 'HEARTBEAT_LOG_EVENT', treatment: 'zongji' },
  28: { name: 'IGNORABLE_LOG_EVENT', treatment: 'zongji' },
  29: { name: 'ROWS_QUERY_LOG_EVENT', treatment: 'zongji' },
  30: { name: 'WRITE_ROWS_EVENT', treatment: 'zongji' },
  31: { name: 'UPDATE_ROWS_EVENT', treatment: 'zongji' },
  32: { name: 'DELETE_ROWS_EVENT', treatment: 'zongji' },
  33: { name: 'GTID_LOG_EVENT', treatment: 'zongji' },
  34: { name: 'ANONYMOUS_GTID_LOG_EVENT', treatment: 'zongji' },
  35: { name: 'PREVIOUS_GTIDS_LOG_EVENT', treatment: 'zongji' },
  // group replication bookkeeping: no row change, no boundary
  36: { name: 'TRANSACTION_CONTEXT_EVENT', treatment: 'zongji' },
  37: { name: 'VIEW_CHANGE_EVENT', treatment: 'zongji' },
  38: { name: 'XA_PREPARE_LOG_EVENT', treatment: 'zongji' },
  39: { name: 'PARTIAL_UPDATE_ROWS_EVENT', treatment: 'partial' },
  40: { name: 'TRANSACTION_PAYLOAD_EVENT', treatment: 'payload' },
  41: { name: 'HEARTBEAT_LOG_EVENT_V2', treatment: 'zongji' },
  42: { name: 'GTID_TAGGED_LOG_EVENT', treatment: 'zongji' },
  160: { name: 'ANNOTATE_ROWS_EVENT', treatment: 'zongji' },
  161: { name: 'BINLOG_CHECKPOINT_EVENT', treatment: 'zongji' },
  162: { name: 'GTID_EVENT', treatment: 'zongji' },
  163: { name: 'GTID_LIST_EVENT', treatment: 'zongji' },
  164: { name: 'START_ENCRYPTION_EVENT', treatment: 'zongji' },
  165: { name: 'QUERY_COMPRESSED_EVENT', treatment: 'zongji' },
  166: { name: 'WRITE_ROWS_COMPRESSED_EVENT_V1', treatment: 'zongji' },
  167: { name: 'UPDATE_ROWS_COMPRESSED_EVENT_V1', treatment: 'zongji' },
  168: { name: 'DELETE_ROWS_COMPRESSED_EVENT_V1', treatment: 'zongji' },
  169: { name: 'WRITE_ROWS_COMPRESSED_EVENT', treatment: 'zongji' },
  170: { name: 'UPDATE_ROWS_COMPRESSED_EVENT', treatment: 'zongji' },
  171: { name: 'DELETE_ROWS_COMPRESSED_EVENT', treatment: 'zongji' },
};

/** The event type's name as the server's sources spell it (`type 201` for a code no server defines yet). */
export function eventTypeName(code: number): string {
  return TYPES[code]?.name ?? `type ${code}`;
}

/** What sluice does with an event of this type code and header flags. */
export function eventTreatment(code: number, flags: number): EventTreatment {
  const t = TYPES[code];
  if (t) return t.treatment;
  return (flags & LOG_EVENT_IGNORABLE_F) !== 0 ? 'zongji' : 'refuse';
}
