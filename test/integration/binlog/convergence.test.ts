/**
 * Issue 6, "Convergence": sluice follows the binlog (as the sluice user, key-hash over 3 partitions) while a
 * seeded random workload runs — single and multi-row statements, multi-statement and rolled-back
 * transactions, key updates, a filtered table. It is stopped by its AbortSignal, more changes are made while
 * it is down, and it is started again from its checkpoint. Once quiet, replaying the topic by key in id order
 * reproduces the source tables value by value; each partition's ids increase; replayed changes keep their ids.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { MARIADB, MARIADB118, MYSQL, MYSQL_MINIMAL, type DbService } from '../../support/services.js';
import { differences, followUntilCheckpoint, replayTopic, setUp, sourceState, workload } from './binlog-harness.js';
import { requireService } from '../../support/db.js';

async function convergence(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const s = await setUp(svc, 'conv');
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  try {
    // run 1: follows the workload as it happens
    const sum1 = await followUntilCheckpoint(s, s.checkpoint, log, () => workload(s.root, s.db, 1, 250), 500);
    assert.ok(sum1.rows > 0, 'run 1 read row changes');

    // while sluice is down
    await workload(s.root, s.db, 2, 150);

    // run 2: resumes from the checkpoint, catches up, follows more changes
    const cp = await s.store.load();
    assert.ok(cp?.binlog, 'a binlog checkpoint was saved');
    assert.equal(cp.lastId, BigInt(sum1.checkpoint.lastId));
    await followUntilCheckpoint(s, cp, log, () => workload(s.root, s.db, 3, 150));

    const replayed = await replayTopic(s);
    const source = await sourceState(s);
    const diffs = differences(replayed, source);
    t.diagnostic(`${svc.name}: ${replayed.records} records (${replayed.duplicates} replayed), source rows ${[...source.values()].reduce((n, m) => n + m.size, 0)}`);
    assert.deepEqual(replayed.orderViolations, [], 'ids increase within each partition');
    assert.deepEqual(diffs.slice(0, 20), [], `replaying the topic reproduces the source (${diffs.length} difference(s))`);
    assert.ok(source.get('acct')!.size > 10, 'the workload left rows to compare');
  } catch (e) {
    t.diagnostic(lines.join('\n'));
    throw e;
  } finally {
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

for (const svc of [MARIADB, MYSQL, MARIADB118, MYSQL_MINIMAL]) {
  test(`binlog convergence on ${svc.name}: replaying the topic by key reproduces the source, across a stop and a restart from the checkpoint`, { timeout: 180_000 }, (t) => convergence(t, svc));
}
