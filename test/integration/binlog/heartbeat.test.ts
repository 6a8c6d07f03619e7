/**
 * Issue 6, heartbeat: the lag `sluice status` and /metrics show (JobStatus.binlog.lagSeconds, fed by the lag
 * clock) stays 0 on an idle source and grows while sluice is behind; with `heartbeat.records: true` HEARTBEAT
 * records arrive on partition 0 while the topic is quiet, each after every change of its partition committed
 * before its sourceTimestamp.
 *
 * "Behind" is made the way it happens: the binlog connection is killed on the server (KILL of its dump thread)
 * and sluice waits out its reconnect backoff while the source keeps committing. A reader that still believed
 * the last probe ("at the server's end") would report 0 the whole time.
 */
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { decodeRecord } from '../../../src/format/dts-avro/index.js';
import { IncrementalStatus } from '../../../src/pipeline/job/incremental-status.js';
import { StatusPublisher } from '../../../src/metrics/job-status.js';
import { openLocalStateStore } from '../../../src/state/index.js';
import { runIncremental } from '../../../src/pipeline/job/run-incremental.js';
import { requireService } from '../../support/db.js';
import { testJob } from '../../support/jobs.js';
import { DATABASES, type DbService } from '../../support/services.js';
import { differences, readRecords, replayRecords, setUp, sourceState, waitForCheckpoint } from './binlog-harness.js';

/** Names unique to this run: another worktree may run the same test on the same servers at the same time. */
const RUN = randomBytes(3).toString('hex');

