import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { JobConfig } from '../../config/index.js';
import type { TableSchema } from '../../model/table.js';
import { ConfigError } from '../../errors.js';
import { readServerVersion } from '../../source/mysql/server-facts.js';
import { listTables, loadTableSchemas } from '../../source/mysql/table-schema.js';
import { compileFilter, selectObjects } from '../../transform/index.js';
import type { SourceModel, SyncedTable } from '../synced-table.js';

// The types live one folder up, where pipeline/binlog may import them too; re-exported for the job's files.
export type { SourceModel, SyncedTable };

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
