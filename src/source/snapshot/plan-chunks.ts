import type { Connection, FieldPacket, RowDataPacket } from 'mysql2/promise';
import type { TableSchema } from '../../model/table.js';
import { IDS_PER_CHUNK, type ChunkSpec, type KeyValue } from './chunk.js';
import { chunkWhere } from './range-sql.js';
import { quoteIdent } from '../../model/table.js';

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit']);
/** A chunk's encoded records should stay a few tens of MB whatever the row width (bounded memory). */
const CHUNK_BYTES_TARGET = 32 * 1024 * 1024;

export interface PlanOptions {
  chunkRows: number;
  /** the first id of the first chunk; later chunks follow at IDS_PER_CHUNK strides */
  firstChunkOrdinal: number;
}

/** The key whose ranges split the table: the primary key, else the first unique key with no NULLable column. */
export function chunkKey(t: TableSchema): string[] {
  if (t.primaryKey.length) return [...t.primaryKey];
  const nullable = new Set(t.columns.filter((c) => c.nullable).map((c) => c.name));
  const uk = t.uniqueKeys.find((k) => k.columns.every((c) => !nullable.has(c)));
  return uk ? [...uk.columns] : [];
}

function keyValue(t: TableSchema, column: string, v: unknown): KeyValue {
  const meta = t.columns.find((c) => c.name === column);
  if (Buffer.isBuffer(v)) {
    return meta && (BINARY_TYPES.has(meta.dataType) || meta.charset === 'binary') ? { hex: v.toString('hex') } : { text: v.toString('utf8') };
  }
  return { text: String(v) };
}

async function tableStats(conn: Connection, t: TableSchema): Promise<{ rows: number; avgRowLength: number }> {
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT TABLE_ROWS AS n, AVG_ROW_LENGTH AS w FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [t.db, t.table],
  );
  return { rows: Number(rows[0]?.n ?? 0), avgRowLength: Number(rows[0]?.w ?? 0) };
}

function rowsPerChunk(chunkRows: number, avgRowLength: number): number {
  if (avgRowLength <= 0) return chunkRows;
  return Math.max(1000, Math.min(chunkRows, Math.floor(CHUNK_BYTES_TARGET / avgRowLength)));
}

/** Integer keys split by arithmetic on MIN/MAX: two index lookups, however large the table. */
async function integerBoundaries(conn: Connection, t: TableSchema, col: string, chunks: number): Promise<KeyValue[][]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT CAST(MIN(${quoteIdent(col)}) AS CHAR) AS lo, CAST(MAX(${quoteIdent(col)}) AS CHAR) AS hi FROM ${quoteIdent(t.db)}.${quoteIdent(t.table)}`,
  );
  const lo = rows[0]?.lo;
  const hi = rows[0]?.hi;
  if (lo === null || lo === undefined || hi === null || hi === undefined || chunks <= 1) return [];
  const min = BigInt(String(lo));
  const max = BigInt(String(hi));
  const span = max - min + 1n;
  const step = (span + BigInt(chunks) - 1n) / BigInt(chunks);
  const out: KeyValue[][] = [];
  for (let b = min + step; b <= max; b += step) out.push([{ text: b.toString() }]);
  return out;
}

/** Other keys: walk the index, taking every `rows`-th key as a boundary (an index-only scan per step). */
async function sampledBoundaries(conn: Connection, t: TableSchema, key: string[], rows: number): Promise<KeyValue[][]> {
  const cols = key.map(quoteIdent).join(', ');
  const from = `${quoteIdent(t.db)}.${quoteIdent(t.table)}`;
  const out: KeyValue[][] = [];
  let lower: KeyValue[] | null = null;
  for (;;) {
    const { where, params } = chunkWhere({ keyColumns: key, lower, upper: null } as ChunkSpec, null);
    // typeCast off: each value as the bytes the server printed. mysql2's casts would turn DATE/DATETIME into JS
    // Dates (whose String() MySQL cannot compare, so the walk never advanced) and BIGINT beyond 2^53 into
    // rounded numbers; the server's own text compares back exactly.
    const [res] = (await conn.query({ sql: `SELECT ${cols} FROM ${from} WHERE ${where} ORDER BY ${cols} LIMIT 1 OFFSET ${rows}`, rowsAsArray: true, typeCast: false, values: params })) as [unknown[][], FieldPacket[]];
    const row = res[0];
    if (!row) return out;
    const boundary = key.map((c, i) => keyValue(t, c, row[i]));
    if (lower && JSON.stringify(boundary) === JSON.stringify(lower)) {
      throw new Error(`chunk planning of ${t.db}.${t.table} did not advance past key ${JSON.stringify(boundary)}`);
    }
    out.push(boundary);
    lower = boundary;
  }
}

/**
 * Splits a table into key-range chunks (DESIGN §2): integer keys by MIN/MAX arithmetic, other keys by
 * walking the index, a table without a usable key as one sequential chunk.
 */
export async function planChunks(conn: Connection, t: TableSchema, opts: PlanOptions): Promise<ChunkSpec[]> {
  const key = chunkKey(t);
  const stats = await tableStats(conn, t);
  const perChunk = rowsPerChunk(opts.chunkRows, stats.avgRowLength);
  const wanted = Math.max(1, Math.ceil(stats.rows / perChunk));
  let boundaries: KeyValue[][] = [];
  if (key.length === 1 && INTEGER_TYPES.has(t.columns.find((c) => c.name === key[0])?.dataType ?? '')) {
    boundaries = await integerBoundaries(conn, t, key[0] as string, wanted);
  } else if (key.length > 0 && wanted > 1) {
    boundaries = await sampledBoundaries(conn, t, key, perChunk);
  }
  const n = boundaries.length + 1;
  const chunks: ChunkSpec[] = [];
  for (let i = 0; i < n; i++) {
    chunks.push({
      id: `${t.db}.${t.table}#${i}`,
      db: t.db,
      table: t.table,
      index: i,
      keyColumns: key,
      lower: i === 0 ? null : (boundaries[i - 1] as KeyValue[]),
      upper: i === n - 1 ? null : (boundaries[i] as KeyValue[]),
      idBase: (opts.firstChunkOrdinal + i + 1) * IDS_PER_CHUNK,
      estimatedRows: Math.ceil(stats.rows / n),
    });
  }
  return chunks;
}
