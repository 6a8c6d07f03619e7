import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AckTracker, ChunkAckTracker, type SeqRange } from '../../../src/state/ack-tracker.js';

const r = (firstSeq: number, lastSeq: number): SeqRange => ({ firstSeq, lastSeq });

test('nothing is safe before the first boundary, and a boundary is safe only once its records are acked', () => {
  const t = new AckTracker<string>();
  const a = r(1, 5);
  t.issue(a);
  assert.equal(t.position, null);
  t.boundary(5, 'tx1');
  assert.equal(t.position, null, 'batch 1..5 not acked yet');
  t.ack(a);
  assert.equal(t.position, 'tx1');
  assert.equal(t.positionSeq, 5);
});

test('out-of-order acks across partitions: the position waits for the oldest unacked batch', () => {
  const t = new AckTracker<string>();
  const p0 = r(1, 10);
  const p1 = r(11, 20);
  const p2 = r(21, 30);
  t.issue(p0);
  t.boundary(10, 'A');
  t.issue(p1);
  t.boundary(20, 'B');
  t.issue(p2);
  t.boundary(30, 'C');
  t.ack(p2);
  assert.equal(t.position, null, 'C is acked but A and B are not');
  t.ack(p1);
  assert.equal(t.position, null);
  t.ack(p0);
  assert.equal(t.position, 'C', 'everything acked: straight to the newest boundary');
});

test('interleaved ranges (key-hash): a batch spanning seqs of another partition holds back boundaries inside it', () => {
  // partition 0 holds seqs 1,3,5 (batch 1..5); partition 1 holds 2,4 (batch 2..4); boundaries after 2 and after 5
  const t = new AckTracker<string>();
  const p0 = r(1, 5);
  const p1 = r(2, 4);
  t.issue(p0);
  t.issue(p1);
  t.boundary(2, 'after-2');
  t.boundary(5, 'after-5');
  t.ack(p1);
  assert.equal(t.position, null, 'seq 1 (in partition 0) is not acked, so no boundary is safe');
  t.ack(p0);
  assert.equal(t.position, 'after-5');
});

test('a boundary at a gap (a transaction whose rows were all filtered out) moves with its predecessors', () => {
  const t = new AckTracker<string>();
  const a = r(1, 3);
  t.issue(a);
  t.boundary(3, 'tx1');
  t.boundary(3, 'tx2-empty'); // nothing issued for tx2: same seq
  t.boundary(7, 'tx3-filtered'); // seqs 4..7 were events without records
  const b = r(8, 9);
  t.issue(b);
  t.boundary(9, 'tx4');
  t.ack(a);
  assert.equal(t.position, 'tx3-filtered', 'every record ≤ 7 is acked; 8..9 is not');
  t.ack(b);
  assert.equal(t.position, 'tx4');
});

test('a boundary is never taken inside a transaction: mid-transaction acks do not move the position', () => {
  const t = new AckTracker<string>();
  t.boundary(0, 'start');
  assert.equal(t.position, 'start');
  // one big transaction 1..3000 in three batches, committed at 3000
  const bs = [r(1, 1000), r(1001, 2000), r(2001, 3000)];
  for (const b of bs) t.issue(b);
  t.ack(bs[0]!);
  t.ack(bs[1]!);
  assert.equal(t.position, 'start');
  t.ack(bs[2]!);
  assert.equal(t.position, 'start', 'no boundary registered yet for the commit');
  t.boundary(3000, 'commit');
  assert.equal(t.position, 'commit');
});

test('takeIfMoved reports each new position once', () => {
  const t = new AckTracker<number>();
  const a = r(1, 1);
  t.issue(a);
  t.boundary(1, 1);
  assert.equal(t.takeIfMoved(), null);
  t.ack(a);
  assert.equal(t.takeIfMoved(), 1);
  assert.equal(t.takeIfMoved(), null);
});

test('misuse is loud: double issue, ack of an unknown batch, boundaries going backwards', () => {
  const t = new AckTracker<string>();
  const a = r(1, 2);
  t.issue(a);
  assert.throws(() => t.issue(a), /issued twice/);
  assert.throws(() => t.ack(r(1, 2)), /never issued/);
  t.boundary(5, 'x');
  assert.throws(() => t.boundary(4, 'y'), /after one at 5/);
});

test('randomised: across 4 partitions with random ack order, the position always satisfies the rule and ends at the last boundary', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 50; round++) {
    const t = new AckTracker<number>();
    const acked = new Set<number>(); // seqs acked
    const batches: Array<{ range: SeqRange; seqs: number[] }> = [];
    const open: Array<{ range: SeqRange; seqs: number[] }> = [];
    const boundaries: number[] = [];
    let seq = 0;
    for (let tx = 0; tx < 40; tx++) {
      const rows = rnd(12);
      const perPartition: number[][] = [[], [], [], []];
      for (let i = 0; i < rows; i++) perPartition[rnd(4)]!.push(++seq);
      for (const seqs of perPartition) {
        if (seqs.length === 0) continue;
        const b = { range: r(seqs[0]!, seqs[seqs.length - 1]!), seqs };
        batches.push(b);
        open.push(b);
        t.issue(b.range);
      }
      t.boundary(seq, seq);
      boundaries.push(seq);
      // ack a random number of random open batches
      for (let k = rnd(4); k > 0 && open.length > 0; k--) {
        const [b] = open.splice(rnd(open.length), 1);
        for (const s of b!.seqs) acked.add(s);
        t.ack(b!.range);
        const pos = t.position;
        if (pos !== null) {
          for (let s = 1; s <= pos; s++) assert.ok(acked.has(s), `round ${round}: position ${pos} but seq ${s} unacked`);
          assert.ok(boundaries.includes(pos));
        }
      }
    }
    while (open.length > 0) t.ack(open.splice(rnd(open.length), 1)[0]!.range);
    assert.equal(t.position, boundaries[boundaries.length - 1]);
    assert.equal(t.inFlight, 0);
  }
});

test('snapshot chunks complete when all their batches are acked and the last one was issued', () => {
  const c = new ChunkAckTracker();
  c.issue('db.t#0', false);
  c.issue('db.t#1', false);
  c.issue('db.t#0', true);
  c.ack('db.t#0');
  assert.deepEqual(c.takeCompleted(), []);
  c.ack('db.t#0');
  assert.deepEqual(c.takeCompleted(), ['db.t#0']);
  c.ack('db.t#1');
  assert.deepEqual(c.takeCompleted(), [], 'chunk 1 has not issued its last batch');
  c.issue('db.t#1', true);
  c.ack('db.t#1');
  assert.deepEqual(c.takeCompleted(), ['db.t#1']);
  assert.throws(() => c.ack('db.t#1'), /more batches than issued/);
});
