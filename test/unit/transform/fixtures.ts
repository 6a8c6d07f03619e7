/** Small TableSchema builders for the transform tests. */
import type { ColumnMeta, TableSchema } from '../../../src/model/table.js';

export interface ColSpec {
  name: string;
  dataType: string;
  unsigned?: boolean;
  nullable?: boolean;
  collation?: string | null;
  members?: readonly string[];
}

export function table(db: string, name: string, cols: readonly ColSpec[], primaryKey: readonly string[] = [], uniqueKeys: TableSchema['uniqueKeys'] = []): TableSchema {
  const columns: ColumnMeta[] = cols.map((c, ordinal) => {
    const isText = ['char', 'varchar', 'text', 'enum', 'set'].includes(c.dataType);
    return {
      name: c.name,
      ordinal,
      typeCode: 0,
      dataType: c.dataType,
      columnType: c.dataType,
      unsigned: c.unsigned ?? false,
      nullable: c.nullable ?? true,
      precision: null,
      scale: null,
      charset: isText ? 'utf8mb4' : null,
      collation: isText ? (c.collation === undefined ? 'utf8mb4_0900_ai_ci' : c.collation) : null,
      ...(c.members ? { members: c.members } : {}),
    };
  });
  return { db, table: name, columns, primaryKey, uniqueKeys, version: 1 };
}

export const ORDERS = table('shop', 'orders', [
  { name: 'id', dataType: 'bigint', nullable: false },
  { name: 'customer_id', dataType: 'int' },
  { name: 'amount', dataType: 'decimal' },
  { name: 'status', dataType: 'varchar', collation: 'utf8mb4_0900_ai_ci' },
  { name: 'note', dataType: 'varchar', collation: 'utf8mb4_general_ci' },
  { name: 'code', dataType: 'varchar', collation: 'utf8mb4_bin' },
  { name: 'created', dataType: 'datetime' },
  { name: 'day', dataType: 'date' },
  { name: 'ratio', dataType: 'double' },
  { name: 'big', dataType: 'bigint', unsigned: true },
  { name: 'payload', dataType: 'json' },
  { name: 'kind', dataType: 'enum', members: ['small', 'large'] },
], ['id']);
