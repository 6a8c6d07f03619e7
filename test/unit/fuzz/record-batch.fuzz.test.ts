/**
 * buildRecordBatch against kafkajs' own RecordBatch encoder and decoder (kafkajs/src/protocol/recordBatch):
 * every batch we build must be byte-identical to kafkajs' encoding of the same records, and kafkajs' decoder
 * must read back every field of it — offsets, timestamps, keys, values, headers, producer id/epoch/sequence —
 * with a CRC32C that kafkajs' own CRC confirms. A case is one batch: runs over one to three EncodedBatches
 * (mid-batch starts and ends, shared and missing timestamps), 0, 1 or many records, null/empty/random keys
 * and values of every length across the varint edges (63/64, 8191/8192, 2^20), timestamp deltas across every
 * varint width and the 2^30/2^31/2^32 edges, producer id/epoch/sequence at their extremes, compression none,
 * gzip and lz4 (all the builder supports). The builder takes no headers (it writes a header count of 0 for
 * every record), so every decoded record must have none.
 *
 * The varint helpers themselves are held to an exact BigInt LEB128/zigzag reference (and to kafkajs' Encoder)
 * at every 7-bit width boundary, the int32 extremes and the int64 range a double can hold.
 *
 * For lz4 the kafkajs codec table gets our frame writer (so kafkajs' encoder can produce our bytes; the frame
 * writer has its own fuzzer, lz4.fuzz.test.ts) and the lz4 package's decoder (so what kafkajs decodes went
 * through an independent LZ4 reader, not ours).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { EncodedBatchBuilder, type EncodedBatch } from '../../../src/model/encoded-batch.js';
import { lz4CompressFrame } from '../../../src/sink/kafka/lz4-codec.js';
import {
  buildRecordBatch,
  putVarLong,
  putVarUint,
  readStamp,
  stampRecordBatch,
  varLongSize,
  varUintSize,
  zigzag32,
  type BatchCompression,
  type ProducerStamp,
  type RecordRun,
} from '../../../src/sink/kafka/record-batch.js';
import { Gen, runFuzz, runFuzzAsync, shrinkArray } from '../../support/fuzz.js';

const require = createRequire(import.meta.url);

interface KjsEncoder {
  buffer: Buffer;
  writeVarLong(v: number): KjsEncoder;
  writeVarInt(v: number): KjsEncoder;
  writeUVarInt(v: number): KjsEncoder;
}
interface KjsDecodedRecord {
  magicByte: number;
  attributes: number;
  timestamp: string;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, unknown>;
  isControlRecord: boolean;
}
interface KjsDecodedBatch {
  firstOffset: string;
  firstTimestamp: string;
  maxTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  timestampType: number;
  records: KjsDecodedRecord[];
}
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (a: Record<string, unknown>) => Promise<KjsEncoder> };
const KjsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (a: Record<string, unknown>) => KjsEncoder;
const decodeKjsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<KjsDecodedBatch>;
const KjsDecoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => unknown;
const KjsEncoderClass = require('kafkajs/src/protocol/encoder') as new () => KjsEncoder;
const Long = require('kafkajs/src/utils/long') as { fromValue(v: string): unknown };
const lz4 = require('lz4') as { decode(b: Buffer): Buffer };

const CODE: Record<BatchCompression, number> = { none: 0, gzip: 1, lz4: 3 };
(kafkajs.CompressionCodecs as Record<number, () => unknown>)[kafkajs.CompressionTypes.LZ4] = () => ({
  compress: async (encoder: { buffer: Buffer }) => lz4CompressFrame(encoder.buffer),
  decompress: async (buffer: Buffer) => lz4.decode(buffer),
});

// ---------------------------------------------------------------------------------------------------------
// The varint helpers against BigInt.

function leb128(z: bigint): Buffer {
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}
const zigzagBig = (n: bigint): bigint => (n >= 0n ? n << 1n : (-n << 1n) - 1n);

type VarCase = { kind: 'uint'; v: number } | { kind: 'int32'; v: number } | { kind: 'long'; v: number };

const INT64_MIN = -(2 ** 63);
/** The largest double below 2^63: the top of the int64 range a number can hold. */
const INT64_MAX_DOUBLE = 2 ** 63 - 1024;

