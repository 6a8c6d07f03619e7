/**
 * String comparison under a column's collation, as weights: a string becomes a sequence of weights and two
 * sequences compare element by element. PAD SPACE collations compare as if the shorter side were padded with
 * spaces ('a' = 'a   ', and 'a' > 'a\t'); NO PAD ones do not ('a' < 'a ').
 *
 * Exact (tables generated from MySQL's own WEIGHT_STRING, checked by the differential test on both servers):
 *   utf8mb4_0900_ai_ci — UCA 9.0.0 primary weights (accent and case insensitive, ß = ss), NO PAD;
 *   utf8mb4_general_ci / utf8mb3_general_ci — one weight per character (case folded, many accents folded:
 *     ä = a, ß = s), characters outside the BMP all weigh U+FFFD, PAD SPACE;
 *   utf8mb4_bin / utf8mb3_bin — code point order (= UTF-8 byte order), PAD SPACE.
 * Approximate (the rule applied is named in `rule`):
 *   other *_0900_ai_ci (language tailorings) and MariaDB's uca1400_*_ai_ci, *_unicode_ci, *_unicode_520_ci —
 *     the 0900 root primary weights (PAD SPACE unless the name says nopad or 0900);
 *   code points outside the tabulated ranges under UCA — UCA's implicit weights (right for CJK, unassigned
 *     code points; other scripts, emoji included, sort by code point among themselves);
 *   other *_ci collations (latin1_swedish_ci, …) — the general_ci table; *_as_cs, *_cs and other *_bin —
 *     code point order.
 */
import { GENERAL_CI_EXCEPTIONS, UCA0900_RANGES } from './collation-data.js';

export interface PreparedString {
  readonly text: string;
  readonly weights: Int32Array;
}

export interface StringCollation {
  readonly name: string;
  /** false when the rule only approximates the server's collation */
  readonly exact: boolean;
  /** the rule applied, for documentation and precheck warnings */
  readonly rule: string;
  prepare(literal: string): PreparedString;
  /** a row-value holder with its own scratch buffer: load a value once, compare it with many literals */
  weigher(): RowWeigher;
}

export interface RowWeigher {
  load(value: string): void;
  /** -1, 0 or 1: the loaded value against the literal */
  compare(literal: PreparedString): number;
}

type WeightsInto = (s: string, out: Int32Array) => number;

let generalTable: Uint16Array | null = null;
function generalWeights(): Uint16Array {
  // Built on first use from the generated exception list (identity elsewhere); immutable afterwards.
  if (!generalTable) {
    const t = new Uint16Array(0x10000);
    for (let i = 0; i < t.length; i++) t[i] = i;
    for (let i = 0; i < GENERAL_CI_EXCEPTIONS.length; i += 2) t[GENERAL_CI_EXCEPTIONS[i]!] = GENERAL_CI_EXCEPTIONS[i + 1]!;
    generalTable = t;
  }
  return generalTable;
}

interface UcaTable {
  start: Int32Array; // per BMP code point: index into weights, or -1 when not tabulated
  count: Uint8Array;
  weights: Uint16Array;
}
let ucaTable: UcaTable | null = null;
function uca0900(): UcaTable {
  if (!ucaTable) {
    const start = new Int32Array(0x10000).fill(-1);
    const count = new Uint8Array(0x10000);
    const all: number[] = [];
    for (const r of UCA0900_RANGES) {
      let w = 0;
      r.counts.forEach((n, k) => {
        start[r.start + k] = all.length;
        count[r.start + k] = n;
        for (let j = 0; j < n; j++) all.push(r.weights[w++]!);
      });
    }
    ucaTable = { start, count, weights: Uint16Array.from(all) };
  }
  return ucaTable;
}

/** UCA implicit primary weights (two) for a code point the table does not hold, as MySQL's 0900 computes them. */
function implicitBase(cp: number): number {
  if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xfa0e && cp <= 0xfa29)) return 0xfb40;
  if ((cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2fa1f) || (cp >= 0x30000 && cp <= 0x3134f)) return 0xfb80;
  return 0xfbc0;
}

function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

const codePointWeights: WeightsInto = (s, out) => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const cp = codePointAt(s, i);
    if (cp > 0xffff) i++;
    out[n++] = cp;
  }
  return n;
};

