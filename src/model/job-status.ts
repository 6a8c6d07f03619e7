/**
 * The job's status document (what `sluice status` shows), shared by metrics/ (which builds it) and state/ (which
 * keeps it beside the checkpoint): plain JSON, never a connection setting, so no secret can reach it.
 */

/**
 * The phases of a job's life, in order (DESIGN §2): precheck → schema → snapshot → incremental, then
 * stopping (a stop signal: flush, checkpoint) → stopped, or failed from any phase before the end.
 */
export type Phase = 'precheck' | 'schema' | 'snapshot' | 'incremental' | 'stopping' | 'stopped' | 'failed';

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

/** The last status a job published, and whether that job is still running. */
export interface StatusView {
  status: JobStatus | null;
  /** the job process is alive and wrote its status within the last few seconds */
  running: boolean;
  /** why it is not running, when it is not */
  note: string | null;
}

/**
 * Where a StatusPublisher sends each status document (the state store's status part). `publish` takes what it
 * needs from the document before it returns (the publisher goes on changing it), and writes land in call order.
 */
export interface StatusSink {
  publish(status: JobStatus): Promise<void>;
}