function checkVar(c: VarCase): void {
  const buf = Buffer.alloc(16, 0xee);
  if (c.kind === 'uint') {
    const want = leb128(BigInt(c.v));
    const end = putVarUint(buf, 3, c.v);
    assert.deepEqual(buf.subarray(3, end), want, `putVarUint(${c.v})`);
    assert.equal(varUintSize(c.v), want.length, `varUintSize(${c.v})`);
    assert.deepEqual(new KjsEncoderClass().writeUVarInt(c.v).buffer, want, `kafkajs writeUVarInt(${c.v}) agrees with BigInt`);
  } else if (c.kind === 'int32') {
    const z = zigzagBig(BigInt(c.v));
    assert.equal(zigzag32(c.v), Number(z), `zigzag32(${c.v})`);
    const end = putVarUint(buf, 0, zigzag32(c.v));
    assert.deepEqual(buf.subarray(0, end), leb128(z));
    assert.deepEqual(new KjsEncoderClass().writeVarInt(c.v).buffer, leb128(z), `kafkajs writeVarInt(${c.v}) agrees with BigInt`);
  } else {
    const want = leb128(zigzagBig(BigInt(c.v)));
    const end = putVarLong(buf, 5, c.v);
    assert.deepEqual(buf.subarray(5, end), want, `putVarLong(${c.v})`);
    assert.equal(varLongSize(c.v), want.length, `varLongSize(${c.v})`);
    assert.deepEqual(new KjsEncoderClass().writeVarLong(c.v).buffer, want, `kafkajs writeVarLong(${c.v}) agrees with BigInt`);
  }
  assert.equal(buf[15], 0xee, 'nothing written past the varint');
}

function* varBoundaries(): Iterable<VarCase> {
  for (let bits = 0; bits <= 32; bits++) for (let d = -2; d <= 2; d++) {
    const v = 2 ** bits + d;
    if (v >= 0 && v < 2 ** 32) yield { kind: 'uint', v };
  }
  yield { kind: 'uint', v: 2 ** 32 - 1 };
  for (let bits = 0; bits <= 31; bits++) for (let d = -2; d <= 2; d++) for (const v of [2 ** bits + d, -(2 ** bits) + d]) {
    if (v >= -(2 ** 31) && v < 2 ** 31) yield { kind: 'int32', v };
  }
  yield { kind: 'int32', v: -(2 ** 31) };
  yield { kind: 'int32', v: 2 ** 31 - 1 };
  for (let bits = 0; bits <= 63; bits++) for (let d = -2; d <= 2; d++) for (const v of [2 ** bits + d, -(2 ** bits) + d]) {
    // Past 2^53 a ±d is rounded away; what remains is still an integer double, and still a valid case.
    if (v >= INT64_MIN && v <= INT64_MAX_DOUBLE) yield { kind: 'long', v };
  }
  for (const v of [INT64_MIN, INT64_MAX_DOUBLE, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0x3fffffff, 0x40000000, -0x40000000, -0x40000001]) yield { kind: 'long', v };
}

function generateVar(g: Gen): VarCase {
  const k = g.int(0, 2);
  const bits = g.int(0, k === 0 ? 32 : k === 1 ? 31 : 63);
  const mag = Math.floor(g.r() * 2 ** bits);
  if (k === 0) return { kind: 'uint', v: Math.min(mag, 2 ** 32 - 1) };
  if (k === 1) return { kind: 'int32', v: g.bool() ? Math.min(mag, 2 ** 31 - 1) : -mag };
  return { kind: 'long', v: g.bool() ? Math.min(mag, INT64_MAX_DOUBLE) : -mag };
}

test('fuzz: the varint/varlong helpers equal an exact BigInt zigzag LEB128 at every boundary', () => {
  const ran = runFuzz({ name: 'record-batch varints', boundaries: varBoundaries(), generate: generateVar, check: checkVar, defaultCount: 20_000 });
  assert.ok(ran.boundaries > 900, `boundary cases: ${ran.boundaries}`);
});

