/**
 * Where a checkpoint may move (DESIGN §2): to a transaction boundary whose every earlier record Kafka has
 * acknowledged. Acknowledgements arrive out of order across partitions, and under key-hash routing the
 * sequence ranges of batches for different partitions interleave (partition 0 may hold seq 10, 12, 15 while
 * partition 1 holds 11, 13, 14), so "every record with seq ≤ S is acknowledged" is the same as "no
 * unacknowledged batch starts at or below S" — which is what this tracks, with a min-heap of the first
 * sequence numbers of batches still in flight.
 */

/** What the tracker needs from a batch: its sequence range (EncodedBatch has these). */
export interface SeqRange {
  firstSeq: number;
  lastSeq: number;
}

interface Pending {
  firstSeq: number;
  acked: boolean;
}

export class AckTracker<P> {
  private heap: Pending[] = [];
  private readonly pending = new Map<SeqRange, Pending>();
  private boundaries: Array<{ seq: number; position: P }> = [];
  private boundaryHead = 0;
  private lastBoundarySeq = -Infinity;
  private safe: P | null = null;
  private safeSeq = -Infinity;
  private taken: P | null = null;

  /** Batches handed to the sink and not yet acknowledged. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** The newest safe position so far (null until the first boundary is safe). */
  get position(): P | null {
    return this.safe;
  }

  /** The sequence number of `position`. */
  get positionSeq(): number {
    return this.safeSeq;
  }

  /** A batch was handed to the sink. Call before the sink can acknowledge it. */
  issue(batch: SeqRange): void {
    if (this.pending.has(batch)) throw new Error(`batch ${batch.firstSeq}..${batch.lastSeq} issued twice`);
    const p: Pending = { firstSeq: batch.firstSeq, acked: false };
    this.pending.set(batch, p);
    this.heapPush(p);
  }

  /** Kafka acknowledged a batch (in any order relative to other partitions). */
  ack(batch: SeqRange): void {
    const p = this.pending.get(batch);
    if (!p) throw new Error(`batch ${batch.firstSeq}..${batch.lastSeq} acknowledged but never issued`);
    this.pending.delete(batch);
    p.acked = true;
    while (this.heap.length > 0 && (this.heap[0] as Pending).acked) this.heapPop();
    this.advance();
  }

  /**
   * The stream is at a transaction boundary after the record(s) with sequence `seq`: every record with
   * seq ≤ `seq` has been issued (the sequencer calls this after handing out the transaction's last batch;
   * a transaction whose rows were all filtered out still has its boundary). Boundaries come in stream order.
   */
  boundary(seq: number, position: P): void {
    if (seq < this.lastBoundarySeq) throw new Error(`boundary at seq ${seq} after one at ${this.lastBoundarySeq}`);
    this.lastBoundarySeq = seq;
    this.boundaries.push({ seq, position });
    this.advance();
  }

  /**
   * Returns the newest safe position if it moved since the last call, else null: what the checkpoint
   * writer polls.
   */
  takeIfMoved(): P | null {
    if (this.safe === null || this.safe === this.taken) return null;
    this.taken = this.safe;
    return this.safe;
  }

  private advance(): void {
    const minUnacked = this.heap.length > 0 ? (this.heap[0] as Pending).firstSeq : Infinity;
    while (this.boundaryHead < this.boundaries.length) {
      const b = this.boundaries[this.boundaryHead] as { seq: number; position: P };
      if (b.seq >= minUnacked) break;
      this.safe = b.position;
      this.safeSeq = b.seq;
      this.boundaryHead++;
    }
    if (this.boundaryHead > 1024 && this.boundaryHead * 2 > this.boundaries.length) {
      this.boundaries = this.boundaries.slice(this.boundaryHead);
      this.boundaryHead = 0;
    }
  }

  private heapPush(p: Pending): void {
    const h = this.heap;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as Pending).firstSeq <= p.firstSeq) break;
      h[i] = h[parent] as Pending;
      i = parent;
    }
    h[i] = p;
  }

  private heapPop(): void {
    const h = this.heap;
    const last = h.pop() as Pending;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && (h[r] as Pending).firstSeq < (h[l] as Pending).firstSeq ? r : l;
      if ((h[c] as Pending).firstSeq >= last.firstSeq) break;
      h[i] = h[c] as Pending;
      i = c;
    }
    h[i] = last;
  }
}

/**
 * Snapshot chunks finish when every batch of the chunk, on whatever partition, is acknowledged and the
 * chunk's last batch (`chunkDone`) was among them; only then may the checkpoint list it as finished.
 */
export class ChunkAckTracker {
  private readonly outstanding = new Map<string, { batches: number; lastIssued: boolean }>();
  private completed: string[] = [];

  issue(chunk: string, chunkDone: boolean): void {
    const c = this.outstanding.get(chunk) ?? { batches: 0, lastIssued: false };
    if (c.lastIssued) throw new Error(`chunk ${chunk} issued a batch after its last one`);
    c.batches++;
    c.lastIssued = chunkDone;
    this.outstanding.set(chunk, c);
  }

  ack(chunk: string): void {
    const c = this.outstanding.get(chunk);
    if (!c || c.batches === 0) throw new Error(`chunk ${chunk} acknowledged more batches than issued`);
    c.batches--;
    if (c.batches === 0 && c.lastIssued) {
      this.outstanding.delete(chunk);
      this.completed.push(chunk);
    }
  }

  /** Chunks completed since the last call, in completion order. */
  takeCompleted(): string[] {
    const out = this.completed;
    this.completed = [];
    return out;
  }
}
