/**
 * What every StateStore must do (issue 16), as node:test tests: the local directory passes them
 * (local-state-store.test.ts), and the Kafka store of issue 18 must pass the same ones. The harness of an
 * implementation gives a fresh store on empty state and a few seams the interface does not have (a lock record
 * planted as another process would have written it, the stored bytes, a torn checkpoint, a set-aside one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { FaultError, StateError } from '../../../src/errors.js';
import { emptyCheckpoint, parseCheckpoint, updateCheckpoint, withChunksDone, type Checkpoint } from '../../../src/state/checkpoint.js';
import type { JobStatus } from '../../../src/model/index.js';
import type { LockHolder, StateStore } from '../../../src/state/index.js';

/** The password the harness must put in every secret of the job config it opens its store from. */
export const CONTRACT_PASSWORD = 'contract-pw-5d1c9e';
export const CONTRACT_JOB = 'contract-job';

export interface StoreUnderTest {
  /** a store on empty state, opened from a job config named CONTRACT_JOB whose every password is CONTRACT_PASSWORD */
  store: StateStore;
  /** writes a lock record as another process would have (not through the store's acquire) */
  plantLock(holder: LockHolder): Promise<void>;
  /** damages the stored checkpoint as a torn or foreign write would */
  tearCheckpoint(): Promise<void>;
  /** the text of a checkpoint discard() set aside, given where it said it went */
  readAside(where: string): Promise<string>;
  /** every byte the store keeps (files, records), as text */
  rawDocuments(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A pid no process has: one that ran and ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function sample(lastId = 18446744073709551615n, chunks = 2): Checkpoint {
  return updateCheckpoint(emptyCheckpoint(CONTRACT_JOB), {
    binlog: { file: 'mysql-bin.000078', pos: 72469, gtidSet: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5' },
    lastId,
    snapshot: {
      binlogStart: { file: 'mysql-bin.000077', pos: 4, gtidSet: null },
      chunks: Array.from({ length: chunks }, (_, i) => ({ chunk: `shop.orders#${i}`, table: 'shop.orders', lower: i ? [String(i * 1000)] : null, upper: [String((i + 1) * 1000)], firstId: 9223372036854775807n + BigInt(i) * 1000n })),
      done: [],
      finished: false,
    },
    schemaVersions: { 'shop.orders': 3 },
    topics: { dts: { 0: 9007199254740993n } },
  });
}

function statusDoc(over: Partial<JobStatus> = {}): JobStatus {
  const now = new Date().toISOString();
  return {
    job: CONTRACT_JOB, pid: process.pid, startedAt: now, updatedAt: now, phase: 'snapshot', phaseSince: now, snapshot: [], binlog: null, binlogRows: [],
    checkpoint: { binlog: null, snapshotChunksDone: 0, snapshotChunksTotal: 2, savedAt: null }, rates: { rowsInPerSec: 0, rowsOutPerSec: 0 }, totals: { rowsIn: 0, recordsAcked: 0 },
    latencyMs: null, sink: null, lastError: null, ...over,
  };
}

function holder(pid: number, host: string, renewedAgoMs: number): LockHolder {
  const at = new Date(Date.now() - renewedAgoMs).toISOString();
  return { pid, host, since: at, renewedAt: at, token: `planted-${pid}` };
}

const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));

export function stateStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  const withStore = (title: string, fn: (t: StoreUnderTest) => Promise<void>): void => {
    test(`${name} state store: ${title}`, async () => {
      const t = await makeStore();
      try {
        await fn(t);
      } finally {
        await t.cleanup();
      }
    });
  };

  // ---- checkpoint ----

  withStore('checkpoint: none at first; a save round-trips whole, 64-bit ids and offsets intact, savedAt stamped', async ({ store }) => {
    assert.equal(await store.checkpoint.load(), null);
    assert.equal(await store.checkpoint.peek(), null);
    const cp = withChunksDone(sample(), ['shop.orders#0']);
    await store.checkpoint.save(cp);
    for (const back of [await store.checkpoint.peek(), await store.checkpoint.load()]) {
      assert.ok(back);
      assert.deepEqual({ ...back, savedAt: '' }, { ...cp, savedAt: '' });
      assert.equal(back.lastId, 18446744073709551615n);
      assert.equal(back.snapshot?.chunks[1]?.firstId, 9223372036854776807n);
      assert.equal(back.topics?.['dts']?.[0], 9007199254740993n);
      assert.ok(Date.parse(back.savedAt) > 0);
    }
  });

