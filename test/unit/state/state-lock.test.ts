// The state lock (issue 15): one holder at a time, a refusal naming the holder, stale locks taken over,
// --break-lock, release only of one's own lock, and a holder told when another process took its lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultError } from '../../../src/errors.js';
import { LOCK_FILE, StateLock } from '../../../src/state/state-lock.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'lk-lock-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function foreignLock(d: string, pid: number, renewedAgoMs: number, host = hostname()): void {
  const at = new Date(Date.now() - renewedAgoMs).toISOString();
  writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid, host, since: at, renewedAt: at, token: 'other' }));
}

test('a second acquire refuses with one sentence naming the holder; release frees the state', async () => {
  const d = dir();
  const a = await StateLock.acquire(d);
  await assert.rejects(StateLock.acquire(d), (e: unknown) => {
    assert.ok(e instanceof FaultError);
    assert.match(e.message, new RegExp(`^The state directory .* is in use by another sluice run \\(pid ${process.pid} on host ${hostname()}, since \\S+\\): stop that process first, or if it is gone for good, run again with --break-lock\\.$`));
    return true;
  });
  await a.release();
  const b = await StateLock.acquire(d);
  await b.release();
});

test('a lock of a dead pid on this host, or not renewed within the stale time, is taken over', async () => {
  const d = dir();
  foreignLock(d, 2 ** 22 + 12345, 0); // above Linux's pid_max: no such process
  const lines: string[] = [];
  const a = await StateLock.acquire(d, { log: (l) => lines.push(l) });
  assert.match(lines[0] ?? '', /taking over the stale lock .* is gone/);
  await a.release();

  foreignLock(d, process.pid, 60_000, 'elsewhere');
  const b = await StateLock.acquire(d, { log: (l) => lines.push(l) });
  assert.match(lines[1] ?? '', /it was last renewed 60 s ago/);
  await b.release();
});

test('a live lock on another host is refused, and --break-lock takes it', async () => {
  const d = dir();
  foreignLock(d, 1, 0, 'elsewhere');
  await assert.rejects(StateLock.acquire(d), /pid 1 on host elsewhere/);
  const lines: string[] = [];
  const a = await StateLock.acquire(d, { breakLock: true, log: (l) => lines.push(l) });
  assert.match(lines[0] ?? '', /^--break-lock: taking over the lock on .* from pid 1 on host elsewhere/);
  assert.equal((JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8')) as { pid: number }).pid, process.pid);
  await a.release();
});

test('the lease is renewed; a holder whose lock was taken over is told, and its release leaves the new lock', async () => {
  const d = dir();
  let lost: FaultError | null = null;
  const a = await StateLock.acquire(d, { renewMs: 50, onLost: (e) => (lost = e) });
  const first = (JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8')) as { renewedAt: string }).renewedAt;
  await sleep(200);
  const renewed = (JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8')) as { renewedAt: string }).renewedAt;
  assert.ok(renewed > first, `${renewed} after ${first}`);
  const b = await StateLock.acquire(d, { breakLock: true });
  await sleep(200);
  assert.ok(lost, 'the old holder learnt it lost the lock');
  assert.match((lost as FaultError).message, /^Another sluice run took over this job's state directory/);
  await a.release();
  assert.ok(await StateLock.holderOf(d), 'the new holder keeps its lock');
  await b.release();
  assert.equal(await StateLock.holderOf(d), null);
});
