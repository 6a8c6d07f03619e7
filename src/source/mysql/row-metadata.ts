/**
 * What the binlog path needs to read TABLE_MAP metadata (DESIGN §2): whether the server writes column names
 * (binlog_row_metadata=FULL) and its collation ids, so a table map's charset ids name the same charsets and
 * collations information_schema does on that server (MariaDB and MySQL number some collations differently).
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Dialect } from './dialect.js';

/** A collation id → its name and character set, as the server lists them (information_schema.COLLATIONS). */
export type CollationTable = ReadonlyMap<number, { collation: string; charset: string }>;

export interface RowMetadataFacts {
  /** binlog_row_metadata is FULL: every table map names its columns */
  full: boolean;
  collations: CollationTable;
}

export async function readRowMetadataFacts(conn: Connection, dialect: Dialect): Promise<RowMetadataFacts> {
  const [vars] = await conn.query<RowDataPacket[]>("SHOW GLOBAL VARIABLES LIKE 'binlog_row_metadata'");
  const full = String(vars[0]?.Value ?? '').toUpperCase() === 'FULL';
  const [rows] = await conn.query<RowDataPacket[]>(dialect.collationsSql);
  const collations = new Map<number, { collation: string; charset: string }>();
  for (const r of rows) collations.set(Number(r.ID), { collation: String(r.COLLATION_NAME), charset: String(r.CHARACTER_SET_NAME) });
  return { full, collations };
}
