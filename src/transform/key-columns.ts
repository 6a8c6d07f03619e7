/**
 * The columns whose values form a record's key (DESIGN §4): the configured partition-key columns, else the
 * primary key, else the first unique key whose columns are all NOT NULL (a nullable unique key does not
 * identify a row: MySQL lets many rows hold NULL in it). None of these → the table has no key.
 */
import { ConfigError } from '../errors.js';
import { objectName, type TableSchema } from '../model/table.js';

export interface KeyColumns {
  /** column names in key order */
  names: readonly string[];
  /** their 0-based ordinals in the row image */
  ordinals: readonly number[];
  source: 'configured' | 'primary' | 'unique';
}

function ordinalsOf(schema: TableSchema, names: readonly string[], what: string): number[] {
  return names.map((name) => {
    const col = schema.columns.find((c) => c.name === name)
      // MySQL column names are case-insensitive, so a configured `ID` names the column `id`.
      ?? schema.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!col) {
      const known = schema.columns.map((c) => c.name).join(', ');
      throw new ConfigError(
        `${what} for ${objectName(schema.db, schema.table)} names column '${name}', which the table does not have (columns: ${known}).`,
      );
    }
    return col.ordinal;
  });
}

export function keyColumnsFor(schema: TableSchema, configured: readonly string[] | null | undefined): KeyColumns | null {
  if (configured && configured.length > 0) {
    return { names: [...configured], ordinals: ordinalsOf(schema, configured, 'partitionKey'), source: 'configured' };
  }
  if (schema.primaryKey.length > 0) {
    return { names: schema.primaryKey, ordinals: ordinalsOf(schema, schema.primaryKey, 'the primary key'), source: 'primary' };
  }
  for (const uk of schema.uniqueKeys) {
    if (!uk.unique || uk.columns.length === 0) continue;
    const cols = uk.columns.map((n) => schema.columns.find((c) => c.name === n));
    if (cols.every((c) => c !== undefined && !c.nullable)) {
      return { names: uk.columns, ordinals: ordinalsOf(schema, uk.columns, `unique key ${uk.name}`), source: 'unique' };
    }
  }
  return null;
}

/**
 * The key string: the key columns' DTS image texts as a JSON array, e.g. `["42","abc"]`, NULL as `null`.
 * Exactly ECMAScript's JSON.stringify of the array of texts (no spaces; `"`, `\` and control characters
 * escaped; other characters, CJK and emoji included, written as themselves), so it is stable across versions.
 */
export function renderKeyString(image: ReadonlyArray<string | null>, ordinals: readonly number[]): string {
  // Hand-built for one or two columns (the usual keys): avoids an intermediate array per record.
  let out = '[';
  for (let i = 0; i < ordinals.length; i++) {
    if (i > 0) out += ',';
    const v = image[ordinals[i]!];
    out += v === null || v === undefined ? 'null' : JSON.stringify(v);
  }
  return out + ']';
}
