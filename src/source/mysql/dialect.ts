import { atLeast, type ServerVersion } from './server-version.js';

/**
 * What differs between server families and versions, in one place (STYLE: one small dialect per
 * family, not `if (isMaria)` through the code). Everything here is a fact about the server, not a policy.
 */
export interface Dialect {
  version: ServerVersion;
  /** the oldest and newest release lines sluice is tested against, for precheck's version check */
  supported: { min: string; maxTested: string; tooOld: boolean; newerThanTested: boolean };
  /** current binlog file/position (+ GTID columns); renamed in MySQL 8.2 and MariaDB 10.5.2 */
  binlogStatusSql: string;
  /** whether `binlog_row_metadata` exists on this server */
  hasRowMetadata: boolean;
  /** global variables that bound binlog retention, in order of preference, with their unit in seconds */
  retentionVariables: ReadonlyArray<{ name: string; secondsPerUnit: number }>;
  /** SQL answering one column `gtidOn` (1/0): whether the server can stream by GTID (MySQL gtid_mode=ON) */
  gtidModeSql: string;
  /**
   * Where the GTID state at a binlog file/position comes from, read together with that position so the two
   * agree: a column of the binlog status row (MySQL), or SQL taking (file, position) and answering `gtid`
   * (MariaDB's BINLOG_GTID_POS). Reading the executed set with a second query would race commits in between,
   * and a resume by GTID from a set one transaction ahead would skip that transaction.
   */
  gtidAtPosition: { column: string } | { sql: string };
  /** global privilege names that satisfy "REPLICATION CLIENT" on this server */
  replicationClientNames: readonly string[];
  /**
   * SQL listing every collation id the server may write into a table map, as columns ID, COLLATION_NAME
   * (the full name, charset included) and CHARACTER_SET_NAME.
   */
  collationsSql: string;
  /**
   * The server writes end_log_pos 0 into the events of a transaction body (MariaDB ≥ 11.4,
   * binlog_legacy_event_pos=OFF), so their offsets are counted from event lengths (event-positions.ts): the
   * dump must then carry every byte of the file, Annotate_rows included, which MariaDB leaves out unless asked.
   */
  bodyEventsUnpositioned: boolean;
}

const COLLATIONS_SQL = 'SELECT ID, COLLATION_NAME, CHARACTER_SET_NAME FROM information_schema.COLLATIONS WHERE ID IS NOT NULL';

function mysqlDialect(v: ServerVersion): Dialect {
  return {
    version: v,
    supported: {
      min: '5.7',
      maxTested: '9.x',
      tooOld: !atLeast(v, 5, 7),
      newerThanTested: v.major > 9,
    },
    binlogStatusSql: atLeast(v, 8, 2) ? 'SHOW BINARY LOG STATUS' : 'SHOW MASTER STATUS',
    hasRowMetadata: atLeast(v, 8, 0, 1),
    // 8.0 still honours expire_logs_days when binlog_expire_logs_seconds is 0; 8.4 removed it.
    retentionVariables: atLeast(v, 8, 0, 1)
      ? [
          { name: 'binlog_expire_logs_seconds', secondsPerUnit: 1 },
          { name: 'expire_logs_days', secondsPerUnit: 86400 },
        ]
      : [{ name: 'expire_logs_days', secondsPerUnit: 86400 }],
    gtidModeSql: "SELECT @@GLOBAL.gtid_mode = 'ON' AS gtidOn",
    gtidAtPosition: { column: 'Executed_Gtid_Set' },
    replicationClientNames: ['REPLICATION CLIENT'],
    collationsSql: COLLATIONS_SQL,
    bodyEventsUnpositioned: false,
  };
}

function mariadbDialect(v: ServerVersion): Dialect {
  return {
    version: v,
    supported: {
      min: '10.3',
      maxTested: '11.x',
      tooOld: !atLeast(v, 10, 3),
      newerThanTested: v.major > 11,
    },
    binlogStatusSql: atLeast(v, 10, 5, 2) ? 'SHOW BINLOG STATUS' : 'SHOW MASTER STATUS',
    hasRowMetadata: atLeast(v, 10, 5),
    retentionVariables: atLeast(v, 10, 6, 1)
      ? [
          { name: 'binlog_expire_logs_seconds', secondsPerUnit: 1 },
          { name: 'expire_logs_days', secondsPerUnit: 86400 },
        ]
      : [{ name: 'expire_logs_days', secondsPerUnit: 86400 }],
    // MariaDB always writes GTIDs; its position is a list of domain-server-seq triples.
    gtidModeSql: 'SELECT 1 AS gtidOn',
    gtidAtPosition: { sql: 'SELECT BINLOG_GTID_POS(?, ?) AS gtid' },
    // MariaDB 10.5 renamed REPLICATION CLIENT to BINLOG MONITOR (the old name is an alias).
    replicationClientNames: ['REPLICATION CLIENT', 'BINLOG MONITOR'],
    // From 10.10 a UCA-14 collation is one COLLATIONS row with no charset and no id (uca1400_ai_ci); its
    // per-charset ids (utf8mb4_uca1400_ai_ci = 2304) are only in COLLATION_CHARACTER_SET_APPLICABILITY. 11.2+
    // makes them the default for utf8mb4 tables (character_set_collations), so table maps carry such ids.
    collationsSql: atLeast(v, 10, 10)
      ? 'SELECT ID, FULL_COLLATION_NAME AS COLLATION_NAME, CHARACTER_SET_NAME FROM information_schema.COLLATION_CHARACTER_SET_APPLICABILITY WHERE ID IS NOT NULL'
      : COLLATIONS_SQL,
    bodyEventsUnpositioned: atLeast(v, 11, 4),
  };
}

export function dialectFor(v: ServerVersion): Dialect {
  return v.flavor === 'mariadb' ? mariadbDialect(v) : mysqlDialect(v);
}
