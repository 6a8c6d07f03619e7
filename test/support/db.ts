import mysql, { type Connection } from 'mysql2/promise';
import type { DbService } from './services.js';

/** A root connection to a test server, for preparing data only (sluice itself never runs as root in tests). */
export async function rootConnection(svc: DbService, extra: mysql.ConnectionOptions = {}): Promise<Connection> {
  return mysql.createConnection({
    host: svc.host,
    port: svc.port,
    user: svc.root.user,
    password: svc.root.password,
    multipleStatements: true,
    ...extra,
  });
}

/** Runs statements as root and closes the connection. */
export async function asRoot(svc: DbService, ...sql: string[]): Promise<void> {
  const conn = await rootConnection(svc);
  try {
    for (const s of sql) await conn.query(s);
  } finally {
    await conn.end();
  }
}

/** Sets a global variable for the body, then puts the old value back (also when the body throws). */
export async function withGlobal<T>(svc: DbService, name: string, value: string, body: () => Promise<T>): Promise<T> {
  const conn = await rootConnection(svc);
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT @@GLOBAL.${name} AS v`);
    const old = rows[0]?.v;
    await conn.query(`SET GLOBAL ${name} = ?`, [value]);
    try {
      return await body();
    } finally {
      await conn.query(`SET GLOBAL ${name} = ?`, [old]);
    }
  } finally {
    await conn.end();
  }
}

/**
 * Fails the calling test when a service is down: CI starts every service first, so a missing one is a broken
 * run, never a reason to skip (a skipped integration test would pass without checking anything).
 */
export async function requireService(svc: DbService): Promise<void> {
  try {
    (await rootConnection(svc, { connectTimeout: 3000 })).destroy();
  } catch (e) {
    throw new Error(`${svc.name} is not running on ${svc.host}:${svc.port} (${(e as Error).message}): start it with bash scripts/services.sh start`);
  }
}