// ---------------------------------------------------------------------------------------------------------
// Whole batches against kafkajs.

interface Rec {
  key: Buffer | null;
  value: Buffer;
  ts: number;
}
interface Source {
  recs: Rec[];
  /** every record takes this one timestamp (an EncodedBatch with a one-element timestamps array) */
  shared?: number;
  /** the timestamps array is empty: every record gets `now` */
  noTimestamps?: boolean;
}
interface Case {
  sources: Source[];
  runs: Array<{ src: number; from: number; count: number }>;
  compression: BatchCompression;
  stamp: ProducerStamp;
  /** restamp the built batch with this and expect the bytes of a batch built with it */
  restamp?: ProducerStamp;
  now: number;
}

function encodedBatchOf(s: Source): EncodedBatch {
  const b = new EncodedBatchBuilder(16, 2);
  for (const r of s.recs) b.add(r.key, r.value, r.ts);
  const t = b.take();
  if (s.shared !== undefined) t.timestamps = new Float64Array([s.shared]);
  if (s.noTimestamps) t.timestamps = new Float64Array(0);
  return { topic: 't', partition: 0, firstSeq: 0, lastSeq: t.count - 1, ...t, endPosition: { kind: 'snapshot', chunk: 'x#0', chunkDone: false } };
}

/** The records the runs cover, with the timestamp the builder is documented to give each. */
function expectedRecords(c: Case): Rec[] {
  const out: Rec[] = [];
  for (const r of c.runs) {
    const s = c.sources[r.src] as Source;
    for (let i = r.from; i < r.from + r.count; i++) {
      const rec = s.recs[i] as Rec;
      const ts = s.noTimestamps ? c.now : s.shared !== undefined ? s.shared : rec.ts;
      out.push({ key: rec.key, value: rec.value, ts });
    }
  }
  return out;
}

async function kafkajsBatch(recs: Rec[], c: Case, stamp: ProducerStamp): Promise<Buffer> {
  const first = Math.min(...recs.map((r) => r.ts));
  const max = Math.max(...recs.map((r) => r.ts));
  const records = recs.map((r, i) => KjsRecord({ key: r.key, value: r.value, offsetDelta: i, timestampDelta: r.ts - first }));
  const enc = await RecordBatch({
    compression: CODE[c.compression],
    records,
    firstTimestamp: String(first),
    maxTimestamp: String(max),
    producerId: Long.fromValue(String(stamp.producerId)),
    producerEpoch: stamp.producerEpoch,
    firstSequence: stamp.baseSequence,
    transactional: false,
    lastOffsetDelta: records.length - 1,
  });
  return enc.buffer;
}

function firstDifference(a: Buffer, b: Buffer): number {
  let at = 0;
  while (at < a.length && a[at] === b[at]) at++;
  return at;
}

