/**
 * The snapshot benchmark's source tables, loaded as root with sql_log_bin=0 (they need no binlog, DESIGN §7)
 * by INSERT … SELECT from a recursive-CTE sequence in batches. A table is reused across runs when its
 * comment carries this loader's marker and it holds the expected number of rows.
 */
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type { DbService } from '../../test/support/services.js';

export const BENCH_DB = 'sluice_bench';
const MARKER = 'sluice-bench-v2';
const BATCH = 100_000;

export interface TableShape {
  name: string;
  /** CREATE TABLE body (columns, keys) */
  ddl: string;
  /** SELECT list computing a row from the sequence number `n` (1-based id) */
  select: string;
}

/** The standard 8-column shape (issue 3/5): BIGINT PK, INT, VARCHAR(64), DECIMAL(12,2), DATETIME(3), ~100-byte TEXT, small JSON, DOUBLE. */
export function standardShape(name: string): TableShape {
  return {
    name,
    ddl: `id BIGINT NOT NULL PRIMARY KEY, qty INT, name VARCHAR(64), amount DECIMAL(12,2), created DATETIME(3), note TEXT, attrs JSON, score DOUBLE`,
    select: [
      'n',
      '(n * 7919) % 100000',
      "CONCAT('customer-', n % 5000, '-', LPAD(HEX(CRC32(n)), 8, '0'))",
      '((n * 104729) % 100000000) / 100',
      "TIMESTAMP('2024-01-01 00:00:00.000') + INTERVAL (n * 37) SECOND + INTERVAL (n % 1000) * 1000 MICROSECOND",
      "CONCAT('order ', n, ': the quick brown fox jumps over the lazy dog; sphinx of black quartz, judge my vow ', LPAD(HEX(CRC32(n * 3)), 8, '0'), LPAD(HEX(CRC32(n * 5)), 8, '0'))",
      "JSON_OBJECT('sku', CONCAT('S', n % 997), 'tags', JSON_ARRAY('a', n % 7), 'gift', n % 2 = 0)",
      'n / 7.0 + 0.125',
    ].join(', '),
  };
}

/**
 * The wide shape (issue 9): BIGINT PK + 49 columns cycling through INT, BIGINT, VARCHAR(40), DECIMAL(12,2),
 * DATETIME(3), DOUBLE and DATE, every value derived from the row number (no NULLs).
 */
export function wideShape(name: string): TableShape {
  const types = ['INT', 'BIGINT', 'VARCHAR(40)', 'DECIMAL(12,2)', 'DATETIME(3)', 'DOUBLE', 'DATE'];
  const value = (i: number): string => {
    switch (i % 7) {
      case 0:
        return `(n * ${i + 13}) % 1000000`;
      case 1:
        return `n * ${i + 1000003}`;
      case 2:
        return `CONCAT('w${i}-', n % 9973, '-', LPAD(HEX(CRC32(n + ${i})), 8, '0'))`;
      case 3:
        return `((n * ${i + 7919}) % 10000000) / 100`;
      case 4:
        return `TIMESTAMP('2024-01-01 00:00:00.000') + INTERVAL (n * ${i + 11}) SECOND + INTERVAL (n % 1000) * 1000 MICROSECOND`;
      case 5:
        return `n / ${i + 3}.0 + 0.5`;
      default:
        return `DATE('2020-01-01') + INTERVAL (n + ${i}) % 3650 DAY`;
    }
  };
  const cols = Array.from({ length: 49 }, (_, i) => i);
  return {
    name,
    ddl: ['id BIGINT NOT NULL PRIMARY KEY', ...cols.map((i) => `c${i + 1} ${types[i % 7]} NOT NULL`)].join(', '),
    select: ['n', ...cols.map(value)].join(', '),
  };
}

/**
 * ~1 KB rows: BIGINT PK + a 1000-byte VARCHAR: 32 CRC32s (256 hex chars, distinct per row) repeated to 992
 * bytes plus the id (MySQL 9.7 here has no MD5/SHA functions). lz4 finds the repeats (~4x on the wire);
 * the encoded record sluice holds in memory is ~1 KB either way.
 */
export function kilobyteShape(name: string): TableShape {
  return {
    name,
    ddl: 'id BIGINT NOT NULL PRIMARY KEY, payload VARCHAR(1000) CHARACTER SET ascii',
    select: `n, CONCAT(LEFT(REPEAT(CONCAT(${Array.from({ length: 32 }, (_, i) => `LPAD(HEX(CRC32(n * 32 + ${i})), 8, '0')`).join(', ')}), 4), 992), LPAD(n % 100000000, 8, '0'))`,
  };
}

export async function rootConnection(svc: DbService): Promise<Connection> {
  return mysql.createConnection({ host: svc.host, port: svc.port, user: svc.root.user, password: svc.root.password, multipleStatements: true });
}

async function rowCount(conn: Connection, table: string, rows: number): Promise<{ ok: boolean; rows: number }> {
  const [t] = await conn.query<RowDataPacket[]>('SELECT TABLE_COMMENT AS c FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [BENCH_DB, table]);
  if (!t.length) return { ok: false, rows: -1 };
  const [c] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${BENCH_DB}\`.\`${table}\``);
  return { ok: String(t[0]?.c ?? '') === `${MARKER} rows=${rows}`, rows: Number(c[0]?.n ?? -1) };
}

/** Makes `BENCH_DB.<shape.name>` hold exactly `rows` rows (ids 1..rows); returns the seconds spent loading (0 when reused). */
export async function ensureTable(svc: DbService, shape: TableShape, rows: number, log: (s: string) => void): Promise<number> {
  const conn = await rootConnection(svc);
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${BENCH_DB}\``);
    await conn.query(`USE \`${BENCH_DB}\``);
    const have = await rowCount(conn, shape.name, rows);
    if (have.ok && have.rows === rows) {
      log(`  ${BENCH_DB}.${shape.name}: reusing ${rows} rows`);
      return 0;
    }
    const t0 = Date.now();
    await conn.query('SET SESSION sql_log_bin = 0');
    await conn.query(`SET SESSION cte_max_recursion_depth = ${BATCH + 10}`);
    await conn.query(`DROP TABLE IF EXISTS \`${BENCH_DB}\`.\`${shape.name}\``);
    await conn.query(`CREATE TABLE \`${BENCH_DB}\`.\`${shape.name}\` (${shape.ddl}) ENGINE=InnoDB COMMENT='${MARKER} loading'`);
    for (let from = 1; from <= rows; from += BATCH) {
      const to = Math.min(rows, from + BATCH - 1);
      await conn.query(
        `INSERT INTO \`${BENCH_DB}\`.\`${shape.name}\` ` +
          `WITH RECURSIVE seq(n) AS (SELECT ${from} UNION ALL SELECT n + 1 FROM seq WHERE n < ${to}) SELECT ${shape.select} FROM seq`,
      );
      log(`  ${BENCH_DB}.${shape.name}: ${to} / ${rows} rows loaded`);
    }
    // The marker goes on last, so a load interrupted half way is never reused.
    await conn.query(`ALTER TABLE \`${BENCH_DB}\`.\`${shape.name}\` COMMENT='${MARKER} rows=${rows}'`);
    await conn.query(`ANALYZE TABLE \`${BENCH_DB}\`.\`${shape.name}\``);
    const s = (Date.now() - t0) / 1000;
    log(`  ${BENCH_DB}.${shape.name}: loaded ${rows} rows in ${s.toFixed(1)} s (sql_log_bin=0)`);
    return s;
  } finally {
    await conn.end();
  }
}
