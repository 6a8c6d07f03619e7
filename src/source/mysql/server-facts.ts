import type { Connection, RowDataPacket } from 'mysql2/promise';
import { dialectFor, type Dialect } from './dialect.js';
import { parseServerVersion } from './server-version.js';

/** What precheck (and the job) needs to know about a source server, read in a few queries. */
export interface ServerFacts {
  dialect: Dialect;
  /** global variables by lower-case name; absent when the server has no such variable */
  variables: Map<string, string>;
  /** the lines of SHOW GRANTS for the connected account */
  grantLines: string[];
  /** binary log files and their sizes, oldest first (empty when log_bin is off) */
  binaryLogs: Array<{ name: string; size: number }>;
}

const VARIABLES = [
  'log_bin',
  'binlog_format',
  'binlog_row_image',
  'binlog_row_metadata',
  'binlog_row_value_options',
  'binlog_transaction_compression',
  'gtid_mode',
  'enforce_gtid_consistency',
  'server_id',
  'binlog_expire_logs_seconds',
  'expire_logs_days',
  'max_allowed_packet',
  'version_comment',
];

export async function readServerVersion(conn: Connection): Promise<Dialect> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS v');
  return dialectFor(parseServerVersion(String(rows[0]?.v)));
}

export async function readServerFacts(conn: Connection): Promise<ServerFacts> {
  const [dialect, [vars], [grants]] = await Promise.all([
    readServerVersion(conn),
    conn.query<RowDataPacket[]>('SHOW GLOBAL VARIABLES WHERE Variable_name IN (?)', [VARIABLES]),
    conn.query<RowDataPacket[]>('SHOW GRANTS'),
  ]);
  const variables = new Map<string, string>();
  for (const r of vars) variables.set(String(r.Variable_name).toLowerCase(), String(r.Value));
  const grantLines = grants.map((r) => String(Object.values(r)[0]));
  let binaryLogs: ServerFacts['binaryLogs'] = [];
  if (variables.get('log_bin') === 'ON') {
    try {
      const [logs] = await conn.query<RowDataPacket[]>('SHOW BINARY LOGS');
      binaryLogs = logs.map((r) => ({ name: String(r.Log_name), size: Number(r.File_size) }));
    } catch {
      // Without REPLICATION CLIENT the listing is refused; the privilege check reports that.
    }
  }
  return { dialect, variables, grantLines, binaryLogs };
}
