/**
 * A table's structure as one TABLE_MAP event states it, when the server writes binlog_row_metadata=FULL:
 * column names, types, signedness, charsets, ENUM/SET members and the primary key, as of the moment the
 * rows that follow were written (DESIGN §2 — not information_schema's structure *now*, which may already be
 * past an ALTER the stream has not reached).
 *
 * @vlasky/zongji 0.9 parses the optional metadata block itself (lib/binlog_event.js TableMap:
 * columnNames, signedness, primaryKey, geometryTypes, and the private _columnCharsetIds and _enumSetValues read
 * through zongji-internals.ts), so this layer
 * only turns those fields into sluice's ColumnMeta. Probed on MariaDB 10.11 and MySQL 9.7 (both FULL):
 * columnTypes hold the real type after zongji's updateColumnInfo (ENUM 247, SET 248, not STRING), signedness
 * is true for UNSIGNED, charset ids are collation ids (63 = binary).
 */
import type { ColumnMeta } from '../../model/table.js';
import { columnTypeCode } from '../mysql/column-type-code.js';
import type { CollationTable } from '../mysql/row-metadata.js';
import { tableMapCharsetIds, tableMapEnumSetValues, type ZongjiTableMapPrivate } from './zongji-internals.js';

/** The TableMap fields zongji fills from the event (names as in @vlasky/zongji lib/binlog_event.js). */
export interface TableMapMetadata extends ZongjiTableMapPrivate {
  schemaName: string;
  tableName: string;
  columnCount: number;
  columnTypes: readonly number[];
  columnsMetadata: ReadonlyArray<Readonly<Record<string, unknown>> | null | undefined>;
  columnNames?: readonly string[];
  signedness?: ReadonlyArray<boolean | null | undefined>;
  primaryKey?: readonly number[];
  geometryTypes?: ReadonlyArray<number | null | undefined>;
}

// The collation table is read by source/mysql (row-metadata.ts), the folder below this one; re-exported for the binlog path.
export type { CollationTable };

export interface TableMapStructure {
  columns: ColumnMeta[];
  /** primary key column names in index order (empty: none) */
  primaryKey: string[];
}

/** MySQL binlog column type codes (enum_field_types). */
const B = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  VECTOR: 242,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;

const BINARY_COLLATION = 63;
const INTEGERS: Readonly<Record<number, string>> = { [B.TINY]: 'tinyint', [B.SHORT]: 'smallint', [B.INT24]: 'mediumint', [B.LONG]: 'int', [B.LONGLONG]: 'bigint' };
const BLOB_BY_LENGTH_SIZE: Readonly<Record<number, [blob: string, text: string]>> = {
  1: ['tinyblob', 'tinytext'],
  2: ['blob', 'text'],
  3: ['mediumblob', 'mediumtext'],
  4: ['longblob', 'longtext'],
};
// Field_geom::geometry_type; MySQL 8+ calls type 7 'geomcollection' in information_schema
const GEOMETRY_NAMES = ['geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geomcollection'];

const BLOBS = new Set<number>([B.TINY_BLOB, B.MEDIUM_BLOB, B.LONG_BLOB, B.BLOB]);

/** Whether the event carries FULL metadata (a name for every column). */
export function hasColumnNames(ev: TableMapMetadata): boolean {
  return ev.columnNames !== undefined && ev.columnNames.length === ev.columnCount;
}

function num(meta: Readonly<Record<string, unknown>> | null | undefined, key: string): number {
  const v = meta?.[key];
  return typeof v === 'number' ? v : 0;
}

function quoteMember(m: string): string {
  return `'${m.replaceAll("'", "''")}'`;
}

/**
 * The structure the event states, or null when it has no column names (binlog_row_metadata=MINIMAL, or a
 * server without the setting): then the caller keeps the structure it tracked from the DDL stream.
 * A column of a type sluice has no ColumnMeta for becomes `dataType` 'unknown' (the mapper refuses it).
 */
