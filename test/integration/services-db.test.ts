// Checks the two database test servers started by scripts/mariadb.sh and scripts/mysql.sh: the sluice user logs in
// over TCP with exactly the DTS grants, the binlog settings sluice relies on are in force, root can prepare data,
// a row change shows up in the binlog position, and MySQL speaks TLS with the certificates made at initialisation.
// Needs the servers: `bash scripts/mariadb.sh start && bash scripts/mysql.sh start`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions, RowDataPacket } from 'mysql2/promise';
import { ALL_DATABASES, MARIADB, MARIADB118, MYSQL, MYSQL_MINIMAL, type DbService } from '../support/services.js';

async function connect(svc: DbService, who: 'root' | 'sluice', extra: Partial<ConnectionOptions> = {}): Promise<Connection> {
  try {
    return await mysql.createConnection({
      host: svc.host,
      port: svc.port,
      user: svc[who].user,
      password: svc[who].password,
      connectTimeout: 5000,
      ...extra,
    });
  } catch (err) {
    throw new Error(`cannot reach ${svc.name} at ${svc.host}:${svc.port} as ${who} (start it with: bash scripts/${svc.name}.sh start): ${String(err)}`);
  }
}

async function one(c: Connection, sql: string): Promise<RowDataPacket> {
  const [rows] = await c.query<RowDataPacket[]>(sql);
  assert.ok(rows[0], `no row from ${sql}`);
  return rows[0];
}

/** Global privileges of the current user, from its `ON *.*` grant line. */
async function globalPrivileges(c: Connection): Promise<string[]> {
  const [rows] = await c.query<RowDataPacket[]>('SHOW GRANTS');
  const line = rows.map((r) => String(Object.values(r)[0])).find((g) => / ON \*\.\* TO /.test(g));
  assert.ok(line, 'no global grant line');
  const m = /^GRANT (.*) ON \*\.\* TO /.exec(line);
  assert.ok(m, line);
  return m[1]!.split(',').map((p) => p.trim()).sort();
}

async function binlogStatus(c: Connection, svc: DbService): Promise<{ file: string; pos: number }> {
  const r = await one(c, svc.flavor === 'mysql' ? 'SHOW BINARY LOG STATUS' : 'SHOW BINLOG STATUS');
  return { file: String(r.File), pos: Number(r.Position) };
}

const EXPECTED_SETTINGS = {
  '@@log_bin': 1,
  '@@binlog_format': 'ROW',
  '@@binlog_row_image': 'FULL',
  '@@binlog_row_metadata': 'FULL',
  '@@sync_binlog': 0,
  '@@innodb_flush_log_at_trx_commit': 2,
  '@@character_set_server': 'utf8mb4',
  '@@bind_address': '127.0.0.1',
};

test('MariaDB: sluice holds exactly the DTS grants and the binlog is ROW/FULL with strict GTID', async () => {
  const c = await connect(MARIADB, 'sluice');
  try {
    const v = await one(c, 'SELECT VERSION() AS v, CURRENT_USER() AS u');
    assert.match(String(v.v), /MariaDB/);
    assert.equal(v.u, 'sluice@%');
    // MariaDB 10.5+ shows REPLICATION CLIENT under its new name, BINLOG MONITOR.
    assert.deepEqual(await globalPrivileges(c), ['BINLOG MONITOR', 'REPLICATION SLAVE', 'SELECT', 'SHOW VIEW']);
    const s = await one(c, `SELECT ${Object.keys(EXPECTED_SETTINGS).join(', ')}, @@server_id, @@gtid_strict_mode, @@log_slave_updates`);
    for (const [k, want] of Object.entries(EXPECTED_SETTINGS)) assert.equal(s[k], want, k);
    assert.equal(s['@@server_id'], 11);
    assert.equal(s['@@gtid_strict_mode'], 1);
    assert.equal(s['@@log_slave_updates'], 1);
    const st = await binlogStatus(c, MARIADB);
    assert.match(st.file, /^mariadb-bin\.\d+$/);
  } finally {
    await c.end();
  }
});

