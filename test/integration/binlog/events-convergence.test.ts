/**
 * Issue 7, "every binlog event decoded": the convergence test of part 1 (the same seeded workload, a stop, a
 * restart from the checkpoint) on MySQL with the writing session switched to the settings zongji cannot read on
 * its own — binlog_transaction_compression=ON (every transaction one zstd TRANSACTION_PAYLOAD) and
 * binlog_row_value_options=PARTIAL_JSON (JSON_SET/JSON_REPLACE/JSON_REMOVE on large documents logged as diffs)
 * — plus a table of large JSON documents. Replaying the topic by key must reproduce the source value by value,
 * the JSON as MySQL prints it.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MYSQL } from '../../support/services.js';
import { requireService } from '../../support/db.js';
import { COLUMNS, differences, followUntilCheckpoint, replayTopic, setUp, sourceState, workload, type ExtraTable } from './binlog-harness.js';
import { Rng } from '../transform/random.js';

const DOC_TABLE: ExtraTable = {
  ddl: 'CREATE TABLE doc (id INT PRIMARY KEY, j JSON NULL, n INT NOT NULL) DEFAULT CHARSET=utf8mb4',
  object: { table: 'doc', partitions: 3 },
};
COLUMNS.doc = { key: ['id'], cols: ['id', 'j', 'n'] };

/** A JSON document of a few kilobytes: nested objects and arrays, numbers MySQL prints its own way, unicode. */
function bigDoc(r: Rng, id: number): string {
  const items = Array.from({ length: r.int(20, 60) }, (_, i) => ({
    sku: `sku-${id}-${i}`,
    qty: r.int(0, 1000),
    price: r.int(0, 1_000_000) / 100,
    tags: Array.from({ length: r.int(0, 5) }, () => r.pick(['red', 'blue', 'grün', '中文', 'x'.repeat(r.int(1, 40))])),
    meta: { big: '18446744073709551615', nested: { deep: [r.int(0, 9), null, true, { k: 'v' }] } },
  }));
  return JSON.stringify({ id, name: `doc ${id} ${'é'.repeat(r.int(0, 30))}`, items, counters: { a: 1, b: 2.5, '10': 3 }, note: 'n'.repeat(r.int(100, 2000)) });
}

/** Changes to the JSON table: mostly in-place edits MySQL logs as partial updates, some whole documents. */
async function docWorkload(root: Connection, db: string, seed: number, steps: number): Promise<void> {
  const r = new Rng(seed);
  await root.query(`USE ${db}`);
  const id = () => r.int(1, 25);
  const q = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  const one = (): [string, unknown[]] => {
    switch (r.int(0, 9)) {
      case 0:
        return [`INSERT INTO doc VALUES (?, ${q(bigDoc(r, 0))}, 0) ON DUPLICATE KEY UPDATE j = VALUES(j), n = n + 1`, [id()]];
      case 1:
        return ['UPDATE doc SET j = JSON_SET(j, ?, ?), n = n + 1 WHERE id = ?', [`$.items[${r.int(0, 19)}].qty`, r.int(0, 99999), id()]];
      case 2:
        return ['UPDATE doc SET j = JSON_REPLACE(j, ?, ?) WHERE id = ?', [`$.items[${r.int(0, 19)}].sku`, `s${r.int(0, 9999)}`, id()]];
      case 3:
        return ['UPDATE doc SET j = JSON_SET(j, ?, CAST(? AS JSON), ?, ?) WHERE id = ?', [`$.counters.c${r.int(0, 5)}`, String(r.int(0, 1e6) / 8), '$.name', `renamed ${r.int(0, 99)} 😀`, id()]];
      case 4:
        return ['UPDATE doc SET j = JSON_REMOVE(j, ?) WHERE id = ?', [`$.items[${r.int(0, 30)}]`, id()]];
      case 5:
        return ['UPDATE doc SET j = JSON_REMOVE(j, ?, ?) WHERE id = ?', [`$.counters.c${r.int(0, 5)}`, '$.items[0].tags', id()]];
      case 6:
        return ['UPDATE doc SET j = JSON_SET(j, ?, ?) WHERE id = ?', [`$.items[${r.int(0, 19)}].meta.nested.deep[${r.int(0, 5)}]`, r.pick(['a', 'b']), id()]];
      case 7:
        return ['DELETE FROM doc WHERE id = ?', [id()]];
      case 8:
        return ['UPDATE doc SET j = NULL WHERE id = ?', [id()]];
      default:
        return ['UPDATE doc SET j = JSON_SET(COALESCE(j, JSON_OBJECT()), ?, ?) WHERE id BETWEEN ? AND ?', ['$.bulk', r.int(0, 9), id(), id() + 5]];
    }
  };
  for (let s = 0; s < steps; s++) {
    if (r.chance(0.7)) {
      await root.query(...one());
    } else {
      await root.query('BEGIN');
      for (let i = r.int(2, 5); i > 0; i--) await root.query(...one());
      await root.query(r.chance(0.85) ? 'COMMIT' : 'ROLLBACK');
    }
  }
}

