/**
 * The stage ceiling of the binlog path: bare @vlasky/zongji (with sluice's raw-value table map, as sluice's
 * reader uses it) reading the same binlog range the tools read, rows decoded and dropped — no routing, no
 * encoding, no Kafka. Per table: row changes and the time from its first to its last row event, so one pass
 * gives the ceiling of each workload in the range.
 */
import ZongJi from '@vlasky/zongji';
import { attachRawBinlogValues, type ZongjiLike } from '../../src/source/binlog/zongji-raw.js';
import type { BinlogPoint } from './binlog-workloads.js';

export interface DecodeCeiling {
  table: string;
  rows: number;
  seconds: number;
  rowsPerSec: number;
}

interface RowsEvent {
  getTypeName(): string;
  rows?: unknown[];
  tableId?: number;
  tableMap?: Record<number, { tableName: string }>;
  nextPosition: number;
  binlogName?: string;
}

export async function measureDecodeCeiling(
  conn: { host: string; port: number; user: string; password: string },
  db: string,
  from: BinlogPoint,
  to: BinlogPoint,
  serverId: number,
): Promise<DecodeCeiling[]> {
  const perTable = new Map<string, { rows: number; first: bigint; last: bigint }>();
  await new Promise<void>((resolve, reject) => {
    const z = new ZongJi({ host: conn.host, port: conn.port, user: conn.user, password: conn.password });
    attachRawBinlogValues(z as unknown as ZongjiLike);
    let file = from.file;
    const timeout = setTimeout(() => {
      z.stop();
      reject(new Error(`the zongji ceiling did not reach ${to.file}:${to.pos} in 10 minutes`));
    }, 600_000);
    z.on('error', (e: Error) => {
      // Other sessions on this shared server may write compressed transactions (binlog_transaction_compression
      // is a session variable); zongji reports the first one and skips it. The workload's own transactions are
      // not compressed, and the caller checks the row counts.
      if (/TRANSACTION_PAYLOAD_EVENT/.test(e.message)) return;
      clearTimeout(timeout);
      z.stop();
      reject(e);
    });
    z.on('binlog', (ev: RowsEvent) => {
      const type = ev.getTypeName();
      if (type === 'Rotate' && ev.binlogName) file = ev.binlogName;
      if (ev.rows && ev.tableId !== undefined) {
        const name = ev.tableMap?.[ev.tableId]?.tableName ?? String(ev.tableId);
        const now = process.hrtime.bigint();
        const t = perTable.get(name) ?? { rows: 0, first: now, last: now };
        t.rows += ev.rows.length;
        t.last = now;
        perTable.set(name, t);
      }
      if (type === 'Xid' && file === to.file && ev.nextPosition >= to.pos) {
        clearTimeout(timeout);
        z.stop();
        resolve();
      }
    });
    z.start({ serverId, filename: from.file, position: from.pos, includeEvents: ['rotate', 'tablemap', 'writerows', 'updaterows', 'deleterows', 'xid'], includeSchema: { [db]: true } });
  });
  return [...perTable.entries()].map(([table, t]) => {
    const seconds = Number(t.last - t.first) / 1e9;
    return { table, rows: t.rows, seconds, rowsPerSec: t.rows / Math.max(seconds, 0.001) };
  });
}
