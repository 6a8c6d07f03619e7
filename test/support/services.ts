/**
 * Where the test services started by scripts/services.sh listen, and the accounts on them.
 * One place, so tests and scripts agree. Everything is on loopback.
 */
export const HOST = '127.0.0.1';

export interface DbService {
  name: 'mariadb' | 'mysql';
  host: string;
  port: number;
  /** root prepares data only; sluice itself never connects as root in tests. */
  root: { user: string; password: string };
  /** holds exactly the DTS grants: REPLICATION SLAVE, REPLICATION CLIENT, SHOW VIEW, SELECT. */
  sluice: { user: string; password: string };
}

export const MARIADB: DbService = {
  name: 'mariadb',
  host: HOST,
  port: Number(process.env.SLUICE_MARIADB_PORT ?? 13306),
  root: { user: 'root', password: 'sluice-root' },
  sluice: { user: 'sluice', password: 'sluice-pw' },
};

export const MYSQL: DbService = {
  name: 'mysql',
  host: HOST,
  port: Number(process.env.SLUICE_MYSQL_PORT ?? 13307),
  root: { user: 'root', password: 'sluice-root' },
  sluice: { user: 'sluice', password: 'sluice-pw' },
};

export const DATABASES: DbService[] = [MARIADB, MYSQL];

export const KAFKA = {
  plaintext: `${HOST}:${process.env.SLUICE_KAFKA_PORT ?? 19092}`,
  sasl: `${HOST}:${process.env.SLUICE_KAFKA_SASL_PORT ?? 19093}`,
  scram256: { mechanism: 'scram-sha-256' as const, username: 'sluice256', password: 'sluice256-pw' },
  scram512: { mechanism: 'scram-sha-512' as const, username: 'sluice512', password: 'sluice512-pw' },
};
