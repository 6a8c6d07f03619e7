/**
 * Issue 7: sluice lags behind ALTER TABLE. Rows, ALTERs and more rows are all written before the binlog phase
 * starts from a position before them, so information_schema already shows the last structure when sluice
 * reads the first row: each row must still carry the columns (names, types, charsets) in force when it was
 * written, with exact values, and a new metaVersion per structure. A replay from a saved checkpoint gives the
 * same ids, versions and images.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { requireService } from '../../support/db.js';
import { DATABASES, type DbService } from '../../support/services.js';
import { catchUp, compareChange, ddlSetUp, imageOf, topicRecords, write, type Expected } from './ddl-support.js';

async function lagBehindAlters(svc: DbService): Promise<void> {
  await requireService(svc);
  const s = await ddlSetUp(
    svc,
    'lag',
    [`CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20) NOT NULL, b INT NULL, c DECIMAL(8,2) NULL, d VARCHAR(10) CHARACTER SET latin1 NULL) DEFAULT CHARSET=utf8mb4`],
    { objects: (db) => [{ db, table: 't' }] },
  );
  try {
    const { root, db } = s;
    const want: Expected[] = [];
    // structure 0: id, a, b, c DECIMAL(8,2), d latin1
    await write(root, db, 't', 1, `INSERT INTO t VALUES (1, 'one', 10, 1.25, 'é')`, want);
    await write(root, db, 't', 2, `INSERT INTO t VALUES (2, 'two', 20, 2.5, 'ü')`, want);
    await root.query(`ALTER TABLE t ADD COLUMN e DATETIME(3) NULL AFTER a`);
    // structure 1: id, a, e, b, c, d
    await write(root, db, 't', 3, `INSERT INTO t VALUES (3, 'three', '2024-01-02 03:04:05.678', 30, 3.75, 'à')`, want);
    await write(root, db, 't', 1, `UPDATE t SET e = '2023-12-31 23:59:59.999', b = 11 WHERE id = 1`, want);
    await root.query(`ALTER TABLE t DROP COLUMN b`);
    // structure 2: id, a, e, c, d
    await write(root, db, 't', 4, `INSERT INTO t VALUES (4, 'four', NULL, 4.5, 'x')`, want);
    await root.query(`ALTER TABLE t MODIFY COLUMN c DECIMAL(12,4) NULL, MODIFY COLUMN d VARCHAR(10) CHARACTER SET utf8mb4 NULL`);
    // structure 3: c DECIMAL(12,4), d utf8mb4
    await write(root, db, 't', 5, `INSERT INTO t VALUES (5, 'five', '2020-02-29 12:00:00.000', 123456.7891, 'é')`, want);
    await write(root, db, 't', 2, `UPDATE t SET d = 'ß' WHERE id = 2`, want);
    await root.query(`ALTER TABLE t RENAME COLUMN a TO label`);
    // structure 4: a renamed label
    await write(root, db, 't', 6, `INSERT INTO t (id, label, c) VALUES (6, 'six', 0.0001)`, want);
    await write(root, db, 't', 3, `DELETE FROM t WHERE id = 3`, want);
    const segment = [0, 0, 1, 1, 2, 3, 3, 4, 4];

    await catchUp(s);
    const saved = `${s.store.path}.after-first-run`;
    await copyFile(s.store.path, saved);
    const recs = (await topicRecords(s)).map((r) => r.record);
    assert.equal(recs.length, want.length, `one record per change: ${recs.map((r) => `${r.id}:${r.operation}`).join(' ')}`);
    const diffs = recs.flatMap((r, i) => compareChange(r, want[i] as Expected));
    assert.deepEqual(diffs, [], diffs.join('\n'));
    // the latin1 column's rows before the MODIFY carry latin1 bytes, those after it utf8mb4
    assert.equal(imageOf(recs[0]!, 'after')!.charsets.d, 'latin1');
    assert.equal(imageOf(recs[5]!, 'after')!.charsets.d, 'utf8mb4');
    // one metaVersion per structure, increasing
    const versions = recs.map((r) => Number(r.tags.metaVersion));
    for (let i = 1; i < versions.length; i++) {
      if (segment[i] === segment[i - 1]) assert.equal(versions[i], versions[i - 1], `same structure, same metaVersion: ${versions}`);
      else assert.ok(versions[i]! > versions[i - 1]!, `a new structure, a later metaVersion: ${versions}`);
    }

    // More rows under the last structure, then another ALTER, after the checkpoint: a run resuming from it
    // uses the structure it saved, and a second replay from the same checkpoint gives the same records.
    const more: Expected[] = [];
    await write(root, db, 't', 7, `INSERT INTO t (id, label, e) VALUES (7, 'seven', '1999-12-31 23:59:59.500')`, more);
    await root.query(`ALTER TABLE t ADD COLUMN f VARCHAR(5) NULL FIRST`);
    await write(root, db, 't', 8, `INSERT INTO t (f, id, label) VALUES ('ff', 8, 'eight')`, more);
    await catchUp(s);
    const second = (await topicRecords(s)).map((r) => r.record).slice(recs.length);
    assert.equal(second.length, more.length);
    assert.deepEqual(second.flatMap((r, i) => compareChange(r, more[i] as Expected)), []);
    assert.equal(second[0]!.tags.metaVersion, recs.at(-1)!.tags.metaVersion, 'the saved structure keeps its version across the restart');
    assert.ok(Number(second[1]!.tags.metaVersion) > Number(second[0]!.tags.metaVersion));

    await copyFile(saved, s.store.path);
    await catchUp(s);
    const all = (await topicRecords(s)).map((r) => r.record);
    const summary = (r: (typeof recs)[number]) => JSON.stringify([r.id, r.operation, r.tags.metaVersion, r.fields, imageOf(r, 'before'), imageOf(r, 'after')]);
    for (const r of second) {
      const copies = all.filter((x) => x.id === r.id).map(summary);
      assert.equal(copies.length, 2, `record ${r.id} sent again by the replay`);
      assert.equal(copies[1], copies[0], 'a replay from the checkpoint numbers and versions the rows the same');
    }
    assert.equal(all.length, recs.length + 2 * more.length);
  } finally {
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

for (const svc of DATABASES) {
  test(`binlog on ${svc.name}: lagging behind ADD/DROP/MODIFY/RENAME COLUMN, each row keeps the columns it was written with`, { timeout: 120_000 }, () => lagBehindAlters(svc));
}
