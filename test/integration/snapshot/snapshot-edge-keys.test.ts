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
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckpoint, readWholeTopic, runSnapshotCli, uniqueTopic, removeJobFiles, writeJobFile } from '../../support/sluice-cli.js';
import { chunkOfId, chunkRanges, decodeAll, verifySnapshotTopic, type ExpectedTable } from '../../support/snapshot-verify.js';
import { serializeCheckpoint, updateCheckpoint } from '../../../src/state/checkpoint.js';
import { requireService } from '../../support/db.js';

const ROWS = 6_000;
/** the planner never cuts chunks below 1000 rows */
const CHUNK_ROWS = 1_000;

/** a hang (a stuck run, an unreachable broker) fails the test instead of stalling the suite */
const TEST_TIMEOUT_MS = 300_000;


for (const svc of DATABASES) {
  describe(`${svc.name}: snapshot of tables with hard-to-split keys`, async () => {
    await requireService(svc);
    const db = `snap_keys_${svc.name}`;
    const shapes = edgeKeyShapes();
    const empty = standardShape('group');
    const filteredOut = compositeShape('order-items');
    const NONE_FILTER = 'qty < 0';
    let root: Connection;

    before(async () => {
      root = await mysql.createConnection({ host: svc.host, port: svc.port, user: svc.root.user, password: svc.root.password, charset: 'utf8mb4' });
      await recreateDatabase(root, db);
      for (const s of shapes) await loadTable(root, db, s, ROWS);
      await loadTable(root, db, empty, 0);
      await loadTable(root, db, filteredOut, 3_000);
    });

    after(async () => {
      removeJobFiles();
      await root.query(`SET SESSION sql_log_bin = 0`);
      await root.query(`DROP DATABASE IF EXISTS ${db}`);
      await root.end();
    });

    test('every row arrives once with its values, whatever the key type, and chunks rebuilt from the saved plan re-read exactly their ranges', { timeout: TEST_TIMEOUT_MS }, async () => {
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

      // Every other chunk marked unfinished in the saved checkpoint: a new run rebuilds those chunks from the
      // key bounds stored in the plan (text, hex) and reads exactly their ranges again, no row more or less.
      const again = new Set(cp.snapshot.chunks.filter((_, i) => i % 2 === 1).map((c) => c.chunk));
      const reset = updateCheckpoint(cp, { snapshot: { ...cp.snapshot, done: cp.snapshot.done.filter((c) => !again.has(c)), finished: false } });
      writeFileSync(join(job.stateDir, 'checkpoint.json'), serializeCheckpoint(reset));
      const rerun = await runSnapshotCli(job);
      assert.match(rerun.stderr, new RegExp(`resuming the snapshot: ${cp.snapshot.chunks.length - again.size} of ${cp.snapshot.chunks.length} chunk`));
      const ranges = chunkRanges(cp);
      const messages = decodeAll(await readWholeTopic(topic), tables);
      for (const t of tables) {
        const name = `${db}.${t.shape.table}`;
        const keyOrdinals = t.shape.key.map((k) => t.shape.columns.indexOf(k));
        if (!keyOrdinals.length) continue;
        const copies = new Map<string, { chunk: string; n: number }>();
        for (const { decoded: d } of messages) {
          if (d.objectName !== name || d.operation !== 'INIT') continue;
          const key = JSON.stringify(keyOrdinals.map((i) => d.after?.[t.shape.columns[i] as string] ?? null));
          const chunk = chunkOfId(ranges, name, d.id) as string;
          const c = copies.get(key) ?? { chunk, n: 0 };
          assert.equal(c.chunk, chunk, `${name} ${key}: read again by the same chunk`);
          c.n++;
          copies.set(key, c);
        }
        assert.equal(copies.size, t.rows.length, `${name}: every row is still there`);
        for (const [key, c] of copies) assert.equal(c.n, again.has(c.chunk) ? 2 : 1, `${name} ${key} (${c.chunk}): copies`);
      }
    });
  });
}