test('MySQL: sluice holds exactly the DTS grants and the binlog is ROW/FULL with GTID on', async () => {
  const c = await connect(MYSQL, 'sluice');
  try {
    const v = await one(c, 'SELECT VERSION() AS v, CURRENT_USER() AS u');
    assert.match(String(v.v), /^9\./);
    assert.equal(v.u, 'sluice@%');
    assert.deepEqual(await globalPrivileges(c), ['REPLICATION CLIENT', 'REPLICATION SLAVE', 'SELECT', 'SHOW VIEW']);
    const s = await one(c, `SELECT ${Object.keys(EXPECTED_SETTINGS).join(', ')}, @@server_id, @@gtid_mode, @@enforce_gtid_consistency`);
    for (const [k, want] of Object.entries(EXPECTED_SETTINGS)) assert.equal(s[k], want, k);
    assert.equal(s['@@server_id'], 12);
    assert.equal(s['@@gtid_mode'], 'ON');
    assert.equal(s['@@enforce_gtid_consistency'], 'ON');
    const st = await one(c, 'SHOW BINARY LOG STATUS');
    assert.match(String(st.Executed_Gtid_Set), /^$|^[0-9a-f-]{36}:/);
  } finally {
    await c.end();
  }
});

for (const svc of ALL_DATABASES) {
  test(`${svc.name}: root prepares data over TCP and the change moves the binlog position sluice sees`, async () => {
    const root = await connect(svc, 'root');
    const me = await connect(svc, 'sluice');
    const db = `zz_services_db_${process.pid}`;
    try {
      assert.equal((await one(root, 'SELECT CURRENT_USER() AS u')).u, 'root@127.0.0.1');
      const before = await binlogStatus(me, svc);
      await root.query(`CREATE DATABASE ${db}`);
      await root.query(`CREATE TABLE ${db}.t (id INT PRIMARY KEY, s VARCHAR(20)) DEFAULT CHARSET=utf8mb4`);
      await root.query(`INSERT INTO ${db}.t VALUES (1, 'x')`);
      const after = await binlogStatus(me, svc);
      assert.ok(after.file > before.file || after.pos > before.pos, `binlog did not move: ${JSON.stringify({ before, after })}`);
      assert.equal((await one(me, `SELECT s FROM ${db}.t WHERE id = 1`)).s, 'x');
      await assert.rejects(me.query(`INSERT INTO ${db}.t VALUES (2, 'y')`), /denied/);
    } finally {
      await root.query(`DROP DATABASE IF EXISTS ${db}`);
      await root.end();
      await me.end();
    }
  });
}

test('MariaDB 11.8: sluice holds exactly the DTS grants; ROW/FULL binlog, strict GTID, and in-transaction events without positions (binlog_legacy_event_pos=OFF)', async () => {
  const c = await connect(MARIADB118, 'sluice');
  try {
    const v = await one(c, 'SELECT VERSION() AS v, CURRENT_USER() AS u');
    assert.match(String(v.v), /^11\.8\..*MariaDB/);
    assert.equal(v.u, 'sluice@%');
    assert.deepEqual(await globalPrivileges(c), ['BINLOG MONITOR', 'REPLICATION SLAVE', 'SELECT', 'SHOW VIEW']);
    const s = await one(c, `SELECT ${Object.keys(EXPECTED_SETTINGS).join(', ')}, @@server_id, @@gtid_strict_mode, @@binlog_legacy_event_pos`);
    for (const [k, want] of Object.entries(EXPECTED_SETTINGS)) assert.equal(s[k], want, k);
    assert.equal(s['@@server_id'], 13);
    assert.equal(s['@@gtid_strict_mode'], 1);
    assert.equal(s['@@binlog_legacy_event_pos'], 0);
  } finally {
    await c.end();
  }
});

test('5.7-shaped MySQL: sluice holds exactly the DTS grants; ROW binlog with MINIMAL row metadata and GTID off', async () => {
  const c = await connect(MYSQL_MINIMAL, 'sluice');
  try {
    assert.deepEqual(await globalPrivileges(c), ['REPLICATION CLIENT', 'REPLICATION SLAVE', 'SELECT', 'SHOW VIEW']);
    const s = await one(c, `SELECT ${Object.keys(EXPECTED_SETTINGS).join(', ')}, @@server_id, @@gtid_mode, @@enforce_gtid_consistency`);
    for (const [k, want] of Object.entries({ ...EXPECTED_SETTINGS, '@@binlog_row_metadata': 'MINIMAL' })) assert.equal(s[k], want, k);
    assert.equal(s['@@server_id'], 14);
    assert.equal(s['@@gtid_mode'], 'OFF');
    assert.equal(s['@@enforce_gtid_consistency'], 'OFF');
    assert.equal(String((await one(c, 'SHOW BINARY LOG STATUS')).Executed_Gtid_Set), '');
  } finally {
    await c.end();
  }
});

test('MySQL: TLS with the certificates made at initialisation', async () => {
  const c = await connect(MYSQL, 'sluice', { ssl: { rejectUnauthorized: false } });
  try {
    const r = await one(c, "SHOW SESSION STATUS LIKE 'Ssl_version'");
    assert.match(String(r.Value), /^TLSv1\.[23]$/);
  } finally {
    await c.end();
  }
});
