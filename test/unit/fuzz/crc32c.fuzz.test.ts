/**
 * crc32c (slicing-by-8) against a bitwise CRC32C written here: one shift-and-xor per bit, nothing shared with
 * the table code, so a wrong table entry, a wrong lane in the 8-byte loop or a wrong tail cannot cancel out.
 * A case is one view into a larger buffer: every length 0..300 at every start offset 0..15 (the 8-byte loop
 * and its tail at every alignment), lengths around 64 KiB, then random lengths up to ~70,000 at random
 * offsets, as Buffers and as plain Uint8Array views. The API takes a whole buffer (no running CRC), so there is
 * no incremental use to check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '../../../src/sink/kafka/crc32c.js';
import { Gen, runFuzz } from '../../support/fuzz.js';

/** Castagnoli, reflected: the textbook bit-at-a-time definition. */
function referenceCrc32c(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) {
    c ^= b[i] as number;
    // (c >>> 1) ^ (c & 1 ? POLY : 0), written without the branch a random bit mispredicts half the time
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0x82f63b78 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

type Fill = 'random' | 'zero' | 'ff' | 'runs';

interface Case {
  /** the backing buffer; the CRC is taken of [offset, offset + length) */
  data: Buffer;
  offset: number;
  length: number;
  /** pass a Uint8Array view rather than a Buffer */
  plain: boolean;
}

function filled(g: Gen | undefined, n: number, fill: Fill): Buffer {
  if (fill === 'zero') return Buffer.alloc(n);
  if (fill === 'ff') return Buffer.alloc(n, 0xff); // every table index 0xff and a crc with its sign bit set
  const b = g ? g.bulkBytes(n) : Buffer.alloc(n);
  if (fill === 'runs') for (let i = 0; i < n; i++) b[i] = (b[i] as number) < 200 ? 0 : (b[i] as number); // long zero runs, a few bytes between
  else if (!g) for (let i = 0; i < n; i++) b[i] = (i * 167 + (i >>> 8) * 13) & 0xff;
  return b;
}

function check(c: Case): void {
  const view = c.plain ? new Uint8Array(c.data.buffer, c.data.byteOffset + c.offset, c.length) : c.data.subarray(c.offset, c.offset + c.length);
  const ours = crc32c(view);
  const theirs = referenceCrc32c(view);
  assert.equal(ours, theirs, `length ${c.length} at offset ${c.offset}: ours 0x${ours.toString(16)}, reference 0x${theirs.toString(16)}`);
}

function* boundaries(): Iterable<Case> {
  for (const fill of ['pattern', 'ff'] as const) {
    const data = filled(undefined, 300 + 16, fill === 'pattern' ? 'random' : 'ff');
    for (let offset = 0; offset < 16; offset++) for (let length = 0; length <= 300; length++) yield { data, offset, length, plain: offset % 2 === 1 };
  }
  const big = filled(undefined, 70_016, 'random');
  for (const length of [8191, 8192, 8193, 65_535, 65_536, 65_537, 69_999, 70_000]) for (const offset of [0, 1, 3, 7, 8]) yield { data: big, offset, length, plain: false };
}

function generate(g: Gen): Case {
  // Log-uniform lengths (every magnitude equally often) and a few uniform ones up to 70,000: the bitwise
  // reference costs ~1 µs per 100 bytes, and a million cases must fit in minutes.
  const length = g.bool(0.97) ? g.length(g.bool(0.5) ? 300 : 70_000) : g.int(0, 70_000);
  const offset = g.int(0, 15);
  const data = filled(g, offset + length + g.int(0, 8), g.pick(['random', 'random', 'random', 'zero', 'ff', 'runs'] as const));
  return { data, offset, length, plain: g.bool(0.3) };
}

function* shrink(c: Case): Iterable<Case> {
  if (c.length > 0) {
    yield { ...c, length: c.length >> 1 };
    yield { ...c, offset: c.offset + 1, length: c.length - 1 };
    yield { ...c, length: c.length - 1 };
  }
  if (c.offset > 0) yield { ...c, data: c.data.subarray(c.offset), offset: 0 };
  if (c.plain) yield { ...c, plain: false };
}

function show(c: Case): string {
  const v = c.data.subarray(c.offset, c.offset + c.length);
  return JSON.stringify({ offset: c.offset, length: c.length, plain: c.plain, bytes: v.length > 64 ? `${v.subarray(0, 64).toString('hex')}…` : v.toString('hex') });
}

test('the reference itself gives the CRC-32C check values', () => {
  assert.equal(referenceCrc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(referenceCrc32c(Buffer.alloc(32)), 0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
  assert.equal(referenceCrc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43); // RFC 3720 B.4: 32 bytes of 0xff
});

test('crc32c gives the CRC-32C check values', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.alloc(32)), 0x8a9136aa);
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
  assert.equal(crc32c(Buffer.alloc(0)), 0);
});

test('fuzz: crc32c equals a bitwise CRC32C for every length and alignment and on random buffers', () => {
  const ran = runFuzz({ name: 'crc32c', boundaries: boundaries(), generate, check, shrink, show, defaultCount: 2000 });
  assert.ok(ran.boundaries > 9000, `boundary cases: ${ran.boundaries}`);
});
