/**
 * The snapshot on a source that keeps changing (DESIGN §2: no global lock, each chunk its own short read):
 * while `sluice run --snapshot-only` reads, root updates, inserts and deletes rows. The snapshot still
 * finishes; every row present from start to end is delivered exactly once, with either its value at the start
 * or its value at the end; a row deleted meanwhile arrives at most once with its old value, a row inserted
 * meanwhile at most once with its new value. (Convergence on the final state is the binlog phase's job.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql, { type Connection } from 'mysql2/promise';
import { DATABASES, type DbService } from '../../support/services.js';
import { loadTable, recreateDatabase, serverRows, standardShape, type ServerRow } from '../../support/snapshot-tables.js';
import { readCheckpoint, readWholeTopic, spawnSluice, uniqueTopic, removeJobFiles, writeJobFile } from '../../support/sluice-cli.js';
import { decodeAll } from '../../support/snapshot-verify.js';
import { requireService } from '../../support/db.js';

const ROWS = 100_000;
const CHUNK_ROWS = 10_000;
/** slow enough that the writes below overlap many chunk reads */
const MAX_ROWS_PER_SECOND = 40_000;

/** a hang (a stuck run, an unreachable broker) fails the test instead of stalling the suite */
const TEST_TIMEOUT_MS = 300_000;


/** A deterministic shuffle (xorshift), so a failure can be replayed. */
function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

