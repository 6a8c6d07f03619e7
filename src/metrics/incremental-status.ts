/**
 * What `sluice status` shows while the job follows the binlog (DESIGN §5, issue 8): the position, GTID and
 * time of the last event read, the lag behind the source, rows in, the sink's counters and end-to-end
 * latency percentiles (hdr-histogram-js). runIncremental calls three hooks — `event` for every framed event,
 * `issued` for every batch handed to the sink, `acked` for every batch Kafka acknowledged — each O(1) or
 * O(distinct timestamps in the batch); the rest is computed when the status is published (once a second).
 *
 * Lag is MySQL's Seconds_Behind_Master idea: now − the event time of the last event read (binlog event times
 * are whole seconds, so the figure is in whole seconds). An idle source writes no events, so that figure
 * would grow forever: every `heartbeat.intervalMs` the server's binlog end is read (SHOW BINARY LOG STATUS /
 * SHOW MASTER STATUS on a connection of its own) and, when the reader had read up to it, lag is 0 until a
 * newer event is read.
 *
 * Latency is per record, ack time − source event time; since event times are whole seconds it reads up to
 * 1 s high (a change committed at 12:00:00.900 counts from 12:00:00.000). A second histogram with ms
 * precision measures from the time the reader handed the batch's first event to the change stream to its ack
 * (sluice's own share: decode, batch, produce, ack). Both cover the last one to two minutes.
 */
import * as hdr from 'hdr-histogram-js';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { JobConfig } from '../config/index.js';
import type { EncodedBatch } from '../model/encoded-batch.js';
import { EVENT, type RawRowsEvent } from '../source/binlog/binlog-event.js';
import type { FrameKind, FramedEvent } from '../source/binlog/framer.js';
import { openConnection } from '../source/mysql/connect.js';
import type { Dialect } from '../source/mysql/dialect.js';
import type { JobStatus, StatusPublisher } from './job-status.js';

/** The hooks runIncremental calls (IncrementalArgs.status). */
export interface IncrementalHooks {
  /** every framed event, in stream order, as it is handed to the change stream */
  event(ev: FramedEvent): void;
  /** a batch is handed to the sink */
  issued(b: EncodedBatch): void;
  /** Kafka acknowledged a batch */
  acked(b: EncodedBatch): void;
  /** the incremental phase's sink (its counters go to the status) */
  useSink(sink: { readonly stats: SinkCounters }): void;
}

interface SinkCounters {
  queuedBytes: number;
  requestsInFlight: number;
  retries: number;
  recordsAcked: number;
}

const WINDOW_MS = 60_000;
const OP: Record<string, string> = { [EVENT.writeRows]: 'INSERT', [EVENT.updateRows]: 'UPDATE', [EVENT.deleteRows]: 'DELETE' };
const TIMED = new Set<FrameKind>(['begin', 'table-map', 'rows', 'commit', 'ddl']);
/** 1 ms .. 1 day, 3 significant digits */
const HIGHEST_MS = 86_400_000;

let wasmReady: Promise<boolean> | null = null;
/** Loads hdr-histogram-js's WebAssembly build once; false (the JS build is used) if it cannot load. */
export function initHistograms(): Promise<boolean> {
  return (wasmReady ??= hdr.initWebAssembly().then(
    () => true,
    () => false,
  ));
}

function newHistogram(wasm: boolean): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_MS, numberOfSignificantValueDigits: 3, useWebAssembly: wasm });
}

/** Two alternating histograms: what was recorded in the current and the previous minute. */
export class WindowedHistogram {
  private cur: hdr.Histogram;
  private prev: hdr.Histogram;
  private rotatedAt = Date.now();
  total = 0;

  constructor(private readonly wasm: boolean) {
    this.cur = newHistogram(wasm);
    this.prev = newHistogram(wasm);
  }

  record(ms: number, count: number): void {
    const v = ms < 1 ? 1 : ms > HIGHEST_MS ? HIGHEST_MS : Math.round(ms);
    this.cur.recordValueWithCount(v, count);
    this.total += count;
  }

