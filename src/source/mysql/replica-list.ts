import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { ServerVersion } from './server-version.js';

/** A replica the source lists (it registered with COM_REGISTER_SLAVE, as sluice does). */
export interface ListedReplica {
  serverId: number;
  /** its report host, e.g. `sluice:<job name>` for sluice, or empty */
  host: string;
}

export type ReplicaListing = { listed: true; replicas: ListedReplica[] } | { listed: false; statement: string; why: string };

/** MySQL renamed SHOW SLAVE HOSTS in 8.0.22 (and dropped the old name in 8.4); MariaDB keeps it. */
export function replicaListStatement(v: ServerVersion): string {
  if (v.flavor === 'mariadb') return 'SHOW SLAVE HOSTS';
  const atLeast8022 = v.major > 8 || (v.major === 8 && (v.minor > 0 || v.patch >= 22));
  return atLeast8022 ? 'SHOW REPLICAS' : 'SHOW SLAVE HOSTS';
}

/**
 * The replicas registered on the source. A refused listing (MariaDB wants REPLICATION MASTER ADMIN, MySQL
 * REPLICATION SLAVE) is a result, not an error: precheck then says it cannot check.
 */
export async function readReplicas(conn: Connection, v: ServerVersion): Promise<ReplicaListing> {
  const statement = replicaListStatement(v);
  try {
    const [rows] = await conn.query<RowDataPacket[]>(statement);
    return {
      listed: true,
      replicas: rows.map((r) => ({ serverId: Number(r.Server_id ?? r.Server_Id), host: String(r.Host ?? '') })),
    };
  } catch (e) {
    const err = e as { errno?: number; code?: string };
    if (err.errno === 1227 || err.errno === 1142 || err.code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR') {
      return { listed: false, statement, why: 'the sync account may not list them' };
    }
    throw e;
  }
}
