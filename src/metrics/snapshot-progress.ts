/**
 * Snapshot progress per table: rows, rows/s and ETA. Plain state plus two renderers — a redrawn bar per
 * table on a terminal, a periodic log line elsewhere (DESIGN §5).
 */
export interface TableProgress {
  table: string;
  estimatedRows: number;
  rows: number;
  chunksTotal: number;
  chunksDone: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export class SnapshotProgress {
  readonly tables = new Map<string, TableProgress>();
  readonly startedAt = Date.now();

  addTable(table: string, estimatedRows: number, chunksTotal: number, chunksDone: number): void {
    this.tables.set(table, { table, estimatedRows, rows: 0, chunksTotal, chunksDone, startedAt: null, finishedAt: chunksDone === chunksTotal ? Date.now() : null });
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

/** rows/s and seconds left for one table; ETA from chunks when row estimates are off. */
export function rateAndEta(t: TableProgress, now = Date.now()): { rowsPerSec: number; etaSec: number | null; fraction: number } {
  const elapsed = t.startedAt ? ((t.finishedAt ?? now) - t.startedAt) / 1000 : 0;
  const rowsPerSec = elapsed > 0 ? t.rows / elapsed : 0;
  const byChunks = t.chunksTotal > 0 ? t.chunksDone / t.chunksTotal : 1;
  const byRows = t.estimatedRows > 0 ? Math.min(1, t.rows / t.estimatedRows) : byChunks;
  const fraction = t.finishedAt ? 1 : Math.max(byChunks, Math.min(byRows, 0.99));
  const etaSec = t.finishedAt ? 0 : rowsPerSec > 0 && t.estimatedRows > 0 ? Math.max(0, (t.estimatedRows - t.rows) / rowsPerSec) : null;
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
