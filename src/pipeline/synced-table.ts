/**
 * What the job knows of its source once it has read it: the tables it syncs and how. Both phases read these
 * (pipeline/snapshot, pipeline/binlog) and the job coordinator builds them (pipeline/job/source-model.ts), so
 * the types live here, beside the phase folders, not inside the coordinator they would otherwise import.
 */
import type { TableSchema } from '../model/table.js';
import type { Dialect } from '../source/mysql/dialect.js';
import type { SelectedObject } from '../transform/index.js';

/** A selected table with everything the pipeline needs to read and route it. */
export interface SyncedTable {
  object: SelectedObject;
  schema: TableSchema;
  /** the filter rendered as SQL for the snapshot, or null */
  filterSql: string | null;
}

export interface SourceModel {
  dialect: Dialect;
  serverId: number;
  tables: SyncedTable[];
}
