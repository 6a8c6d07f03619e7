import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { ColumnMeta, IndexMeta, TableSchema } from '../../model/table.js';
import { SourceError } from '../../errors.js';
import { columnTypeCode } from './column-type-code.js';

export interface TableRef {
  db: string;
  table: string;
  /** information_schema.TABLES.TABLE_TYPE: 'BASE TABLE', 'VIEW', 'SYSTEM VERSIONED', ... */
  type: string;
}

const SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'];

/** Every table the account can see outside the system schemas. */
export async function listTables(conn: Connection): Promise<TableRef[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS tbl, TABLE_TYPE AS type FROM information_schema.TABLES
      WHERE TABLE_SCHEMA NOT IN (?) ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    [SYSTEM_SCHEMAS],
  );
  return rows.map((r) => ({ db: String(r.db), table: String(r.tbl), type: String(r.type) }));
}

/** ENUM/SET members from COLUMN_TYPE, e.g. enum('a','it''s') → ['a', "it's"]. */
export function parseMembers(columnType: string): string[] {
  const body = /^(?:enum|set)\((.*)\)$/is.exec(columnType)?.[1];
  if (body === undefined) return [];
  const out: string[] = [];
  const re = /'((?:[^'\\]|''|\\.)*)'/g;
  for (let m = re.exec(body); m; m = re.exec(body)) out.push((m[1] as string).replace(/''/g, "'").replace(/\\(.)/g, '$1'));
  return out;
}

function toColumn(r: RowDataPacket, ordinal: number): ColumnMeta {
  const dataType = String(r.DATA_TYPE).toLowerCase();
  const columnType = String(r.COLUMN_TYPE);
  const code = columnTypeCode(dataType);
  if (code === undefined) {
    throw new SourceError(`Column ${r.TABLE_SCHEMA}.${r.TABLE_NAME}.${r.COLUMN_NAME} has type ${columnType}, which sluice does not support yet: leave the table out of objects or report the type.`);
  }
  const temporal = ['time', 'datetime', 'timestamp'].includes(dataType);
  const col: ColumnMeta = {
    name: String(r.COLUMN_NAME),
    ordinal,
    typeCode: code,
    dataType,
    columnType,
    unsigned: /\bunsigned\b/i.test(columnType),
    nullable: r.IS_NULLABLE === 'YES',
    precision: temporal
      ? Number(r.DATETIME_PRECISION ?? 0)
      : r.NUMERIC_PRECISION === null || r.NUMERIC_PRECISION === undefined
        ? null
        : Number(r.NUMERIC_PRECISION),
    scale: r.NUMERIC_SCALE === null || r.NUMERIC_SCALE === undefined || temporal ? null : Number(r.NUMERIC_SCALE),
    charset: r.CHARACTER_SET_NAME ? String(r.CHARACTER_SET_NAME) : null,
    collation: r.COLLATION_NAME ? String(r.COLLATION_NAME) : null,
  };
  if (dataType === 'enum' || dataType === 'set') col.members = parseMembers(columnType);
  return col;
}

/** The structure of the given tables from information_schema, in one round trip per catalog table. */
export async function loadTableSchemas(conn: Connection, tables: ReadonlyArray<{ db: string; table: string }>): Promise<TableSchema[]> {
  if (tables.length === 0) return [];
  const pairs = tables.map((t) => [t.db, t.table]);
  const [cols] = await conn.query<RowDataPacket[]>(
    `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE,
            NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, CHARACTER_SET_NAME, COLLATION_NAME
       FROM information_schema.COLUMNS WHERE (TABLE_SCHEMA, TABLE_NAME) IN (?)
      ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
    [pairs],
  );
  const [idx] = await conn.query<RowDataPacket[]>(
    `SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SEQ_IN_INDEX
       FROM information_schema.STATISTICS WHERE (TABLE_SCHEMA, TABLE_NAME) IN (?)
      ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [pairs],
  );
  const key = (db: unknown, t: unknown) => `${String(db)}\u0000${String(t)}`;
  const columns = new Map<string, ColumnMeta[]>();
  for (const r of cols) {
    const k = key(r.TABLE_SCHEMA, r.TABLE_NAME);
    const list = columns.get(k) ?? [];
    list.push(toColumn(r, list.length));
    columns.set(k, list);
  }
  const indexes = new Map<string, Map<string, IndexMeta & { columns: string[] }>>();
  for (const r of idx) {
    const k = key(r.TABLE_SCHEMA, r.TABLE_NAME);
    const byName = indexes.get(k) ?? new Map<string, IndexMeta & { columns: string[] }>();
    indexes.set(k, byName);
    const name = String(r.INDEX_NAME);
    const ix = byName.get(name) ?? { name, columns: [], unique: Number(r.NON_UNIQUE) === 0 };
    byName.set(name, ix);
    ix.columns.push(String(r.COLUMN_NAME));
  }
  return tables.map((t) => {
    const k = key(t.db, t.table);
    const cs = columns.get(k);
    if (!cs) throw new SourceError(`Table ${t.db}.${t.table} does not exist or the account cannot see it: check objects and the SELECT grant.`);
    const ixs = [...(indexes.get(k)?.values() ?? [])];
    return {
      db: t.db,
      table: t.table,
      columns: cs,
      primaryKey: ixs.find((i) => i.name === 'PRIMARY')?.columns ?? [],
      uniqueKeys: ixs.filter((i) => i.unique && i.name !== 'PRIMARY'),
      version: 1,
    };
  });
}
