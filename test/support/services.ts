/**
 * Where the test services started by scripts/services.sh listen, and the accounts on them.
 * One place, so tests and scripts agree. Everything is on loopback.
 */
export const HOST = '127.0.0.1';

export interface DbService {
  /** unique per server: database and topic names in tests are derived from it. */
  name: 'mariadb' | 'mysql' | 'mariadb118' | 'mysql_minimal';
  /** which SQL and binlog dialect the server speaks. */
  flavor: 'mariadb' | 'mysql';
  /** GTID on (MariaDB's domain-server-seq GTIDs are always on; MySQL's follow gtid_mode). */
  gtid: boolean;
  /** binlog_row_metadata: FULL names the columns in TABLE_MAP, MINIMAL (the 5.7 shape) does not. */
  rowMetadata: 'FULL' | 'MINIMAL';
  host: string;
  port: number;
  /** root prepares data only; sluice itself never connects as root in tests. */
  root: { user: string; password: string };
  /** holds exactly the DTS grants: REPLICATION SLAVE, REPLICATION CLIENT, SHOW VIEW, SELECT. */
  sluice: { user: string; password: string };
}

/** MariaDB 10.11 (Debian's system package). */
export const MARIADB: DbService = {
  name: 'mariadb',
  flavor: 'mariadb',
  gtid: true,
  rowMetadata: 'FULL',
  host: HOST,
  port: Number(process.env.SLUICE_MARIADB_PORT ?? 13306),
  root: { user: 'root', password: 'sluice-root' },
  sluice: { user: 'sluice', password: 'sluice-pw' },
};

/** Oracle MySQL 9.x, GTID on, FULL row metadata. */
export const MYSQL: DbService = {
  name: 'mysql',
  flavor: 'mysql',
  gtid: true,
  rowMetadata: 'FULL',
  host: HOST,
  port: Number(process.env.SLUICE_MYSQL_PORT ?? 13307),
  root: { user: 'root', password: 'sluice-root' },
  sluice: { user: 'sluice', password: 'sluice-pw' },
};

/** MariaDB 11.8 (Debian trixie, unpacked privately): in-transaction events carry end_log_pos 0. */
export const MARIADB118: DbService = {
  name: 'mariadb118',
  flavor: 'mariadb',
  gtid: true,
  rowMetadata: 'FULL',
  host: HOST,
  port: Number(process.env.SLUICE_MARIADB118_PORT ?? 13308),
  root: { user: 'root', password: 'sluice-root' },
  sluice: { user: 'sluice', password: 'sluice-pw' },
};

/** The 5.7-shaped path: MySQL 9.x binaries with gtid_mode=OFF and binlog_row_metadata=MINIMAL. */
export const MYSQL_MINIMAL: DbService = {
  name: 'mysql_minimal',
  flavor: 'mysql',
  gtid: false,
  rowMetadata: 'MINIMAL',
  host: HOST,
  port: Number(process.env.SLUICE_MYSQL_MINIMAL_PORT ?? 13309),
  root: { user: 'root', password: 'sluice-root' },
  sluice: { user: 'sluice', password: 'sluice-pw' },
};

export const DATABASES: DbService[] = [MARIADB, MYSQL];

/** Every source server the services start, for tests that cover all of them. */
export const ALL_DATABASES: DbService[] = [MARIADB, MYSQL, MARIADB118, MYSQL_MINIMAL];

export const KAFKA = {
  plaintext: `${HOST}:${process.env.SLUICE_KAFKA_PORT ?? 19092}`,
  sasl: `${HOST}:${process.env.SLUICE_KAFKA_SASL_PORT ?? 19093}`,
  scram256: { mechanism: 'scram-sha-256' as const, username: 'sluice256', password: 'sluice256-pw' },
  scram512: { mechanism: 'scram-sha-512' as const, username: 'sluice512', password: 'sluice512-pw' },
};
