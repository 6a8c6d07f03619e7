/**
 * Issue 6, GTID resume: with GTID on (both test servers), sluice resumes from its checkpoint by GTID, so a
 * checkpoint whose binlog file name no longer exists on the server (renamed files, or a failover to another
 * server of the topology) still resumes exactly after the last checkpointed transaction. A GTID state the
 * server does not hold stops the job with one sentence naming it and the fix.
 *
 * The story: sluice follows a first batch of changes and checkpoints; it stops; more changes are made; the
 * checkpoint's file is rewritten to a name the server never had; sluice runs again. Exactly the changes made
 * after the checkpoint arrive — the ids right after the checkpoint's, in order, none replayed from before —
 * and replaying the topic reproduces the source value by value.
 */
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecord } from '../../../src/format/dts-avro/index.js';
import { runIncremental } from '../../../src/pipeline/job/run-incremental.js';
import { FaultError } from '../../../src/errors.js';
import { updateCheckpoint } from '../../../src/state/checkpoint.js';
import { requireService } from '../../support/db.js';
import { DATABASES, type DbService } from '../../support/services.js';
import { differences, followUntilCheckpoint, readRecords, replayRecords, setUp, sourceState, workload, type Setup } from './binlog-harness.js';

/** Names unique to this run: another worktree may run the same test on the same servers at the same time. */
const RUN = randomBytes(3).toString('hex');

/** The changes made while sluice is stopped, in commit order: what must arrive after the checkpoint. */
const AFTER_CHECKPOINT: ReadonlyArray<{ sql: string; changes: Array<{ op: string; id: number }> }> = [
  {
    sql: `INSERT INTO acct VALUES (5001, 'g1', 10.50, 1, 'first', '2024-05-06 07:08:09.123456'), (5002, 'g2', -3.25, NULL, NULL, NULL), (5003, 'g3', 0.00, 3, '中文', NULL)`,
    changes: [
      { op: 'INSERT', id: 5001 },
      { op: 'INSERT', id: 5002 },
      { op: 'INSERT', id: 5003 },
    ],
  },
  {
    sql: `BEGIN; UPDATE acct SET balance = 99.99, note = 'moved' WHERE id = 5002; DELETE FROM acct WHERE id = 5003; COMMIT`,
    changes: [
      { op: 'UPDATE', id: 5002 },
      { op: 'DELETE', id: 5003 },
    ],
  },
  { sql: `UPDATE acct SET id = 5004 WHERE id = 5001`, changes: [{ op: 'UPDATE', id: 5004 }] },
];

async function resumeByGtid(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const s = await setUp(svc, `gtidres_${RUN}`);
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  try {
    // run 1: follows a random workload and checkpoints at its end
    await followUntilCheckpoint(s, s.checkpoint, log, () => workload(s.root, s.db, 61, 120), 300);
    const cp = await s.store.load();
    assert.ok(cp?.binlog?.gtidSet, `the checkpoint holds a GTID state (${JSON.stringify(cp?.binlog)})`);
    const before = await readRecords(s);
    assert.ok(before.length > 0, 'run 1 wrote records');

    // while sluice is down
    await s.root.query(`USE ${s.db}`);
    for (const step of AFTER_CHECKPOINT) await s.root.query(step.sql);

    // run 2 from the checkpoint, its file renamed to one the server never had: only a GTID resume can work
    const renamed = updateCheckpoint(cp, { binlog: { file: 'renamed-bin.000042', pos: 4, gtidSet: cp.binlog.gtidSet } });
    const sum2 = await followUntilCheckpoint(s, renamed, log);
    assert.ok(lines.some((l) => l.includes(`after GTID ${cp.binlog!.gtidSet}`)), `run 2 resumed by GTID (log: ${lines.join(' | ')})`);
    assert.equal(sum2.reconnects, 0, 'run 2 needed no reconnect');

    const all = await readRecords(s);
    const seenBefore = new Set(before.map((r) => `${r.partition}:${r.offset}`));
    const added = all.filter((r) => !seenBefore.has(`${r.partition}:${r.offset}`)).sort((a, b) => a.id - b.id);
    const want = AFTER_CHECKPOINT.flatMap((st) => st.changes);
    const firstId = Number(cp.lastId) + 1;
    assert.deepEqual(
      added.map((r) => ({ id: r.id, op: r.op, key: Number((r.after ?? r.before)!.id) })),
      want.map((c, i) => ({ id: firstId + i, op: c.op, key: c.id })),
      'exactly the changes made after the checkpoint arrive, numbered on from its last id',
    );
    // each change names where its transaction starts (a restart point): after the checkpoint, not the file's start
    const [cpFile, cpPos] = [Number(/(\d+)$/.exec(cp.binlog.file)![1]), cp.binlog.pos];
    for (const r of added) {
      const [offset, fileIndex] = decodeRecord(r.value).safeSourcePosition.split('@').map(Number) as [number, number];
      assert.ok(fileIndex > cpFile || (fileIndex === cpFile && offset >= cpPos), `safeSourcePosition ${offset}@${fileIndex} of id ${r.id} is at or after the checkpoint ${cp.binlog.file}:${cpPos}`);
    }
    const replayed = replayRecords(all);
    assert.deepEqual(replayed.orderViolations, [], 'ids increase within each partition');
    const diffs = differences(replayed, await sourceState(s));
    assert.deepEqual(diffs.slice(0, 20), [], `replaying the topic reproduces the source (${diffs.length} difference(s))`);
  } catch (e) {
    t.diagnostic(lines.join('\n'));
    throw e;
  } finally {
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

/** A GTID state with transactions the server never wrote: the last sequence number of the state far ahead. */
function aheadOf(gtidState: string): string {
  return gtidState.replace(/(\d+)$/, (n) => String(Number(n) + 1_000_000_000));
}

async function gtidsNotOnServer(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const s: Setup = await setUp(svc, `gtidahead_${RUN}`);
  try {
    const start = s.checkpoint.snapshot!.binlogStart;
    // a committed transaction, so the state has a sequence number to push ahead of the server's
    await s.root.query(`INSERT INTO ${s.db}.acct VALUES (1, 'a', 1.00, NULL, NULL, NULL)`);
    await followUntilCheckpoint(s, s.checkpoint, () => undefined);
    const cp = (await s.store.load())!;
    const ahead = aheadOf(cp.binlog!.gtidSet!);
    const bad = updateCheckpoint(cp, { binlog: { file: start.file, pos: start.pos, gtidSet: ahead } });
    await assert.rejects(
      runIncremental({ job: s.job, model: s.model, partitions: s.partitions, checkpoint: bad, store: s.store, log: () => undefined, retry: { initialMs: 50 } }),
      (e: unknown) => {
        assert.ok(e instanceof FaultError, `a fault the user must act on (exit 3): ${String(e)}`);
        assert.match(e.message, /^The source has not got every transaction sluice already read/);
        assert.ok(e.message.includes(ahead), `names the GTID state: ${e.message}`);
        assert.match(e.message, /point source\.host at a server that holds them .* or take a new snapshot with 'sluice run <job> --resnapshot'/);
        return true;
      },
    );
  } finally {
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

for (const svc of DATABASES) {
  test(`binlog on ${svc.name}: sluice resumes by GTID from a checkpoint whose binlog file the server never had, and exactly the later changes arrive`, { timeout: 120_000 }, (t) => resumeByGtid(t, svc));
  test(`binlog on ${svc.name}: a checkpoint GTID state the server does not hold stops with one sentence naming it and the fix`, { timeout: 60_000 }, (t) => gtidsNotOnServer(t, svc));
}
