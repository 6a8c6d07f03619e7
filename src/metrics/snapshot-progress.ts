/**
 * Snapshot progress per table: rows, rows/s and ETA. Plain state plus two renderers — a redrawn bar per
 * table on a terminal, a periodic log line elsewhere (DESIGN §5).
 *
 * Rows are counted per batch as the batches reach the sink (not per finished chunk, which made the first
 * chunks' rows arrive at once and the rate start high), from the table's first batch. `estimatedRows` is what
 * this run is expected to read: the table's row estimate (information_schema TABLES.TABLE_ROWS, InnoDB's
 * sampled count) times the share of its chunks still to do, so a resumed run is not measured against rows
 * read before.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';

export interface TableProgress {
  table: string;
  /** rows this run is expected to read (see above) */
  estimatedRows: number;
  /** rows read in this run */
  rows: number;
  chunksTotal: number;
  chunksDone: number;
  /** chunks already done (earlier runs) when this run started */
  chunksAtStart: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export class SnapshotProgress {
  readonly tables = new Map<string, TableProgress>();
  readonly startedAt = Date.now();

  addTable(table: string, estimatedRows: number, chunksTotal: number, chunksDone: number): void {
    this.tables.set(table, { table, estimatedRows, rows: 0, chunksTotal, chunksDone, chunksAtStart: chunksDone, startedAt: null, finishedAt: chunksDone === chunksTotal ? Date.now() : null });
  }

  rowsRead(table: string, rows: number): void {
    const t = this.tables.get(table);
    if (!t) return;
    t.startedAt ??= Date.now();
    t.rows += rows;
  }

  chunkDone(table: string): void {
    const t = this.tables.get(table);
    if (!t) return;
    t.chunksDone++;
    if (t.chunksDone === t.chunksTotal) t.finishedAt = Date.now();
  }

  get totalRows(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.rows;
    return n;
  }
}

/**
 * The information_schema row estimate (TABLE_ROWS) of each `db.table`; tables it does not know are left out.
 * TABLE_ROWS is InnoDB's sampled count (often within ~10 %, sometimes much further off).
 */
export async function tableRowEstimates(conn: Connection, tables: ReadonlyArray<{ db: string; table: string }>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (tables.length === 0) return out;
  const where = tables.map(() => '(TABLE_SCHEMA = ? AND TABLE_NAME = ?)').join(' OR ');
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT TABLE_SCHEMA AS d, TABLE_NAME AS t, TABLE_ROWS AS n FROM information_schema.TABLES WHERE ${where}`, tables.flatMap((t) => [t.db, t.table]));
  for (const r of rows) out.set(`${String(r.d)}.${String(r.t)}`, Number(r.n ?? 0));
  return out;
}

/** Rows this run is expected to read: the table's estimate times the share of its chunks left to do. */
export function rowsToRead(tableRows: number, chunksTotal: number, chunksDone: number): number {
  return chunksTotal > 0 ? Math.round((tableRows * (chunksTotal - chunksDone)) / chunksTotal) : tableRows;
}

/**
 * rows/s and seconds left for one table. Rows left = the estimate − rows read, at the average rate since the
 * table's first batch. When the rows read pass the estimate (it was low), the estimate becomes rows read ÷
 * the fraction of this run's chunks done; with no estimate at all, the ETA scales the elapsed time by the
 * chunks left.
 */
export function rateAndEta(t: TableProgress, now = Date.now()): { rowsPerSec: number; etaSec: number | null; fraction: number } {
  const elapsed = t.startedAt ? ((t.finishedAt ?? now) - t.startedAt) / 1000 : 0;
  const rowsPerSec = elapsed > 0 ? t.rows / elapsed : 0;
  const byChunks = t.chunksTotal > 0 ? t.chunksDone / t.chunksTotal : 1;
  const runChunks = t.chunksTotal - t.chunksAtStart;
  const runByChunks = runChunks > 0 ? (t.chunksDone - t.chunksAtStart) / runChunks : 1;
  let expected = t.estimatedRows;
  if (expected > 0 && t.rows >= expected) expected = runByChunks > 0 && runByChunks < 1 ? t.rows / runByChunks : 0;
  const runFraction = expected > 0 ? Math.min(1, t.rows / expected) : runByChunks;
  const done = t.chunksAtStart / Math.max(t.chunksTotal, 1);
  const fraction = t.finishedAt ? 1 : Math.max(byChunks, Math.min(done + (1 - done) * runFraction, 0.99));
  let etaSec: number | null = null;
  if (t.finishedAt) etaSec = 0;
  else if (expected > 0 && rowsPerSec > 0) etaSec = Math.max(0, (expected - t.rows) / rowsPerSec);
  else if (runByChunks > 0 && elapsed > 0) etaSec = (elapsed * (1 - runByChunks)) / runByChunks;
  return { rowsPerSec, etaSec, fraction };
}

function duration(s: number | null): string {
  if (s === null) return '--';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function progressLines(p: SnapshotProgress, width = 24): string[] {
  const now = Date.now();
  return [...p.tables.values()].map((t) => {
    const { rowsPerSec, etaSec, fraction } = rateAndEta(t, now);
    const filled = Math.round(fraction * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
    const state = t.finishedAt ? 'done' : `ETA ${duration(etaSec)}`;
    return `${t.table.padEnd(28).slice(0, 28)} ${bar} ${pct} ${String(t.rows).padStart(10)} rows ${String(Math.round(rowsPerSec)).padStart(8)} rows/s ${state}`;
  });
}

/** Draws the progress in place on a terminal, or writes a line every `logEveryMs` elsewhere. */
export function startProgressDisplay(p: SnapshotProgress, out: NodeJS.WriteStream, logEveryMs = 10000): () => void {
  if (out.isTTY) {
    let drawn = 0;
    const draw = (): void => {
      const lines = progressLines(p);
      out.write((drawn ? `\x1b[${drawn}A` : '') + lines.map((l) => `\x1b[2K${l}\n`).join(''));
      drawn = lines.length;
    };
    const timer = setInterval(draw, 250);
    return () => {
      clearInterval(timer);
      draw();
    };
  }
  const timer = setInterval(() => {
    const rows = p.totalRows;
    const secs = (Date.now() - p.startedAt) / 1000;
    const done = [...p.tables.values()].filter((t) => t.finishedAt).length;
    out.write(`${new Date().toISOString()} snapshot: ${rows} rows, ${Math.round(rows / Math.max(secs, 0.001))} rows/s, ${done}/${p.tables.size} tables done\n`);
  }, logEveryMs);
  return () => clearInterval(timer);
}
