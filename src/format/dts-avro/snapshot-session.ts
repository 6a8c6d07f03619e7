/**
 * What the snapshot reader must use so its rows feed the type mapper exactly (the mapper's fromSnapshot
 * functions assume these settings):
 * - `typeCast: false`: mysql2 returns every value as the text-protocol bytes it received (a Buffer slice,
 *   null for NULL). No Date or JSON casts (DESIGN §9: ~1.4 µs a row), no number parsing, no charset decoding.
 * - `rowsAsArray: true`: values in select-list order, which is column order (snapshotSelectList).
 * - session `character_set_results = NULL`: the server sends CHAR/VARCHAR/TEXT/ENUM bytes in the column's
 *   own charset (latin1, gbk …) instead of converting them to the connection charset; DTS carries the
 *   original bytes with the charset named.
 * The select list (table-mapper.ts) supplies the expressions that make the remaining types exact:
 * CAST(float AS DOUBLE), UNIX_TIMESTAMP(timestamp), enum+0 / set+0.
 * The snapshot workers themselves skip mysql2's per-column Buffers: they take each row packet's bytes
 * (source/mysql/mysql2-internals.ts installRowPacketParser) and SnapshotRowEncoder reads the same text values from them.
 */
export const SNAPSHOT_CONNECTION_OPTIONS = {
  typeCast: false,
  rowsAsArray: true,
  /** the charset of the query text and of column names; values are governed by character_set_results */
  charset: 'utf8mb4',
  // belts and braces for any query run on the same connection with its own typeCast
  supportBigNumbers: true,
  bigNumberStrings: true,
  dateStrings: true,
  decimalNumbers: false,
} as const;

/** Statements to run on each snapshot connection right after it connects. */
// time_zone UTC: chunk bounds on TIMESTAMP keys are read and compared in one zone on every connection (a
// zone with daylight saving repeats an hour, which would skip or double rows at a boundary), and a filter on
// a TIMESTAMP column means the same instant in the snapshot's SQL as in the binlog path, which compares in UTC.
export const SNAPSHOT_SESSION_SQL: readonly string[] = ['SET SESSION character_set_results = NULL', "SET SESSION time_zone = '+00:00'"];
