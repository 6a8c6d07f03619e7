/**
 * How far sluice is behind the source, also on an idle source (DESIGN §5, issue 6 "heartbeat").
 *
 * The binlog carries event times only when the source writes: on an idle source "now − time of the last
 * event" grows forever although nothing is missing. So every `heartbeat.intervalMs` the server's binlog end
 * is read (SHOW BINARY LOG STATUS / SHOW MASTER STATUS, a connection of its own: a probe). sluice is caught
 * up when, once the probe answers, the reader is at (or past) that end and Kafka has acknowledged every batch
 * issued; everything the source committed before the probe started is then in Kafka. The lag is
 *   0                          while the last probe found sluice caught up and nothing was read since;
 *   now − max(T, caughtUpAt)   otherwise, where T is the event time of the oldest record Kafka has not
 *                              acknowledged, else of the last transaction event read, and caughtUpAt is
 *                              when the last probe that found sluice caught up started.
 * Every change sluice has not delivered was committed after max(T, caughtUpAt), so the lag never reads low;
 * it reads at most one probe interval high when the source starts writing after a quiet spell. Binlog event
 * times are whole seconds, so T is too.
 *
 * Why a probe rather than the server's own binlog heartbeats (MASTER_HEARTBEAT_PERIOD): @vlasky/zongji 0.9
 * has no way to set the period on its connection before the dump starts, and a heartbeat received only says
 * the reader has read everything, not that Kafka acknowledged it.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { SourceConfig } from '../../config/index.js';
import type { EncodedBatch } from '../../model/encoded-batch.js';
import { EVENT } from '../../source/binlog/index.js';
import type { FrameKind, FramedEvent } from '../../source/binlog/index.js';
import { openConnection } from '../../source/mysql/connect.js';
import type { Dialect } from '../../source/mysql/dialect.js';

/** Where the server's binlog ends. */
export type ServerPositionProbe = () => Promise<{ file: string; pos: number }>;

/** A probe (File, Position of the dialect's binlog status statement) on a connection of its own, reopened after an error. */
export function serverPositionProbe(source: SourceConfig, dialect: Dialect): { probe: ServerPositionProbe; close: () => void } {
  let conn: Promise<Connection> | null = null;
  return {
    async probe() {
      const c = (conn ??= openConnection(source));
      try {
        const [rows] = await (await c).query<RowDataPacket[]>(dialect.binlogStatusSql);
        const r = rows[0];
        if (!r?.File) throw new Error('no binlog position');
        return { file: String(r.File), pos: Number(r.Position) };
      } catch (e) {
        conn = null;
        void c.then((x) => x.destroy()).catch(() => undefined);
        throw e;
      }
    },
    close() {
      void conn?.then((x) => x.destroy()).catch(() => undefined);
      conn = null;
    },
  };
}

/** Events that carry the time of a change (rotate, format description and heartbeat events do not). */
const TIMED = new Set<FrameKind>(['begin', 'table-map', 'rows', 'commit', 'ddl']);

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Binlog file names share a base and a fixed-width sequence number: their order is length, then string order. */
export function atOrAfter(a: { file: string; pos: number }, b: { file: string; pos: number }): boolean {
  return a.file === b.file ? a.pos >= b.pos : a.file.length === b.file.length ? a.file > b.file : a.file.length > b.file.length;
}

/**
 * The position a binlog heartbeat reports. A MySQL dump by GTID skips the transactions already in the set
 * server-side and sends a heartbeat carrying the file and the position past them (seen on MySQL 9.7 after a
 * resume by GTID); the framer keeps the last event's end, which would leave the reader short of the server's
 * end on an idle source for good.
 */
function heartbeatPosition(ev: FramedEvent): { file: string; pos: number } | null {
  if (ev.event.getTypeName() !== EVENT.heartbeat) return null;
  const hb = ev.event as { binlogName?: string; nextPosition: number };
  if (!hb.binlogName || hb.nextPosition <= 0 || hb.binlogName !== ev.file || hb.nextPosition < ev.endPos) return null;
  return { file: hb.binlogName, pos: hb.nextPosition };
}