/** Both workloads, on the session settings under test. */
async function mixedWorkload(root: Connection, db: string, seed: number, steps: number): Promise<void> {
  await workload(root, db, seed, steps);
  await docWorkload(root, db, seed + 1000, Math.ceil(steps / 2));
}

/** How many events of each type the server wrote from `from` on (its own SHOW BINLOG EVENTS, first file only). */
async function eventTypes(root: Connection, from: { file: string; pos: number }): Promise<Map<string, number>> {
  const [rows] = await root.query<RowDataPacket[]>(`SHOW BINLOG EVENTS IN '${from.file}' FROM ${from.pos}`);
  const out = new Map<string, number>();
  for (const r of rows) out.set(String(r.Event_type), (out.get(String(r.Event_type)) ?? 0) + 1);
  return out;
}

async function convergence(t: TestContext, name: string, sessionSql: string, expect: readonly string[]): Promise<void> {
  await requireService(MYSQL);
  const s = await setUp(MYSQL, name, [DOC_TABLE]);
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  try {
    const r0 = new Rng(77);
    for (let i = 1; i <= 25; i++) await s.root.query(`INSERT INTO ${s.db}.doc VALUES (?, ?, 0)`, [i, bigDoc(r0, i)]);
    await s.root.query(sessionSql);
    const [[vars]] = await s.root.query<RowDataPacket[]>('SELECT @@SESSION.binlog_transaction_compression AS c, @@SESSION.binlog_row_value_options AS o');
    t.diagnostic(`session: binlog_transaction_compression=${vars?.c} binlog_row_value_options='${vars?.o}'`);

    const sum1 = await followUntilCheckpoint(s, s.checkpoint, log, () => mixedWorkload(s.root, s.db, 1, 120), 500);
    assert.ok(sum1.rows > 0, 'run 1 read row changes');

    await mixedWorkload(s.root, s.db, 2, 80);

    const cp = await s.store.load();
    assert.ok(cp?.binlog, 'a binlog checkpoint was saved');
    await followUntilCheckpoint(s, cp, log, () => mixedWorkload(s.root, s.db, 3, 80));

    const replayed = await replayTopic(s);
    const source = await sourceState(s);
    const diffs = differences(replayed, source);
    t.diagnostic(`${name}: ${replayed.records} records (${replayed.duplicates} replayed), doc rows ${source.get('doc')?.size}`);
    assert.deepEqual(replayed.orderViolations, [], 'ids increase within each partition');
    assert.deepEqual(diffs.slice(0, 10), [], `replaying the topic reproduces the source (${diffs.length} difference(s))`);
    assert.ok(source.get('doc')!.size > 5 && source.get('acct')!.size > 10, 'the workload left rows to compare');
    const written = await eventTypes(s.root, s.checkpoint.snapshot!.binlogStart);
    t.diagnostic(`events written: ${[...written].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    for (const type of expect) assert.ok((written.get(type) ?? 0) > 10, `the server wrote ${type} events (${written.get(type) ?? 0})`);
  } catch (e) {
    t.diagnostic(lines.join('\n'));
    throw e;
  } finally {
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

test('binlog convergence on mysql with binlog_transaction_compression=ON in the writing session (every transaction a zstd TRANSACTION_PAYLOAD)', { timeout: 180_000 }, (t) =>
  convergence(t, 'evt_zstd', 'SET SESSION binlog_transaction_compression = ON', ['Transaction_payload']),
);

test('binlog convergence on mysql with binlog_row_value_options=PARTIAL_JSON in the writing session (large JSON documents edited in place)', { timeout: 180_000 }, (t) =>
  convergence(t, 'evt_pjson', "SET SESSION binlog_row_value_options = 'PARTIAL_JSON'", ['Update_rows_partial']),
);

test('binlog convergence on mysql with both: partial JSON updates inside compressed transactions', { timeout: 180_000 }, (t) =>
  convergence(t, 'evt_both', "SET SESSION binlog_transaction_compression = ON, SESSION binlog_row_value_options = 'PARTIAL_JSON'", ['Transaction_payload']),
);
