/**
 * One selected table compiled for the binlog path: its type mapper, router, filter and the columns each
 * needs as text. Compiled once per table version (a DDL that changes the table compiles it again).
 */
import type { Partitioning } from '../../config/index.js';
import { compileTableMapper, renderValue, imageText, type DtsValue, type FormatOptions, type TableMapper } from '../../format/dts-avro/index.js';
import type { TableSchema } from '../../model/table.js';
import { compileFilter, compileRouter, keyColumnsFor, type CompiledFilter, type FilterDialect, type TableRouter } from '../../transform/index.js';
import type { SyncedTable } from '../synced-table.js';

/** What compiles a BinlogTable, as plain data: a worker compiles its own copy from it (rows-task.ts). */
export interface BinlogTableSpec {
  readonly synced: SyncedTable;
  readonly schema: TableSchema;
  readonly options: BinlogTableOptions;
}

export interface BinlogTable {
  readonly spec: BinlogTableSpec;
  readonly synced: SyncedTable;
  readonly schema: TableSchema;
  readonly topic: string;
  readonly mapper: TableMapper;
  readonly router: TableRouter;
  readonly filter: CompiledFilter | null;
  /** column names in ordinal order, to notice a table map that no longer matches the schema */
  readonly columnNames: readonly string[];
  /** the key columns' image texts, by ordinal (other slots null), for the router */
  keyText(image: readonly DtsValue[]): (string | null)[];
  /** the filter's columns as MySQL text, by ordinal (other slots null), for the filter */
  filterText(image: readonly DtsValue[]): (string | null)[];
}

export interface BinlogTableOptions {
  partitioning: Partitioning;
  /** the topic's partition count */
  partitions: number;
  filterDialect: FilterDialect;
  /** how records are filled where DTS consumers differ (job file `format`); the default when absent */
  format?: FormatOptions;
}

export function compileBinlogTable(synced: SyncedTable, schema: TableSchema, o: BinlogTableOptions): BinlogTable {
  const keyCols = keyColumnsFor(schema, synced.object.partitionKey);
  const keyOrdinals = keyCols?.ordinals ?? [];
  const filter = synced.object.filter ? compileFilter(synced.object.filter, schema, { dialect: o.filterDialect }) : null;
  const byName = new Map(schema.columns.map((c) => [c.name.toLowerCase(), c]));
  const filterCols = (filter?.columns ?? []).map((n) => byName.get(n.toLowerCase())).filter((c) => c !== undefined);
  const n = schema.columns.length;
  const mapper = compileTableMapper(schema, o.format);
  const spec: BinlogTableSpec = { synced, schema, options: { partitioning: o.partitioning, partitions: o.partitions, filterDialect: o.filterDialect, format: o.format } };
  const charsetAt = new Array<string | null>(n).fill(null);
  for (const c of schema.columns) charsetAt[c.ordinal] = c.charset;
  return {
    spec,
    synced,
    schema,
    topic: synced.object.topic,
    mapper,
    router: compileRouter({ strategy: o.partitioning, partitions: o.partitions, db: schema.db, table: schema.table, keyOrdinals: keyCols ? keyOrdinals : null }),
    filter,
    columnNames: [...schema.columns].sort((a, b) => a.ordinal - b.ordinal).map((c) => c.name),
    keyText(image) {
      const out = new Array<string | null>(n).fill(null);
      for (const i of keyOrdinals) out[i] = imageText(image[i] ?? null, charsetAt[i]);
      return out;
    },
    filterText(image) {
      // MySQL's text of each value the filter reads: what the filter evaluator compares (FLOAT as its float32
      // value). TIMESTAMP renders in UTC; the snapshot's SQL filter compares it in the session time zone, so
      // the two paths agree on TIMESTAMP filters only on a UTC server (open point of issue 6).
      const out = new Array<string | null>(n).fill(null);
      for (const c of filterCols) out[c.ordinal] = renderValue(image[c.ordinal] ?? null, { dataTypeNumber: c.typeCode, fsp: c.precision ?? undefined, charset: c.charset });
      return out;
    },
  };
}