export class LagClock {
  /** the end of the last event read */
  private position: { file: string; pos: number } | null = null;
  /** the event time (ms) of the last transaction event read */
  private readTimeMs = 0;
  /** batches issued and not acknowledged → the event time (ms) of their first record */
  private readonly outstanding = new Map<EncodedBatch, number>();
  private reads = 0;
  private caught = false;
  private caughtAtMs: number | null = null;
  private caughtAtEnd: { file: string; pos: number } | null = null;
  private probing = false;
  private timer: NodeJS.Timeout | null = null;
  probes = { ok: 0, failed: 0, lastError: null as string | null };

  constructor(
    private readonly probe: ServerPositionProbe,
    private readonly now: () => number = Date.now,
  ) {}

  /** Probes every `everyMs` until close() (0: never; the lag then only follows event times). */
  start(everyMs: number): void {
    if (everyMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.probeOnce(), everyMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Every event the reader hands over. */
  read(ev: FramedEvent): void {
    this.position = heartbeatPosition(ev) ?? { file: ev.file, pos: ev.endPos };
    this.reads++;
    this.caught = false;
    if (ev.timestampSec > 0 && TIMED.has(ev.kind)) this.readTimeMs = ev.timestampSec * 1000;
  }

  issued(b: EncodedBatch): void {
    if (b.count === 0) return;
    this.outstanding.set(b, b.timestamps[0] ?? this.readTimeMs);
    this.caught = false;
  }

  acked(b: EncodedBatch): void {
    this.outstanding.delete(b);
  }

  /** Compares the reader's position with the server's binlog end. */
  async probeOnce(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    const startedAt = this.now();
    try {
      const end = await this.probe();
      this.probes.ok++;
      // Records of events already read are handed to the sink by a cut the change stream schedules with
      // setImmediate: let it run (twice, for a cut scheduled by an event handled in between) before counting
      // what is unacknowledged. Events read meanwhile (a busy source) do not matter: the reader is then past
      // the server's end as the probe saw it.
      await nextTurn();
      await nextTurn();
      this.caught = this.position !== null && atOrAfter(this.position, end) && this.outstanding.size === 0;
      if (this.caught) {
        this.caughtAtMs = startedAt;
        this.caughtAtEnd = end;
      }
    } catch (e) {
      this.probes.failed++;
      this.probes.lastError = (e as Error).message;
      this.caught = false;
    } finally {
      this.probing = false;
    }
  }

  /** Whether the last probe found every change the source had committed acknowledged by Kafka, and nothing was read since (lag 0). */
  get caughtUp(): boolean {
    return this.caught;
  }

  /**
   * When the last probe that found sluice caught up started (ms), or null: every change the source committed
   * before then is acknowledged by Kafka (what a HEARTBEAT record states).
   */
  get caughtUpAtMs(): number | null {
    return this.caughtAtMs;
  }

  /** The server's binlog end the last caught-up probe saw (a transaction boundary), or null. */
  get caughtUpPosition(): { file: string; pos: number } | null {
    return this.caughtAtEnd;
  }

  /** The reader's position (the end of the last event read). */
  get readerPosition(): { file: string; pos: number } | null {
    return this.position;
  }

  /** Milliseconds behind the source (see the module comment), or null while nothing is known. */
  lagMs(): number | null {
    if (this.caught) return 0;
    let t = this.readTimeMs > 0 ? this.readTimeMs : null;
    for (const ts of this.outstanding.values()) if (t === null || ts < t) t = ts;
    if (this.caughtAtMs !== null && (t === null || this.caughtAtMs > t)) t = this.caughtAtMs;
    return t === null ? null : Math.max(0, this.now() - t);
  }
}
