/**
 * What `sluice status` shows while the job follows the binlog (DESIGN §5, issue 8): the position, GTID and
 * time of the last event read, the lag behind the source, rows in, the sink's counters and end-to-end
 * latency percentiles (hdr-histogram-js). runIncremental calls three hooks — `event` for every framed event,
 * `issued` for every batch handed to the sink, `acked` for every batch Kafka acknowledged — each O(1) or
 * O(distinct timestamps in the batch); the rest is computed when the status is published (once a second).
 *
 * Lag comes from the incremental phase's LagClock (lag-clock.ts: event times, Kafka acknowledgements and a
 * probe of the server's binlog end every `heartbeat.intervalMs`, so it stays 0 on an idle source and grows
 * while sluice is behind), in whole seconds.
 *
 * Latency is per record, ack time − source event time; since event times are whole seconds it reads up to
 * 1 s high (a change committed at 12:00:00.900 counts from 12:00:00.000). A second histogram with ms
 * precision measures from the time the reader handed the batch's first event to the change stream to its ack
 * (sluice's own share: decode, batch, produce, ack). Both cover the last one to two minutes.
 */
import * as hdr from 'hdr-histogram-js';
import type { EncodedBatch } from '../../model/encoded-batch.js';
import { EVENT, isRowsBytes, type RawRowsBytes, type RawRowsEvent } from '../../source/binlog/index.js';
import type { FramedEvent } from '../../source/binlog/index.js';
import type { JobStatus, StatusPublisher } from '../../metrics/job-status.js';
import type { LagClock } from './lag-clock.js';

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
  /** the incremental phase's lag clock (the status's lag) */
  useLagClock(clock: LagClock): void;
  /** the GTID state at the stream's position (the status shows the set, not the last transaction's GTID) */
  useGtidState(state: { readonly value: string | null }): void;
}

interface SinkCounters {
  queuedBytes: number;
  requestsInFlight: number;
  retries: number;
  recordsAcked: number;
}

const WINDOW_MS = 60_000;
const OP: Record<string, string> = { [EVENT.writeRows]: 'INSERT', [EVENT.updateRows]: 'UPDATE', [EVENT.deleteRows]: 'DELETE' };
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

export interface IncrementalStatusOptions {
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
  private clock: LagClock | null = null;
  private gtidState: { readonly value: string | null } | null = null;
  /** the last event read */
  private last: { file: string; pos: number; gtid: string | null } | null = null;
  /** the reader handed over an event since the last batch went to the sink; when the first of them arrived */
  private openSince: number | null = null;
  rowsIn = 0;
  /** row changes read, by `db.table` and operation (before the row filter) */
  readonly rowsByTable = new Map<string, { table: string; op: string; rows: number }>();

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
  }

  /** Starts feeding `status` (totals continue from the snapshot's). */
  static async create(status: StatusPublisher, o: IncrementalStatusOptions): Promise<IncrementalStatus> {
    return new IncrementalStatus(status, await initHistograms(), o);
  }

  event(ev: FramedEvent): void {
    if (ev.kind === 'rows') {
      const e = ev.event as RawRowsEvent | RawRowsBytes;
      const n = isRowsBytes(e) ? e.rowCount : e.rows.length;
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

  useLagClock(clock: LagClock): void {
    this.clock = clock;
  }

  useGtidState(state: { readonly value: string | null }): void {
    this.gtidState = state;
  }

  private binlog(): JobStatus['binlog'] {
    const l = this.last;
    if (!l) return null;
    const lagMs = this.clock?.lagMs() ?? null;
    const lagSeconds = lagMs === null ? null : Math.floor(lagMs / 1000);
    // The set executed up to here; without a tracked set (GTID off, or no seed) the last transaction's GTID.
    return { file: l.file, pos: l.pos, gtid: this.gtidState?.value ?? l.gtid, lagSeconds };
  }

  private latency(): JobStatus['latencyMs'] {
    const now = Date.now();
    const e = this.eventLatency.percentiles(now);
    const r = this.readerLatency.percentiles(now);
    if (!e) return null;
    return { ...e, windowSec: (2 * WINDOW_MS) / 1000, fromEventTime: true, reader: r ? { p50: r.p50, p99: r.p99, p999: r.p999 } : null };
  }

}
