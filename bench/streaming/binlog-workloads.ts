/**
 * The row changes the streaming workloads put into the MySQL binlog, written as root on one connection:
 *
 * - txn-1m: one INSERT … SELECT of 1M rows of the standard 8-column shape = one transaction of 1M row events;
 * - catchup-1m: 1M row changes on the standard shape, in rounds of 5,000 inserts (5 statements of 1,000 rows),
 *   3,000 updates (one statement) and 2,000 deletes (one statement) — 50 % / 30 % / 20 %, each statement its
 *   own transaction, every update and delete hitting rows that exist;
 * - the steady tables: a narrow row with a DATETIME(6) commit timestamp (written by steady-load.ts).
 *
 * The streaming database is dropped and created by each run, so every run starts from empty tables.
 */
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { standardShape } from '../snapshot/load-tables.js';

export const STREAM_DB = 'sluice_bench_stream';
export const TXN_TABLE = 'txn_1m';
export const MIXED_TABLE = 'catchup_mixed';
export const STEADY_COLUMNS = 'id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, account INT NOT NULL, amount DECIMAL(12,2) NOT NULL, note VARCHAR(64) NOT NULL, committed_at DATETIME(6) NOT NULL';

const ROUND = { inserts: 5000, updates: 3000, deletes: 2000 };
const INSERT_STATEMENT_ROWS = 1000;

export interface BinlogPoint {
  file: string;
  pos: number;
}

export async function binlogEnd(conn: Connection): Promise<BinlogPoint> {
  const [rows] = await conn.query<RowDataPacket[]>('SHOW BINARY LOG STATUS');
  const r = rows[0];
  if (!r?.File) throw new Error('MySQL has no binary log position: the benchmark needs log_bin on (the test service has it).');
  return { file: String(r.File), pos: Number(r.Position) };
}

/** Drops and recreates the streaming database with empty tables. */
export async function createStreamTables(conn: Connection, steadyTables: readonly string[]): Promise<void> {
  await conn.query(`DROP DATABASE IF EXISTS \`${STREAM_DB}\``);
  await conn.query(`CREATE DATABASE \`${STREAM_DB}\``);
  for (const t of [TXN_TABLE, MIXED_TABLE]) await conn.query(`CREATE TABLE \`${STREAM_DB}\`.\`${t}\` (${standardShape(t).ddl}) ENGINE=InnoDB`);
  for (const t of steadyTables) await conn.query(`CREATE TABLE \`${STREAM_DB}\`.\`${t}\` (${STEADY_COLUMNS}) ENGINE=InnoDB`);
}

function insertSelect(table: string, from: number, to: number): string {
  return `INSERT INTO \`${STREAM_DB}\`.\`${table}\` WITH RECURSIVE seq(n) AS (SELECT ${from} UNION ALL SELECT n + 1 FROM seq WHERE n < ${to}) SELECT ${standardShape(table).select} FROM seq`;
}

function affected(r: unknown, expected: number, what: string): void {
  const n = (r as ResultSetHeader).affectedRows;
  if (n !== expected) throw new Error(`${what} changed ${n} rows, expected ${expected}`);
}

/** One transaction inserting `rows` rows into TXN_TABLE. */
export async function writeOneTransaction(conn: Connection, rows: number): Promise<void> {
  await conn.query(`SET SESSION cte_max_recursion_depth = ${rows + 10}`);
  const [r] = await conn.query(insertSelect(TXN_TABLE, 1, rows));
  affected(r, rows, `the ${rows}-row transaction`);
}

/** `changes` row changes (a multiple of 10,000) on MIXED_TABLE: inserts, updates and deletes in rounds. */
export async function writeMixedChanges(conn: Connection, changes: number, log: (s: string) => void): Promise<{ inserts: number; updates: number; deletes: number }> {
  const perRound = ROUND.inserts + ROUND.updates + ROUND.deletes;
  if (changes % perRound) throw new Error(`the mixed workload writes rounds of ${perRound} changes: ${changes} is not a multiple`);
  await conn.query(`SET SESSION cte_max_recursion_depth = ${INSERT_STATEMENT_ROWS + 10}`);
  const rounds = changes / perRound;
  for (let r = 0; r < rounds; r++) {
    const base = r * ROUND.inserts;
    for (let from = base + 1; from <= base + ROUND.inserts; from += INSERT_STATEMENT_ROWS) {
      const [ins] = await conn.query(insertSelect(MIXED_TABLE, from, from + INSERT_STATEMENT_ROWS - 1));
      affected(ins, INSERT_STATEMENT_ROWS, 'an insert');
    }
    const [up] = await conn.query(`UPDATE \`${STREAM_DB}\`.\`${MIXED_TABLE}\` SET qty = qty + 1, score = score * 2, note = CONCAT('updated ', note) WHERE id BETWEEN ? AND ?`, [base + 1, base + ROUND.updates]);
    affected(up, ROUND.updates, 'an update');
    const [del] = await conn.query(`DELETE FROM \`${STREAM_DB}\`.\`${MIXED_TABLE}\` WHERE id BETWEEN ? AND ?`, [base + ROUND.updates + 1, base + ROUND.inserts]);
    affected(del, ROUND.deletes, 'a delete');
    if ((r + 1) % Math.max(1, Math.floor(rounds / 4)) === 0) log(`    ${(r + 1) * perRound} / ${changes} changes written`);
  }
  return { inserts: rounds * ROUND.inserts, updates: rounds * ROUND.updates, deletes: rounds * ROUND.deletes };
}