async function checkBatch(c: Case): Promise<void> {
  const batches = c.sources.map(encodedBatchOf);
  const runs: RecordRun[] = c.runs.map((r) => ({ batch: batches[r.src] as EncodedBatch, from: r.from, count: r.count }));
  const recs = expectedRecords(c);
  if (recs.length === 0) {
    assert.throws(() => buildRecordBatch(runs, c.compression, c.stamp, c.now), /at least one record/);
    return;
  }
  const ours = buildRecordBatch(runs, c.compression, c.stamp, c.now);
  const theirs = await kafkajsBatch(recs, c, c.stamp);
  if (!ours.equals(theirs)) assert.fail(`bytes differ from kafkajs' at offset ${firstDifference(ours, theirs)}: ours ${ours.length} bytes, kafkajs ${theirs.length}`);

  // kafkajs' decoder never reads the CRC or the codec bits back; the bytes kafkajs encoded (equal to ours)
  // carry its own CRC32C, and these are the fields the decoder skips.
  assert.equal(ours.readInt32BE(8), ours.length - 12, 'batch length');
  assert.equal(ours[16], 2, 'magic');
  assert.equal(ours.readInt16BE(21), CODE[c.compression], 'attributes: the codec, CreateTime, not transactional, not control');
  assert.equal(ours.readInt32BE(57), recs.length, 'record count');

  const d = await decodeKjsBatch(new KjsDecoder(ours));
  const first = Math.min(...recs.map((r) => r.ts));
  assert.equal(d.firstOffset, '0');
  assert.equal(d.partitionLeaderEpoch, 0);
  assert.equal(d.lastOffsetDelta, recs.length - 1);
  assert.equal(d.firstTimestamp, String(first));
  assert.equal(d.maxTimestamp, String(Math.max(...recs.map((r) => r.ts))));
  assert.equal(d.producerId, String(c.stamp.producerId));
  assert.equal(d.producerEpoch, c.stamp.producerEpoch);
  assert.equal(d.firstSequence, c.stamp.baseSequence);
  assert.equal(d.inTransaction, false);
  assert.equal(d.isControlBatch, false);
  assert.equal(d.timestampType, 0, 'CreateTime');
  assert.equal(d.records.length, recs.length, 'records decoded');
  for (let i = 0; i < recs.length; i++) {
    const want = recs[i] as Rec;
    const got = d.records[i] as KjsDecodedRecord;
    assert.equal(got.offset, String(i), `record ${i} offset`);
    assert.equal(got.timestamp, String(want.ts), `record ${i} timestamp`);
    assert.equal(got.attributes, 0, `record ${i} attributes`);
    if (want.key === null) assert.equal(got.key, null, `record ${i} key is null`);
    else assert.ok(got.key !== null && got.key.equals(want.key), `record ${i} key (${want.key.length} bytes)`);
    assert.ok(got.value !== null && got.value.equals(want.value), `record ${i} value (${want.value.length} bytes)`);
    assert.deepEqual(got.headers, {}, `record ${i} headers`);
  }

  if (c.restamp) {
    const copy = Buffer.from(ours);
    stampRecordBatch(copy, c.restamp);
    assert.deepEqual(readStamp(copy), c.restamp);
    const rebuilt = buildRecordBatch(runs, c.compression, c.restamp, c.now);
    if (!copy.equals(rebuilt)) assert.fail(`restamped bytes differ from a batch built with that stamp at ${firstDifference(copy, rebuilt)}`);
    const theirsRestamped = await kafkajsBatch(recs, c, c.restamp);
    assert.ok(copy.equals(theirsRestamped), 'restamped bytes equal kafkajs with that stamp');
  }
}

/** Every length where a zigzag varint of it gains a byte (63/64, 8191/8192, 2^20 - 1/2^20), ± 1. */
const LENGTH_EDGES = [0, 1, 62, 63, 64, 65, 8190, 8191, 8192, 8193, 2 ** 20 - 1, 2 ** 20, 2 ** 20 + 1];
/** Timestamp deltas at each varlong width edge (zigzag doubles them: 2^(7k-1)), and the 2^30/2^31/2^32 edges. */
const DELTA_EDGES: number[] = (() => {
  const out = new Set<number>([0, 1, 2]);
  for (let k = 1; k <= 8; k++) for (const d of [-1, 0, 1]) out.add(2 ** (7 * k - 1) + d);
  for (const e of [30, 31, 32, 52]) for (const d of [-1, 0, 1]) out.add(2 ** e + d);
  return [...out].filter((v) => v >= 0 && v <= 2 ** 53 - 2);
})();
const STAMPS: readonly ProducerStamp[] = [
  { producerId: 0n, producerEpoch: 0, baseSequence: 0 },
  { producerId: -1n, producerEpoch: -1, baseSequence: -1 }, // not idempotent: what Kafka's "no producer id" looks like
  { producerId: 2n ** 63n - 1n, producerEpoch: 32767, baseSequence: 2 ** 31 - 1 },
  { producerId: -(2n ** 63n), producerEpoch: -32768, baseSequence: -(2 ** 31) },
  { producerId: 9_007_199_254_740_993n, producerEpoch: 3, baseSequence: 2_147_483_000 },
];
const COMPRESSIONS: readonly BatchCompression[] = ['none', 'gzip', 'lz4'];
const BASE_TIMESTAMPS = [0, 1_764_000_000_000, -1, -1_764_000_000_000, 1, 2 ** 40];

