/**
 * Source tables for the snapshot integration tests, loaded by root with sql_log_bin=0 (they need no binlog)
 * from a digits cross join, so 200k rows take seconds on both servers. Each shape also says how the server
 * itself renders its rows (the values a decoded INIT record must equal) and which columns form its key.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';

export interface TableShape {
  table: string;
  /** CREATE TABLE body after the name */
  ddl: string;
  /** the SELECT list (over `n`, 1..rows) that fills the table, in column order */
  fill: string;
  /** column names in table order */
  columns: string[];
  /** per column, the SQL that renders the value as the decoder must render it (null stays null) */
  expected: string[];
  /** key columns as DESIGN §4 picks them (primary key), empty for a table without a key */
  key: string[];
  /** fractional-second digits of temporal columns, for decodeRecord */
  fsp: Record<string, number>;
  /** DOUBLE columns: compared as numbers (the server's text may carry more digits than the shortest form) */
  doubles: string[];
}

const q = (name: string): string => `\`${name}\``;

/** The standard 8-column shape (issue 3): BIGINT PK, INT, VARCHAR(64), DECIMAL(12,2), DATETIME(3), ~100-byte TEXT, JSON, DOUBLE. */
export function standardShape(table: string): TableShape {
  return {
    table,
    ddl: `(
      id BIGINT NOT NULL PRIMARY KEY,
      qty INT NULL,
      name VARCHAR(64) NULL,
      amount DECIMAL(12,2) NULL,
      created DATETIME(3) NULL,
      note TEXT NULL,
      attrs JSON NULL,
      score DOUBLE NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    // ids have gaps (3n + 1000) so the integer chunking splits a key space that is not dense
    fill: `1000 + 3 * n,
      IF(n % 97 = 0, NULL, (n * 7919) % 1000),
      IF(n % 89 = 0, NULL, CONCAT('customer-', n % 5000, IF(n % 11 = 0, ' é😀中', ''))),
      IF(n % 83 = 0, NULL, ((n * 37) % 2000000 - 1000000) / 100),
      IF(n % 79 = 0, NULL, TIMESTAMPADD(MICROSECOND, n * 1237000, '2020-01-01 00:00:00')),
      IF(n % 73 = 0, NULL, CONCAT(LPAD(n, 8, '0'), ' The quick brown fox jumps over the lazy dog; sphinx of black quartz, judge my vow.')),
      IF(n % 71 = 0, NULL, JSON_OBJECT('n', n, 'tag', CONCAT('t', n % 13), 'ok', n % 2 = 0, 'list', JSON_ARRAY(n % 5, 'x'))),
      IF(n % 67 = 0, NULL, (n - 100000) / 7.0e0)`,
    columns: ['id', 'qty', 'name', 'amount', 'created', 'note', 'attrs', 'score'],
    expected: ['id', 'qty', 'name', 'amount', 'created', 'note', 'attrs', 'score'].map((c) => `CAST(${q(c)} AS CHAR)`),
    key: ['id'],
    fsp: { created: 3 },
    doubles: ['score'],
  };
}

/** A composite primary key over an INT and an accented, case-mixed VARCHAR (chunked by walking the index). */
export function compositeShape(table: string): TableShape {
  return {
    table,
    ddl: `(
      tenant INT NOT NULL,
      code VARCHAR(20) NOT NULL,
      qty INT NULL,
      label VARCHAR(40) CHARACTER SET latin1 NULL,
      PRIMARY KEY (tenant, code)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    fill: `n % 7,
      CONCAT(ELT(1 + n % 4, 'alpha', 'Beta', 'gämma', 'Δelta'), '-', LPAD(n, 7, '0')),
      IF(n % 13 = 0, NULL, n % 500),
      IF(n % 17 = 0, NULL, CONCAT('café ', n % 100))`,
    columns: ['tenant', 'code', 'qty', 'label'],
    expected: ['tenant', 'code', 'qty', 'label'].map((c) => `CAST(${q(c)} AS CHAR)`),
    key: ['tenant', 'code'],
    fsp: {},
    doubles: [],
  };
}

/** No primary or unique key, with exact duplicate rows (read as one sequential chunk). */
export function noKeyShape(table: string): TableShape {
  return {
    table,
    ddl: `(
      a INT NULL,
      b VARCHAR(30) NULL,
      c DOUBLE NULL,
      d DATE NULL,
      KEY (a)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    // n % 1000 repeats: every row exists several times
    fill: `IF(n % 11 = 0, NULL, n % 1000),
      IF(n % 7 = 0, NULL, CONCAT('row ', n % 1000)),
      IF(n % 5 = 0, NULL, (n % 1000) / 3.0e0),
      IF(n % 3 = 0, NULL, DATE_ADD('2001-01-01', INTERVAL n % 1000 DAY))`,
    columns: ['a', 'b', 'c', 'd'],
    expected: ['a', 'b', 'c', 'd'].map((c) => `CAST(${q(c)} AS CHAR)`),
    key: [],
    fsp: {},
    doubles: ['c'],
  };
}

/** Creates the database (dropping an old one) with root; sluice already holds SELECT on *.* (services.sh). */
export async function recreateDatabase(root: Connection, db: string): Promise<void> {
  await root.query(`SET SESSION sql_log_bin = 0`);
  await root.query(`DROP DATABASE IF EXISTS ${q(db)}`);
  await root.query(`CREATE DATABASE ${q(db)}`);
}

/** Creates `shape` in `db` and fills it with rows n = 1..rows, without writing the binlog. */
export async function loadTable(root: Connection, db: string, shape: TableShape, rows: number): Promise<void> {
  await root.query(`SET SESSION sql_log_bin = 0`);
  await root.query(`CREATE TABLE ${q(db)}.${q(shape.table)} ${shape.ddl}`);
  if (rows <= 0) return;
  const digits = Math.max(1, Math.ceil(Math.log10(rows + 1)));
  const tables = Array.from({ length: digits }, (_, i) => `(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d${i}`);
  const n = Array.from({ length: digits }, (_, i) => `d${i}.d * ${10 ** i}`).join(' + ');
  await root.query('BEGIN');
  await root.query(
    `INSERT INTO ${q(db)}.${q(shape.table)} (${shape.columns.map(q).join(', ')})
     SELECT ${shape.fill} FROM (SELECT ${n} AS n FROM ${tables.join(' CROSS JOIN ')}) s WHERE n BETWEEN 1 AND ${rows}`,
  );
  await root.query('COMMIT');
  // fresh statistics: the chunk planner sizes chunks from TABLE_ROWS
  await root.query(`ANALYZE TABLE ${q(db)}.${q(shape.table)}`);
}

/** A row as the server renders it: one text (or null) per column, in column order. */
export type ServerRow = (string | null)[];

/** The rows of a table (optionally WHERE `filter`) rendered by the server, for comparison with decoded records. */
export async function serverRows(root: Connection, db: string, shape: TableShape, filter: string | null = null): Promise<ServerRow[]> {
  const [rows] = await root.query<RowDataPacket[]>({
    sql: `SELECT ${shape.expected.join(', ')} FROM ${q(db)}.${q(shape.table)}${filter ? ` WHERE ${filter}` : ''}`,
    rowsAsArray: true,
  });
  return (rows as unknown as unknown[][]).map((r) => r.map((v) => (v === null ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v))));
}

/** `SHOW CREATE TABLE` as the server prints it (what the schema-init DDL record carries). */
export async function showCreateTable(conn: Connection, db: string, table: string): Promise<string> {
  const [rows] = await conn.query<RowDataPacket[]>(`SHOW CREATE TABLE ${q(db)}.${q(table)}`);
  return String(rows[0]?.['Create Table']);
}

/**
 * Tables whose keys are hard to split into ranges: the planner walks their index and carries the boundary
 * values through the checkpoint, so each key type must survive that round trip exactly.
 */
export function edgeKeyShapes(): TableShape[] {
  const cast = (cols: string[]): string[] => cols.map((c) => `CAST(${q(c)} AS CHAR)`);
  return [
    {
      // DATETIME(6) first in a composite key: boundaries need their microseconds and must not become JS Dates
      table: 'k_datetime',
      ddl: `(at DATETIME(6) NOT NULL, seq INT NOT NULL, v VARCHAR(20) NULL, PRIMARY KEY (at, seq)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      fill: `TIMESTAMPADD(MICROSECOND, (n DIV 3) * 1000001, '2023-03-26 00:59:59.999999'), n % 3, CONCAT('v', n)`,
      columns: ['at', 'seq', 'v'],
      expected: cast(['at', 'seq', 'v']),
      key: ['at', 'seq'],
      fsp: { at: 6 },
      doubles: [],
    },
    {
      table: 'k_date',
      ddl: `(d DATE NOT NULL PRIMARY KEY, v INT NULL) ENGINE=InnoDB`,
      fill: `DATE_ADD('1000-01-01', INTERVAL n * 97 DAY), n`,
      columns: ['d', 'v'],
      expected: cast(['d', 'v']),
      key: ['d'],
      fsp: {},
      doubles: [],
    },
    {
      // beyond 2^53: a boundary read as a JS number would be rounded
      table: 'k_bigint',
      ddl: `(a BIGINT UNSIGNED NOT NULL, b BIGINT NOT NULL, v INT NULL, PRIMARY KEY (a, b)) ENGINE=InnoDB`,
      fill: `18446744073709551615 - (n % 2), -9223372036854775807 + n * 3, n`,
      columns: ['a', 'b', 'v'],
      expected: cast(['a', 'b', 'v']),
      key: ['a', 'b'],
      fsp: {},
      doubles: [],
    },
    {
      table: 'k_binary',
      ddl: `(k VARBINARY(16) NOT NULL PRIMARY KEY, v INT NULL) ENGINE=InnoDB`,
      fill: `CONCAT(UNHEX(LPAD(HEX(n * 2654435761 % 4294967296), 8, '0')), IF(n % 2 = 0, X'00', X'FF00')), n`,
      columns: ['k', 'v'],
      expected: ['LOWER(HEX(k))', 'CAST(v AS CHAR)'],
      key: ['k'],
      fsp: {},
      doubles: [],
    },
    {
      // no primary key: the NOT NULL unique key chunks and keys it; the nullable unique key is not usable
      table: 'k_unique',
      ddl: `(maybe INT NULL, code VARCHAR(24) NOT NULL, v DOUBLE NULL, UNIQUE KEY uk_maybe (maybe), UNIQUE KEY uk_code (code)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      fill: `IF(n % 2 = 0, NULL, n), CONCAT(ELT(1 + n % 3, 'Ärger', 'apfel', 'Zebra'), '-', n), n / 3.0e0`,
      columns: ['maybe', 'code', 'v'],
      expected: cast(['maybe', 'code', 'v']),
      key: ['code'],
      fsp: {},
      doubles: ['v'],
    },
  ];
}
