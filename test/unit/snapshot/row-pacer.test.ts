import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPacerState, PACER_CATCH_UP_MS, RowPacer } from '../../../src/source/snapshot/read-chunk.js';

/** A clock the test moves by hand (epoch ms). */
function clock(start: number): { now: () => number; at: (ms: number) => void } {
  let t = start;
  return { now: () => t, at: (ms) => void (t = start + ms) };
}

test('one schedule across readers: the job-wide rate, not a share per reader', () => {
  const c = clock(1_000_000);
  const state = newPacerState(c.now());
  const a = new RowPacer(1000, state, c.now);
  const b = new RowPacer(1000, state, c.now);
  // two readers each read 500 rows at t=0: together 1000 rows are due at t=1000 ms
  assert.equal(a.delayAfter(500), 500);
  assert.equal(b.delayAfter(500), 1000);
  // a reader that starts later (a new chunk, a new task) joins the same schedule instead of restarting it
  c.at(1000);
  const later = new RowPacer(1000, state, c.now);
  assert.equal(later.delayAfter(1000), 1000);
});

test('gaps between chunks are made up: a reader that fell behind does not wait until it is on schedule', () => {
  const c = clock(0);
  const state = newPacerState(c.now());
  const p = new RowPacer(1000, state, c.now);
  assert.equal(p.delayAfter(1000), 1000);
  // 300 ms lost between chunks (the read resumes at 1300 ms): the next 300 rows are free, then pacing resumes
  c.at(1300);
  assert.equal(p.delayAfter(300), 0);
  assert.equal(p.delayAfter(100), 100);
});

test('a long stall is forgiven beyond the catch-up allowance, so there is no burst over the cap after it', () => {
  const c = clock(0);
  const state = newPacerState(c.now());
  const p = new RowPacer(1000, state, c.now);
  p.delayAfter(1000);
  c.at(1000 + 10_000); // 10 s without reading (a slow Kafka)
  // only PACER_CATCH_UP_MS worth of rows may go without waiting
  assert.equal(p.delayAfter(PACER_CATCH_UP_MS), 0);
  assert.equal(p.delayAfter(500), 500);
});

test('the rate holds over many blocks from several readers (simulated time)', () => {
  const c = clock(0);
  const state = newPacerState(c.now());
  const readers = [new RowPacer(20_000, state, c.now), new RowPacer(20_000, state, c.now)];
  // each reader: a block of 1000 rows takes 10 ms to read, then it waits what the pacer says; 20 ms gap per
  // 50 blocks (a chunk boundary) for reader 0
  const free = [0, 0];
  let rows = 0;
  let blocks = 0;
  while (rows < 200_000) {
    const i = free[0]! <= free[1]! ? 0 : 1;
    c.at(free[i]! + 10);
    const wait = readers[i]!.delayAfter(1000);
    rows += 1000;
    blocks++;
    free[i] = free[i]! + 10 + wait + (i === 0 && blocks % 50 === 0 ? 20 : 0);
  }
  const elapsed = Math.max(...free);
  const rate = rows / (elapsed / 1000);
  assert.ok(Math.abs(rate / 20_000 - 1) < 0.01, `rate ${rate}`);
});

test('full speed when there is no cap, and the state is shared across threads as a SharedArrayBuffer', () => {
  assert.equal(RowPacer.shared(null).delayAfter(1_000_000), 0);
  const state = newPacerState();
  assert.ok(state instanceof SharedArrayBuffer);
  const clone = structuredClone(state);
  const p = RowPacer.shared({ state: clone, rowsPerSecond: 1000 });
  const d = p.delayAfter(500);
  assert.ok(d > 400 && d <= 500, String(d));
  // the original sees the clone's rows: shared memory, not a copy
  assert.ok(new RowPacer(1000, state).delayAfter(500) > 900);
});
