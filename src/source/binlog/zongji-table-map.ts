/**
 * Corrections to @vlasky/zongji 0.9's TABLE_MAP optional-metadata parse (TableMap._readOptionalMetadata in
 * lib/binlog_event.js, wrapped by zongji-internals.ts installTableMapCorrections), installed when this module
 * loads and pinned by test/unit/binlog/zongji-table-map.test.ts:
 *
 * - MariaDB counts GEOMETRY columns among the character columns of the DEFAULT_CHARSET / COLUMN_CHARSET
 *   lists (each with the binary collation 63); MySQL does not. zongji follows MySQL's rule, so on MariaDB every
 *   character column after a GEOMETRY column got its left neighbour's collation — a VARCHAR after a GEOMETRY
 *   read as binary and reached Kafka as BinaryObject bytes. Seen on MariaDB 10.11: for (id INT, g GEOMETRY,
 *   s VARCHAR utf8mb4, t TEXT latin1, p POINT, u VARCHAR utf8mb4) the COLUMN_CHARSET field is [63, 45, 8, 63, 45].
 *   On MariaDB the two charset fields are re-read here with GEOMETRY columns counted.
 * - A test-only switch (SLUICE_TEST_TABLE_MAP_WITHOUT_METADATA=1) makes zongji see every TABLE_MAP without its
 *   optional metadata, as a MySQL 5.7 or binlog_row_metadata-less server writes it, so the path that relies on
 *   the structure tracked from DDL runs against a real server that cannot be made to omit the block.
 */

import { installTableMapCorrections } from './zongji-internals.js';

const T = { VARCHAR: 15, VAR_STRING: 253, STRING: 254, TINY_BLOB: 249, MEDIUM_BLOB: 250, LONG_BLOB: 251, BLOB: 252, GEOMETRY: 255, BLOB_COMPRESSED: 140, VARCHAR_COMPRESSED: 141 } as const;
/** the character column types of zongji's CHARACTER_METADATA_TYPES, plus GEOMETRY as MariaDB counts it */
const MARIADB_CHARSET_COLUMN_TYPES = new Set<number>([T.VARCHAR, T.VAR_STRING, T.STRING, T.TINY_BLOB, T.MEDIUM_BLOB, T.LONG_BLOB, T.BLOB, T.BLOB_COMPRESSED, T.VARCHAR_COMPRESSED, T.GEOMETRY]);
const DEFAULT_CHARSET = 2;
const COLUMN_CHARSET = 3;

/** A length-coded number at `pos` (the MySQL protocol's packed integer). */
function packed(b: Buffer, pos: number): { value: number; next: number } {
  const first = b[pos] as number;
  if (first < 251) return { value: first, next: pos + 1 };
  if (first === 252) return { value: b.readUInt16LE(pos + 1), next: pos + 3 };
  if (first === 253) return { value: b.readUIntLE(pos + 1, 3), next: pos + 4 };
  if (first === 254) return { value: Number(b.readBigUInt64LE(pos + 1)), next: pos + 9 };
  throw new Error('Malformed TABLE_MAP_EVENT optional metadata');
}

/**
 * The collation id of every column from the charset fields of an optional-metadata block, with the columns
 * of `charsetTypes` as the columns the lists cover. undefined where a column has none (or no field is present).
 */
export function readColumnCollations(block: Buffer, effectiveTypes: readonly number[], charsetTypes: ReadonlySet<number>): Array<number | undefined> | undefined {
  const indexes: number[] = [];
  effectiveTypes.forEach((t, i) => {
    if (charsetTypes.has(t)) indexes.push(i);
  });
  const out: Array<number | undefined> = Array.from({ length: effectiveTypes.length }, () => undefined);
  let found = false;
  for (let pos = 0; pos < block.length; ) {
    const type = block[pos] as number;
    const len = packed(block, pos + 1);
    const end = len.next + len.value;
    if (end > block.length) throw new Error('Malformed TABLE_MAP_EVENT optional metadata');
    if (type === DEFAULT_CHARSET) {
      found = true;
      let p = packed(block, len.next);
      for (const i of indexes) out[i] = p.value;
      while (p.next < end) {
        const at = packed(block, p.next);
        const coll = packed(block, at.next);
        const col = indexes[at.value];
        if (col !== undefined) out[col] = coll.value;
        p = coll;
      }
    } else if (type === COLUMN_CHARSET) {
      found = true;
      for (let p = len.next, k = 0; p < end; k++) {
        const coll = packed(block, p);
        const col = indexes[k];
        if (col !== undefined) out[col] = coll.value;
        p = coll.next;
      }
    }
    pos = end;
  }
  return found ? out : undefined;
}

/** Whether the test-only switch hides optional metadata from zongji. */
function withoutOptionalMetadata(): boolean {
  return process.env.SLUICE_TEST_TABLE_MAP_WITHOUT_METADATA === '1';
}

installTableMapCorrections({
  withoutOptionalMetadata,
  correctCharsetIds(block, event, ids, flags) {
    if (!flags.isMariaDb || !event.columnTypes.includes(T.GEOMETRY)) return;
    const effective = event.columnTypes.map((t, i) => event.columnsMetadata[i]?.type ?? t);
    const collations = readColumnCollations(block, effective, MARIADB_CHARSET_COLUMN_TYPES);
    if (!collations) return;
    // zongji's own list keeps ENUM/SET charsets (their separate fields) and nothing for GEOMETRY
    effective.forEach((t, i) => {
      if (t !== T.GEOMETRY && MARIADB_CHARSET_COLUMN_TYPES.has(t)) ids[i] = collations[i];
    });
  },
});
