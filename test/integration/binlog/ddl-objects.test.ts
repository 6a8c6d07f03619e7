/**
 * Issue 7 items 2 and 3, with sluice lagging behind the statements (all written before the binlog phase
 * starts from a position before them):
 * - a table renamed out of the objects stops syncing (as DTS); one renamed or created into them starts, its
 *   rows flowing like any selected table's;
 * - `ddl: emit`: DDL records arrive on the table's partition (table-hash), in order with its rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaStringHashCode, partitionFor } from '../../../src/transform/index.js';
import { requireService } from '../../support/db.js';
import { DATABASES, type DbService } from '../../support/services.js';
import { catchUp, compareChange, ddlSetUp, topicRecords, write, type Expected } from './ddl-support.js';

async function renamesOutAndIn(svc: DbService): Promise<void> {
  await requireService(svc);
  const s = await ddlSetUp(svc, 'objects', [`CREATE TABLE orders (id INT PRIMARY KEY, v VARCHAR(10) NULL)`], {
    objects: (db) => [{ db, table: 'orders' }, { db, table: 'live_*' }],
  });
  try {
    const { root, db } = s;
    const want: Expected[] = [];
    const ignored: Expected[] = [];
    await write(root, db, 'orders', 1, `INSERT INTO orders VALUES (1, 'before')`, want);
    await root.query(`RENAME TABLE orders TO orders_archive`);
    await write(root, db, 'orders_archive', 2, `INSERT INTO orders_archive VALUES (2, 'outside')`, ignored);
    await root.query(`CREATE TABLE stage (id INT PRIMARY KEY, v VARCHAR(10) NULL, n INT NULL)`);
    await write(root, db, 'stage', 3, `INSERT INTO stage VALUES (3, 'staged', 30)`, ignored);
    await root.query(`RENAME TABLE stage TO live_a`);
    await write(root, db, 'live_a', 4, `INSERT INTO live_a VALUES (4, 'in', 40)`, want);
    await write(root, db, 'live_a', 3, `UPDATE live_a SET n = 31 WHERE id = 3`, want);
    await root.query(`CREATE TABLE live_b (id INT PRIMARY KEY, t TEXT)`);
    await write(root, db, 'live_b', 5, `INSERT INTO live_b VALUES (5, 'created')`, want);
    await root.query(`RENAME TABLE orders_archive TO orders`);
    await write(root, db, 'orders', 6, `INSERT INTO orders VALUES (6, 'back')`, want);
    await write(root, db, 'orders', 2, `DELETE FROM orders WHERE id = 2`, want);
    assert.equal(ignored.length, 2);

    await catchUp(s);
    const recs = (await topicRecords(s)).map((r) => r.record);
    assert.deepEqual(
      recs.map((r) => `${r.objectName} ${r.operation}`),
      want.map((w) => `${db}.${w.table} ${w.op}`),
      'rows of the renamed-out table and of the table before it was renamed in are not sent; nothing else is missing',
    );
    const diffs = recs.flatMap((r, i) => compareChange(r, want[i] as Expected));
    assert.deepEqual(diffs, [], diffs.join('\n'));
    assert.ok(!recs.some((r) => r.operation === 'DDL'), 'ddl: ignore sends no DDL record');
  } finally {
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

async function ddlEmit(svc: DbService): Promise<void> {
  await requireService(svc);
  const s = await ddlSetUp(svc, 'emit', [`CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(10) NULL)`, `CREATE TABLE b (id INT PRIMARY KEY, w INT NULL)`], {
    // a glob for `a`: an exact rule naming a table that no longer exists stops the job at start (readSourceModel)
    objects: (db) => [{ db, table: 'a*' }, { db, table: 'b' }],
    partitions: 3,
    extra: { ddl: 'emit', partitioning: 'table-hash' },
  });
  try {
    const { root, db } = s;
    const want: Array<Expected | { ddl: string; table: string }> = [];
    const ddl = async (table: string, sql: string): Promise<void> => {
      await root.query(sql);
      want.push({ ddl: sql, table });
    };
    await write(root, db, 'a', 1, `INSERT INTO a VALUES (1, 'a1')`, want as Expected[]);
    await write(root, db, 'b', 1, `INSERT INTO b VALUES (1, 10)`, want as Expected[]);
    await ddl('a', `ALTER TABLE a ADD COLUMN c INT NULL DEFAULT 7`);
    await write(root, db, 'a', 2, `INSERT INTO a (id, v) VALUES (2, 'a2')`, want as Expected[]);
    await write(root, db, 'b', 2, `INSERT INTO b VALUES (2, 20)`, want as Expected[]);
    await ddl('b', `TRUNCATE TABLE b`);
    await write(root, db, 'b', 3, `INSERT INTO b VALUES (3, 30)`, want as Expected[]);
    await root.query(`CREATE TABLE unrelated (id INT PRIMARY KEY)`);
    await write(root, db, 'a', 1, `UPDATE a SET c = 8 WHERE id = 1`, want as Expected[]);
    await ddl('a', `RENAME TABLE a TO old_a`);
    await root.query(`INSERT INTO old_a (id) VALUES (9)`);

    await catchUp(s);
    const recs = await topicRecords(s);
    const partitionOf = (t: string) => partitionFor(javaStringHashCode(`${db}.${t}`), 3);
    for (const table of ['a', 'b']) {
      const mine = want.filter((w) => w.table === table);
      // this table's records, in partition (offset) order: topicRecords sorts by id, which must agree
      const got = recs.filter((r) => (r.record.operation === 'DDL' ? mine.some((w) => 'ddl' in w && w.ddl === r.record.afterImages) : r.record.objectName === `${db}.${table}`));
      assert.deepEqual(
        got.map((r) => (r.record.operation === 'DDL' ? `DDL ${String(r.record.afterImages)}` : r.record.operation)),
        mine.map((w) => ('ddl' in w ? `DDL ${w.ddl}` : w.op)),
        `${table}: DDL records in order with the rows around them`,
      );
      for (const r of got) {
        assert.equal(r.partition, partitionOf(table), `${table}: every record (DDL too) on the table's partition`);
        if (r.record.operation === 'DDL') {
          assert.equal(r.record.objectName, db, 'a DDL record names the database');
          assert.equal(r.key, db, 'keyed by the database');
          assert.equal(r.record.fields, null);
          assert.equal(r.record.beforeImages, null);
          assert.ok(r.record.tags.GTID && r.record.tags.GTID === r.record.sourceTxid, 'the DDL record carries its GTID (GTID is on on both test servers)');
        }
      }
      const rows = got.filter((r) => r.record.operation !== 'DDL').map((r) => r.record);
      const wantRows = mine.filter((w): w is Expected => !('ddl' in w));
      assert.deepEqual(rows.flatMap((r, i) => compareChange(r, wantRows[i] as Expected)), []);
    }
    assert.equal(recs.length, want.length, 'no record for the unrelated table or the renamed-out one');
    for (const p of new Set(recs.map((r) => r.partition))) {
      const ids = recs.filter((r) => r.partition === p).sort((x, y) => (x.offset < y.offset ? -1 : 1)).map((r) => r.record.id);
      assert.deepEqual(ids, [...ids].sort((x, y) => x - y), `partition ${p}: ids increase with the offset (DDL records in stream order)`);
    }
  } finally {
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

for (const svc of DATABASES) {
  test(`binlog on ${svc.name}: a table renamed out of the objects stops syncing, one renamed or created into them starts`, { timeout: 120_000 }, () => renamesOutAndIn(svc));
  test(`binlog on ${svc.name}: ddl: emit sends DDL records on the table's partition, in order with its rows`, { timeout: 120_000 }, () => ddlEmit(svc));
}
