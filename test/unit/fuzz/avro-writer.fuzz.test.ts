/**
 * AvroWriter against avsc, the reference Avro library: strings of every length across every varint boundary
 * (up to 2^21 bytes and past it) in 1-, 2-, 3- and 4-byte UTF-8, every Unicode plane, surrogate pairs; longs
 * and ints at every boundary; bytes of every length. A case is one value sequence written by one writer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import { AvroWriter } from '../../../src/format/dts-avro/avro-writer.js';
import { Gen, runFuzz, shrinkArray } from '../../support/fuzz.js';

const stringType = avro.Type.forSchema('string');
const longType = avro.Type.forSchema('long');
const bytesType = avro.Type.forSchema('bytes');

type Value = { t: 'string'; v: string } | { t: 'long'; v: number } | { t: 'bytes'; v: Buffer };

/** One character of each UTF-8 width, from different planes. */
const WIDTH_CHARS: Record<1 | 2 | 3 | 4, readonly string[]> = {
  1: ['a', '\u0000', '\u007f'],
  2: ['\u0080', 'é', '\u07ff'],
  3: ['\u0800', '中', '\uffff', '\ue000'],
  4: ['\u{10000}', '😀', '\u{1f469}', '\u{10ffff}', '\u{20000}', '\u{e0001}'],
};

/** A string of exactly `bytes` UTF-8 bytes made of `width`-byte characters, padded with ASCII. */
export function stringOfBytes(bytes: number, width: 1 | 2 | 3 | 4, ch = WIDTH_CHARS[width][1] ?? 'a'): string {
  const n = Math.floor(bytes / width);
  return ch.repeat(n) + 'x'.repeat(bytes - n * width);
}

/** A random code point from a random plane (no lone surrogates: MySQL text never decodes to one). */
function codePoint(g: Gen): string {
  for (;;) {
    const plane = g.int(0, 20);
    let cp: number;
    if (plane <= 8) cp = g.int(0, 0x7f);
    else if (plane <= 11) cp = g.int(0x80, 0x7ff);
    else if (plane <= 15) cp = g.int(0x800, 0xffff);
    else if (plane <= 18) cp = g.int(0x10000, 0x1ffff);
    else cp = g.int(0x20000, 0x10ffff);
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    return String.fromCodePoint(cp);
  }
}

function randomString(g: Gen): string {
  // Mostly short (the writer's JS fast path is under 43 units), sometimes up to 2^21+ bytes.
  // (the boundary cases hold every varint width up to 2^21 + 1 bytes; random ones past 2^14 are rare so a
  // million cases stay within minutes)
  const units = g.bool(0.0005) ? g.int(0, (1 << 21) / 3 + 100) : g.length(g.bool(0.9) ? 60 : 10_000);
  const mode = g.int(0, 3);
  if (mode === 0) {
    let s = '';
    while (s.length < units) s += String.fromCharCode(g.int(0x20, 0x7e));
    return s;
  }
  if (mode === 1 && units > 1000) {
    // Long strings: a repeated random chunk keeps generation fast while every width still occurs.
    let chunk = '';
    for (let i = 0; i < 64; i++) chunk += codePoint(g);
    return chunk.repeat(Math.ceil(units / chunk.length)).slice(0, units).replace(/[\ud800-\udbff]$/, 'z');
  }
  let s = '';
  while (s.length < units) s += codePoint(g);
  return s;
}

/**
 * avsc computes the zigzag value 2|n| (- 1) in a double, which is exact only while it stays under 2^53, i.e.
 * for |n| ≤ 2^52; past that its bytes are rounded (and it refuses |n| > 2^53 - 2). Longs are therefore held
 * to the exact zigzag varint computed with BigInt everywhere, and to avsc as well where avsc is exact.
 */