for (const svc of DATABASES) {
  describe(`${svc.name}: snapshot while the source changes`, async () => {
    await requireService(svc);
    const db = `snap_live_${svc.name}`;
    const shape = standardShape('orders');
    let root: Connection;

    before(async () => {
      root = await mysql.createConnection({ host: svc.host, port: svc.port, user: svc.root.user, password: svc.root.password, charset: 'utf8mb4' });
      await recreateDatabase(root, db);
      await loadTable(root, db, shape, ROWS);
    });

    after(async () => {
      removeJobFiles();
      await root.query(`SET SESSION sql_log_bin = 0`);
      await root.query(`DROP DATABASE IF EXISTS ${db}`);
      await root.end();
    });

    test('rows updated, inserted and deleted during the snapshot: it finishes and every surviving row arrives once', { timeout: TEST_TIMEOUT_MS }, async () => {
      const initial = await serverRows(root, db, shape);
      const initialById = new Map(initial.map((r) => [r[0] as string, r]));
      const ids = shuffled(initial.map((r) => r[0] as string), 42);
      // disjoint sets: each row is updated at most once, and never both updated and deleted
      const toUpdate = ids.slice(0, 20_000);
      const toDelete = ids.slice(20_000, 22_000);
      const updated = new Set<string>();
      const deleted = new Set<string>();
      const inserted = new Set<string>();

      const topic = uniqueTopic(`snap-live-${svc.name}`);
      const job = writeJobFile({
        svc,
        topic,
        partitioning: 'key-hash',
        objects: [{ name: `${db}.${shape.table}`, partitions: 3 }],
        snapshot: { chunkRows: CHUNK_ROWS, parallelism: 2, maxRowsPerSecond: MAX_ROWS_PER_SECOND },
      });
      const run = spawnSluice(['run', job.path, '--snapshot-only']);
      let exited = false;
      void run.done.then(() => (exited = true));

      // start writing once the chunk plan is saved (the rows are about to be read), stop when sluice exits
      while (!exited && !readCheckpoint(job.stateDir)?.snapshot) await new Promise((r) => setTimeout(r, 10));
      const writer = await mysql.createConnection({ host: svc.host, port: svc.port, user: svc.root.user, password: svc.root.password, charset: 'utf8mb4' });
      let rounds = 0;
      let nextNew = 1000 + 3 * ROWS + 3;
      try {
        for (let k = 0; !exited && k * 200 < toUpdate.length; k++) {
          await writer.query('BEGIN');
          const upd = toUpdate.slice(k * 200, (k + 1) * 200);
          await writer.query(`UPDATE ${db}.orders SET qty = -qty - 1, name = CONCAT('updated ', id), attrs = JSON_OBJECT('updated', ${k}) WHERE id IN (?)`, [upd]);
          upd.forEach((id) => updated.add(id));
          const del = toDelete.slice(k * 20, (k + 1) * 20);
          if (del.length) await writer.query(`DELETE FROM ${db}.orders WHERE id IN (?)`, [del]);
          del.forEach((id) => deleted.add(id));
          // new rows in the gaps between ids (inside chunks already planned) and past the end (the open last chunk)
          const fresh = [String(1000 + 3 * ((k * 997) % ROWS) + 1), String(1000 + 3 * ((k * 1999 + 5) % ROWS) + 2), String(nextNew)];
          nextNew += 3;
          await writer.query(
            `INSERT INTO ${db}.orders (id, qty, name, amount, created, note, attrs, score) VALUES ?`,
            [fresh.map((id) => [id, 7, `inserted ${id}`, '12.50', '2024-02-29 12:34:56.789', 'inserted during the snapshot', '{"inserted": true}', 0.5])],
          );
          fresh.forEach((id) => inserted.add(id));
          await writer.query('COMMIT');
          rounds++;
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        await writer.end();
      }
      const result = await run.done;
      assert.equal(result.code, 0, `sluice run finished:\n${result.stderr}`);
      assert.match(result.stderr, /snapshot finished/);
      assert.ok(rounds >= 3, `the source changed during the snapshot (${rounds} write transactions before it finished)`);

      const final = await serverRows(root, db, shape);
      const finalById = new Map(final.map((r) => [r[0] as string, r]));
      const messages = decodeAll(await readWholeTopic(topic), [{ db, shape, rows: final, createTable: '' }]);
      const copies = new Map<string, number>();
      const same = (got: Record<string, string | null>, want: ServerRow | undefined): boolean =>
        want !== undefined &&
        shape.columns.every((c, i) => {
          const g = got[c] ?? null;
          const w = want[i] ?? null;
          return g === null || w === null || !shape.doubles.includes(c) ? g === w : Number(g) === Number(w);
        });
      let sawUpdate = 0;
      for (const { decoded: d } of messages) {
        if (d.operation === 'DDL') continue;
        assert.equal(d.operation, 'INIT');
        const after = d.after as Record<string, string | null>;
        const id = after.id as string;
        copies.set(id, (copies.get(id) ?? 0) + 1);
        if (inserted.has(id)) assert.ok(same(after, finalById.get(id)), `row ${id}, inserted during the snapshot, arrives with its inserted value`);
        else if (deleted.has(id)) assert.ok(same(after, initialById.get(id)), `row ${id}, deleted during the snapshot, arrives with its old value`);
        else {
          const old = same(after, initialById.get(id));
          const now = same(after, finalById.get(id));
          assert.ok(old || now, `row ${id} arrives with its value at the start or at the end: ${JSON.stringify(after)}`);
          if (now && !old) sawUpdate++;
        }
      }
      for (const [id, n] of copies) assert.equal(n, 1, `row ${id} arrives once, not ${n} times`);
      for (const r of initial) {
        const id = r[0] as string;
        if (!deleted.has(id)) assert.ok(copies.has(id), `row ${id}, present from start to end, arrived`);
      }
      for (const id of copies.keys()) assert.ok(initialById.has(id) || inserted.has(id), `row ${id} is a source row`);
      if (process.env.SNAP_DEBUG) {
        const insertedSeen = [...inserted].filter((id) => copies.has(id)).length;
        const deletedSeen = [...deleted].filter((id) => copies.has(id)).length;
        console.log(`${svc.name}: ${rounds} write transactions; delivered ${sawUpdate}/${updated.size} updates as new values, ${insertedSeen}/${inserted.size} inserted, ${deletedSeen}/${deleted.size} deleted rows`);
      }
    });
  });
}
