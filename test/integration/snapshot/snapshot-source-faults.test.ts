/**
 * Issue 15, finding 7: the source lost under a running snapshot.
 * - The snapshot's connections killed (KILL CONNECTION, MySQL 9.7) and the server shut down and started again
 *   (the GTID-off MySQL 9.7 of scripts/mysql-minimal.sh, which only this file restarts while it runs) during
 *   `sluice run --snapshot-only`: before the fix the run ended in "internal error:" text. Now it says WARN,
 *   reads the interrupted chunks again once the server answers, says the server is back, and finishes: every
 *   source row is in the topic with the source's values.
 * - A table dropped during its snapshot (MariaDB 10.11), and one dropped while a killed job was stopped
 *   mid-snapshot: one WARN naming the table, its unread rows skipped, the other table complete, exit 0 —
 *   the behaviour the README documents (as DTS does for objects that vanish).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { requireService } from '../../support/db.js';
import { MARIADB, MYSQL, MYSQL_MINIMAL, type DbService } from '../../support/services.js';
import { loadTable, recreateDatabase, serverRows, standardShape, type TableShape } from '../../support/snapshot-tables.js';
import { readCheckpoint, readWholeTopic, removeJobFiles, spawnSluice, uniqueTopic, writeJobFile, type JobFile, type RunResult } from '../../support/sluice-cli.js';
import { decodeAll } from '../../support/snapshot-verify.js';

const SCRIPTS = new URL('../../../../scripts/', import.meta.url).pathname;
const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const TIMEOUT_MS = 240_000;

async function root(svc: DbService): Promise<Connection> {
  return mysql.createConnection({ host: svc.host, port: svc.port, user: svc.root.user, password: svc.root.password, charset: 'utf8mb4' });
}

const doneChunks = (job: JobFile, table?: string): number =>
  (readCheckpoint(job.stateDir)?.snapshot?.done ?? []).filter((c) => !c.startsWith('#') && (!table || c.startsWith(`${table}#`))).length;

/** Waits until the checkpoint records `n` finished chunks (of `table`), failing if the run ends first. */
async function untilChunksDone(job: JobFile, running: { done: Promise<RunResult> }, n: number, table?: string): Promise<void> {
  let ended = false;
  void running.done.then(() => (ended = true));
  const deadline = Date.now() + 90_000;
  while (doneChunks(job, table) < n) {
    if (ended) assert.fail(`the run ended before ${n} chunk(s) were recorded finished:\n${(await running.done).stderr}`);
    if (Date.now() > deadline) assert.fail(`no ${n} finished chunk(s) within 90 s`);
    await sleep(20);
  }
}

/** Every source row is in the topic (the newest copy of its key) with the source's values; returns the records read. */
async function assertTopicHoldsSource(topic: string, db: string, shapes: readonly TableShape[], conn: Connection): Promise<number> {
  const records = await readWholeTopic(topic);
  const expected = await Promise.all(shapes.map(async (shape) => ({ db, shape, rows: await serverRows(conn, db, shape), createTable: '' })));
  const latest = new Map<string, (string | null)[]>();
  for (const { decoded: d } of decodeAll(records, expected)) {
    if (d.operation !== 'INIT') continue;
    const shape = shapes.find((s) => d.objectName === `${db}.${s.table}`);
    if (!shape) continue;
    latest.set(`${shape.table}:${d.after?.id as string}`, shape.columns.map((c) => (d.after?.[c] ?? null) as string | null));
  }
  for (const { shape, rows } of expected) {
    for (const want of rows) {
      const got = latest.get(`${shape.table}:${want[0] as string}`);
      assert.ok(got, `row ${shape.table} id ${want[0] as string} arrived`);
      shape.columns.forEach((c, i) => {
        const g = got[i] ?? null;
        const w = want[i] ?? null;
        if (g !== null && w !== null && shape.doubles.includes(c)) assert.equal(Number(g), Number(w), `${shape.table} ${want[0] as string} ${c}`);
        else assert.equal(g, w, `${shape.table} ${want[0] as string} ${c}`);
      });
    }
  }
  return records.length;
}