  withStore('checkpoint: the per-topic offsets Kafka acknowledged go with every save, and only grow', async ({ store }) => {
    const c = store.checkpoint;
    c.noteWritten('t1', 0, 500n);
    c.noteWritten('t1', 0, 100n);
    c.noteWritten('t1', 1, 20n);
    assert.deepEqual(c.writtenTopics(), { t1: { 0: 500n, 1: 20n } });
    await c.save(updateCheckpoint(sample(), { topics: { t1: { 0: 7n }, t2: { 0: 7n } } }));
    assert.deepEqual((await c.peek())?.topics, { t1: { 0: 500n, 1: 20n }, t2: { 0: 7n } });
    await c.save(updateCheckpoint(sample(), { topics: undefined }));
    assert.deepEqual((await c.peek())?.topics, { t1: { 0: 500n, 1: 20n } }, 'a save without topics keeps the noted ones');
    assert.deepEqual((await c.load())?.topics, { t1: { 0: 500n, 1: 20n } });
    assert.deepEqual(c.writtenTopics(), { t1: { 0: 500n, 1: 20n } }, 'load keeps what the checkpoint recorded');
  });

  withStore('checkpoint: a save is atomic: a reader during many saves sees none or one whole checkpoint, never part of one', async ({ store }) => {
    const ids = new Set<bigint>();
    const saves: Promise<void>[] = [];
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        const cp = await store.checkpoint.peek(); // a torn one is a StateError: the test fails
        reads++;
        if (cp) {
          assert.ok(ids.has(cp.lastId), `a checkpoint that was saved (lastId ${cp.lastId})`);
          assert.equal(cp.snapshot?.chunks.length, 400);
        }
        await sleep(0);
      }
    })();
    for (let i = 1; i <= 40; i++) {
      ids.add(BigInt(i));
      saves.push(store.checkpoint.save(sample(BigInt(i), 400)));
      if (i % 5 === 0) await Promise.all(saves);
    }
    await Promise.all(saves);
    reading = false;
    await reader;
    assert.ok(reads > 0);
    assert.equal((await store.checkpoint.load())?.lastId, 40n, 'the newest save wins');
  });

  withStore('checkpoint: an unusable stored checkpoint is a StateError naming it and the fix', async (t) => {
    await t.store.checkpoint.save(sample());
    await t.tearCheckpoint();
    for (const read of [() => t.store.checkpoint.load(), () => t.store.checkpoint.peek()]) {
      await assert.rejects(read(), (e: unknown) => {
        assert.ok(e instanceof StateError);
        assert.match(e.message, /is unusable \(.+\): restore it from a backup, or move it away to start the job from scratch \(a full snapshot again\)\.$/);
        return true;
      });
    }
  });

  withStore('checkpoint: discard sets it aside (recoverable), then load gives null and the noted offsets are forgotten', async (t) => {
    const c = t.store.checkpoint;
    assert.equal(await c.discard(), null, 'nothing to set aside');
    c.noteWritten('t1', 0, 9n);
    await c.save(sample());
    const where = await c.discard();
    assert.ok(where);
    assert.equal(await c.load(), null);
    assert.deepEqual(c.writtenTopics(), {});
    const old = parseCheckpoint(await t.readAside(where));
    assert.ok(old.ok);
    assert.equal(old.checkpoint.lastId, 18446744073709551615n);
  });

  // ---- lock ----

  withStore('lock: a second acquire refuses with one sentence naming the holder (pid, host); release frees it', async ({ store }) => {
    const a = await store.lock.acquire();
    assert.equal((await store.lock.holder())?.pid, process.pid);
    await assert.rejects(store.lock.acquire(), (e: unknown) => {
      assert.ok(e instanceof FaultError);
      assert.match(e.message, new RegExp(`is in use by another sluice run \\(pid ${process.pid} on host ${hostname()}, since \\S+\\): stop that process first, or if it is gone for good, run again with --break-lock\\.$`));
      return true;
    });
    await a.release();
    assert.equal(await store.lock.holder(), null);
    await (await store.lock.acquire()).release();
  });

  withStore('lock: a holder that is gone (dead pid on this host) or whose lease ran out is taken over, saying why', async (t) => {
    const pid = deadPid();
    await t.plantLock(holder(pid, hostname(), 0));
    const lines: string[] = [];
    const a = await t.store.lock.acquire({ log: (l) => lines.push(l) });
    assert.match(lines.join('\n'), new RegExp(`taking over the stale lock .*: its process ${pid} on ${hostname()} is gone`));
    assert.equal((await t.store.lock.holder())?.pid, process.pid);
    await a.release();
    await t.plantLock(holder(1, 'elsewhere.example', 60_000));
    const b = await t.store.lock.acquire({ log: (l) => lines.push(l), staleMs: 30_000 });
    assert.match(lines.at(-1) ?? '', /taking over the stale lock .*: it was last renewed 60 s ago/);
    await b.release();
  });

  withStore('lock: a live holder elsewhere is refused; --break-lock takes it', async (t) => {
    await t.plantLock(holder(4242, 'elsewhere.example', 0));
    await assert.rejects(t.store.lock.acquire(), (e: unknown) => e instanceof FaultError && /\(pid 4242 on host elsewhere\.example, since \S+\)/.test(e.message));
    const lines: string[] = [];
    const a = await t.store.lock.acquire({ breakLock: true, log: (l) => lines.push(l) });
    assert.match(lines.join('\n'), /--break-lock: taking over the lock on .* from pid 4242 on host elsewhere\.example/);
    assert.equal((await t.store.lock.holder())?.pid, process.pid);
    await a.release();
  });

  withStore('lock: renewing keeps the lease fresh past the stale time', async ({ store }) => {
    const a = await store.lock.acquire({ renewMs: 3_600_000, staleMs: 400 });
    const first = (await store.lock.holder())?.renewedAt;
    await sleep(250);
    assert.equal(await a.renew(), null);
    const second = (await store.lock.holder())?.renewedAt;
    assert.ok(first && second && Date.parse(second) > Date.parse(first), 'the renewal is recorded');
    await sleep(250); // 500 ms after the acquire, 250 after the renewal
    await assert.rejects(store.lock.acquire({ staleMs: 400 }), FaultError, 'a renewed lease is not stale');
    await a.release();
  });

  withStore('lock: a holder whose lock was taken over is told so (takenOver, renew, onLost), and its release leaves the new lock', async ({ store }) => {
    const lost: FaultError[] = [];
    const a = await store.lock.acquire({ renewMs: 50, onLost: (e) => lost.push(e) });
    assert.equal(await a.takenOver(), null);
    const b = await store.lock.acquire({ breakLock: true });
    const told = await a.takenOver();
    assert.ok(told instanceof FaultError);
    assert.match(told.message, new RegExp(`^Another sluice run took over this job's state .* \\(pid ${process.pid} on host ${hostname()}, since \\S+\\): this one stopped; run only one sluice run per state directory\\.$`));
    for (let i = 0; i < 40 && lost.length === 0; i++) await sleep(25);
    assert.equal(lost.length, 1, 'onLost is told once');
    assert.ok((await a.renew()) instanceof FaultError);
    assert.equal(lost.length, 1);
    await a.release();
    assert.ok(await store.lock.holder(), 'the new holder keeps its lock');
    assert.equal(await b.takenOver(), null);
    await b.release();
    assert.equal(await store.lock.holder(), null);
  });

  // ---- status ----

  withStore('status: none yet reads as not run; a published status reads back, running while its publisher lives', async ({ store }) => {
    const none = await store.status.read();
    assert.equal(none.status, null);
    assert.equal(none.running, false);
    assert.match(none.note ?? '', /: the job has not run yet$/);
    const doc = statusDoc();
    const writes = [store.status.publish(doc)];
    doc.totals.rowsIn = 5; // the store took the document as it was
    writes.push(store.status.publish({ ...doc, totals: { rowsIn: 7, recordsAcked: 7 } }));
    await Promise.all(writes);
    const v = await store.status.read();
    assert.equal(v.running, true);
    assert.equal(v.note, null);
    assert.deepEqual(v.status?.totals, { rowsIn: 7, recordsAcked: 7 }, 'publishes land in call order');
    assert.equal(v.status?.job, CONTRACT_JOB);
  });

  withStore('status: a dead or silent publisher reads as not running; a stopped job says since when', async ({ store }) => {
    const pid = deadPid();
    await store.status.publish(statusDoc({ pid }));
    const dead = await store.status.read();
    assert.equal(dead.running, false);
    assert.match(dead.note ?? '', new RegExp(`^not running: the process \\(pid ${pid}\\) ended without stopping cleanly \\(killed or crashed\\); last seen \\S+$`));
    await store.status.publish(statusDoc({ updatedAt: new Date(Date.now() - 60_000).toISOString() }));
    assert.equal((await store.status.read(5000)).running, false, 'not renewed within the stale time');
    await store.status.publish(statusDoc({ phase: 'stopped', phaseSince: '2026-01-01T00:00:00.000Z' }));
    const stopped = await store.status.read();
    assert.equal(stopped.running, false);
    assert.equal(stopped.note, 'stopped since 2026-01-01T00:00:00.000Z');
  });

  // ---- secrets ----

  withStore('no document the store keeps holds a password of the job config', async (t) => {
    t.store.checkpoint.noteWritten('dts', 0, 3n);
    await t.store.checkpoint.save(withChunksDone(sample(), ['shop.orders#1']));
    const lock = await t.store.lock.acquire();
    await lock.renew();
    await t.store.status.publish(statusDoc());
    const seen = [...(await t.rawDocuments()), json(await t.store.checkpoint.peek()), json(await t.store.lock.holder()), json(await t.store.status.read()), json({ kind: t.store.kind, location: t.store.location })];
    assert.ok(seen.length >= 6, 'the store kept the checkpoint, the lock and the status');
    for (const text of seen) assert.ok(!text.includes(CONTRACT_PASSWORD), `a stored document holds the password: ${text.slice(0, 200)}`);
    await lock.release();
  });
}
