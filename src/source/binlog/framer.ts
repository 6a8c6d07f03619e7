/**
 * Framing (DESIGN §2): gives every binlog event a sequence number and its position — the file holding it,
 * its end offset, the start of its transaction (where a restart may resume) and the transaction's GTID —
 * and says whether the stream is at a transaction boundary after it. Pure state over the events seen so
 * far; the reader feeds it zongji's events in stream order.
 *
 * Transaction shapes it follows (probed on MariaDB 10.11 and MySQL 9.7, see test/unit/binlog):
 * - MySQL:   GTID · Query BEGIN · (TableMap · rows)* · XID           — DDL: GTID · Query <ddl>
 * - MariaDB: GTID (not standalone) · (TableMap · rows)* · XID | Query COMMIT — DDL: GTID (standalone) · Query <ddl>
 * A Query inside an open transaction (SAVEPOINT …) is not a boundary; one outside is a statement group of
 * its own (DDL) and is. MariaDB ≥ 11.4 writes end_log_pos 0 inside transactions; the gate has put each event's
 * real end into its header before it gets here (event-positions.ts), so the offsets below are real there too.
 */
import { EVENT, type RawEventBase, type RawGtid, type RawMariadbGtid, type RawQuery, type RawRotate } from './binlog-event.js';

export interface BinlogPoint {
  readonly file: string;
  readonly pos: number;
}

export type FrameKind = 'rows' | 'table-map' | 'ddl' | 'commit' | 'begin' | 'rotate' | 'unsupported' | 'other';

export interface FramedEvent {
  /** increasing along this reader's stream, one per event */
  readonly seq: number;
  readonly kind: FrameKind;
  /** the binlog file holding the event */
  readonly file: string;
  /** the event's end offset in `file` (the last known offset when the header carries none) */
  readonly endPos: number;
  /** the start of the event's transaction: a restart from here replays the whole transaction */
  readonly txStart: BinlogPoint;
  /** the transaction's GTID (MySQL uuid:n, MariaDB domain-server-seq), null when GTID is off */
  readonly gtid: string | null;
  /** the session thread that wrote the transaction (from its BEGIN / DDL Query, or MariaDB's GTID), 0 if unknown */
  readonly threadId: number;
  /** event time, epoch seconds */
  readonly timestampSec: number;
  /** after this event the stream is between transactions: a checkpoint may be taken at `file:endPos` */
  readonly boundary: boolean;
  readonly event: RawEventBase;
}

const ROWS = new Set<string>([EVENT.writeRows, EVENT.updateRows, EVENT.deleteRows]);

/** What a Query event's text means for transaction framing. */
export function classifyQuery(query: string): 'begin' | 'commit' | 'ddl' | 'other' {
  const q = query.trimStart().slice(0, 16).toUpperCase();
  if (q.startsWith('BEGIN') || q.startsWith('START TRANSACTION') || q.startsWith('XA START')) return 'begin';
  if (q.startsWith('COMMIT') || q.startsWith('ROLLBACK') || q.startsWith('XA COMMIT') || q.startsWith('XA ROLLBACK')) return 'commit';
  if (q.startsWith('SAVEPOINT') || q.startsWith('XA END') || q.startsWith('RELEASE') || q.startsWith('XA PREPARE')) return 'other';
  return 'ddl';
}

/** the common header of every binlog event (v4) */
const EVENT_HEADER_BYTES = 19;

export class BinlogFramer {
  private file: string;
  private pos: number;
  private seq: number;
  /** start of the open transaction, null between transactions */
  private txStart: BinlogPoint | null = null;
  /** BEGIN seen (or a non-standalone MariaDB GTID): only COMMIT/XID ends the transaction */
  private explicit = false;
  private gtid: string | null = null;
  private threadId = 0;

  /** `trailerBytes`: what zongji's event `size` leaves out besides the header (the checksum, when on) */
  constructor(
    start: BinlogPoint,
    firstSeq = 0,
    private readonly trailerBytes: () => number = () => 0,
  ) {
    this.file = start.file;
    this.pos = start.pos;
    this.seq = firstSeq;
  }

  /**
   * Where this event began. Not always the end of the previous one: a dump started by GTID skips the
   * transactions already executed, so the event after the skip starts further on.
   */
  private startOf(event: RawEventBase, type: string, before: BinlogPoint): BinlogPoint {
    if (event.nextPosition <= 0 || event.size === undefined || type === EVENT.rotate) return before;
    const pos = event.nextPosition - event.size - EVENT_HEADER_BYTES - this.trailerBytes();
    return pos > before.pos ? { file: this.file, pos } : before;
  }

  /** Where the stream is: the end of the last event framed. */
  get position(): BinlogPoint {
    return { file: this.file, pos: this.pos };
  }

  frame(event: RawEventBase): FramedEvent {
    const type = event.getTypeName();
    const before: BinlogPoint = { file: this.file, pos: this.pos };
    const start = this.startOf(event, type, before);
    let kind: FrameKind = 'other';
    let closes = false;

    switch (type) {
      case EVENT.rotate: {
        // The payload names the next file and the offset of its first event; the header's end offset refers
        // to the old file (0 for the artificial rotate that opens every dump), so it is not adopted.
        const r = event as RawRotate;
        this.file = r.binlogName;
        this.pos = r.position;
        kind = 'rotate';
        break;
      }
      case EVENT.gtid:
      case EVENT.anonymousGtid:
      case EVENT.mariadbGtid: {
        // a new group: the previous one ended even if its commit marker was not delivered
        this.txStart = start;
        this.gtid = type === EVENT.anonymousGtid ? null : ((event as RawGtid).gtid ?? null);
        this.explicit = type === EVENT.mariadbGtid ? !(event as RawMariadbGtid).standalone : false;
        this.threadId = (event as { threadId?: number }).threadId ?? 0;
        kind = 'begin';
        break;
      }
      case EVENT.query: {
        const q = event as RawQuery;
        const what = classifyQuery(q.query);
        if (what === 'begin') {
          if (!this.txStart) this.txStart = start;
          this.explicit = true;
          this.threadId = q.slaveProxyId;
          kind = 'begin';
        } else if (what === 'commit') {
          kind = 'commit';
          closes = true;
        } else if (what === 'ddl' && !this.explicit) {
          if (!this.txStart) this.txStart = start;
          this.threadId = q.slaveProxyId;
          kind = 'ddl';
          closes = true;
        }
        break;
      }
      case EVENT.xid:
      case EVENT.xaPrepare:
        kind = 'commit';
        closes = true;
        break;
      case EVENT.tableMap:
        kind = 'table-map';
        break;
      default:
        if (ROWS.has(type)) kind = 'rows';
        else if (type === EVENT.refused) kind = 'unsupported';
    }
    // Heartbeats and artificial events carry 0 or an offset that is not an event end in this file.
    if (type !== EVENT.rotate && type !== EVENT.heartbeat && event.nextPosition > 0) this.pos = event.nextPosition;

    const framed: FramedEvent = {
      seq: this.seq++,
      kind,
      file: this.file,
      endPos: this.pos,
      txStart: this.txStart ?? before,
      gtid: this.gtid,
      threadId: this.threadId,
      timestampSec: Math.floor(event.timestamp / 1000),
      boundary: closes,
      event,
    };
    if (closes) {
      this.txStart = null;
      this.explicit = false;
      this.gtid = null;
    }
    return framed;
  }
}