export function structureFromTableMap(ev: TableMapMetadata, collations: CollationTable, /** names of VECTOR columns in the structure known before */ knownVectors: ReadonlySet<string> = new Set()): TableMapStructure | null {
  if (!hasColumnNames(ev)) return null;
  const names = ev.columnNames as readonly string[];
  // MySQL 9's VECTOR reaches zongji re-typed as BLOB (zongji-raw.ts retypeVectorColumns) and the server lists it
  // with the binary collation, so it reads as a LONGBLOB: the structure known before tells it apart (a VECTOR
  // column added while sluice lags behind is not recognised and stops at the type mapper).
  const charsetIds = tableMapCharsetIds(ev);
  const vector = names.map((n, i) => BLOBS.has(ev.columnTypes[i] as number) && charsetIds?.[i] === BINARY_COLLATION && knownVectors.has(n));
  const columns: ColumnMeta[] = [];
  for (let i = 0; i < ev.columnCount; i++) {
    const type = ev.columnTypes[i] as number;
    const meta = ev.columnsMetadata[i];
    const unsigned = ev.signedness?.[i] === true;
    const collationId = charsetIds?.[i];
    const coll = collationId === null || collationId === undefined ? undefined : collations.get(collationId);
    const binary = collationId === BINARY_COLLATION;
    const charset = binary ? 'binary' : (coll?.charset ?? null);
    const collation = binary ? null : (coll?.collation ?? null);
    let dataType = 'unknown';
    let columnType = '';
    let precision: number | null = null;
    let scale: number | null = null;
    let text = false;
    let members: string[] | undefined;
    const intName = INTEGERS[type];
    if (intName !== undefined) {
      dataType = intName;
      columnType = intName + (unsigned ? ' unsigned' : '');
      precision = { tinyint: 3, smallint: 5, mediumint: 7, int: 10, bigint: unsigned ? 20 : 19 }[intName] ?? null;
      scale = 0;
    } else {
      switch (type) {
        case B.FLOAT:
        case B.DOUBLE:
          dataType = type === B.FLOAT ? 'float' : 'double';
          columnType = dataType + (unsigned ? ' unsigned' : '');
          precision = type === B.FLOAT ? 12 : 22;
          break;
        case B.DECIMAL:
        case B.NEWDECIMAL:
          precision = num(meta, 'precision');
          scale = num(meta, 'decimals');
          dataType = 'decimal';
          columnType = `decimal(${precision},${scale})${unsigned ? ' unsigned' : ''}`;
          break;
        case B.YEAR:
          dataType = 'year';
          columnType = 'year(4)';
          break;
        case B.DATE:
        case B.NEWDATE:
          dataType = 'date';
          columnType = 'date';
          break;
        case B.TIMESTAMP:
        case B.TIMESTAMP2:
        case B.DATETIME:
        case B.DATETIME2:
        case B.TIME:
        case B.TIME2: {
          dataType = type === B.TIMESTAMP || type === B.TIMESTAMP2 ? 'timestamp' : type === B.TIME || type === B.TIME2 ? 'time' : 'datetime';
          precision = num(meta, 'decimals');
          columnType = precision ? `${dataType}(${precision})` : dataType;
          break;
        }
        case B.VARCHAR:
        case B.VAR_STRING:
        case B.STRING: {
          const fixed = type === B.STRING;
          const bytes = num(meta, 'max_length');
          if (binary) {
            dataType = fixed ? 'binary' : 'varbinary';
            columnType = `${dataType}(${bytes})`;
          } else {
            dataType = fixed ? 'char' : 'varchar';
            text = true;
            columnType = `${dataType}(${bytes})`;
          }
          break;
        }
        case B.TINY_BLOB:
        case B.MEDIUM_BLOB:
        case B.LONG_BLOB:
        case B.BLOB: {
          if (vector[i]) {
            dataType = 'vector';
            columnType = 'vector';
            break;
          }
          const pair = BLOB_BY_LENGTH_SIZE[num(meta, 'length_size')] ?? (BLOB_BY_LENGTH_SIZE[2] as [string, string]);
          dataType = binary ? pair[0] : pair[1];
          text = !binary;
          columnType = dataType;
          break;
        }
        case B.ENUM:
        case B.SET: {
          dataType = type === B.ENUM ? 'enum' : 'set';
          const enc = charset === 'utf8mb4' || charset === 'utf8mb3' || charset === 'utf8' || charset === 'ascii' ? 'utf8' : 'latin1';
          members = (tableMapEnumSetValues(ev)?.[i] ?? []).map((b) => Buffer.from(b).toString(enc));
          columnType = `${dataType}(${members.map(quoteMember).join(',')})`;
          break;
        }
        case B.BIT:
          dataType = 'bit';
          precision = num(meta, 'bits');
          columnType = `bit(${precision})`;
          break;
        case B.JSON:
          dataType = 'json';
          columnType = 'json';
          break;
        case B.GEOMETRY:
          dataType = GEOMETRY_NAMES[ev.geometryTypes?.[i] ?? 0] ?? 'geometry';
          columnType = dataType;
          break;
        case B.VECTOR:
          dataType = 'vector';
          columnType = 'vector';
          break;
        default:
          columnType = `binlog type ${type}`;
      }
    }
    const col: ColumnMeta = {
      name: names[i] as string,
      ordinal: i,
      typeCode: columnTypeCode(dataType) ?? type,
      dataType,
      columnType,
      unsigned,
      // the table map's null bitmap is skipped by zongji; a column is assumed nullable unless the structure
      // tracked before says otherwise (table-structure.ts)
      nullable: true,
      precision,
      scale,
      charset: text || dataType === 'enum' || dataType === 'set' ? charset : null,
      collation: text || dataType === 'enum' || dataType === 'set' ? collation : null,
    };
    if (members) col.members = members;
    columns.push(col);
  }
  const primaryKey = (ev.primaryKey ?? []).map((i) => names[i]).filter((n): n is string => n !== undefined);
  return { columns, primaryKey };
}

