/**
 * The structure of a source table as every stage sees it. Plain data, built by source/ (from
 * information_schema or from the binlog's table map + DDL tracking) and read by transform/ and format/.
 */
export interface ColumnMeta {
  /** column name as the server spells it */
  name: string;
  /** 0-based position in the table */
  ordinal: number;
  /** MySQL's column type code, as DTS writes it in `fields[].dataTypeNumber` (DESIGN §3). */
  typeCode: number;
  /** information_schema.COLUMNS.DATA_TYPE, lower case: 'int', 'varchar', 'decimal', 'datetime', 'json', ... */
  dataType: string;
  /** information_schema.COLUMNS.COLUMN_TYPE, e.g. "int(10) unsigned", "enum('a','b')", "decimal(12,2)". */
  columnType: string;
  unsigned: boolean;
  nullable: boolean;
  /** DECIMAL precision; for temporal types the fractional-second digits; for BIT the bit count; else null */
  precision: number | null;
  /** DECIMAL scale, else null */
  scale: number | null;
  /** MySQL character set name for character columns ('utf8mb4', 'latin1', 'gbk', 'binary'), else null */
  charset: string | null;
  /** collation name for character columns, else null */
  collation: string | null;
  /** ENUM / SET members in definition order, else undefined */
  members?: readonly string[];
}

export interface IndexMeta {
  /** 'PRIMARY' for the primary key */
  name: string;
  columns: readonly string[];
  unique: boolean;
}

export interface TableSchema {
  db: string;
  table: string;
  columns: readonly ColumnMeta[];
  /** primary key columns in index order; empty when the table has none */
  primaryKey: readonly string[];
  /** unique indexes (not the primary key), in the server's order */
  uniqueKeys: readonly IndexMeta[];
  /** changes whenever the structure changes (DTS `metaVersion` tag) */
  version: number;
}

/** A name as DTS writes it inside objectName: a '.' within the name is written \u002E. */
export function dtsName(name: string): string {
  return name.replaceAll('.', '\\u002E');
}

/** `db.table` as DTS writes objectName. */
export function objectName(db: string, table: string): string {
  return `${dtsName(db)}.${dtsName(table)}`;
}

/** A MySQL identifier: backquoted, inner backquotes doubled. Every SQL sluice builds quotes names with this. */
export function quoteIdent(name: string): string {
  return '`' + name.replaceAll('`', '``') + '`';
}
