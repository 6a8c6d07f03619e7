/**
 * Makes @vlasky/zongji 0.9 hand over the row-image bytes of every column type it would otherwise decode
 * lossily, by re-typing its cached table map right after each TableMap event (before the rows that use it
 * are parsed). What zongji does by default, and why each re-typing is needed:
 * - DATETIME/TIMESTAMP/DATE → JS Date: milliseconds only, the process time zone, Invalid Date for zero dates
 *   (its dateStrings option is exact for DATETIME but renders TIMESTAMP in a time zone, and is slower).
 *   → read as BIT of the same byte width: zongji slices the bytes as they are; temporal.ts decodes them.
 * - TIME2 → exact text, but one more parse; re-typed the same way for one code path.
 * - YEAR → 1900 + byte, so YEAR 0000 becomes 1900. → BIT(8).
 * - ENUM/SET → member text through its own charset decoding; ENUM index 0 becomes undefined. → BIT of the
 *   stored width (index / bitmap, little-endian); the mapper maps it through the schema's member list.
 * - JSON → JS objects (integer-like keys reordered, 100.0 printed as 100). → BLOB: the binary JSON,
 *   rendered by jsonb-text.ts exactly as MySQL prints it.
 * - GEOMETRY → {x, y} objects: SRID and type lost. → BLOB: MySQL's internal SRID + WKB bytes.
 * - CHAR/VARCHAR/TEXT → strings decoded with iconv-lite (MySQL's gbk and iconv's differ at the edges).
 *   → charset cleared / COLUMN_TYPE marked varbinary: the original bytes, which DTS carries anyway.
 * BINARY(n) stays with zongji, which re-pads the zero bytes the row image strips. Integers, DECIMAL (exact
 * text), FLOAT/DOUBLE (IEEE bits) and BIT (bytes) are already exact.
 *
 * The reader must include 'tablemap' in zongji's includeEvents (zongji drops the cache entry of filtered
 * TableMap events anyway) and call attachRawBinlogValues before start(). That the re-typed entry is what zongji's
 * rows parser then reads is zongji's internal behaviour (zongji-internals.ts onTableMap).
 */

import { readPackedInt } from './packed-int.js';
import { onTableMap, type TableMapListeningZongji } from './zongji-internals.js';

/** MySQL binlog column type codes (zongji's MysqlTypes) */
const T = {
  DATE: 10,
  YEAR: 13,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  BIT: 16,
  VARCHAR: 15,
  JSON: 245,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  STRING: 254,
  GEOMETRY: 255,
} as const;

/** MariaDB's fixed-width binary types and their stored widths */
const MARIADB_FIXED_BINARY: Readonly<Record<string, number>> = { inet6: 16, uuid: 16, inet4: 4 };

/** The parts of zongji's table-map cache this module touches (see @vlasky/zongji index.d.ts). */
export interface ZongjiColumn {
  name: string;
  charset: string | null;
  type: number;
  metadata: Record<string, unknown>;
  /** the type code the table map gave before re-typing (partial-update-rows.ts finds JSON columns by it) */
  binlogType?: number;
}
export interface ZongjiColumnSchema {
  COLUMN_TYPE: string;
}
export interface ZongjiTableMapEntry {
  columnSchemas: ZongjiColumnSchema[];
  columns?: ZongjiColumn[];
}
export interface ZongjiLike extends TableMapListeningZongji {
  tableMap: Record<number, ZongjiTableMapEntry>;
}

function asBits(c: ZongjiColumn, bytes: number): void {
  c.type = T.BIT;
  c.metadata = { bits: bytes * 8 };
}

function decimals(c: ZongjiColumn): number {
  const d = c.metadata.decimals;
  return typeof d === 'number' ? d : 0;
}

