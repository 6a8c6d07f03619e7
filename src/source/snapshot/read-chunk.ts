import mysql, { type Connection, type ConnectionOptions } from 'mysql2';
import type { SourceConfig } from '../../config/index.js';
import type { ChunkSpec } from './chunk.js';
import { chunkWhere } from './range-sql.js';
import { quoteIdent } from '../../model/table.js';
import { installRowPacketParser, type RowPacket } from '../mysql/mysql2-internals.js';

export type { RowPacket } from '../mysql/mysql2-internals.js';

export interface ChunkQuery {
  chunk: ChunkSpec;
  /** the SELECT list (format/ decides the expressions that keep every type exact) */
  selectList: string;
  /** the job's filter rendered as SQL by transform/, or null */
  filterSql: string | null;
}

/** The statement that reads one chunk: a key range (plus the pushed-down filter), no ORDER BY, no lock. */
export function chunkSql(q: ChunkQuery): { sql: string; values: Array<string | Buffer> } {
  const { where, params } = chunkWhere(q.chunk, q.filterSql);
  return {
    sql: `SELECT ${q.selectList} FROM ${quoteIdent(q.chunk.db)}.${quoteIdent(q.chunk.table)} WHERE ${where}`,
    values: params,
  };
}

/**
 * The job's source settings as plain data, for a worker thread to open its own connection (cloned into each
 * task: the password is revealed here, for the worker, and never logged).
 */
export interface WorkerConnectionSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  connectTimeout: number;
  ssl?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
}

export function workerConnectionSettings(cfg: SourceConfig): WorkerConnectionSettings {
  const tls = cfg.tls;
  return {
    host: cfg.host,
    port: cfg.port,
    user: cfg.user,
    password: cfg.password.reveal(),
    connectTimeout: cfg.connectTimeoutMs,
    ...(tls ? { ssl: { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.verify } } : {}),
  };
}

/** Opens a callback-style mysql2 connection (the streaming API lives there) and runs the session setup. */
export function openStreamingConnection(options: ConnectionOptions, sessionSql: readonly string[]): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const conn = mysql.createConnection(options);
    conn.connect((err) => {
      if (err) return reject(err);
      let i = 0;
      const next = (): void => {
        if (i === sessionSql.length) return resolve(conn);
        conn.query(sessionSql[i++] as string, (e) => (e ? reject(e) : next()));
      };
      next();
    });
  });
}

/**
 * The state of a job-wide row pacer, shared by every reader thread: one BigInt64 slot holding the schedule
 * — the time (µs since the epoch) by which the rows read so far are due at the capped rate.
 */
export interface PacerShared {
  /** a SharedArrayBuffer of PACER_STATE_BYTES (clone it into every task; clones share the memory) */
  state: SharedArrayBuffer;
  /** the job's snapshot.maxRowsPerSecond (0 = full speed) */
  rowsPerSecond: number;
}

export const PACER_STATE_BYTES = 8;
/**
 * How far behind the schedule may fall and still be made up by reading faster than the cap: gaps between
 * chunks, connection set-up and short stalls are made up; a longer stall (a slow Kafka) is forgiven beyond
 * this much, so the readers never burst more than a second's worth of rows over the cap.
 */
export const PACER_CATCH_UP_MS = 1000;

/** A fresh pacer state whose schedule starts at `startMs` (epoch ms): create once per job, share everywhere. */
export function newPacerState(startMs: number = Date.now()): SharedArrayBuffer {
  const state = new SharedArrayBuffer(PACER_STATE_BYTES);
  Atomics.store(new BigInt64Array(state), 0, BigInt(Math.round(startMs * 1000)));
  return state;
}

/**
 * Paces readers to `rowsPerSecond` (0 = full speed) across the whole job, by telling each reader how long to
 * wait after each block. Every reader (in any thread) that shares the state advances one schedule: `n` rows
 * move it by n / rowsPerSecond, and a reader waits while the schedule is ahead of the clock. The rate therefore
 * holds across chunk boundaries and however many readers are busy (a fixed per-reader share lost the gaps
 * between chunks, and a lane without work left its share unused).
 */
