/**
 * Kafka's v2 record batch (magic 2), built straight from EncodedBatch bytes: one pass writing varint-framed
 * records into one buffer, then compression and the CRC. It replaces kafkajs' per-message encoder (an
 * object, an Encoder and several Buffers per record — the measured bound of the pipeline, DESIGN §2) and
 * writes the same bytes: test/unit/sink/record-batch.test.ts compares it with kafkajs' RecordBatch.
 *
 * Layout (offsets in bytes): 0 baseOffset i64 · 8 batchLength i32 · 12 partitionLeaderEpoch i32 · 16 magic i8
 * · 17 crc u32 (CRC32C of everything from 21) · 21 attributes i16 · 23 lastOffsetDelta i32 · 27 firstTimestamp
 * i64 · 35 maxTimestamp i64 · 43 producerId i64 · 51 producerEpoch i16 · 53 baseSequence i32 · 57 records
 * count i32 · 61 records (compressed as one block when the batch is compressed).
 */
import { gzipSync } from 'node:zlib';
import type { EncodedBatch } from '../../model/encoded-batch.js';
import { crc32c } from './crc32c.js';
import { lz4CompressFrame } from './lz4-codec.js';

export type BatchCompression = 'none' | 'gzip' | 'lz4';

/** Kafka's compression codec ids (the attributes' low 3 bits). */
const CODEC: Record<BatchCompression, number> = { none: 0, gzip: 1, lz4: 3 };

const HEADER_BYTES = 61;
const CRC_AT = 17;
const CRC_FROM = 21;
const PRODUCER_ID_AT = 43;
const PRODUCER_EPOCH_AT = 51;
const BASE_SEQUENCE_AT = 53;
/** the most a record's framing can take: length, attributes, timestamp delta, offset delta, key and value lengths, header count */
const MAX_RECORD_FRAMING = 5 + 1 + 10 + 5 + 5 + 5 + 1;

/** A run of records of one EncodedBatch. */
export interface RecordRun {
  batch: EncodedBatch;
  from: number;
  count: number;
}

