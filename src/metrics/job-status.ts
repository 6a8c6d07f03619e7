import type { JobStatus, StatusSink } from '../model/index.js';
import { rateAndEta, type SnapshotProgress } from './snapshot-progress.js';
import type { PhaseSource } from './job-phase.js';

export type { Phase } from './job-phase.js';
export type { JobStatus, StatusSink } from '../model/index.js';

/** The sources a status snapshot is read from; each is optional so any phase can publish. */
export interface StatusSources {
  /** the job's lifecycle: the phase shown is always its phase */
  lifecycle?: PhaseSource;
  progress?: SnapshotProgress;
  sink?: { readonly stats: { queuedBytes: number; requestsInFlight: number; retries: number; recordsAcked: number; bufferBytes?: number } };
  binlog?: () => JobStatus['binlog'];
  checkpoint?: () => JobStatus['checkpoint'];
  latency?: () => JobStatus['latencyMs'];
  rowsIn?: () => number;
  binlogRows?: () => JobStatus['binlogRows'];
}

/**
 * Keeps the job's status and publishes it to its sink (the state store's status part: `<state dir>/status.json`,
 * written then renamed so a reader never sees half a file) every `intervalMs`, at each move of the job's
 * lifecycle, and once more when the job ends.
 */
export class StatusPublisher {
  private status: JobStatus;
  private timer: NodeJS.Timeout | null = null;
  private sources: StatusSources = {};
  private last = { at: Date.now(), rowsIn: 0, acked: 0 };

  constructor(private readonly sink: StatusSink, job: string) {
    const now = new Date().toISOString();
    this.status = {
      job,
      pid: process.pid,
      startedAt: now,
      updatedAt: now,
      phase: 'precheck',
      phaseSince: now,
      snapshot: [],
      binlog: null,
      binlogRows: [],
      checkpoint: { binlog: null, snapshotChunksDone: 0, snapshotChunksTotal: 0, savedAt: null },
      rates: { rowsInPerSec: 0, rowsOutPerSec: 0 },
      totals: { rowsIn: 0, recordsAcked: 0 },
      latencyMs: null,
      sink: null,
      lastError: null,
    };
  }

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.publish(), intervalMs);
    this.timer.unref();
    void this.publish();
  }

  use(sources: StatusSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  error(message: string): void {
    this.status.lastError = { message, at: new Date().toISOString() };
  }

  /** The current status, refreshed from the sources. */
  snapshot(): JobStatus {
    const s = this.status;
    const now = Date.now();
    const src = this.sources;
    if (src.lifecycle) {
      s.phase = src.lifecycle.phase;
      s.phaseSince = src.lifecycle.since;
    }
    if (src.progress) {
      s.snapshot = [...src.progress.tables.values()].map((t) => {
        const r = rateAndEta(t, now);
        return { table: t.table, rows: t.rows, estimatedRows: t.estimatedRows, chunksDone: t.chunksDone, chunksTotal: t.chunksTotal, rowsPerSec: Math.round(r.rowsPerSec), etaSec: r.etaSec === null ? null : Math.round(r.etaSec), done: t.finishedAt !== null };
      });
    }
    const rowsIn = src.rowsIn?.() ?? src.progress?.totalRows ?? s.totals.rowsIn;
    const acked = src.sink?.stats.recordsAcked ?? s.totals.recordsAcked;
    const secs = Math.max((now - this.last.at) / 1000, 0.001);
    if (secs >= 0.5) {
      s.rates = { rowsInPerSec: Math.round((rowsIn - this.last.rowsIn) / secs), rowsOutPerSec: Math.round((acked - this.last.acked) / secs) };
      this.last = { at: now, rowsIn, acked };
    }
    s.totals = { rowsIn, recordsAcked: acked };
    if (src.sink) s.sink = { queuedBytes: src.sink.stats.queuedBytes, bufferBytes: src.sink.stats.bufferBytes ?? 0, requestsInFlight: src.sink.stats.requestsInFlight, retries: src.sink.stats.retries };
    if (src.binlog) s.binlog = src.binlog();
    if (src.binlogRows) s.binlogRows = src.binlogRows();
    if (src.checkpoint) s.checkpoint = src.checkpoint();
    if (src.latency) s.latencyMs = src.latency();
    s.updatedAt = new Date(now).toISOString();
    return s;
  }

  /** Sends the current status to the sink; a failed write is dropped (the next one, a second later, tries again). */
  publish(): Promise<void> {
    return this.sink.publish(this.snapshot()).catch(() => undefined);
  }

  /** The last write, once the job's lifecycle has ended (stopped or failed). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.publish();
  }
}
