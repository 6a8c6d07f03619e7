/**
 * The harness every differential fuzzer shares. A fuzzer first runs its deterministic boundary cases, then
 * `count` random cases, each made from its own seed (base seed + case index) so any one case can be replayed
 * alone. Count and seed come from the environment:
 *   SLUICE_FUZZ_COUNT  random cases per component (npm test: the fuzzer's small default; npm run fuzz: 1,000,000)
 *   SLUICE_FUZZ_SEED   the base seed (default: a fixed one, so npm test is repeatable)
 * On a failure the harness shrinks the input (greedily, through the fuzzer's own `shrink` candidates) and
 * fails with the case's seed and the smallest failing input it found.
 */
import assert from 'node:assert/strict';

export type Rng = () => number;

/** mulberry32: small, fast, and the same sequence on every machine. */
export function rng(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over one Rng. */
export class Gen {
  constructor(readonly r: Rng) {}
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  bool(p = 0.5): boolean {
    return this.r() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.r() * a.length)] as T;
  }
  /** A length with a log-uniform spread over [0, max]: short values are common, every magnitude occurs. */
  length(max: number): number {
    const bits = Math.log2(max + 1);
    return Math.min(max, Math.floor(2 ** (this.r() * bits)) - 1 + (this.bool() ? 1 : 0));
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.r() * 256);
    return b;
  }
  /**
   * `n` random bytes from a xorshift32 seeded by this Gen, four bytes a step: bytes() takes one Rng call a
   * byte, too slow for the megabyte inputs a million-case run makes. Still incompressible, still replayable.
   */
  bulkBytes(n: number): Buffer {
    const words = new Uint32Array(Math.ceil(n / 4));
    let x = (Math.floor(this.r() * 4294967296) | 1) >>> 0;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x;
    }
    return Buffer.from(words.buffer, 0, n);
  }
}

export interface FuzzConfig {
  count: number;
  seed: number;
}

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

/** This run's count and seed: the environment's, else the fuzzer's small default. */
export function fuzzConfig(defaultCount: number, defaultSeed = 20261203): FuzzConfig {
  return { count: envInt('SLUICE_FUZZ_COUNT') ?? defaultCount, seed: envInt('SLUICE_FUZZ_SEED') ?? defaultSeed };
}

export interface Fuzzer<T> {
  /** Names the component in failures. */
  name: string;
  /** Deterministic cases run before the random ones (the boundaries). */
  boundaries?: Iterable<T>;
  /** One random case. */
  generate(g: Gen): T;
  /** Throws (an assertion) when ours and the reference disagree. */
  check(input: T): void;
  /** Smaller inputs to try when `input` fails, most promising first. */
  shrink?(input: T): Iterable<T>;
  /** How the failing input is printed. */
  show?(input: T): string;
  /** Random cases per component when the environment gives none. */
  defaultCount: number;
}

function failsWith<T>(f: Fuzzer<T>, input: T): Error | undefined {
  try {
    f.check(input);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

function shrinkFailure<T>(f: Fuzzer<T>, input: T, err: Error): { input: T; err: Error; steps: number } {
  let steps = 0;
  let best = input;
  let bestErr = err;
  for (let progress = true; progress && f.shrink && steps < 2000; ) {
    progress = false;
    for (const candidate of f.shrink(best)) {
      const e = failsWith(f, candidate);
      if (e) {
        best = candidate;
        bestErr = e;
        steps++;
        progress = true;
        break;
      }
    }
  }
  return { input: best, err: bestErr, steps };
}

function defaultShow(v: unknown): string {
  const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : Buffer.isBuffer(x) ? `0x${x.toString('hex')}` : x));
  return s === undefined ? String(v) : s.length > 4000 ? `${s.slice(0, 4000)}… (${s.length} chars)` : s;
}

