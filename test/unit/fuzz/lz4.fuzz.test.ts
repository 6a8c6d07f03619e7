/**
 * Our LZ4 frame writer and reader against the lz4 package: every frame we write must decode with the
 * package's decoder (and ours) to the input, and every frame the package writes — its native and its pure-JS
 * compressor, its HC mode, every block size it offers, with and without the content checksum — must decode
 * with ours. Inputs: every length 0..300 in every kind, each side of each 64 KiB block edge and of the
 * package's 4 MiB block edge, then random inputs (incompressible, runs, text, mixed, a small alphabet).
 *
 * The package's encoder cannot be a reference for two flags (lz4 0.6.5): with blockChecksum it writes the
 * unsigned xxhash with writeInt32LE, which throws for about half of all blocks, and the frames it does finish
 * fail its own decoder; with streamSize it throws writing its header. Frames with those fields are covered by
 * test/unit/sink/lz4-codec.test.ts, which adds them to our frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { lz4CompressFrame, lz4DecompressFrames } from '../../../src/sink/kafka/lz4-codec.js';
import { Gen, rng, runFuzzAsync } from '../../support/fuzz.js';

interface Lz4EncodeOptions {
  blockMaxSize?: number;
  streamChecksum?: boolean;
  blockIndependence?: boolean;
  highCompression?: boolean;
  useJS?: boolean;
}
interface Lz4Pkg {
  encode(input: Buffer, options?: Lz4EncodeOptions): Buffer;
  decode(input: Buffer): Buffer;
}
const lz4 = createRequire(import.meta.url)('lz4') as Lz4Pkg;

const KIB64 = 64 << 10;
const MIB4 = 4 << 20;

/** The package's writers; a function because encode() fills its defaults into the options object it is given. */
const REFERENCE_WRITERS: ReadonlyArray<() => Lz4EncodeOptions | undefined> = [
  () => undefined, // 4 MiB blocks, content checksum
  () => ({ blockMaxSize: KIB64 }),
  () => ({ blockMaxSize: 256 << 10 }),
  () => ({ blockMaxSize: 1 << 20 }),
  () => ({ blockMaxSize: KIB64, streamChecksum: false }),
  () => ({ useJS: true }),
  () => ({ useJS: true, blockMaxSize: KIB64 }),
  () => ({ highCompression: true, blockMaxSize: KIB64 }),
];

const JS_WRITERS = [5, 6];
const NATIVE_WRITERS = REFERENCE_WRITERS.map((_w, i) => i).filter((i) => !JS_WRITERS.includes(i));

type Kind = 'random' | 'zero' | 'runs' | 'text' | 'alphabet' | 'mixed';
const KINDS: readonly Kind[] = ['random', 'zero', 'runs', 'text', 'alphabet', 'mixed'];
const WORDS = ['INSERT', 'orders', 'utf8mb4', '2026-11-03 10:00:00', 'customer', '42', 'PRIMARY', '\u0000\u0000\u0000\u0001', 'NULL'];

const TEXT: Buffer = (() => {
  const g = new Gen(rng(42));
  const b = Buffer.allocUnsafe(1 << 20);
  let at = 0;
  while (at < b.length - 64) at += b.write(`${g.pick(WORDS)}:${g.int(0, 999)};`, at);
  return b.subarray(0, at);
})();