const AVSC_EXACT_LONG = 2 ** 52;
function exactLong(n: number): Buffer {
  let z = BigInt.asUintN(64, (BigInt(n) << 1n) ^ (BigInt(n) >> 63n));
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}
const LONG_BOUNDARIES: number[] = (() => {
  const out = new Set<number>([0, 1, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);
  // Every zigzag varint width boundary (7-bit groups), the 32-bit fast-path edges, and int32 edges.
  for (let bits = 0; bits <= 53; bits++) {
    for (const d of [-2, -1, 0, 1, 2]) {
      for (const v of [2 ** bits + d, -(2 ** bits) + d]) if (Number.isSafeInteger(v)) out.add(v);
    }
  }
  return [...out];
})();

function longReference(n: number): Buffer {
  const exact = exactLong(n);
  if (Math.abs(n) <= AVSC_EXACT_LONG) assert.deepEqual(longType.toBuffer(n), exact, `avsc and BigInt disagree on ${n}`);
  return exact;
}

function writeAll(values: readonly Value[], initial: number): Buffer {
  const w = new AvroWriter(initial);
  for (const x of values) {
    if (x.t === 'string') w.string(x.v);
    else if (x.t === 'long') w.long(x.v);
    else w.bytes(x.v);
  }
  return w.toBuffer();
}

function reference(values: readonly Value[]): Buffer {
  return Buffer.concat(values.map((x) => (x.t === 'string' ? stringType.toBuffer(x.v) : x.t === 'long' ? longReference(x.v) : bytesType.toBuffer(x.v))));
}

function check(values: readonly Value[]): void {
  const theirs = reference(values);
  // A tiny initial buffer exercises growth at every position; a large one the no-growth path.
  for (const initial of [1, 1 << 16]) {
    const ours = writeAll(values, initial);
    if (!ours.equals(theirs)) {
      let at = 0;
      while (at < ours.length && ours[at] === theirs[at]) at++;
      assert.fail(`bytes differ at offset ${at} (initial buffer ${initial}): ours ${ours.length} bytes, avsc ${theirs.length} bytes`);
    }
  }
}

function* boundaries(): Iterable<Value[]> {
  const byteLengths = [0, 1, 2, 62, 63, 64, 65, 66, 125, 126, 127, 128, 8190, 8191, 8192, 8193, 8194, 2 ** 20 - 2, 2 ** 20 - 1, 2 ** 20, 2 ** 20 + 1, 2 ** 20 + 2, 2 ** 21 + 1];
  for (const width of [1, 2, 3, 4] as const) {
    for (const ch of WIDTH_CHARS[width]) {
      for (const n of byteLengths) yield [{ t: 'string', v: stringOfBytes(n, width, ch) }];
      // The writer's short path is chosen by UTF-16 units (< 43): every unit count around it in this width.
      for (let units = 0; units <= 48; units++) {
        const s = ch.repeat(Math.ceil(units / ch.length)).slice(0, units - (units % ch.length));
        yield [{ t: 'string', v: s }, { t: 'long', v: units }, { t: 'string', v: s + 'q' }];
      }
    }
  }
  // Mixed widths inside one short string, a surrogate pair straddling each position.
  for (let i = 0; i < 43; i++) yield [{ t: 'string', v: 'a'.repeat(i) + '😀' + '中'.repeat(Math.max(0, 20 - i)) }];
  for (const n of LONG_BOUNDARIES) yield [{ t: 'long', v: n }];
  for (const n of [0, 1, 2, 31, 32, 33, 63, 64, 65, 127, 128, 8191, 8192, 8193, 2 ** 20, 2 ** 21 + 1]) yield [{ t: 'bytes', v: Buffer.alloc(n, 0xab) }];
}

function generate(g: Gen): Value[] {
  const n = g.int(1, 8);
  const out: Value[] = [];
  for (let i = 0; i < n; i++) {
    const k = g.int(0, 9);
    if (k <= 5) out.push({ t: 'string', v: randomString(g) });
    else if (k <= 7) out.push({ t: 'long', v: g.bool(0.5) ? g.pick(LONG_BOUNDARIES) : Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.floor((g.r() - 0.5) * 2 ** g.int(1, 54)))) });
    else out.push({ t: 'bytes', v: g.bool(0.0005) ? Buffer.alloc(g.int(0, 1 << 21), g.int(0, 255)) : g.bytes(g.length(300)) });
  }
  return out;
}

function* shrink(values: Value[]): Iterable<Value[]> {
  yield* shrinkArray(values);
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as Value;
    if (x.t === 'string' && x.v.length > 0) {
      const cps = [...x.v];
      for (const keep of [cps.slice(0, Math.floor(cps.length / 2)), cps.slice(1), cps.slice(0, -1)]) {
        yield [...values.slice(0, i), { t: 'string', v: keep.join('') }, ...values.slice(i + 1)];
      }
    }
    if (x.t === 'bytes' && x.v.length > 0) yield [...values.slice(0, i), { t: 'bytes', v: x.v.subarray(0, x.v.length >> 1) }, ...values.slice(i + 1)];
  }
}

function escapeNonAscii(s: string): string {
  return [...s].map((c) => ((c.codePointAt(0) as number) < 0x7f && c >= ' ' ? c : `\\u{${(c.codePointAt(0) as number).toString(16)}}`)).join('');
}

function show(values: Value[]): string {
  return JSON.stringify(
    values.map((x) =>
      x.t === 'string'
        ? { string: escapeNonAscii(x.v.length > 200 ? `${x.v.slice(0, 200)}…` : x.v), units: x.v.length, bytes: Buffer.byteLength(x.v) }
        : x.t === 'long'
          ? { long: x.v }
          : { bytes: x.v.length > 64 ? `${x.v.subarray(0, 64).toString('hex')}… (${x.v.length} bytes)` : x.v.toString('hex') },
    ),
  );
}

test('fuzz: AvroWriter string/long/bytes equal avsc at every boundary and on random values', () => {
  const ran = runFuzz({ name: 'avro-writer', boundaries: boundaries(), generate, check, shrink, show, defaultCount: 20_000 });
  assert.ok(ran.boundaries > 1000, `boundary cases: ${ran.boundaries}`);
});

test('a lone surrogate is written as Node writes it (U+FFFD), with a length that matches the bytes', () => {
  // Not in the differential: avsc's own short-string path writes a lone surrogate's 3-byte CESU form for
  // strings of ≤ 64 bytes and U+FFFD above, so it is not a reference here; text from MySQL never holds one.
  for (const s of ['\ud800', 'a\udc00b', '\ud83d'.repeat(30), 'x\ud800'.repeat(40)]) {
    const w = new AvroWriter(1);
    w.string(s);
    const b = w.toBuffer();
    const len = longType.decode(b, 0);
    assert.deepEqual(b.subarray(len.offset), Buffer.from(s, 'utf8'));
    assert.equal(len.value, Buffer.byteLength(s));
  }
});