function fill(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7 + (i >>> 9)) & 0xff;
  return b;
}

function one(key: Buffer | null, value: Buffer, ts: number, compression: BatchCompression, stamp = STAMPS[0] as ProducerStamp): Case {
  return { sources: [{ recs: [{ key, value, ts }] }], runs: [{ src: 0, from: 0, count: 1 }], compression, stamp, now: 5 };
}

function* batchBoundaries(): Iterable<Case> {
  for (const compression of COMPRESSIONS) {
    // Every key and value length edge, each alone; then both at once (the record length crosses too).
    for (const n of LENGTH_EDGES) {
      yield one(fill(n, 1), Buffer.alloc(0), 1_764_000_000_000, compression);
      yield one(null, fill(n, 2), 1_764_000_000_000, compression);
      yield one(Buffer.alloc(0), fill(n, 3), 0, compression);
      if (n < 2 ** 20) yield one(fill(n, 4), fill(n, 5), -1, compression);
    }
    // A record length right at each varint edge: key 0, value sized so the record body is 63/64, 8191/8192.
    for (let v = 50; v <= 70; v++) yield one(Buffer.alloc(0), fill(v, 6), 0, compression);
    for (let v = 8170; v <= 8200; v++) yield one(null, fill(v, 7), 0, compression);
    // Each timestamp delta edge, from each base, with the smallest timestamp last (first is the minimum).
    for (const base of BASE_TIMESTAMPS) {
      for (const delta of DELTA_EDGES) {
        if (!Number.isSafeInteger(base + delta)) continue;
        const recs = [{ key: null, value: fill(3, 1), ts: base + delta }, { key: fill(2, 2), value: fill(1, 3), ts: base }];
        yield { sources: [{ recs }], runs: [{ src: 0, from: 0, count: 2 }], compression, stamp: STAMPS[delta % STAMPS.length] as ProducerStamp, now: 0 };
      }
    }
    // The widest delta a safe integer allows.
    yield {
      sources: [{ recs: [{ key: null, value: fill(1, 1), ts: Number.MIN_SAFE_INTEGER }, { key: null, value: fill(1, 1), ts: Number.MAX_SAFE_INTEGER }] }],
      runs: [{ src: 0, from: 0, count: 2 }],
      compression,
      stamp: STAMPS[2] as ProducerStamp,
      now: 0,
    };
    for (const stamp of STAMPS) yield { ...one(fill(8, 9), fill(9, 8), 7, compression, stamp), restamp: STAMPS[(STAMPS.indexOf(stamp) + 1) % STAMPS.length] as ProducerStamp };
    // Offset deltas across their varint edges (63/64 and 8191/8192 records), shared and per-record timestamps.
    // (65 records hold offset deltas 63 and 64; 8194 hold 8191, 8192 and 8193.)
    for (const n of [1, 65, 8194]) {
      const recs = Array.from({ length: n }, (_x, i) => ({ key: i % 3 === 0 ? null : fill(i % 5, i), value: fill(i % 7, i), ts: 1_764_000_000_000 + ((i * 7919) % 100_000) }));
      yield { sources: [{ recs }], runs: [{ src: 0, from: 0, count: n }], compression, stamp: STAMPS[4] as ProducerStamp, now: 0 };
      if (n === 65) yield { sources: [{ recs, shared: 1_764_000_000_123 }], runs: [{ src: 0, from: 1, count: n - 1 }], compression, stamp: STAMPS[1] as ProducerStamp, now: 0 };
    }
    // No records: refused.
    yield { sources: [{ recs: [] }], runs: [], compression, stamp: STAMPS[0] as ProducerStamp, now: 0 };
    yield { sources: [{ recs: [{ key: null, value: fill(1, 1), ts: 1 }] }], runs: [{ src: 0, from: 0, count: 0 }, { src: 0, from: 1, count: 0 }], compression, stamp: STAMPS[0] as ProducerStamp, now: 0 };
    // A batch without timestamps takes `now` for every record.
    yield { sources: [{ recs: [{ key: null, value: fill(1, 1), ts: 1 }, { key: null, value: fill(1, 1), ts: 2 }], noTimestamps: true }], runs: [{ src: 0, from: 0, count: 2 }], compression, stamp: STAMPS[0] as ProducerStamp, now: 1_764_000_000_999 };
  }
}

