import type { Connection, RowDataPacket } from 'mysql2/promise';
import { SourceError } from '../../errors.js';
import type { Dialect } from '../mysql/dialect.js';

/** A binlog position: where the incremental phase starts reading. */
export interface BinlogPosition {
  file: string;
  pos: number;
  /** MySQL executed GTID set, or MariaDB GTID position, at exactly file:pos; empty when GTID is off */
  gtid: string;
}

/**
 * The server's current binlog position and the GTID state at that position. The snapshot takes it before
 * reading the first row, so every change after it is replayed from the binlog and the topic converges
 * (DESIGN §2); the GTID state seeds the checkpoints' GTID sets, which a resume by GTID trusts exactly.
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
  const file = String(r.File);
  const pos = Number(r.Position);
  const [mode] = await conn.query<RowDataPacket[]>(dialect.gtidModeSql);
  if (Number(mode[0]?.gtidOn ?? 0) !== 1) return { file, pos, gtid: '' };
  const at = dialect.gtidAtPosition;
  let gtid: unknown;
  if ('column' in at) gtid = r[at.column];
  else {
    const [g] = await conn.query<RowDataPacket[]>(at.sql, [file, pos]);
    gtid = g[0]?.gtid;
  }
  return { file, pos, gtid: String(gtid ?? '').replace(/\s+/g, '') };
}
