/**
 * Where a record goes: its partition and its Kafka message key (DESIGN §4). Compiled once per table, so the
 * per-record cost is one key render and one hash.
 */
import { objectName } from '../model/table.js';
import { javaBytesHashCode, javaStringHashCode, partitionFor } from './java-hash.js';
import { renderKeyString } from './key-columns.js';

export type PartitionStrategy = 'partition0' | 'table-hash' | 'key-hash';

export interface Route {
  partition: number;
  /** the message key as text (the sink writes it as UTF-8); null when the table has no key */
  key: string | null;
}

export interface RouterOptions {
  strategy: PartitionStrategy;
  /** the topic's partition count */
  partitions: number;
  db: string;
  table: string;
  /** ordinals of the key columns (keyColumnsFor), or null when the table has no key */
  keyOrdinals: readonly number[] | null;
}

export interface TableRouter {
  /** for INSERT/DELETE/INIT the row's image; for UPDATE the after image (a changed key goes by its new value) */
  routeRow(image: ReadonlyArray<string | null>): Route;
  /**
   * The partition routeRow gives a row whose key string is the ASCII text key[0, length) — for callers that
   * build the key's bytes themselves (the snapshot's fused encoder), so no string is made per row.
   */
  partitionOfKey(key: Uint8Array, length: number): number;
  /** a DDL record on this table */
  routeDdl(): Route;
}

/**
 * The string table-hash hashes: the record's `objectName` (`db.table`, a '.' inside a name written
 * \u002E). It equals the plain "db.table" DTS hashes for every name without a dot, and for the rest it is
 * what a consumer reads in the record, so anyone can recompute the partition from the record alone.
 */
export function tableHashString(db: string, table: string): string {
  return objectName(db, table);
}

export function compileRouter(o: RouterOptions): TableRouter {
  if (!Number.isInteger(o.partitions) || o.partitions < 1) {
    throw new RangeError(`partition count must be a positive integer, got ${o.partitions}`);
  }
  const ordinals = o.keyOrdinals && o.keyOrdinals.length > 0 ? o.keyOrdinals : null;
  const ddl = routeDdl(o.strategy, o.partitions, o.db, o.table);
  if (o.strategy === 'partition0') {
    return {
      routeRow: (image) => ({ partition: 0, key: ordinals ? renderKeyString(image, ordinals) : null }),
      partitionOfKey: () => 0,
      routeDdl: () => ddl,
    };
  }
  if (o.strategy === 'table-hash') {
    const partition = partitionFor(javaStringHashCode(tableHashString(o.db, o.table)), o.partitions);
    return {
      routeRow: (image) => ({ partition, key: ordinals ? renderKeyString(image, ordinals) : null }),
      partitionOfKey: () => partition,
      routeDdl: () => ddl,
    };
  }
  const n = o.partitions;
  return {
    routeRow: ordinals
      ? (image) => {
          const key = renderKeyString(image, ordinals);
          return { partition: partitionFor(javaStringHashCode(key), n), key };
        }
      : () => ({ partition: 0, key: null }),
    partitionOfKey: ordinals ? (key, length) => partitionFor(javaBytesHashCode(key, length), n) : () => 0,
    routeDdl: () => ddl,
  };
}

/**
 * A DDL record's route. Its key is the database name (as DTS's objectName for DDL). table-hash sends a DDL
 * naming a table to that table's partition, so it stays ordered with the table's rows; a DDL naming no table
 * (CREATE DATABASE…), and every DDL under partition0 and key-hash, goes to partition 0.
 */
export function routeDdl(strategy: PartitionStrategy, partitions: number, db: string, table: string | null): Route {
  if (strategy === 'table-hash' && table !== null) {
    return { partition: partitionFor(javaStringHashCode(tableHashString(db, table)), partitions), key: db };
  }
  return { partition: 0, key: db };
}
