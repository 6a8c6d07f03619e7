/**
 * A snapshot chunk: one key range of one table, read in one short query. Plain data, saved in the
 * checkpoint's chunk plan so a restart re-reads only unfinished chunks.
 */

/** One key column's boundary value: text for everything but binary strings, which travel as hex. */
export type KeyValue = { text: string } | { hex: string };

export interface ChunkSpec {
  /** `db.table#index`, unique in the plan */
  id: string;
  db: string;
  table: string;
  /** position of the chunk within its table (0-based) */
  index: number;
  /** the key the ranges are over, in index order; empty for a table read in one sequential chunk */
  keyColumns: string[];
  /** rows with key >= lower (null: from the start) */
  lower: KeyValue[] | null;
  /** rows with key < upper (null: to the end) */
  upper: KeyValue[] | null;
  /** the record ids of this chunk's rows start here (reserved in the plan, below the first binlog id) */
  idBase: number;
  /** rows the planner expects, for progress and ETA */
  estimatedRows: number;
}
