/**
 * Packs encoded records into EncodedBatches per (topic, partition), in stream order. The stream cuts all
 * open batches together (`takeAll`), so after a cut every record assigned so far has been handed on — the
 * moment the transaction boundaries seen so far may be given to the AckTracker.
 */
import { EncodedBatchBuilder, type EncodedBatch, type SourcePosition } from '../../model/encoded-batch.js';

interface Open {
  topic: string;
  partition: number;
  builder: EncodedBatchBuilder;
  firstSeq: number;
  lastSeq: number;
}

export class PartitionBatcher {
  private readonly open = new Map<string, Open>();
  private bytes = 0;
  private records = 0;

  /** record bytes waiting in open batches */
  get pendingBytes(): number {
    return this.bytes;
  }

  get pendingRecords(): number {
    return this.records;
  }

  add(topic: string, partition: number, seq: number, key: Uint8Array | null, value: Uint8Array, timestampMs: number): void {
    const k = `${partition}\u0000${topic}`;
    let o = this.open.get(k);
    if (!o) {
      o = { topic, partition, builder: new EncodedBatchBuilder(1 << 14, 64), firstSeq: seq, lastSeq: seq };
      this.open.set(k, o);
    }
    if (o.builder.count === 0) o.firstSeq = seq;
    o.lastSeq = seq;
    o.builder.add(key, value, timestampMs);
    this.bytes += (key?.length ?? 0) + value.length;
    this.records++;
  }

  /** Every open batch, cut, each ending at `end`. Builders are kept for reuse. */
  takeAll(end: SourcePosition): EncodedBatch[] {
    const out: EncodedBatch[] = [];
    for (const o of this.open.values()) {
      if (o.builder.count === 0) continue;
      const packed = o.builder.take();
      out.push({ topic: o.topic, partition: o.partition, firstSeq: o.firstSeq, lastSeq: o.lastSeq, ...packed, endPosition: end });
    }
    this.bytes = 0;
    this.records = 0;
    return out;
  }

  /** Drops everything not yet taken (a stream that restarts from its checkpoint). */
  clear(): void {
    this.open.clear();
    this.bytes = 0;
    this.records = 0;
  }
}
