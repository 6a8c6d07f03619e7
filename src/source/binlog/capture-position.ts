import type { Connection, RowDataPacket } from 'mysql2/promise';
import { SourceError } from '../../errors.js';
import type { Dialect } from '../mysql/dialect.js';

/** A binlog position: where the incremental phase starts reading. */
export interface BinlogPosition {
  file: string;
  pos: number;
  /** MySQL executed GTID set, or MariaDB gtid_binlog_pos; empty when GTID is off */
  gtid: string;
}

/**
 * The server's current binlog position and GTID state. The snapshot takes it before reading the first
 * row, so every change after it is replayed from the binlog and the topic converges (DESIGN §2).
 */
export async function captureBinlogPosition(conn: Connection, dialect: Dialect): Promise<BinlogPosition> {
  let rows: RowDataPacket[];
  try {
    [rows] = await conn.query<RowDataPacket[]>(dialect.binlogStatusSql);
  } catch (e) {
    throw new SourceError(`Reading the binlog position (${dialect.binlogStatusSql}) was refused: grant REPLICATION CLIENT to the sync account.`, { cause: e });
  }
  const r = rows[0];
  if (!r || !r.File) throw new SourceError('The source has no binlog position: enable log_bin on the server (precheck shows the setting).');
  const [g] = await conn.query<RowDataPacket[]>(dialect.gtidSetSql);
  return { file: String(r.File), pos: Number(r.Position), gtid: String(g[0]?.gtid ?? '').replace(/\s+/g, '') };
}