export class RowPacer {
  private readonly slot: BigInt64Array;
  private readonly usPerRow: number;
  constructor(
    private readonly rowsPerSecond: number,
    state: SharedArrayBuffer = newPacerState(),
    private readonly now: () => number = Date.now,
    private readonly catchUpMs: number = PACER_CATCH_UP_MS,
  ) {
    this.slot = new BigInt64Array(state, 0, 1);
    this.usPerRow = rowsPerSecond > 0 ? 1e6 / rowsPerSecond : 0;
  }

  static shared(p: PacerShared | null, now?: () => number): RowPacer {
    return p ? new RowPacer(p.rowsPerSecond, p.state, now) : new RowPacer(0);
  }

  /** milliseconds to pause after `n` more rows, 0 when on schedule */
  delayAfter(n: number): number {
    if (this.rowsPerSecond <= 0) return 0;
    const nowUs = BigInt(Math.round(this.now() * 1000));
    const floor = nowUs - BigInt(Math.round(this.catchUpMs * 1000));
    const cost = BigInt(Math.round(n * this.usPerRow));
    for (;;) {
      const due = Atomics.load(this.slot, 0);
      const next = (due > floor ? due : floor) + cost;
      if (Atomics.compareExchange(this.slot, 0, due, next) === due) return Math.max(0, Number(next - nowUs) / 1000);
    }
  }
}

/**
 * Streams one chunk's rows, as row packets, in blocks of `blockRows`, calling `onBlock` for each. The connection is paused
 * while `onBlock` works (and while the pacer says wait), so a slow consumer slows the read, not the heap.
 */
export function readChunk(
  conn: Connection,
  q: ChunkQuery,
  blockRows: number,
  pacer: RowPacer,
  onBlock: (rows: RowPacket[]) => Promise<void> | void,
): Promise<number> {
  const { sql, values } = chunkSql(q);
  return new Promise<number>((resolveRead, rejectRead) => {
    const resolve = (n: number): void => {
      settle();
      resolveRead(n);
    };
    const reject = (e: unknown): void => {
      settle();
      rejectRead(e);
    };
    let block: RowPacket[] = [];
    let total = 0;
    let failed = false;
    let pending: Promise<void> = Promise.resolve();
    const flush = (last: boolean): void => {
      const rows = block;
      block = [];
      if (rows.length === 0 && !last) return;
      // The last block arrives after the result ended: nothing to pause, and a paused connection would
      // stall the next chunk read on it.
      if (!last) conn.pause();
      pending = pending
        .then(() => onBlock(rows))
        .then(() => {
          const wait = pacer.delayAfter(rows.length);
          return wait > 0 ? new Promise<void>((r) => setTimeout(r, wait)) : undefined;
        })
        .then(
          () => {
            if (last) resolve(total);
            else conn.resume();
          },
          (e: unknown) => {
            failed = true;
            reject(e);
          },
        );
    };
    // A query without a callback is not told when the connection drops (a killed session, a server gone
    // without an error packet): mysql2 emits that on the connection only, and the read would wait forever.
    const lost = (e: unknown): void => {
      if (failed) return;
      failed = true;
      reject(e);
    };
    conn.once('error', lost);
    const settle = (): void => void conn.removeListener('error', lost);
    // each row arrives as its packet's bytes (the length-coded column values), parsed by the consumer
    const query = conn.query({ sql, values, rowsAsArray: true, typeCast: false });
    installRowPacketParser(query);
    query
      .on('result', (row) => {
        if (failed) return;
        block.push(row as unknown as RowPacket);
        total++;
        if (block.length >= blockRows) flush(false);
      })
      .on('error', (e) => {
        failed = true;
        reject(e);
      })
      .on('end', () => {
        if (!failed) flush(true);
      });
  });
}