/** The fields of a table map that decide its structure, copied (zongji's event objects are not kept). */
export interface TableMapShape {
  readonly names: readonly string[];
  readonly types: readonly number[];
  readonly meta: ReadonlyArray<Readonly<Record<string, unknown>> | null | undefined>;
  readonly signedness: ReadonlyArray<boolean | null | undefined>;
  readonly charsets: ReadonlyArray<number | null | undefined>;
  readonly members: ReadonlyArray<ReadonlyArray<Uint8Array> | null | undefined>;
  readonly primaryKey: readonly number[];
}

export function tableMapShape(ev: TableMapMetadata): TableMapShape {
  return {
    names: [...(ev.columnNames ?? [])],
    types: [...ev.columnTypes],
    meta: ev.columnsMetadata.map((m) => (m ? { ...m } : m)),
    signedness: [...(ev.signedness ?? [])],
    charsets: [...(tableMapCharsetIds(ev) ?? [])],
    members: [...(tableMapEnumSetValues(ev) ?? [])],
    primaryKey: [...(ev.primaryKey ?? [])],
  };
}

function sameList<T>(a: ReadonlyArray<T>, b: ReadonlyArray<T> | undefined, eq: (x: T, y: T) => boolean = (x, y) => x === y): boolean {
  const n = b?.length ?? 0;
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (!eq(a[i] as T, (b as ReadonlyArray<T>)[i] as T)) return false;
  return true;
}

function sameMeta(a: Readonly<Record<string, unknown>> | null | undefined, b: Readonly<Record<string, unknown>> | null | undefined): boolean {
  if (!a || !b) return !a === !b;
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

function sameBytesList(a: ReadonlyArray<Uint8Array> | null | undefined, b: ReadonlyArray<Uint8Array> | null | undefined): boolean {
  if (!a || !b) return !a === !b;
  return sameList(a, b, (x, y) => Buffer.compare(x, y) === 0);
}

/**
 * Whether a table map states what an earlier one did — checked on every table map (one per table per
 * transaction), so it compares fields in place: deriving and comparing the structure costs ~10 µs a map.
 */
export function sameTableMapShape(shape: TableMapShape, ev: TableMapMetadata): boolean {
  return (
    sameList(shape.names, ev.columnNames ?? []) &&
    sameList(shape.types, ev.columnTypes) &&
    sameList(shape.meta, ev.columnsMetadata, sameMeta) &&
    sameList(shape.signedness, ev.signedness ?? []) &&
    sameList(shape.charsets, tableMapCharsetIds(ev) ?? []) &&
    sameList(shape.members, tableMapEnumSetValues(ev) ?? [], sameBytesList) &&
    sameList(shape.primaryKey, ev.primaryKey ?? [])
  );
}