function input(g: Gen, n: number, kind: Kind): Buffer {
  switch (kind) {
    case 'random':
      return g.bulkBytes(n);
    case 'zero':
      return Buffer.alloc(n, g.bool(0.5) ? 0 : g.int(0, 255));
    case 'runs': {
      const b = Buffer.allocUnsafe(n);
      for (let at = 0; at < n; ) {
        const len = Math.min(n - at, 1 + g.length(g.bool(0.9) ? 20 : 5000));
        b.fill(g.int(0, 255), at, at + len);
        at += len;
      }
      return b;
    }
    case 'text': {
      // A slice of one fixed corpus at a random offset: writing words one by one cost more than the check.
      if (n <= TEXT.length) {
        const from = g.int(0, TEXT.length - n);
        return Buffer.from(TEXT.subarray(from, from + n));
      }
      const b = Buffer.allocUnsafe(n);
      for (let at = 0; at < n; at += TEXT.length) TEXT.copy(b, at, 0, Math.min(TEXT.length, n - at));
      return b;
    }
    case 'alphabet': {
      // Four symbols: compresses a little, with short, irregular matches.
      const b = g.bulkBytes(n);
      for (let i = 0; i < n; i++) b[i] = 0x41 + ((b[i] as number) & 3);
      return b;
    }
    case 'mixed': {
      const parts: Buffer[] = [];
      for (let left = n; left > 0; ) {
        const len = Math.min(left, 1 + g.length(Math.max(1, n >> 1)));
        parts.push(input(g, len, g.pick(['random', 'zero', 'runs', 'text', 'alphabet'] as const)));
        left -= len;
      }
      return Buffer.concat(parts, n);
    }
  }
}

interface Case {
  data: Buffer;
  /** which of REFERENCE_WRITERS writes the frame ours must read */
  writer: number;
  /** bytes reserved in front of our frame (a record batch header is 61) */
  reserve: number;
  /** also read our own frame back with our decoder (the only writer of raw blocks shorter than a full block) */
  ownRoundTrip: boolean;
}

/** Our frame's structure as Kafka reads it: the fixed header, then 64 KiB blocks, the last one possibly short. */
function checkStructure(frame: Buffer, n: number): void {
  assert.equal(frame.readUInt32LE(0), 0x184d2204, 'magic');
  assert.equal(frame[4], 0x60, 'FLG: version 1, independent blocks, no checksums, no content size');
  assert.equal(frame[5], 0x40, 'BD: 64 KiB blocks');
  let at = 7;
  let blocks = 0;
  for (;;) {
    const word = frame.readUInt32LE(at);
    at += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (word & 0x80000000) {
      const expected = Math.min(KIB64, n - blocks * KIB64);
      assert.equal(size, expected, `raw block ${blocks} holds its whole share of the input`);
    } else assert.ok(size > 0 && size < Math.min(KIB64, n - blocks * KIB64), `compressed block ${blocks} is smaller than its input (${size})`);
    at += size;
    blocks++;
  }
  assert.equal(at, frame.length, 'the end mark is the last thing in the frame');
  assert.equal(blocks, Math.ceil(n / KIB64), 'one block per 64 KiB of input');
}

function sameBytes(got: Buffer, want: Buffer, what: string): void {
  if (got.equals(want)) return;
  let at = 0;
  while (at < got.length && got[at] === want[at]) at++;
  assert.fail(`${what}: ${got.length} bytes, expected ${want.length}; first difference at byte ${at}`);
}

function check(c: Case): void {
  const frame = lz4CompressFrame(c.data);
  checkStructure(frame, c.data.length);
  sameBytes(lz4.decode(frame), c.data, 'the lz4 package decoding our frame');
  if (c.ownRoundTrip) sameBytes(lz4DecompressFrames(frame), c.data, 'our decoder on our frame');
  if (c.reserve > 0) {
    const reserved = lz4CompressFrame(c.data, c.reserve);
    assert.equal(reserved.length, frame.length + c.reserve);
    sameBytes(reserved.subarray(c.reserve), frame, `our frame written behind ${c.reserve} reserved bytes`);
  }
  const theirs = lz4.encode(c.data, (REFERENCE_WRITERS[c.writer] as () => Lz4EncodeOptions | undefined)());
  sameBytes(lz4DecompressFrames(theirs), c.data, `our decoder on the lz4 package's frame (writer ${c.writer})`);
}

