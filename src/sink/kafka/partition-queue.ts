import type { EncodedBatch } from '../../model/encoded-batch.js';
import type { ProducerStamp, RecordRun } from './record-batch.js';

/** Bytes Kafka's record batch format adds around one record (length, attributes, deltas, key/value lengths, headers). */
export const RECORD_OVERHEAD = 12;
/** Bytes of a v2 record batch header. */
export const BATCH_OVERHEAD = 61;

interface Entry {
  batch: EncodedBatch;
  /** records already placed in a slice (sent or being sent) */
  taken: number;
  /** records Kafka acknowledged */
  acked: number;
}

const EMPTY_BATCH: EncodedBatch = {
  topic: '',
  partition: -1,
  firstSeq: 0,
  lastSeq: -1,
  count: 0,
  bytes: new Uint8Array(0),
  index: new Int32Array(0),
  timestamps: new Float64Array(0),
  endPosition: { kind: 'snapshot', chunk: '', chunkDone: false },
};
/** What a popped slot holds (below `head`, never read again) so its batch is not kept alive. */
const RELEASED: Entry = { batch: EMPTY_BATCH, taken: 0, acked: 0 };

/**
 * The records of one slice of a partition's queue: what goes into one Kafka record batch. Once sent, a
 * slice is resent exactly as it was until acknowledged: the idempotent producer's sequence numbers make an
 * identical resend a no-op at the broker, while a differently cut one would be refused as out of order.
 */
export interface Slice {
  queue: PartitionQueue;
  records: number;
  /** key + value bytes */
  bytes: number;
  /** which records of each entry this slice covers, in order */
  parts: Array<{ entry: Entry; from: number; count: number }>;
  /** the record batch as last sent (built on first send, restamped when the producer id changes) */
  built: Buffer | null;
  stamp: ProducerStamp | null;
}

/** The slice's records as runs of their batches (what record-batch.ts builds from). */
export function sliceRuns(slice: Slice): RecordRun[] {
  return slice.parts.map((p) => ({ batch: p.entry.batch, from: p.from, count: p.count }));
}

/** Whatever a record costs in Kafka's record batch, before compression. */
export function recordSize(index: Int32Array, i: number): number {
  const k = index[i * 4 + 1] as number;
  return (k > 0 ? k : 0) + (index[i * 4 + 3] as number) + RECORD_OVERHEAD;
}

/**
 * The batches waiting for one (topic, partition), in arrival order, with at most one slice in flight — the
 * rule that keeps Kafka's order equal to arrival order.
 */
export class PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  private entries: Entry[] = [];
  private head = 0;
  /** the entry holding the next record to take */
  private cursor = 0;
  /** record bytes arrived but not yet placed in a slice, and when the oldest of them arrived */
  unsentBytes = 0;
  unsentRecords = 0;
  unsentSince = 0;
  inFlight: Slice | null = null;
  /** the largest slice to cut (record bytes); lowered after the broker refused a batch as too large */
  cap: number;

  /** the most records to put in one slice (see KafkaSinkOptions.maxRecordsPerBatch) */
  readonly maxRecords: number;

  constructor(topic: string, partition: number, cap: number, maxRecords = Infinity) {
    this.topic = topic;
    this.partition = partition;
    this.cap = cap;
    this.maxRecords = maxRecords;
  }

  get empty(): boolean {
    return this.head === this.entries.length;
  }

  /** records waiting to be placed in a slice (each record counts at least RECORD_OVERHEAD bytes) */
  get hasUnsent(): boolean {
    return this.unsentBytes > 0;
  }

  push(batch: EncodedBatch, now: number): void {
    if (this.unsentBytes === 0) this.unsentSince = now;
    this.entries.push({ batch, taken: 0, acked: 0 });
    const idx = batch.index;
    let bytes = 0;
    for (let i = 0; i < batch.count; i++) bytes += recordSize(idx, i);
    this.unsentBytes += bytes;
    this.unsentRecords += batch.count;
  }

  /** A full slice is waiting: send without lingering. */
  get full(): boolean {
    return this.unsentBytes >= this.cap || this.unsentRecords >= this.maxRecords;
  }

  /** Cuts the next slice: records in order, up to `cap` bytes (at least one record, however large). */
  take(): Slice {
    const slice: Slice = { queue: this, records: 0, bytes: 0, parts: [], built: null, stamp: null };
    let size = BATCH_OVERHEAD;
    while (this.cursor < this.entries.length) {
      const entry = this.entries[this.cursor] as Entry;
      const b = entry.batch;
      const index = b.index;
      const from = entry.taken;
      let i = from;
      for (; i < b.count; i++) {
        const rs = recordSize(index, i);
        if (slice.records > 0 && (size + rs > this.cap || slice.records >= this.maxRecords)) break;
        size += rs;
        slice.records++;
        slice.bytes += rs - RECORD_OVERHEAD;
        this.unsentBytes -= rs;
        this.unsentRecords--;
      }
      if (i > from) slice.parts.push({ entry, from, count: i - from });
      entry.taken = i;
      if (i < b.count) break;
      this.cursor++;
    }
    if (this.unsentBytes <= 0) this.unsentBytes = 0;
    return slice;
  }

  /**
   * Gives the second half of an in-flight slice back to the queue (the broker refused the slice as too
   * large, so none of it was written) and returns the first half as the new slice to send.
   */
  halve(slice: Slice): Slice {
    const keep = Math.max(1, Math.floor(slice.records / 2));
    // Un-take everything in the slice, then take again under a cap that fits `keep` records.
    for (let p = slice.parts.length - 1; p >= 0; p--) {
      const part = slice.parts[p] as { entry: Entry; from: number; count: number };
      part.entry.taken -= part.count;
    }
    const first = slice.parts[0]?.entry;
    if (first) this.cursor = this.entries.indexOf(first, this.head);
    let bytes = BATCH_OVERHEAD;
    let n = 0;
    for (const part of slice.parts) {
      for (let i = part.from; i < part.from + part.count; i++) {
        const rs = recordSize(part.entry.batch.index, i);
        this.unsentBytes += rs;
        this.unsentRecords++;
        if (n < keep) bytes += rs;
        n++;
      }
    }
    this.cap = Math.max(BATCH_OVERHEAD + 1, bytes);
    return this.take();
  }

  /** Marks the in-flight slice acknowledged; returns the batches now wholly acknowledged, in order. */
  ackInFlight(): EncodedBatch[] {
    const slice = this.inFlight;
    this.inFlight = null;
    if (slice) for (const part of slice.parts) part.entry.acked += part.count;
    return this.popAcked();
  }

  /** Pops head batches whose every record is acknowledged (an empty batch is, once those before it are). */
  popAcked(): EncodedBatch[] {
    const done: EncodedBatch[] = [];
    while (this.head < this.entries.length) {
      const e = this.entries[this.head] as Entry;
      if (e.acked < e.batch.count) break;
      done.push(e.batch);
      // Drop the queue's reference now: a popped batch's bytes must be collectable at once, not when the
      // array is next compacted (with ~1 MB batches, 1024 popped slots held ~1 GB).
      this.entries[this.head] = RELEASED;
      this.head++;
    }
    if (this.cursor < this.head) this.cursor = this.head;
    // Compact now and then so the array does not grow with the job's lifetime.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.cursor -= this.head;
      this.head = 0;
    }
    return done;
  }
}