/** Runs the fuzzer; returns how many cases ran. Fails with the seed and the smallest failing input. */
export function runFuzz<T>(f: Fuzzer<T>, cfg: FuzzConfig = fuzzConfig(f.defaultCount)): { boundaries: number; random: number } {
  const show = f.show ?? defaultShow;
  const fail = (where: string, input: T, err: Error): never => {
    const small = shrinkFailure(f, input, err);
    assert.fail(
      `${f.name}: ${where} failed (replay: SLUICE_FUZZ_SEED=${cfg.seed} SLUICE_FUZZ_COUNT=${cfg.count})\n` +
        `smallest failing input (${small.steps} shrink steps): ${show(small.input)}\n${small.err.message}`,
    );
  };
  let boundaries = 0;
  for (const input of f.boundaries ?? []) {
    const e = failsWith(f, input);
    if (e) fail(`boundary case ${boundaries}`, input, e);
    boundaries++;
  }
  for (let i = 0; i < cfg.count; i++) {
    const caseSeed = (cfg.seed + i) >>> 0;
    const input = f.generate(new Gen(rng(caseSeed)));
    const e = failsWith(f, input);
    if (e) fail(`random case ${i} (case seed ${caseSeed})`, input, e);
  }
  console.log(`fuzz ${f.name}: ${boundaries} boundary cases and ${cfg.count} random cases (SLUICE_FUZZ_SEED=${cfg.seed}) passed`);
  return { boundaries, random: cfg.count };
}

/** A fuzzer whose check awaits its reference (kafkajs' record batch encoder and decoder are async). */
export interface AsyncFuzzer<T> extends Omit<Fuzzer<T>, 'check'> {
  check(input: T): Promise<void>;
}

async function failsWithAsync<T>(f: AsyncFuzzer<T>, input: T): Promise<Error | undefined> {
  try {
    await f.check(input);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** runFuzz for an async check: the same order (boundaries, then seeded random cases), shrinking and report. */
export async function runFuzzAsync<T>(f: AsyncFuzzer<T>, cfg: FuzzConfig = fuzzConfig(f.defaultCount)): Promise<{ boundaries: number; random: number }> {
  const show = f.show ?? defaultShow;
  const fail = async (where: string, input: T, err: Error): Promise<never> => {
    let steps = 0;
    let best = input;
    let bestErr = err;
    for (let progress = true; progress && f.shrink && steps < 2000; ) {
      progress = false;
      for (const candidate of f.shrink(best)) {
        const e = await failsWithAsync(f, candidate);
        if (e) {
          best = candidate;
          bestErr = e;
          steps++;
          progress = true;
          break;
        }
      }
    }
    return assert.fail(
      `${f.name}: ${where} failed (replay: SLUICE_FUZZ_SEED=${cfg.seed} SLUICE_FUZZ_COUNT=${cfg.count})\n` +
        `smallest failing input (${steps} shrink steps): ${show(best)}\n${bestErr.message}`,
    );
  };
  let boundaries = 0;
  for (const input of f.boundaries ?? []) {
    const e = await failsWithAsync(f, input);
    if (e) await fail(`boundary case ${boundaries}`, input, e);
    boundaries++;
  }
  for (let i = 0; i < cfg.count; i++) {
    const caseSeed = (cfg.seed + i) >>> 0;
    const input = f.generate(new Gen(rng(caseSeed)));
    const e = await failsWithAsync(f, input);
    if (e) await fail(`random case ${i} (case seed ${caseSeed})`, input, e);
  }
  console.log(`fuzz ${f.name}: ${boundaries} boundary cases and ${cfg.count} random cases (SLUICE_FUZZ_SEED=${cfg.seed}) passed`);
  return { boundaries, random: cfg.count };
}

/** Every prefix-halving and element-dropping shrink of an array, for fuzzers over lists. */
export function* shrinkArray<T>(a: readonly T[]): Iterable<T[]> {
  if (a.length === 0) return;
  yield a.slice(0, Math.floor(a.length / 2));
  yield a.slice(Math.ceil(a.length / 2));
  for (let i = 0; i < a.length && i < 64; i++) yield [...a.slice(0, i), ...a.slice(i + 1)];
}
