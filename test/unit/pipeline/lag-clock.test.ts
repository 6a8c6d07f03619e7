/**
 * The lag clock's rules on plain data (the real servers are in test/integration/binlog/heartbeat.test.ts):
 * 0 while caught up on an idle source; growing from the last caught-up probe when the server moves on and
 * the reader does not; following unacknowledged records while Kafka lags.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LagClock, atOrAfter } from '../../../src/pipeline/job/lag-clock.js';
import type { EncodedBatch } from '../../../src/model/encoded-batch.js';
import type { FrameKind, FramedEvent } from '../../../src/source/binlog/framer.js';

function event(kind: FrameKind, file: string, endPos: number, timestampSec: number, raw: Record<string, unknown> = {}): FramedEvent {
  const e = { getTypeName: () => 'Xid', timestamp: timestampSec * 1000, nextPosition: endPos, ...raw } as FramedEvent['event'];
  return { seq: 0, kind, file, endPos, txStart: { file, pos: endPos }, gtid: null, threadId: 0, timestampSec, boundary: kind === 'commit', event: e };
}

function batch(firstRecordMs: number): EncodedBatch {
  return { topic: 't', partition: 0, firstSeq: 1, lastSeq: 1, count: 1, bytes: new Uint8Array(0), index: new Int32Array(4), timestamps: new Float64Array([firstRecordMs]), endPosition: { kind: 'binlog', file: 'b.000001', pos: 1, txBoundary: true } };
}

function setup(): { clock: LagClock; server: { file: string; pos: number }; setNow: (ms: number) => void } {
  let now = 1_000_000;
  const server = { file: 'b.000001', pos: 100 };
  const clock = new LagClock(async () => ({ ...server }), () => now);
  return { clock, server, setNow: (ms) => (now = ms) };
}

test('nothing read and never caught up: the lag is unknown', () => {
  assert.equal(setup().clock.lagMs(), null);
});

test('an idle source: 0 once a probe finds the reader at the server end with everything acknowledged, and it stays 0', async () => {
  const { clock, setNow } = setup();
  clock.read(event('commit', 'b.000001', 100, 990));
  setNow(1_005_000);
  assert.equal(clock.lagMs(), 15_000, 'before a probe: the age of the last event');
  await clock.probeOnce();
  assert.equal(clock.caughtUp, true);
  assert.equal(clock.caughtUpAtMs, 1_005_000);
  setNow(1_600_000);
  assert.equal(clock.lagMs(), 0, 'ten minutes later, still nothing to read');
});

test('the server moves on while the reader does not: the lag grows from the last caught-up probe, not from the old event', async () => {
  const { clock, server, setNow } = setup();
  clock.read(event('commit', 'b.000001', 100, 100)); // an event from long ago
  setNow(1_005_000);
  await clock.probeOnce();
  assert.equal(clock.lagMs(), 0);
  server.pos = 250; // a commit the reader never receives (a stalled or lost binlog connection)
  setNow(1_006_000);
  await clock.probeOnce();
  assert.equal(clock.caughtUp, false);
  setNow(1_009_000);
  assert.equal(clock.lagMs(), 4_000, 'measured from the last probe that found it caught up');
  setNow(1_019_000);
  assert.equal(clock.lagMs(), 14_000, 'and it keeps growing');
});

test('Kafka lags: the oldest unacknowledged record sets the lag, and a probe cannot call it caught up', async () => {
  const { clock, setNow } = setup();
  clock.read(event('rows', 'b.000001', 90, 1_000));
  const b = batch(1_000_000);
  clock.issued(b);
  clock.read(event('commit', 'b.000001', 100, 1_002));
  setNow(1_010_000);
  await clock.probeOnce();
  assert.equal(clock.caughtUp, false, 'reader at the end but a batch unacknowledged');
  assert.equal(clock.lagMs(), 10_000);
  clock.acked(b);
  assert.equal(clock.lagMs(), 8_000, 'then the last event read');
  await clock.probeOnce();
  assert.equal(clock.lagMs(), 0);
});

test('a failed probe ends "caught up"; rotate/format events do not set the time', async () => {
  let fail = false;
  let now = 50_000;
  const clock = new LagClock(async () => {
    if (fail) throw new Error('gone');
    return { file: 'b.000002', pos: 4 };
  }, () => now);
  clock.read(event('rotate', 'b.000002', 4, 1)); // the rotate's time is the file's creation, not a change
  assert.equal(clock.lagMs(), null);
  await clock.probeOnce();
  assert.equal(clock.lagMs(), 0);
  fail = true;
  now = 53_000;
  await clock.probeOnce();
  assert.equal(clock.caughtUp, false);
  assert.equal(clock.lagMs(), 3_000);
  assert.equal(clock.probes.failed, 1);
});

test('a heartbeat after transactions skipped by a GTID dump moves the reader to the server end', async () => {
  const { clock, server, setNow } = setup();
  server.pos = 886;
  clock.read(event('other', 'b.000001', 127, 0, { getTypeName: () => 'Heartbeat', binlogName: 'b.000001', nextPosition: 886 }));
  setNow(1_001_000);
  await clock.probeOnce();
  assert.equal(clock.caughtUp, true);
  assert.deepEqual(clock.readerPosition, { file: 'b.000001', pos: 886 });
});

test('binlog file order: a longer sequence number is a later file', () => {
  assert.ok(atOrAfter({ file: 'b.1000000', pos: 4 }, { file: 'b.999999', pos: 900 }));
  assert.ok(!atOrAfter({ file: 'b.000001', pos: 99 }, { file: 'b.000001', pos: 100 }));
});