function bytesOf(g: Gen, n: number): Buffer {
  return n > 4096 ? g.bulkBytes(n) : g.bool(0.3) ? Buffer.alloc(n, g.int(0, 255)) : g.bytes(n);
}

function lengthOf(g: Gen, big: boolean): number {
  const roll = g.r();
  if (big && roll < 0.5) return 2 ** 20 + g.int(-3, 3);
  if (roll < 0.015) return g.pick(LENGTH_EDGES.filter((n) => n < 2 ** 20));
  if (roll < 0.022) return g.length(20_000);
  return g.length(roll < 0.3 ? 300 : 40);
}

function generateBatch(g: Gen): Case {
  // A megabyte key or value in 1 case in 5,000: each costs kafkajs (and gzip) milliseconds.
  const bigCase = g.bool(0.0002);
  const roll = g.r();
  // Mostly a few records; many (up to 150, or past 8192 offset deltas) in 0.5 % and 1 in 20,000 cases. Each
  // record costs kafkajs ~20 µs to encode and decode, and a million cases must fit in minutes.
  const total = roll < 0.02 ? 0 : roll < 0.3 ? 1 : roll < 0.995 ? 2 + g.length(14) : roll < 0.99995 ? g.int(15, 150) : g.int(8150, 8250);
  const base = g.bool(0.7) ? g.pick(BASE_TIMESTAMPS) : Math.floor((g.r() - 0.5) * 2 ** g.int(1, 52));
  const deltaOf = (): number => {
    const k = g.r();
    const d = k < 0.6 ? g.int(0, 1000) : k < 0.8 ? g.pick(DELTA_EDGES) : Math.floor(g.r() * 2 ** g.int(0, 52));
    return Number.isSafeInteger(base + d) ? d : 0;
  };
  const nSources = total === 0 ? 1 : g.int(1, Math.min(3, total));
  const sources: Source[] = [];
  const runs: Case['runs'] = [];
  let left = total;
  let bigLeft = bigCase ? 1 : 0;
  for (let s = 0; s < nSources; s++) {
    const inRuns = s === nSources - 1 ? left : g.int(left > 0 ? 1 : 0, left - (nSources - 1 - s));
    left -= inRuns;
    // Records before and after the run(s), as slices cut runs out of a larger batch.
    const before = g.bool(0.2) ? g.int(1, 3) : 0;
    const after = g.bool(0.2) ? g.int(1, 3) : 0;
    const n = before + inRuns + after;
    const recs: Rec[] = [];
    for (let i = 0; i < n; i++) {
      const inRun = i >= before && i < before + inRuns;
      const big = inRun && bigLeft > 0 && g.bool(0.5);
      if (big) bigLeft--;
      const kr = g.r();
      const key = kr < 0.15 ? null : kr < 0.25 ? Buffer.alloc(0) : bytesOf(g, lengthOf(g, big && g.bool()));
      const value = g.bool(0.1) ? Buffer.alloc(0) : bytesOf(g, lengthOf(g, big));
      recs.push({ key, value, ts: base + deltaOf() });
    }
    const tsMode = g.r();
    sources.push({ recs, ...(tsMode < 0.1 ? { shared: base + deltaOf() } : tsMode < 0.12 ? { noTimestamps: true } : {}) });
    // One run, or two back to back (and sometimes an empty one), over the records meant for the batch.
    if (inRuns > 1 && g.bool(0.2)) {
      const cut = g.int(1, inRuns - 1);
      runs.push({ src: s, from: before, count: cut }, { src: s, from: before + cut, count: inRuns - cut });
    } else runs.push({ src: s, from: before, count: inRuns });
    if (g.bool(0.03)) runs.push({ src: s, from: g.int(0, n), count: 0 });
  }
  const randomStamp = (): ProducerStamp =>
    g.bool(0.5)
      ? (g.pick(STAMPS) as ProducerStamp)
      : {
          producerId: BigInt.asIntN(64, (BigInt(g.int(0, 2 ** 32 - 1)) << 32n) | BigInt(g.int(0, 2 ** 32 - 1))),
          producerEpoch: g.int(-32768, 32767),
          baseSequence: g.int(-(2 ** 31), 2 ** 31 - 1),
        };
  const stamp = randomStamp();
  // gzip is zlib's output framed by the same code as lz4's, and costs ~100 µs of zlib set-up a batch (twice:
  // ours and kafkajs'), so it is 2 % of the cases; lz4 (each frame costs ~4 allocations of 64 KiB) a quarter of the rest.
  // (lz4 frames have their own fuzzer: here a tenth of the batches is enough to cover the codec path)
  const compression: BatchCompression = g.bool(0.02) ? 'gzip' : g.bool(0.9) ? 'none' : 'lz4';
  return { sources, runs, compression, stamp, ...(g.bool(0.03) ? { restamp: randomStamp() } : {}), now: base + deltaOf() };
}