const INTERVAL_MS = 250;
const BACKOFF_MS = 6000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function heartbeat(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const s = await setUp(svc, `heartbeat_${RUN}`);
  // an account of this run's own (the DTS grants), so its binlog dump thread is the one to kill even while
  // other runs stream as the shared sync account
  const user = `sluice_hb_${RUN}`;
  await s.root.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'hb-${RUN}'; GRANT REPLICATION SLAVE, REPLICATION CLIENT, SHOW VIEW ON *.* TO '${user}'@'%'; GRANT SELECT ON ${s.db}.* TO '${user}'@'%'`);
  const source = testJob(svc, { objects: [{ db: s.db, table: 'acct' }], source: { user, password: `hb-${RUN}` } }).source;
  const job = { ...s.job, source: { ...source, serverId: s.job.source.serverId }, heartbeat: { intervalMs: INTERVAL_MS, records: true } };
  const publisher = new StatusPublisher(openLocalStateStore(await mkdtemp(join(tmpdir(), 'sluice-hb-status-'))).status, job.name);
  const watch = await IncrementalStatus.create(publisher, {});
  const lag = (): number | null => publisher.snapshot().binlog?.lagSeconds ?? null;
  const lines: string[] = [];
  const ac = new AbortController();
  const dumpThreads = async (): Promise<number[]> => {
    const [rows] = await s.root.query<RowDataPacket[]>(`SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND LIKE 'Binlog Dump%'`, [user]);
    return rows.map((r) => Number(r.ID));
  };
  try {
    const run = runIncremental({ job, model: s.model, partitions: s.partitions, checkpoint: s.checkpoint, store: s.store, log: (l) => lines.push(l), signal: ac.signal, status: watch, retry: { initialMs: BACKOFF_MS, maxMs: BACKOFF_MS } });
    await sleep(500);
    await s.root.query(`INSERT INTO ${s.db}.acct VALUES (1, 'first', 1.00, NULL, NULL, NULL), (2, 'second', 2.00, NULL, NULL, NULL)`);
    await waitForCheckpoint(s);

    // idle (this test's tables; other runs may keep the shared server busy, and the reader reads their
    // transactions' GTID and commit events too): 0 within a few probes, then at most 1 s at every look for 3 s
    for (let i = 0; lag() !== 0; i++) {
      assert.ok(i < 40, `lag reaches 0 on an idle source (last ${lag()})`);
      await sleep(100);
    }
    const idle: Array<number | null> = [];
    for (let i = 0; i < 30; i++, await sleep(100)) idle.push(lag());
    t.diagnostic(`${svc.name}: lag while idle (s): ${idle.join(' ')}`);
    assert.ok(idle.every((l) => l !== null && l <= 1), `the lag stays small while the source is idle: ${idle.join(' ')}`);

    // behind: the binlog connection is killed and sluice waits BACKOFF_MS while the source commits
    const mine = await dumpThreads();
    assert.equal(mine.length, 1, 'one binlog dump thread opened by this run');
    const killedAt = Date.now();
    await s.root.query(`KILL ${mine[0]}`);
    const behind: Array<{ ms: number; lag: number | null }> = [];
    for (let id = 100; Date.now() - killedAt < BACKOFF_MS - 1500; id++) {
      await s.root.query(`INSERT INTO ${s.db}.acct VALUES (${id}, 'while behind', ${id}.00, NULL, NULL, NULL)`);
      behind.push({ ms: Date.now() - killedAt, lag: lag() });
      await sleep(200);
    }
    t.diagnostic(`${svc.name}: lag while behind (ms since the kill → s): ${behind.filter((_, i) => i % 3 === 0).map((b) => `${b.ms}→${b.lag}`).join(' ')}`);
    const last = behind[behind.length - 1]!;
    assert.ok(last.lag !== null && last.lag >= 2 && last.lag * 1000 <= last.ms + 1500, `the lag grows while sluice is behind (${last.lag} s at ${last.ms} ms after the kill)`);
    assert.ok(behind.slice(-5).every((b, i, a) => i === 0 || (b.lag ?? 0) >= (a[i - 1]!.lag ?? 0)), 'and does not fall while it stays behind');

    // caught up again after the reconnect
    await waitForCheckpoint(s, 30_000);
    for (let i = 0; lag() !== 0; i++) {
      assert.ok(i < 50, `lag returns to 0 after catching up (last ${lag()})`);
      await sleep(100);
    }
    const lastChangeAt = Date.now();
    await sleep(1500);
    ac.abort();
    const sum = await run;
    assert.ok(sum.reconnects >= 1, 'sluice reconnected');

    const recs = await readRecords(s);
    const beats = recs.filter((r) => r.op === 'HEARTBEAT');
    const changes = recs.filter((r) => r.op !== 'HEARTBEAT');
    t.diagnostic(`${svc.name}: ${beats.length} HEARTBEAT record(s), ${changes.length} change(s)`);
    assert.ok(beats.length >= 3, `HEARTBEAT records while quiet (${beats.length})`);
    for (const b of beats) {
      assert.equal(b.partition, 0, 'on partition 0');
      assert.equal(b.id, 0);
      assert.equal(b.table, '', 'naming no table');
      assert.equal(b.key, null);
    }
    // each heartbeat follows every change of its partition committed before its time
    const p0 = recs.filter((r) => r.partition === 0).sort((a, b) => (a.offset < b.offset ? -1 : 1));
    const timeOf = (v: Buffer) => decodeRecord(v).sourceTimestamp;
    p0.forEach((r, i) => {
      if (r.op !== 'HEARTBEAT') return;
      const late = p0.slice(i + 1).filter((x) => x.op !== 'HEARTBEAT' && timeOf(x.value) < timeOf(r.value));
      assert.deepEqual(late.map((x) => x.id), [], `no change committed before heartbeat ${r.offset}'s time comes after it`);
    });
    assert.ok(beats.some((b) => timeOf(b.value) * 1000 >= lastChangeAt - 1000), 'heartbeats keep coming after the last change');
    const diffs = differences(replayRecords(changes), await sourceState(s));
    assert.deepEqual(diffs.slice(0, 20), [], `every change arrived (${diffs.length} difference(s))`);
  } catch (e) {
    t.diagnostic(lines.join('\n'));
    throw e;
  } finally {
    ac.abort();
    await s.root.query(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => undefined);
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

for (const svc of DATABASES) {
  test(`binlog on ${svc.name}: the lag stays 0 on an idle source, grows while sluice is behind, and HEARTBEAT records mark quiet spells`, { timeout: 90_000 }, (t) => heartbeat(t, svc));
}
