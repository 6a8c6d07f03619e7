/**
 * Tracking one table's structure along the binlog (DESIGN §2): the structure a TABLE_MAP states (column
 * names, types, charsets, members, primary key) merged with what sluice knew before — information_schema at
 * start, or the previous version — for what the binlog never carries: unique keys, NOT NULL, FLOAT(M,D)
 * digits, collations and MariaDB's INET6/UUID type names. A column keeps its known description while the
 * table map describes it the same way (same name, type, sign, size/precision, charset, members); a column the
 * map describes differently (ALTER … MODIFY, ADD, RENAME) takes the map's.
 */
import type { ColumnMeta, IndexMeta, TableSchema } from '../../model/table.js';
import type { TableMapStructure } from './table-map-columns.js';

const NUMERIC = new Set([0, 1, 2, 3, 4, 5, 8, 9, 246]);
const TEMPORAL_OR_BIT = new Set([7, 11, 12, 16]);
const TEXT_LIKE = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set']);

/** What a table map can say about a column, as one comparable string. */
export function binlogSignature(c: ColumnMeta): string {
  const parts: unknown[] = [c.name, c.typeCode];
  if (NUMERIC.has(c.typeCode)) parts.push(c.unsigned);
  if (c.typeCode === 246) parts.push(c.precision, c.scale);
  if (TEMPORAL_OR_BIT.has(c.typeCode)) parts.push(c.precision ?? 0);
  if (TEXT_LIKE.has(c.dataType)) parts.push(c.charset);
  if (c.members) parts.push(c.members);
  if (c.typeCode === 255) parts.push(c.dataType === 'geometrycollection' ? 'geomcollection' : c.dataType);
  return JSON.stringify(parts);
}

/**
 * The table's structure when the rows after this table map were written: the map's columns and primary
 * key, each column described by `known` where the map agrees with it. `version` is left to the caller.
 */
export function mergeTableMap(db: string, table: string, map: TableMapStructure, known: TableSchema | null): Omit<TableSchema, 'version'> {
  const knownByName = new Map((known?.columns ?? []).map((c) => [c.name, c]));
  const columns: ColumnMeta[] = map.columns.map((m) => {
    const k = knownByName.get(m.name);
    if (k && binlogSignature(k) === binlogSignature(m)) return k.ordinal === m.ordinal ? k : { ...k, ordinal: m.ordinal };
    return k ? { ...m, nullable: k.nullable } : m;
  });
  const names = new Set(columns.map((c) => c.name));
  const uniqueKeys: IndexMeta[] = (known?.uniqueKeys ?? []).filter((u) => u.columns.every((c) => names.has(c)));
  return { db, table, columns, primaryKey: map.primaryKey, uniqueKeys };
}

/** Whether two structures describe the same table shape (names and versions aside). */
export function sameStructure(a: Omit<TableSchema, 'version'>, b: Omit<TableSchema, 'version'>): boolean {
  const strip = (s: Omit<TableSchema, 'version'>) => JSON.stringify({ c: s.columns, p: s.primaryKey, u: s.uniqueKeys });
  return strip(a) === strip(b);
}
