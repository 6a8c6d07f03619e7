/**
 * Issue 6, recovery and refusals: a killed binlog connection is resumed from the checkpoint without losing
 * anything; a binlog purged past the checkpoint stops the job with one sentence naming the cause, the position
 * and the fix. (Compressed transactions are decoded since issue 7: events-convergence.test.ts.)
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { runIncremental } from '../../../src/pipeline/job/run-incremental.js';
import { updateCheckpoint } from '../../../src/state/checkpoint.js';
import { FaultError } from '../../../src/errors.js';
import { DATABASES, type DbService } from '../../support/services.js';
import { differences, replayTopic, setUp, sourceState, waitForCheckpoint, workload } from './binlog-harness.js';
import { requireService } from '../../support/db.js';

async function killedConnection(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const s = await setUp(svc, 'kill');
  const lines: string[] = [];
  const ac = new AbortController();
  const dumpThreads = async (): Promise<number[]> => {
    const [rows] = await s.root.query<RowDataPacket[]>(`SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND LIKE 'Binlog Dump%'`, [svc.sluice.user]);
    return rows.map((r) => Number(r.ID));
  };
  try {
    // other jobs on the same server may stream too: only the dump thread this run opened is killed
    const before = new Set(await dumpThreads());
    const run = runIncremental({ job: s.job, model: s.model, partitions: s.partitions, checkpoint: s.checkpoint, store: s.store, log: (l) => lines.push(l), signal: ac.signal, retry: { initialMs: 100, maxMs: 1000 } });
    await new Promise((r) => setTimeout(r, 500));
    const load = workload(s.root, s.db, 11, 300);
    await new Promise((r) => setTimeout(r, 700));
    const mine = (await dumpThreads()).filter((id) => !before.has(id));
    assert.equal(mine.length, 1, 'one binlog dump thread opened by this run');
    await s.root.query(`KILL ${mine[0]}`);
    await load;
    await waitForCheckpoint(s);
    ac.abort();
    const sum = await run;
    assert.ok(sum.reconnects >= 1, `reconnected (log: ${lines.join(' | ')})`);
    const diffs = differences(await replayTopic(s), await sourceState(s));
    assert.deepEqual(diffs.slice(0, 20), [], `converges after the reconnect (${diffs.length} difference(s))`);
  } finally {
    ac.abort();
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

async function purged(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const s = await setUp(svc, 'purged');
  try {
    const cp = updateCheckpoint(s.checkpoint, { binlog: { file: s.checkpoint.snapshot!.binlogStart.file.replace(/\d+$/, (d) => '0'.repeat(d.length - 1) + '0'), pos: 4, gtidSet: null } });
    const missing = cp.binlog!.file;
    await assert.rejects(
      runIncremental({ job: s.job, model: s.model, partitions: s.partitions, checkpoint: cp, store: s.store, log: () => undefined, retry: { initialMs: 50 } }),
      (e: unknown) => {
        assert.ok(e instanceof FaultError, String(e));
        assert.match(e.message, new RegExp(`no longer has binlog file ${missing.replace('.', '\\.')}`));
        assert.match(e.message, /sluice run <job> --resnapshot' \(it moves the checkpoint in .* aside\)/);
        return true;
      },
    );
  } finally {
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

for (const svc of DATABASES) {
  test(`binlog on ${svc.name}: a killed binlog connection is resumed from the checkpoint and nothing is lost`, { timeout: 120_000 }, (t) => killedConnection(t, svc));
  test(`binlog on ${svc.name}: a binlog purged past the checkpoint stops with one sentence naming the file and the fix`, { timeout: 60_000 }, (t) => purged(t, svc));
}
