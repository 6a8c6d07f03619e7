import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { lz4CompressFrame, lz4DecompressFrames, lz4Codec } from '../../../src/sink/kafka/lz4-codec.js';

interface Lz4Pkg {
  encode(input: Buffer, options?: Record<string, unknown>): Buffer;
  decode(input: Buffer): Buffer;
}
const lz4 = createRequire(import.meta.url)('lz4') as Lz4Pkg;

function compressible(n: number): Buffer {
  const b = Buffer.alloc(n);
  const words = ['INSERT', 'orders', 'utf8mb4', '2026-11-03 10:00:00', 'customer', '42', 'PRIMARY'];
  let at = 0;
  for (let i = 0; at < n; i++) at += b.write(`${words[i % words.length]}:${i % 97};`, at);
  return b;
}

const sizes = [0, 1, 100, 65535, 65536, 65537, 300_000, 1 << 20];

test('compress then decompress returns the input, for sizes around the 64 KiB block edge', () => {
  for (const n of sizes) {
    for (const input of [compressible(n), randomBytes(n)]) {
      const frame = lz4CompressFrame(input);
      assert.deepEqual(lz4DecompressFrames(frame), input, `size ${n}`);
    }
  }
});

test('the frame is standard LZ4: the lz4 package decodes it, and it carries no content checksum', () => {
  const input = compressible(200_000);
  const frame = lz4CompressFrame(input);
  assert.equal(frame.readUInt32LE(0), 0x184d2204);
  assert.equal(frame[4]! & 0x04, 0, 'content checksum flag is off');
  assert.equal(frame[4]! & 0x20, 0x20, 'blocks are independent (what Kafka requires)');
  assert.deepEqual(lz4.decode(frame), input);
  assert.ok(frame.length < input.length / 2, 'compressible data shrinks');
});

/** Rewrites one of our frames with extra fields other writers add (block checksums, content size, dict id). */
function withFlags(frame: Buffer, o: { blockChecksum?: boolean; contentSize?: number; dictId?: boolean; contentChecksum?: boolean }): Buffer {
  const parts: Buffer[] = [];
  const flg = frame[4]! | (o.blockChecksum ? 0x10 : 0) | (o.contentSize !== undefined ? 0x08 : 0) | (o.contentChecksum ? 0x04 : 0) | (o.dictId ? 0x01 : 0);
  parts.push(Buffer.from([0x04, 0x22, 0x4d, 0x18, flg, frame[5]!]));
  if (o.contentSize !== undefined) {
    const cs = Buffer.alloc(8);
    cs.writeBigUInt64LE(BigInt(o.contentSize));
    parts.push(cs);
  }
  if (o.dictId) parts.push(Buffer.from([1, 2, 3, 4]));
  parts.push(Buffer.from([0xaa])); // header checksum: not verified by the decoder
  let at = 7;
  for (;;) {
    const word = frame.readUInt32LE(at);
    parts.push(frame.subarray(at, at + 4));
    at += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    parts.push(frame.subarray(at, at + size));
    if (o.blockChecksum) parts.push(Buffer.from([9, 9, 9, 9]));
    at += size;
  }
  if (o.contentChecksum) parts.push(Buffer.from([7, 7, 7, 7]));
  return Buffer.concat(parts);
}

test('frames written by others decode: content checksum, 4 MiB blocks, block checksums, content size, dict id', () => {
  const input = Buffer.concat([compressible(150_000), randomBytes(70_000)]);
  // the lz4 package's own encode(): content checksum on, 4 MiB blocks
  assert.deepEqual(lz4DecompressFrames(lz4.encode(input)), input);
  assert.deepEqual(lz4DecompressFrames(lz4.encode(input, { blockMaxSize: 256 << 10 })), input);
  const ours = lz4CompressFrame(input);
  for (const o of [{ blockChecksum: true }, { contentSize: input.length }, { dictId: true }, { blockChecksum: true, contentSize: input.length, contentChecksum: true }]) {
    assert.deepEqual(lz4DecompressFrames(withFlags(ours, o)), input, JSON.stringify(o));
  }
});

test('two concatenated frames and a skippable frame decode as one stream', () => {
  const a = compressible(1000);
  const b = randomBytes(500);
  const skip = Buffer.alloc(12);
  skip.writeUInt32LE(0x184d2a51, 0);
  skip.writeUInt32LE(4, 4);
  assert.deepEqual(lz4DecompressFrames(Buffer.concat([lz4CompressFrame(a), skip, lz4CompressFrame(b)])), Buffer.concat([a, b]));
});

test('garbage is refused with an error, not decoded into nonsense', () => {
  assert.throws(() => lz4DecompressFrames(Buffer.from('not lz4 at all')), /not an LZ4 frame/);
  const frame = lz4CompressFrame(compressible(10_000));
  assert.throws(() => lz4DecompressFrames(frame.subarray(0, frame.length - 10)), /truncated|corrupt/);
});

test('the kafkajs codec shape wraps the same functions', async () => {
  const input = compressible(5000);
  const c = await lz4Codec.compress({ buffer: input });
  assert.deepEqual(await lz4Codec.decompress(c), input);
});