function* shrinkBatch(c: Case): Iterable<Case> {
  for (const runs of shrinkArray(c.runs)) yield { ...c, runs };
  for (let i = 0; i < c.runs.length; i++) {
    const r = c.runs[i] as Case['runs'][number];
    if (r.count > 1) {
      for (const next of [{ ...r, count: r.count >> 1 }, { ...r, from: r.from + 1, count: r.count - 1 }]) yield { ...c, runs: c.runs.map((x, j) => (j === i ? next : x)) };
    }
  }
  if (c.compression !== 'none') yield { ...c, compression: 'none' };
  if (c.restamp) yield { ...c, restamp: undefined };
  // Halve the longest key or value.
  let best: { s: number; i: number; field: 'key' | 'value'; len: number } | undefined;
  c.sources.forEach((s, si) =>
    s.recs.forEach((r, ri) => {
      for (const field of ['key', 'value'] as const) {
        const len = r[field]?.length ?? 0;
        if (len > (best?.len ?? 0)) best = { s: si, i: ri, field, len };
      }
    }),
  );
  if (best) {
    const b = best;
    const sources = c.sources.map((s, si) =>
      si !== b.s ? s : { ...s, recs: s.recs.map((r, ri) => (ri !== b.i ? r : { ...r, [b.field]: (r[b.field] as Buffer).subarray(0, b.len >> 1) })) },
    );
    yield { ...c, sources };
  }
}

function showBatch(c: Case): string {
  const bytes = (b: Buffer | null): string | null => (b === null ? null : b.length > 32 ? `${b.subarray(0, 32).toString('hex')}… (${b.length} bytes)` : b.toString('hex'));
  return JSON.stringify(
    {
      compression: c.compression,
      stamp: c.stamp,
      restamp: c.restamp,
      now: c.now,
      runs: c.runs,
      sources: c.sources.map((s) => ({
        shared: s.shared,
        noTimestamps: s.noTimestamps,
        recs: s.recs.length > 40 ? `${s.recs.length} records` : s.recs.map((r) => ({ key: bytes(r.key), value: bytes(r.value), ts: r.ts })),
      })),
    },
    (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v),
  );
}

test('fuzz: record batches are byte-identical to kafkajs and decode field for field with kafkajs', async () => {
  const ran = await runFuzzAsync({ name: 'record-batch', boundaries: batchBoundaries(), generate: generateBatch, check: checkBatch, shrink: shrinkBatch, show: showBatch, defaultCount: 1500 });
  assert.ok(ran.boundaries > 500, `boundary cases: ${ran.boundaries}`);
});