function* boundaries(): Iterable<Case> {
  const g = new Gen(rng(1));
  for (let n = 0; n <= 300; n++) for (const kind of KINDS) yield { data: input(g, n, kind), writer: n % REFERENCE_WRITERS.length, reserve: n % 3 === 0 ? 61 : 0, ownRoundTrip: true };
  // Each side of our 64 KiB block edge for every writer; the package's other block edges each with a
  // rotating writer (every writer over a megabyte would be most of npm test's time).
  let rotate = 0;
  for (const edge of [KIB64, 2 * KIB64, 3 * KIB64, 256 << 10, 1 << 20]) {
    for (let d = -2; d <= 2; d++) {
      for (const kind of ['random', 'text', 'mixed'] as const) {
        const data = input(g, edge + d, kind);
        if (edge === KIB64) for (let writer = 0; writer < REFERENCE_WRITERS.length; writer++) yield { data, writer, reserve: writer === 0 ? 61 : 0, ownRoundTrip: true };
        else yield { data, writer: rotate++ % REFERENCE_WRITERS.length, reserve: d === 0 ? 61 : 0, ownRoundTrip: true };
      }
    }
  }
  // The package's own block edge (4 MiB): only its default writer and the pure-JS one use it.
  for (let d = -2; d <= 2; d++) for (const kind of ['random', 'text'] as const) for (const writer of [0, 5]) yield { data: input(g, MIB4 + d, kind), writer, reserve: 0, ownRoundTrip: true };
}

function generate(g: Gen): Case {
  const roll = g.r();
  // Most cases are short (every short length is cheap and where the literal/match edge cases live); some span
  // several blocks; a very few cross the package's 4 MiB block edge. A million cases must fit in minutes on a
  // shared 2-core machine: a short case costs ~100 µs (both of the package's stream codecs), a 64 KiB one ~1 ms.
  const n = roll < 0.00003 ? MIB4 + g.int(-100, 100) : roll < 0.0015 ? g.int(0, 300_000) : roll < 0.007 ? KIB64 + g.int(-300, 300) : g.length(roll < 0.025 ? 70_000 : 300);
  // The pure-JS writers take ~0.5 ms a frame whatever its size (a fresh hash table each), so they write 0.1 %
  // of the random frames; the boundary cases give them every length 0..300 and every 64 KiB edge.
  const writer = g.bool(0.001) ? g.pick(JS_WRITERS) : g.pick(NATIVE_WRITERS);
  return { data: input(g, n, g.pick(KINDS)), writer, reserve: g.bool(0.1) ? g.int(1, 64) : 0, ownRoundTrip: g.bool(0.3) };
}

function* shrink(c: Case): Iterable<Case> {
  const n = c.data.length;
  if (n === 0) return;
  yield { ...c, data: c.data.subarray(0, n >> 1) };
  yield { ...c, data: c.data.subarray(n >> 1) };
  yield { ...c, data: c.data.subarray(0, n - 1) };
  yield { ...c, data: c.data.subarray(1) };
  if (c.reserve > 0) yield { ...c, reserve: 0 };
  if (c.ownRoundTrip) yield { ...c, ownRoundTrip: false };
}

function show(c: Case): string {
  const d = c.data;
  return JSON.stringify({ length: d.length, writer: REFERENCE_WRITERS[c.writer]?.() ?? 'default', reserve: c.reserve, bytes: d.length > 96 ? `${d.subarray(0, 96).toString('hex')}…` : d.toString('hex') });
}

/**
 * The package's encode() and decode() run a stream per call whose teardown is queued with process.nextTick; a
 * loop that never returns to the event loop keeps every one of them (and its 64 KiB buffers) alive — a
 * million-case run grew past 16 GB. So the check yields to the event loop every 256 cases.
 */
let sinceYield = 0;
async function checkYielding(c: Case): Promise<void> {
  check(c);
  if (++sinceYield >= 256) {
    sinceYield = 0;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

test('fuzz: our LZ4 frames decode with the lz4 package, and its frames with ours, at every length and block edge', async () => {
  const ran = await runFuzzAsync({ name: 'lz4', boundaries: boundaries(), generate, check: checkYielding, shrink, show, defaultCount: 1500 });
  assert.ok(ran.boundaries > 1900, `boundary cases: ${ran.boundaries}`);
});

test('a frame of linked (dependent) blocks is refused, not decoded into wrong bytes', () => {
  const g = new Gen(rng(7));
  const linked = lz4.encode(input(g, 200_000, 'text'), { blockIndependence: false, blockMaxSize: KIB64 });
  assert.throws(() => lz4DecompressFrames(linked), /linked blocks/);
});
