import { rename, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { rateAndEta, type SnapshotProgress } from './snapshot-progress.js';
import type { Phase, PhaseSource } from './job-phase.js';

export type { Phase } from './job-phase.js';

/** What `sluice status` shows; written by the running job about once a second. Plain JSON, no secrets. */
export interface JobStatus {
  job: string;
  pid: number;
  startedAt: string;
  updatedAt: string;
  phase: Phase;
  phaseSince: string;
  snapshot: Array<{ table: string; rows: number; estimatedRows: number; chunksDone: number; chunksTotal: number; rowsPerSec: number; etaSec: number | null; done: boolean }>;
  /** the last binlog event read (GTID of its transaction) and seconds behind the source */
  binlog: { file: string; pos: number; gtid: string | null; lagSeconds: number | null } | null;
  /** row changes read from the binlog, by table and operation (before the row filter) */
  binlogRows: Array<{ table: string; op: string; rows: number }>;
  checkpoint: { binlog: string | null; snapshotChunksDone: number; snapshotChunksTotal: number; savedAt: string | null };
  rates: { rowsInPerSec: number; rowsOutPerSec: number };
  totals: { rowsIn: number; recordsAcked: number };
  /**
   * end-to-end latency, ms: Kafka ack time − source event time per record (event times are whole seconds, so
   * up to 1 s high); `reader`: ack time − when sluice received the batch's first event (ms precision)
   */
  latencyMs: { p50: number; p99: number; p999: number; samples?: number; windowSec?: number; fromEventTime?: boolean; reader?: { p50: number; p99: number; p999: number } | null } | null;
  sink: { queuedBytes: number; bufferBytes: number; requestsInFlight: number; retries: number } | null;
  lastError: { message: string; at: string } | null;
}

export const STATUS_FILE = 'status.json';

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
 * Keeps the job's status and writes it to `<state dir>/status.json` (write then rename, so a reader never
 * sees half a file) every `intervalMs`, at each move of the job's lifecycle, and once more when the job ends.
 */
export class StatusPublisher {
  private status: JobStatus;
  private timer: NodeJS.Timeout | null = null;
  private sources: StatusSources = {};
  private last = { at: Date.now(), rowsIn: 0, acked: 0 };
  private writing: Promise<void> = Promise.resolve();
  readonly path: string;

  constructor(private readonly dir: string, job: string) {
    const now = new Date().toISOString();
    this.path = join(dir, STATUS_FILE);
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

  publish(): Promise<void> {
    const text = JSON.stringify(this.snapshot(), null, 1);
    const tmp = `${this.path}.tmp-${process.pid}`;
    this.writing = this.writing
      .then(async () => {
        await mkdir(this.dir, { recursive: true });
        await writeFile(tmp, text);
        await rename(tmp, this.path);
      })
      .catch(() => undefined);
    return this.writing;
  }

  /** The last write, once the job's lifecycle has ended (stopped or failed). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.publish();
  }
}
