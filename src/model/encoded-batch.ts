/**
 * What workers hand back to the main thread and the only thing the producer accepts (DESIGN §2): the
 * records of one (topic, partition), already encoded, packed into one byte buffer so a batch crosses
 * threads as transferable bytes, never as per-record objects.
 */

/** Where in the source a batch ends: a binlog position, or a finished snapshot chunk. */
export type SourcePosition =
  | {
      kind: 'binlog';
      /** binlog file name, e.g. mysql-bin.000078 */
      file: string;
      /** end offset of the last event in the batch */
      pos: number;
      /** GTID set (MySQL) or GTID position (MariaDB) at the last transaction boundary, when GTID is on */
      gtid?: string;
      /** true when the batch ends exactly at a transaction boundary (a checkpoint may be taken here) */
      txBoundary: boolean;
    }
  | {
      kind: 'snapshot';
      /** `db.table#chunkIndex` */
      chunk: string;
      /** true on the chunk's last batch */
      chunkDone: boolean;
    };

export interface EncodedBatch {
  topic: string;
  partition: number;
  /** sequence numbers of the first and last record (ordering key across workers) */
  firstSeq: number;
  lastSeq: number;
  /** number of records */
  count: number;
  /** every record's key bytes then value bytes, back to back */
  bytes: Uint8Array;
  /**
   * four int32 per record: keyStart, keyLength (-1 for a null key), valueStart, valueLength — offsets
   * into `bytes`.
   */
  index: Int32Array;
  /** a timestamp per record for Kafka (ms), or one for all when the array has length 1 */
  timestamps: Float64Array;
  endPosition: SourcePosition;
}

/** Builds EncodedBatches record by record into growable buffers (used inside workers). */
export class EncodedBatchBuilder {
  private buf: Uint8Array;
  private used = 0;
  private idx: Int32Array;
  private ts: Float64Array;
  count = 0;

  constructor(initialBytes = 1 << 16, initialRecords = 256) {
    this.buf = new Uint8Array(initialBytes);
    this.idx = new Int32Array(initialRecords * 4);
    this.ts = new Float64Array(initialRecords);
  }

  get byteLength(): number {
    return this.used;
  }

  private reserve(bytes: number): void {
    if (this.used + bytes > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.used + bytes));
      next.set(this.buf.subarray(0, this.used));
      this.buf = next;
    }
    if ((this.count + 1) * 4 > this.idx.length) {
      const nextIdx = new Int32Array(this.idx.length * 2);
      nextIdx.set(this.idx);
      this.idx = nextIdx;
      const nextTs = new Float64Array(this.ts.length * 2);
      nextTs.set(this.ts);
      this.ts = nextTs;
    }
  }

  add(key: Uint8Array | null, value: Uint8Array, timestampMs: number): void {
    this.reserve((key?.length ?? 0) + value.length);
    const i = this.count * 4;
    if (key) {
      this.idx[i] = this.used;
      this.idx[i + 1] = key.length;
      this.buf.set(key, this.used);
      this.used += key.length;
    } else {
      this.idx[i] = this.used;
      this.idx[i + 1] = -1;
    }
    this.idx[i + 2] = this.used;
    this.idx[i + 3] = value.length;
    this.buf.set(value, this.used);
    this.used += value.length;
    this.ts[this.count] = timestampMs;
    this.count++;
  }

  /** Takes the packed records (copied to exact-size buffers, so they can be transferred) and resets. */
  take(): { count: number; bytes: Uint8Array; index: Int32Array; timestamps: Float64Array } {
    const out = {
      count: this.count,
      bytes: this.buf.slice(0, this.used),
      index: this.idx.slice(0, this.count * 4),
      timestamps: this.ts.slice(0, this.count),
    };
    this.used = 0;
    this.count = 0;
    return out;
  }
}

/** The transferable buffers of a batch, for postMessage / piscina's `move()`. */
export function transferList(b: EncodedBatch): ArrayBuffer[] {
  return [b.bytes.buffer as ArrayBuffer, b.index.buffer as ArrayBuffer, b.timestamps.buffer as ArrayBuffer];
}
