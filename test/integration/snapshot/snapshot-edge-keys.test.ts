/**
 * The chunk planner on keys that are hard to split: DATETIME(6) and DATE keys, BIGINT (UNSIGNED) beyond 2^53
 * in a composite key, a VARBINARY key with zero and 0xFF bytes, and a table whose only usable key is a NOT NULL
 * unique key. Small chunks make each table dozens of ranges; every row must still arrive exactly once with
 * the source's values, keyed and partitioned by its key (DESIGN §2, §4). Beside them, an empty table and a
 * table whose filter matches no row (names that need quoting) finish with no INIT record and their DDL record.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql, { type Connection } from 'mysql2/promise';
import { DATABASES, type DbService } from '../../support/services.js';
import { compositeShape, edgeKeyShapes, loadTable, standardShape, recreateDatabase, serverRows, showCreateTable } from '../../support/snapshot-tables.js';
import { readCheckpoint, readWholeTopic, runSnapshotCli, uniqueTopic, writeJobFile } from '../../support/sluice-cli.js';
import { decodeAll, verifySnapshotTopic, type ExpectedTable } from '../../support/snapshot-verify.js';

const ROWS = 6_000;
/** the planner never cuts chunks below 1000 rows */
const CHUNK_ROWS = 1_000;

async function reachable(svc: DbService): Promise<boolean> {
  try {
    const c = await mysql.createConnection({ host: svc.host, port: svc.port, user: svc.root.user, password: svc.root.password, connectTimeout: 3000 });
    await c.end();
    return true;
  } catch {
    return false;
  }
}

for (const svc of DATABASES) {
  describe(`${svc.name}: snapshot of tables with hard-to-split keys`, async () => {
    const up = await reachable(svc);
    const db = `snap_keys_${svc.name}`;
    const shapes = edgeKeyShapes();
    const empty = standardShape('group');
    const filteredOut = compositeShape('order-items');
    const NONE_FILTER = 'qty < 0';
    let root: Connection;

    before(async () => {
      if (!up) return;
      root = await mysql.createConnection({ host: svc.host, port: svc.port, user: svc.root.user, password: svc.root.password, charset: 'utf8mb4' });
      await recreateDatabase(root, db);
      for (const s of shapes) await loadTable(root, db, s, ROWS);
      await loadTable(root, db, empty, 0);
      await loadTable(root, db, filteredOut, 3_000);
    });

    after(async () => {
      if (!up) return;
      await root.query(`SET SESSION sql_log_bin = 0`);
      await root.query(`DROP DATABASE IF EXISTS ${db}`);
      await root.end();
    });

    test('every row arrives once with its values, whatever the key type', { skip: !up && `${svc.name} is not running` }, async () => {
      const topic = uniqueTopic(`snap-keys-${svc.name}`);
      const job = writeJobFile({
        svc,
        topic,
        partitioning: 'key-hash',
        objects: [...shapes.map((s) => ({ name: `${db}.${s.table}`, partitions: 3 })), { name: `${db}.${empty.table}`, partitions: 3 }, { name: `${db}.${filteredOut.table}`, partitions: 3, filter: NONE_FILTER }],
        snapshot: { chunkRows: CHUNK_ROWS, parallelism: 2 },
      });
      await runSnapshotCli(job);
      const cp = readCheckpoint(job.stateDir);
      assert.ok(cp?.snapshot);
      for (const s of shapes) {
        const n = cp.snapshot.chunks.filter((c) => c.table === `${db}.${s.table}`).length;
        assert.ok(n >= 5, `${s.table} is split into several chunks (${n})`);
      }
      const tables: ExpectedTable[] = [];
      for (const shape of shapes) tables.push({ db, shape, rows: await serverRows(root, db, shape), createTable: await showCreateTable(root, db, shape.table) });
      tables.push({ db, shape: empty, rows: [], createTable: await showCreateTable(root, db, empty.table) });
      const none = await serverRows(root, db, filteredOut, NONE_FILTER);
      assert.equal(none.length, 0, 'the filter matches no row');
      tables.push({ db, shape: filteredOut, rows: none, createTable: await showCreateTable(root, db, filteredOut.table) });
      verifySnapshotTopic(decodeAll(await readWholeTopic(topic), tables), { partitioning: 'key-hash', partitions: 3, tables, checkpoint: cp });
    });
  });
}
