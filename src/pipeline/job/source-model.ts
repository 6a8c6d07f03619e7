import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { JobConfig } from '../../config/index.js';
import type { TableSchema } from '../../model/table.js';
import { ConfigError } from '../../errors.js';
import type { Dialect } from '../../source/mysql/dialect.js';
import { readServerVersion } from '../../source/mysql/server-facts.js';
import { listTables, loadTableSchemas } from '../../source/mysql/table-schema.js';
import { compileFilter, selectObjects, type SelectedObject } from '../../transform/index.js';

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

/** Reads which tables the job syncs, their structure and filters, from the live source. */
export async function readSourceModel(conn: Connection, job: JobConfig): Promise<SourceModel> {
  const dialect = await readServerVersion(conn);
  const [ids] = await conn.query<RowDataPacket[]>('SELECT @@server_id AS id');
  const selection = selectObjects(job.objects, await listTables(conn), job.target.topic);
  const missing = selection.unmatched.filter((u) => u.exact);
  if (missing.length) {
    throw new ConfigError(`objects name ${missing.map((u) => u.pattern).join(', ')}, which ${missing.length > 1 ? 'do' : 'does'} not exist on the source: fix objects (sluice precheck lists the tables).`);
  }
  const schemas = await loadTableSchemas(conn, selection.objects);
  const tables = selection.objects.map((object, i) => {
    const schema = schemas[i] as TableSchema;
    return { object, schema, filterSql: object.filter ? compileFilter(object.filter, schema).sql : null };
  });
  return { dialect, serverId: Number(ids[0]?.id ?? 0), tables };
}