/** The run's end, or (past `ms`) its stderr in a failure after a SIGKILL: a hang fails with what it said. */
async function finished(running: ReturnType<typeof spawnSluice>, ms = 150_000): Promise<RunResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ms)));
  const r = await Promise.race([running.done, late]);
  clearTimeout(timer);
  if (r !== 'late') return r;
  running.child.kill('SIGKILL');
  assert.fail(`the run did not end within ${ms} ms:\n${(await running.done).stderr}`);
}

function assertClean(r: RunResult): void {
  assert.equal(r.code, 0, `the run finished (exit ${r.code}):\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `no internal error, no stack:\n${r.stderr}`);
}

after(() => removeJobFiles());

describe('the source lost during the snapshot: the chunks in progress are read again and the snapshot finishes', () => {
  const shape = standardShape('orders');

  test('MySQL 9.7: the snapshot connections killed twice mid-read', { timeout: TIMEOUT_MS }, async () => {
    const svc = MYSQL;
    await requireService(svc);
    const db = 'snap_fault_kill';
    const conn = await root(svc);
    try {
      await recreateDatabase(conn, db);
      await loadTable(conn, db, shape, 80_000);
      const topic = uniqueTopic('snap-fault-kill');
      // chunks of ~7 MB, read at 8,000 rows/s: the server is still sending a chunk (its SELECT shows in the
      // process list) for most of its read, not done with it into the socket buffers
      const job = writeJobFile({ svc, topic, partitioning: 'key-hash', objects: [{ name: `${db}.orders`, partitions: 3 }], snapshot: { chunkRows: 20_000, parallelism: 2, maxRowsPerSecond: 8000 } });
      const running = spawnSluice(['run', job.path, '--snapshot-only']);
      let killed = 0;
      for (const after of [0, 1]) {
        await untilChunksDone(job, running, after);
        const deadline = Date.now() + 20_000;
        let rows: RowDataPacket[] = [];
        while (rows.length === 0 && Date.now() < deadline) {
          [rows] = await conn.query<RowDataPacket[]>(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE 'SELECT%' AND INFO LIKE ?",
            [svc.sluice.user, `%${db}%`],
          );
          if (rows.length === 0) await sleep(50);
        }
        for (const r of rows) {
          await conn.query(`KILL CONNECTION ${Number(r.ID)}`).catch(() => undefined);
          killed++;
        }
      }
      assert.ok(killed >= 1, 'a snapshot SELECT was running and was killed');
      const r = await finished(running);
      assertClean(r);
      assert.match(r.stderr, /"level":40.*MySQL unreachable during the snapshot: .*will be read again from its start/);
      assert.match(r.stderr, /"level":40.*MySQL is reachable again after [\d.]+ s: the snapshot goes on/);
      assert.ok(readCheckpoint(job.stateDir)?.snapshot?.finished, 'the checkpoint says the snapshot finished');
      await assertTopicHoldsSource(topic, db, [shape], conn);
    } finally {
      await conn.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
      await conn.end();
    }
  });

  test('MySQL 9.7 (GTID off): the server shut down and started again mid-snapshot', { timeout: TIMEOUT_MS }, async () => {
    const svc = MYSQL_MINIMAL;
    await requireService(svc);
    const db = 'snap_fault_restart';
    const conn = await root(svc);
    let stopped = false;
    try {
      await recreateDatabase(conn, db);
      await loadTable(conn, db, shape, 40_000);
      await conn.end();
      const topic = uniqueTopic('snap-fault-restart');
      const job = writeJobFile({ svc, topic, partitioning: 'key-hash', objects: [{ name: `${db}.orders`, partitions: 3 }], snapshot: { chunkRows: 4000, parallelism: 2, maxRowsPerSecond: 5000 } });
      const running = spawnSluice(['run', job.path, '--snapshot-only']);
      await untilChunksDone(job, running, 1);
      stopped = true;
      await run('bash', [`${SCRIPTS}mysql-minimal.sh`, 'stop'], { timeout: 120_000 });
      await sleep(2000);
      await run('bash', [`${SCRIPTS}mysql-minimal.sh`, 'start'], { timeout: 180_000 });
      stopped = false;
      const r = await finished(running);
      assertClean(r);
      assert.match(r.stderr, /"level":40.*MySQL unreachable during the snapshot: /);
      assert.match(r.stderr, /"level":40.*MySQL is reachable again after [\d.]+ s: the snapshot goes on/);
      assert.ok(readCheckpoint(job.stateDir)?.snapshot?.finished, 'the checkpoint says the snapshot finished');
      const after = await root(svc);
      try {
        await assertTopicHoldsSource(topic, db, [shape], after);
      } finally {
        await after.end();
      }
    } finally {
      if (stopped) await run('bash', [`${SCRIPTS}mysql-minimal.sh`, 'start'], { timeout: 180_000 }).catch(() => undefined);
      const cleanup = await root(svc);
      await cleanup.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
      await cleanup.end();
    }
  });
});

describe('a table dropped during its snapshot is named in a WARN and skipped; the rest of the snapshot finishes', () => {
  const big = standardShape('big');
  const small = standardShape('small');

  for (const when of ['while its snapshot reads it', 'while the job is stopped mid-snapshot'] as const) {
    test(`MariaDB 10.11: dropped ${when}`, { timeout: TIMEOUT_MS }, async () => {
      const svc = MARIADB;
      await requireService(svc);
      const db = `snap_fault_drop_${when.startsWith('while its') ? 'live' : 'stopped'}`;
      const conn = await root(svc);
      try {
        await recreateDatabase(conn, db);
        await loadTable(conn, db, big, 40_000);
        await loadTable(conn, db, small, 3000);
        const topic = uniqueTopic('snap-fault-drop');
        const job = writeJobFile({
          svc,
          topic,
          partitioning: 'key-hash',
          // a pattern, as a user selecting a schema writes it: the rerun's precheck finds tables for it
          objects: [{ name: `${db}.*`, partitions: 2 }],
          snapshot: { chunkRows: 4000, parallelism: 2, maxRowsPerSecond: 8000 },
        });
        const first = spawnSluice(['run', job.path, '--snapshot-only']);
        await untilChunksDone(job, first, 1, `${db}.big`);
        let r: RunResult;
        if (when === 'while its snapshot reads it') {
          await conn.query(`DROP TABLE ${db}.big`);
          r = await finished(first);
          assert.match(r.stderr, new RegExp(`"level":40.*Table ${db}\\.big was dropped or renamed during its snapshot \\(the server said: .*\\): its rows not yet read are skipped`));
        } else {
          first.child.kill('SIGKILL');
          await first.done;
          await conn.query(`DROP TABLE ${db}.big`);
          r = await finished(spawnSluice(['run', job.path, '--snapshot-only']));
          assert.match(r.stderr, new RegExp(`"level":40.*Table ${db}\\.big was dropped or renamed while the job was stopped during its snapshot: its rows not yet read are skipped \\(\\d+ chunk\\(s\\)\\)`));
        }
        assertClean(r);
        assert.equal(r.stderr.match(/"level":40.*Table .* was dropped or renamed/g)?.length, 1, `one WARN for the table:\n${r.stderr}`);
        assert.ok(readCheckpoint(job.stateDir)?.snapshot?.finished, 'the checkpoint says the snapshot finished');
        // the table that stayed is complete; the dropped one has no rows left to compare
        await assertTopicHoldsSource(topic, db, [small], conn);
      } finally {
        await conn.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
        await conn.end();
      }
    });
  }
});
