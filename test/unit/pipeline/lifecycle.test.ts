import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobLifecycle } from '../../../src/pipeline/job/lifecycle.js';
import { mayMove, PHASES, type Phase } from '../../../src/metrics/job-phase.js';

test('a job starts in precheck and moves forward through its phases, passing over those it does not need', () => {
  const l = new JobLifecycle();
  const seen: Phase[] = [];
  l.onChange((p) => seen.push(p));
  assert.equal(l.phase, 'precheck');
  l.enter('snapshot'); // no schema records
  l.enter('snapshot'); // a repeated move is no move
  l.enter('incremental');
  l.stopping();
  l.stopping();
  l.end(false);
  assert.deepEqual(seen, ['snapshot', 'incremental', 'stopping', 'stopped']);
  assert.equal(l.ended, true);
});

test('a stop asked for during a phase: no new phase is entered afterwards, and the end is stopped or failed', () => {
  const l = new JobLifecycle();
  l.enter('schema');
  l.stopping();
  l.enter('snapshot');
  l.enter('incremental');
  assert.equal(l.phase, 'stopping');
  l.end(true);
  assert.equal(l.phase, 'failed');
});

test('failed is reachable from every phase before the end; nothing moves after the end', () => {
  for (const from of PHASES) {
    const ended = from === 'stopped' || from === 'failed';
    assert.equal(mayMove(from, 'failed'), !ended, `${from} → failed`);
    for (const to of PHASES) if (ended) assert.equal(mayMove(from, to), false, `${from} → ${to}`);
  }
  const l = new JobLifecycle();
  l.end(false);
  l.end(true); // the first end holds
  assert.equal(l.phase, 'stopped');
  assert.throws(() => l.to('snapshot'), /no move from stopped to snapshot/);
});

test('no move goes backwards', () => {
  const order: Phase[] = ['precheck', 'schema', 'snapshot', 'incremental', 'stopping', 'stopped'];
  order.forEach((from, i) => order.forEach((to, j) => assert.equal(mayMove(from, to), j > i, `${from} → ${to}`)));
  const l = new JobLifecycle();
  l.enter('incremental');
  assert.throws(() => l.to('snapshot'), /no move from incremental to snapshot/);
  assert.equal(l.phase, 'incremental');
});

test('since changes with each move', async () => {
  const l = new JobLifecycle();
  const first = l.since;
  await new Promise((r) => setTimeout(r, 5));
  l.enter('schema');
  assert.notEqual(l.since, first);
});