/** Re-types one cached table map entry in place (idempotent). */
export function rawifyTableMapEntry(entry: ZongjiTableMapEntry): void {
  const columns = entry.columns;
  if (!columns) return;
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i] as ZongjiColumn;
    if (c.binlogType !== undefined) continue; // already re-typed
    c.binlogType = c.type;
    switch (c.type) {
      case T.DATE:
        asBits(c, temporalBinlogBytes('date', 0));
        break;
      case T.YEAR:
        asBits(c, temporalBinlogBytes('year', 0));
        break;
      case T.TIMESTAMP2:
        asBits(c, temporalBinlogBytes('timestamp', decimals(c)));
        break;
      case T.DATETIME2:
        asBits(c, temporalBinlogBytes('datetime', decimals(c)));
        break;
      case T.TIME2:
        asBits(c, temporalBinlogBytes('time', decimals(c)));
        break;
      case T.ENUM:
      case T.SET: {
        const size = c.metadata.size;
        if (typeof size === 'number') asBits(c, size);
        break;
      }
      case T.JSON:
      case T.GEOMETRY:
        c.type = T.BLOB;
        c.charset = null;
        break;
      case T.TINY_BLOB:
      case T.MEDIUM_BLOB:
      case T.LONG_BLOB:
      case T.BLOB:
        c.charset = null;
        break;
      case T.VARCHAR:
      case T.STRING: {
        const schema = entry.columnSchemas[i];
        // MariaDB's INET6/UUID/INET4 ride on a binary STRING; zongji formats them itself when the type comes
        // from information_schema (INET6 ::2 as ::0.0.0.2) and gives bytes under binlog_row_metadata=FULL.
        // As binary(n) they always arrive as the stored bytes (re-padded); the format renders them.
        const fixed = schema ? MARIADB_FIXED_BINARY[schema.COLUMN_TYPE] : undefined;
        if (schema && fixed !== undefined) {
          schema.COLUMN_TYPE = `binary(${fixed})`;
          break;
        }
        // zongji picks text vs bytes from COLUMN_TYPE's prefix; binary(n) keeps its prefix (zongji re-pads it)
        if (schema && c.charset !== null && !schema.COLUMN_TYPE.startsWith('binary') && !schema.COLUMN_TYPE.startsWith('varbin')) {
          schema.COLUMN_TYPE = 'varbinary /* sluice: raw bytes */';
        }
        break;
      }
    }
  }
}

/**
 * Re-types zongji's table map after every TableMap event so row values arrive as exact bytes, and gives the
 * event back the VECTOR column types the gate hid from zongji (`vectors`: table id → columns, retypeVectorColumns).
 * Returns a function that detaches the listener.
 */
export function attachRawBinlogValues(zongji: ZongjiLike, vectors: Map<number, number[]> = new Map()): () => void {
  return onTableMap(zongji, (event) => {
    const entry = zongji.tableMap[event.tableId];
    if (entry) rawifyTableMapEntry(entry);
    const vectorColumns = vectors.get(event.tableId);
    if (vectorColumns && event.columnTypes) for (const i of vectorColumns) event.columnTypes[i] = MYSQL_TYPE_VECTOR;
  });
}

/** Bytes of each raw temporal in a row image, by fsp (used to re-type zongji's table map). */
function temporalBinlogBytes(kind: 'date' | 'year' | 'datetime' | 'timestamp' | 'time', fsp: number): number {
  const frac = (fsp + 1) >> 1;
  switch (kind) {
    case 'date':
      return 3;
    case 'year':
      return 1;
    case 'datetime':
      return 5 + frac;
    case 'timestamp':
      return 4 + frac;
    case 'time':
      return 3 + frac;
  }
}

const MYSQL_TYPE_VECTOR = 242;

/**
 * MySQL 9's VECTOR columns in a TABLE_MAP_EVENT body (in place), re-typed as BLOB: zongji 0.9 knows no type 242,
 * reads no metadata byte for it (misreading every column after it) and refuses its values. VECTOR is stored
 * like a BLOB (one metadata byte, the length width; values length-prefixed), so as BLOB its bytes arrive exact.
 */
export function retypeVectorColumns(body: Buffer): VectorColumns | null {
  let pos = 8; // table id (6), flags (2)
  pos += 1 + (body[pos] as number) + 1; // database name: length, bytes, NUL
  pos += 1 + (body[pos] as number) + 1; // table name
  const packed = readPackedInt(body, pos);
  const count = packed.value;
  pos = packed.next;
  const columns: number[] = [];
  for (let i = 0; i < count && pos + i < body.length; i++) {
    if (body[pos + i] === MYSQL_TYPE_VECTOR) {
      body[pos + i] = T.BLOB;
      columns.push(i);
    }
  }
  return columns.length > 0 ? { tableId: body.readUIntLE(0, 6), columns } : null;
}

/** The VECTOR columns a TABLE_MAP had before retypeVectorColumns, for restoring on the parsed event. */
export interface VectorColumns {
  tableId: number;
  columns: number[];
}
