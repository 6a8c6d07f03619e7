import mysql, { type Connection, type ConnectionOptions } from 'mysql2';
import type { ChunkSpec } from './chunk.js';
import { chunkWhere, quoteIdent } from './range-sql.js';

/** A row of the snapshot SELECT: the text-protocol bytes of each column, null for SQL NULL. */
export type RawRow = (Buffer | null)[];

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

/** Paces a reader to `rowsPerSecond` (0 = full speed) by telling it how long to wait after each block. */
export class RowPacer {
  private readonly started = Date.now();
  private rows = 0;
  constructor(private readonly rowsPerSecond: number) {}
  /** milliseconds to pause after `n` more rows, 0 when on schedule */
  delayAfter(n: number): number {
    this.rows += n;
    if (this.rowsPerSecond <= 0) return 0;
    const due = (this.rows / this.rowsPerSecond) * 1000;
    return Math.max(0, due - (Date.now() - this.started));
  }
}

/**
 * Streams one chunk's rows in blocks of `blockRows`, calling `onBlock` for each. The connection is paused
 * while `onBlock` works (and while the pacer says wait), so a slow consumer slows the read, not the heap.
 */
export function readChunk(
  conn: Connection,
  q: ChunkQuery,
  blockRows: number,
  rowsPerSecond: number,
  onBlock: (rows: RawRow[]) => Promise<void> | void,
): Promise<number> {
  const { sql, values } = chunkSql(q);
  const pacer = new RowPacer(rowsPerSecond);
  return new Promise((resolve, reject) => {
    let block: RawRow[] = [];
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
    conn
      .query({ sql, values, rowsAsArray: true, typeCast: false })
      .on('result', (row) => {
        if (failed) return;
        block.push(row as unknown as RawRow);
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
