/**
 * A table's mapper, compiled once per table version from its TableSchema: the per-column codecs, the constant
 * `fields` list (and its Avro bytes), the pk_uk_info tag and the snapshot SELECT list. Row images are then
 * one pass over prebuilt closures: no per-row schema work.
 */
import { objectName as dtsObjectName, quoteIdent, type TableSchema } from '../../model/table.js';
import { compileColumnCodec, DEFAULT_FORMAT_OPTIONS, type ColumnCodec, type FormatOptions } from './column-codec.js';
import { encodeFields } from './encode-record.js';
import type { DtsField, DtsValue } from './types.js';

/** A snapshot row: the text-protocol bytes of each select-list column, in order (mysql2 `rowsAsArray`). */
export type SnapshotRow = readonly (Buffer | null)[];
/** A binlog row as zongji gives it: column name → value. */
export type BinlogRow = Readonly<Record<string, unknown>>;

export interface TableMapper {
  readonly schema: TableSchema;
  readonly objectName: string;
  readonly fields: readonly DtsField[];
  /** Avro bytes of the `fields` union for this table version, copied into every record */
  readonly fieldsBytes: Buffer;
  /** the DTS `pk_uk_info` tag, e.g. {"PRIMARY":["id"],"uk_code":["code"]} */
  readonly pkUkInfo: string;
  readonly metaVersion: string;
  /** the per-column codecs in ordinal order (the fused snapshot encoder takes its constants from them) */
  readonly codecs: readonly ColumnCodec[];
  /** the column list of the snapshot SELECT (expressions aliased to the column names, in column order) */
  readonly selectList: string;
  snapshotImage(row: SnapshotRow): DtsValue[];
  binlogImage(row: BinlogRow): DtsValue[];
  /** The same from the values in ordinal order (the worker's rows reader gives arrays, not name-keyed objects). */
  binlogValues(values: readonly unknown[]): DtsValue[];
}

/** pk_uk_info as DTS writes it: the primary key first, then each unique key, name → columns. */
export function pkUkInfo(schema: TableSchema): string {
  const info: Record<string, readonly string[]> = {};
  if (schema.primaryKey.length > 0) info.PRIMARY = schema.primaryKey;
  for (const uk of schema.uniqueKeys) info[uk.name] = uk.columns;
  return JSON.stringify(info);
}

export function compileTableMapper(schema: TableSchema, options: FormatOptions = DEFAULT_FORMAT_OPTIONS): TableMapper {
  const columns = [...schema.columns].sort((a, b) => a.ordinal - b.ordinal);
  const codecs: readonly ColumnCodec[] = columns.map((c) => compileColumnCodec(c, options));
  const fields = codecs.map((c) => c.field);
  const names = columns.map((c) => c.name);
  const n = codecs.length;
  const fromSnapshot = codecs.map((c) => c.fromSnapshot);
  const fromBinlog = codecs.map((c) => c.fromBinlog);
  return {
    schema,
    objectName: dtsObjectName(schema.db, schema.table),
    fields,
    fieldsBytes: encodeFields(fields),
    pkUkInfo: pkUkInfo(schema),
    metaVersion: String(schema.version),
    codecs,
    selectList: codecs.map((c) => (c.selectExpr === quoteIdent(c.meta.name) ? c.selectExpr : `${c.selectExpr} AS ${quoteIdent(c.meta.name)}`)).join(', '),
    snapshotImage(row: SnapshotRow): DtsValue[] {
      const out = new Array<DtsValue>(n);
      for (let i = 0; i < n; i++) {
        const v = row[i];
        out[i] = v === null || v === undefined ? null : (fromSnapshot[i] as ColumnCodec['fromSnapshot'])(v);
      }
      return out;
    },
    binlogImage(row: BinlogRow): DtsValue[] {
      const out = new Array<DtsValue>(n);
      for (let i = 0; i < n; i++) {
        const v = row[names[i] as string];
        out[i] = v === null || v === undefined ? null : (fromBinlog[i] as ColumnCodec['fromBinlog'])(v);
      }
      return out;
    },
    binlogValues(values: readonly unknown[]): DtsValue[] {
      const out = new Array<DtsValue>(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        out[i] = v === null || v === undefined ? null : (fromBinlog[i] as ColumnCodec['fromBinlog'])(v);
      }
      return out;
    },
  };
}

/** `SELECT <list> FROM db.table` — the reader adds its own WHERE (chunk range, filter) and ORDER BY. */
export function snapshotSelectList(schema: TableSchema): string {
  return compileTableMapper(schema).selectList;
}
