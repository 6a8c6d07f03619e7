import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';

// kafkajs is CommonJS: its enums and the codec table come through the default export under Node's ESM loader.
const { CompressionTypes, CompressionCodecs } = kafkajs;

/** The parts of the lz4 package (0.6.5, native) this codec uses; the package ships no types. */
interface Lz4Binding {
  /** LZ4 block compress `input` into `output[start, end)`; returns the compressed size, 0 when it does not fit */
  compress(input: Buffer, output: Buffer, start: number, end: number): number;
  /** LZ4 block decompress `input[start, end)` into `output`; returns the decompressed size, negative on corrupt input */
  uncompress(input: Buffer, output: Buffer, start: number, end: number): number;
  compressBound(size: number): number;
}
interface Lz4Package {
  utils: { bindings: Lz4Binding; descriptorChecksum(descriptor: Buffer): number };
}

const lz4 = createRequire(import.meta.url)('lz4') as Lz4Package;
const binding = lz4.utils.bindings;

const MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_SIZES = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

/**
 * Blocks of 64 KiB: what Kafka's own Java producer writes (KafkaLZ4BlockOutputStream), so brokers and
 * consumers that decompress to validate allocate no more than they do for Java clients.
 */
const BLOCK_SIZE = 64 << 10;
/** FLG: version 01, independent blocks, no block checksum, no content size, no content checksum. */
const FLG = 0b0110_0000;
/** BD: block maximum size code 4 = 64 KiB. */
const BD = 4 << 4;
const HEADER = Buffer.from([0x04, 0x22, 0x4d, 0x18, FLG, BD, lz4.utils.descriptorChecksum(Buffer.from([FLG, BD]))]);

/**
 * Compresses into one LZ4 frame as Kafka expects (magic v2 record batches carry the standard LZ4 frame).
 *
 * Written against the package's block binding rather than its `encode()`, for two measured reasons:
 * `encode()` runs a stream Transform per call, and it always adds the frame's content checksum (xxhash32 of
 * all input), which halves its speed (DESIGN §9). The checksum is redundant here: the record batch's
 * CRC32C already covers the compressed bytes, and Kafka's own decoder accepts frames without it.
 * `reserve` leaves that many bytes in front of the frame (a record batch header), saving a copy.
 */
export function lz4CompressFrame(input: Buffer, reserve = 0): Buffer {
  const n = input.length;
  const blocks = Math.max(1, Math.ceil(n / BLOCK_SIZE));
  const out = Buffer.allocUnsafe(reserve + HEADER.length + blocks * 4 + binding.compressBound(BLOCK_SIZE) * blocks + 4);
  HEADER.copy(out, reserve);
  let at = reserve + HEADER.length;
  for (let start = 0; start < n; start += BLOCK_SIZE) {
    const end = Math.min(n, start + BLOCK_SIZE);
    const block = input.subarray(start, end);
    const size = binding.compress(block, out, at + 4, at + 4 + binding.compressBound(end - start));
    if (size > 0 && size < end - start) {
      out.writeUInt32LE(size, at);
      at += 4 + size;
    } else {
      // Incompressible: the frame format stores it raw, flagged by the size's high bit.
      out.writeUInt32LE((0x80000000 | (end - start)) >>> 0, at);
      block.copy(out, at + 4);
      at += 4 + (end - start);
    }
  }
  out.writeUInt32LE(0, at);
  return out.subarray(0, at + 4);
}

/**
 * Decompresses LZ4 frames, accepting every flag combination other producers write (content size, block and
 * content checksums, dictionary id; checksums are skipped, not verified: the record batch CRC already
 * covered these bytes). Frames with linked (dependent) blocks are refused: neither Kafka's Java client nor
 * librdkafka writes them, and the block binding cannot decode them.
 */
export function lz4DecompressFrames(input: Buffer): Buffer {
  let out = Buffer.allocUnsafe(Math.max(BLOCK_SIZE, input.length * 4));
  let used = 0;
  let at = 0;
  const ensure = (more: number): void => {
    if (used + more <= out.length) return;
    const next = Buffer.allocUnsafe(Math.max(out.length * 2, used + more));
    out.copy(next, 0, 0, used);
    out = next;
  };
  while (at + 4 <= input.length) {
    const magic = input.readUInt32LE(at);
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      at += 8 + input.readUInt32LE(at + 4);
      continue;
    }
    if (magic !== MAGIC) throw new Error(`not an LZ4 frame (magic 0x${magic.toString(16)} at byte ${at})`);
    const flg = input[at + 4] as number;
    const bd = input[at + 5] as number;
    if (flg >> 6 !== 1) throw new Error(`unsupported LZ4 frame version ${flg >> 6}`);
    if (!(flg & 0x20)) throw new Error('LZ4 frames with linked blocks are not supported');
    const blockChecksum = (flg & 0x10) !== 0;
    const contentSize = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    const dictId = (flg & 0x01) !== 0;
    const blockMax = BLOCK_SIZES[(bd >> 4) & 7] ?? 0;
    if (!blockMax) throw new Error(`invalid LZ4 block size code ${(bd >> 4) & 7}`);
    at += 6;
    if (contentSize) {
      ensure(Number(input.readBigUInt64LE(at)));
      at += 8;
    }
    if (dictId) at += 4;
    at += 1; // header checksum
    for (;;) {
      if (at + 4 > input.length) throw new Error('truncated LZ4 frame');
      const word = input.readUInt32LE(at);
      at += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      if (at + size > input.length) throw new Error('truncated LZ4 block');
      if (word & 0x80000000) {
        ensure(size);
        input.copy(out, used, at, at + size);
        used += size;
      } else {
        ensure(blockMax);
        const n = binding.uncompress(input, out.subarray(used, used + blockMax), at, at + size);
        if (n < 0) throw new Error(`corrupt LZ4 block at byte ${at}`);
        used += n;
      }
      at += size + (blockChecksum ? 4 : 0);
    }
    if (contentChecksum) at += 4;
  }
  return out.subarray(0, used);
}

/** A kafkajs compression codec (the shape kafkajs' CompressionCodecs entries return). */
export interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

export const lz4Codec: KafkaCodec = {
  compress: async (encoder) => lz4CompressFrame(encoder.buffer),
  decompress: async (buffer) => lz4DecompressFrames(buffer),
};

/**
 * Makes kafkajs produce and consume LZ4 (it ships no codec). kafkajs keeps codecs in a process-wide table,
 * so this writes into kafkajs' own state; calling it again is harmless. Every client that sends or reads
 * lz4 (the sink, `sluice tail`, tests) calls it before its first request.
 */
export function registerLz4Codec(): void {
  (CompressionCodecs as Record<number, () => KafkaCodec>)[CompressionTypes.LZ4] = () => lz4Codec;
}