  /** p50/p99/p999 in ms over the last one to two windows, null when nothing was recorded there. */
  percentiles(now = Date.now()): { p50: number; p99: number; p999: number; samples: number } | null {
    if (now - this.rotatedAt >= WINDOW_MS) {
      const old = this.prev;
      old.reset();
      this.prev = this.cur;
      this.cur = old;
      this.rotatedAt = now;
    }
    const samples = this.cur.totalCount + this.prev.totalCount;
    if (samples === 0) return null;
    const both = newHistogram(this.wasm);
    try {
      both.add(this.prev);
      both.add(this.cur);
      return { p50: both.getValueAtPercentile(50), p99: both.getValueAtPercentile(99), p999: both.getValueAtPercentile(99.9), samples };
    } finally {
      both.destroy();
    }
  }

  destroy(): void {
    this.cur.destroy();
    this.prev.destroy();
  }
}

/** Where the server's binlog ends (File, Position of the dialect's binlog status statement). */
export type ServerPositionProbe = () => Promise<{ file: string; pos: number }>;

/** A probe on a connection of its own, reopened after an error; close() ends it. */
export function serverPositionProbe(job: JobConfig, dialect: Dialect): { probe: ServerPositionProbe; close: () => void } {
  let conn: Promise<Connection> | null = null;
  return {
    async probe() {
      const c = (conn ??= openConnection(job.source));
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

/** Binlog file names share a base and a fixed-width sequence number: their order is string order. */
function atOrAfter(a: { file: string; pos: number }, b: { file: string; pos: number }): boolean {
  return a.file === b.file ? a.pos >= b.pos : a.file.length === b.file.length ? a.file > b.file : a.file.length > b.file.length;
}

export interface IncrementalStatusOptions {
  /** how often the server's binlog end is read for the idle-source lag (0: never) */
  probeEveryMs: number;
  probe?: ServerPositionProbe;
  /** the sink's byte budget, shown as the buffer size */
  bufferBytes?: number;
}

/** Feeds a StatusPublisher during the incremental phase; the hooks go to runIncremental. */
export class IncrementalStatus implements IncrementalHooks {
  private readonly status: StatusPublisher;
  private readonly base: { rowsIn: number; acked: number };
  private readonly eventLatency: WindowedHistogram;
  private readonly readerLatency: WindowedHistogram;
  private readonly receivedAt = new WeakMap<EncodedBatch, number>();
  private timer: NodeJS.Timeout | null = null;
  private probing = false;
  private closed = false;
  /** the last event read */
  private last: { file: string; pos: number; gtid: string | null } | null = null;
  /** the event time of the last transaction event read (begin, table map, rows, commit, DDL), ms */
  private lastTimeMs = 0;
  /** the last probe found the reader at (or past) the server's binlog end: lag 0 until a newer event is read */
  private atServerEnd = false;
  /** the reader handed over an event since the last batch went to the sink; when the first of them arrived */
  private openSince: number | null = null;
  rowsIn = 0;
  /** row changes read, by `db.table` and operation (before the row filter) */
  readonly rowsByTable = new Map<string, { table: string; op: string; rows: number }>();
  probes = { ok: 0, failed: 0, lastError: null as string | null };

  private constructor(status: StatusPublisher, wasm: boolean, private readonly o: IncrementalStatusOptions) {
    this.status = status;
    const t = status.snapshot().totals;
    this.base = { rowsIn: t.rowsIn, acked: t.recordsAcked };
    this.eventLatency = new WindowedHistogram(wasm);
    this.readerLatency = new WindowedHistogram(wasm);
    status.use({
      binlog: () => this.binlog(),
      rowsIn: () => this.base.rowsIn + this.rowsIn,
      latency: () => this.latency(),
      binlogRows: () => [...this.rowsByTable.values()].map((r) => ({ ...r })),
    });
    if (o.probe && o.probeEveryMs > 0) {
      this.timer = setInterval(() => void this.probeOnce(), o.probeEveryMs);
      this.timer.unref();
    }
  }

  /** Starts feeding `status` (totals continue from the snapshot's). */
  static async create(status: StatusPublisher, o: IncrementalStatusOptions): Promise<IncrementalStatus> {
    return new IncrementalStatus(status, await initHistograms(), o);
  }

  event(ev: FramedEvent): void {
    if (ev.kind === 'rows') {
      const e = ev.event as RawRowsEvent;
      const n = e.rows.length;
      this.rowsIn += n;
      const m = e.tableMap[e.tableId];
      const op = OP[e.getTypeName()] ?? e.getTypeName();
      const key = `${m?.parentSchema}.${m?.tableName}/${op}`;
      const c = this.rowsByTable.get(key);
      if (c) c.rows += n;
      else this.rowsByTable.set(key, { table: `${m?.parentSchema}.${m?.tableName}`, op, rows: n });
      this.openSince ??= Date.now();
    }
    this.last = { file: ev.file, pos: ev.endPos, gtid: ev.gtid };
    // Rotate, format description and heartbeat events carry no time of a change (the format description
    // sent at connect has the file's creation time): only transaction events set the lag.
    if (ev.timestampSec > 0 && TIMED.has(ev.kind)) {
      this.lastTimeMs = ev.timestampSec * 1000;
      this.atServerEnd = false;
    }
  }

  issued(b: EncodedBatch): void {
    // Every batch of one cut holds records of events handed over since the previous cut (the stream cuts
    // them all at once), so they share the first one's time. Row events whose rows the filter dropped leave
    // the mark open: it is never older than the batch's own newest event time.
    const ts = b.timestamps;
    const newest = ts.length ? (ts[ts.length - 1] as number) : 0;
    const since = this.openSince === null ? Date.now() : Math.max(this.openSince, newest);
    this.receivedAt.set(b, since);
    this.openSince = null;
  }

  acked(b: EncodedBatch): void {
    if (b.count === 0) return;
    const now = Date.now();
    const ts = b.timestamps;
    if (ts.length === 1) this.eventLatency.record(now - (ts[0] as number), b.count);
    else {
      // records of one batch share few distinct event seconds: one recordValue per run of equal times
      let i = 0;
      while (i < ts.length) {
        const t = ts[i] as number;
        let j = i + 1;
        while (j < ts.length && ts[j] === t) j++;
        this.eventLatency.record(now - t, j - i);
        i = j;
      }
    }
    const at = this.receivedAt.get(b);
    if (at !== undefined) this.readerLatency.record(now - at, b.count);
  }

  useSink(sink: { readonly stats: SinkCounters }): void {
    const base = this.base.acked;
    const bufferBytes = this.o.bufferBytes ?? 0;
    this.status.use({
      sink: {
        get stats() {
          const s = sink.stats;
          return { queuedBytes: s.queuedBytes, requestsInFlight: s.requestsInFlight, retries: s.retries, recordsAcked: base + s.recordsAcked, bufferBytes };
        },
      },
    });
  }

  /** Compares the reader's position with the server's binlog end. */
  async probeOnce(): Promise<void> {
    if (this.probing || this.closed || !this.o.probe) return;
    this.probing = true;
    const before = this.last;
    try {
      const end = await this.o.probe();
      this.probes.ok++;
      // an event read while the probe ran: the answer is about the position before it, ask again next time
      if (this.last === before && before && atOrAfter(before, end)) this.atServerEnd = true;
    } catch (e) {
      this.probes.failed++;
      this.probes.lastError = (e as Error).message;
    } finally {
      this.probing = false;
    }
  }

  /** Whether the last probe found nothing on the server beyond what was read. */
  get caughtUp(): boolean {
    return this.atServerEnd;
  }

  private binlog(): JobStatus['binlog'] {
    const l = this.last;
    if (!l) return null;
    const lagSeconds = this.atServerEnd ? 0 : this.lastTimeMs > 0 ? Math.max(0, Math.floor((Date.now() - this.lastTimeMs) / 1000)) : null;
    return { file: l.file, pos: l.pos, gtid: l.gtid, lagSeconds };
  }

  private latency(): JobStatus['latencyMs'] {
    const now = Date.now();
    const e = this.eventLatency.percentiles(now);
    const r = this.readerLatency.percentiles(now);
    if (!e) return null;
    return { ...e, windowSec: (2 * WINDOW_MS) / 1000, fromEventTime: true, reader: r ? { p50: r.p50, p99: r.p99, p999: r.p999 } : null };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