const generalCiWeights: WeightsInto = (s, out) => {
  const t = generalWeights();
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const cp = codePointAt(s, i);
    if (cp > 0xffff) { i++; out[n++] = 0xfffd; } else out[n++] = t[cp]!;
  }
  return n;
};

const uca0900Weights: WeightsInto = (s, out) => {
  const t = uca0900();
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const cp = codePointAt(s, i);
    if (cp > 0xffff) i++;
    const st = cp <= 0xffff ? t.start[cp]! : -1;
    if (st >= 0) {
      const c = t.count[cp]!;
      for (let k = 0; k < c; k++) out[n++] = t.weights[st + k]!;
    } else {
      out[n++] = implicitBase(cp) + (cp >> 15);
      out[n++] = (cp & 0x7fff) | 0x8000;
    }
  }
  return n;
};

function compareWeights(a: Int32Array, la: number, b: Int32Array, lb: number, pad: number): number {
  const m = la < lb ? la : lb;
  for (let k = 0; k < m; k++) {
    const x = a[k]!, y = b[k]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (pad < 0) return la < lb ? -1 : la > lb ? 1 : 0;
  for (let k = m; k < la; k++) { const x = a[k]!; if (x !== pad) return x < pad ? -1 : 1; }
  for (let k = m; k < lb; k++) { const y = b[k]!; if (y !== pad) return pad < y ? -1 : 1; }
  return 0;
}

function makeCollation(name: string, exact: boolean, rule: string, into: WeightsInto, maxPerUnit: number, pad: number): StringCollation {
  return {
    name,
    exact,
    rule,
    prepare(literal) {
      const buf = new Int32Array(literal.length * maxPerUnit + 2);
      const n = into(literal, buf);
      return { text: literal, weights: buf.slice(0, n) };
    },
    weigher() {
      let scratch = new Int32Array(64);
      let n = 0;
      return {
        load(value) {
          if (value.length * maxPerUnit > scratch.length) scratch = new Int32Array(value.length * maxPerUnit * 2);
          n = into(value, scratch);
        },
        compare: (lit) => compareWeights(scratch, n, lit.weights, lit.weights.length, pad),
      };
    },
  };
}

// A tabulated BMP character has at most 4 primary weights under 0900 (the generated data's maximum, e.g.
// U+33C7-style ligatures); an untabulated one gets 2 implicit weights per 1–2 UTF-16 units.
const UCA_MAX = 4;
const SPACE = 0x20;
const UCA_SPACE = 0x0209; // the 0900 primary weight of U+0020

/** The collation rule for a column's collation name (null: binary comparison). */
export function collationFor(name: string | null): StringCollation {
  const n = (name ?? 'binary').toLowerCase();
  const nopad = n.includes('_nopad_') || n.includes('_0900_');
  const padOf = (w: number): number => (nopad ? -1 : w);
  if (n === 'utf8mb4_0900_ai_ci') {
    return makeCollation(n, true, 'UCA 9.0.0 primary weights, NO PAD', uca0900Weights, UCA_MAX, -1);
  }
  if (n === 'utf8mb4_general_ci' || n === 'utf8mb3_general_ci' || n === 'utf8_general_ci') {
    return makeCollation(n, true, 'general_ci weight table, PAD SPACE', generalCiWeights, 1, SPACE);
  }
  if (n === 'utf8mb4_bin' || n === 'utf8mb3_bin' || n === 'utf8_bin') {
    return makeCollation(n, true, 'code point order, PAD SPACE', codePointWeights, 1, SPACE);
  }
  if (n.endsWith('_ai_ci') || n.includes('_unicode_')) {
    return makeCollation(n, false, `approximated by utf8mb4_0900_ai_ci's primary weights, ${nopad ? 'NO PAD' : 'PAD SPACE'}`,
      uca0900Weights, UCA_MAX, padOf(UCA_SPACE));
  }
  if (n.endsWith('_ci') && !n.includes('_as_ci')) {
    return makeCollation(n, false, `approximated by utf8mb4_general_ci's weights, ${nopad ? 'NO PAD' : 'PAD SPACE'}`,
      generalCiWeights, 1, padOf(SPACE));
  }
  const binaryNoPad = n === 'binary' || nopad;
  return makeCollation(n, false, `approximated by code point order, ${binaryNoPad ? 'NO PAD' : 'PAD SPACE'}`,
    codePointWeights, 1, binaryNoPad ? -1 : SPACE);
}