/** The idempotent producer's fields of a batch. */
export interface ProducerStamp {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

let scratch = Buffer.allocUnsafe(1 << 20);

// The varint helpers are exported only for test/unit/fuzz/record-batch.fuzz.test.ts, which holds each to a
// BigInt reference at every width boundary: a size helper that disagrees with its writer by one byte
// corrupts every record after it.
export function zigzag32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

/** Writes an unsigned varint (< 2^32) at `at`; returns the next offset. */
export function putVarUint(buf: Buffer, at: number, v: number): number {
  while (v >= 0x80) {
    buf[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[at++] = v;
  return at;
}

export function varUintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Writes a zigzag varlong for any safe integer (timestamp deltas). */
export function putVarLong(buf: Buffer, at: number, n: number): number {
  if (n >= -0x40000000 && n < 0x40000000) return putVarUint(buf, at, zigzag32(n));
  let v = BigInt(n);
  v = (v << 1n) ^ (v >> 63n);
  v = BigInt.asUintN(64, v);
  while (v >= 0x80n) {
    buf[at++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[at++] = Number(v);
  return at;
}

export function varLongSize(n: number): number {
  if (n >= -0x40000000 && n < 0x40000000) return varUintSize(zigzag32(n));
  let v = BigInt.asUintN(64, (BigInt(n) << 1n) ^ (BigInt(n) >> 63n));
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

function timestampOf(b: EncodedBatch, i: number, now: number): number {
  const ts = b.timestamps;
  if (ts.length === 1) return ts[0] as number;
  return i < ts.length ? (ts[i] as number) : now;
}

/**
 * Builds one record batch of the runs' records, in order, with producer id/epoch/sequence stamped. Record
 * timestamps are the batches' (CreateTime); `now` stands in for a record without one.
 */
export function buildRecordBatch(runs: readonly RecordRun[], compression: BatchCompression, stamp: ProducerStamp, now = Date.now()): Buffer {
  let first = Infinity;
  let max = -Infinity;
  let bound = 0;
  let count = 0;
  for (const r of runs) {
    const idx = r.batch.index;
    for (let i = r.from; i < r.from + r.count; i++) {
      const t = timestampOf(r.batch, i, now);
      if (t < first) first = t;
      if (t > max) max = t;
      const kl = idx[i * 4 + 1] as number;
      bound += (kl > 0 ? kl : 0) + (idx[i * 4 + 3] as number) + MAX_RECORD_FRAMING;
    }
    count += r.count;
  }
  if (count === 0) throw new Error('a record batch needs at least one record');

  // Uncompressed records go straight behind the header; compressed ones are framed in scratch first.
  const direct = compression === 'none';
  let out: Buffer;
  if (direct) out = Buffer.allocUnsafe(HEADER_BYTES + bound);
  else {
    if (scratch.length < bound) scratch = Buffer.allocUnsafe(Math.max(bound, scratch.length * 2));
    out = scratch;
  }
  let at = direct ? HEADER_BYTES : 0;
  let offsetDelta = 0;
  for (const r of runs) {
    const { index: idx, bytes, timestamps } = r.batch;
    const src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const oneTs = timestamps.length === 1;
    for (let i = r.from; i < r.from + r.count; i++) {
      const ks = idx[i * 4] as number;
      const kl = idx[i * 4 + 1] as number;
      const vs = idx[i * 4 + 2] as number;
      const vl = idx[i * 4 + 3] as number;
      const delta = (oneTs ? (timestamps[0] as number) : i < timestamps.length ? (timestamps[i] as number) : now) - first;
      const keyLen = kl < 0 ? -1 : kl;
      const body =
        1 + varLongSize(delta) + varUintSize(zigzag32(offsetDelta)) + varUintSize(zigzag32(keyLen)) + (kl > 0 ? kl : 0) + varUintSize(zigzag32(vl)) + vl + 1;
      at = putVarUint(out, at, zigzag32(body));
      out[at++] = 0; // record attributes: none defined
      at = putVarLong(out, at, delta);
      at = putVarUint(out, at, zigzag32(offsetDelta));
      at = putVarUint(out, at, zigzag32(keyLen));
      if (kl > 0) at += src.copy(out, at, ks, ks + kl);
      at = putVarUint(out, at, zigzag32(vl));
      at += src.copy(out, at, vs, vs + vl);
      out[at++] = 0; // header count
      offsetDelta++;
    }
  }

  let batch: Buffer;
  if (direct) batch = out.subarray(0, at);
  else {
    const records = out.subarray(0, at);
    if (compression === 'lz4') batch = lz4CompressFrame(records, HEADER_BYTES);
    else {
      const packed = gzipSync(records);
      batch = Buffer.allocUnsafe(HEADER_BYTES + packed.length);
      packed.copy(batch, HEADER_BYTES);
    }
  }
  batch.writeBigInt64BE(0n, 0);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(0, 12);
  batch.writeInt8(2, 16);
  batch.writeInt16BE(CODEC[compression], 21);
  batch.writeInt32BE(count - 1, 23);
  batch.writeBigInt64BE(BigInt(first), 27);
  batch.writeBigInt64BE(BigInt(max), 35);
  batch.writeInt32BE(count, 57);
  stampRecordBatch(batch, stamp);
  return batch;
}

/** Rewrites a built batch's producer fields in place and recomputes its CRC (a resend under a new producer id). */
export function stampRecordBatch(batch: Buffer, stamp: ProducerStamp): void {
  batch.writeBigInt64BE(stamp.producerId, PRODUCER_ID_AT);
  batch.writeInt16BE(stamp.producerEpoch, PRODUCER_EPOCH_AT);
  batch.writeInt32BE(stamp.baseSequence, BASE_SEQUENCE_AT);
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_FROM)), CRC_AT);
}

/** The producer fields a built batch carries. */
export function readStamp(batch: Buffer): ProducerStamp {
  return {
    producerId: batch.readBigInt64BE(PRODUCER_ID_AT),
    producerEpoch: batch.readInt16BE(PRODUCER_EPOCH_AT),
    baseSequence: batch.readInt32BE(BASE_SEQUENCE_AT),
  };
}
