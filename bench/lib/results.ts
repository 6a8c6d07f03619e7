/**
 * One benchmark result line (DESIGN §8) and the helpers every benchmark shares: the machine description,
 * package versions, median of runs, and appending the line to bench/results/<workload>.jsonl.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchMachine {
  cpus: number;
  model: string;
  node: string;
}

export interface BenchResult {
  workload: string;
  tool: string;
  /** ISO time of the run */
  at: string;
  machine: BenchMachine;
  versions: Record<string, string>;
  settings: Record<string, unknown>;
  rowsPerSec: number;
  runs: number[];
  mbPerSec?: number;
  cpuSecondsPer1MRows?: number;
  peakRssMb?: number;
  latencyMs?: { p50: number; p99: number; p999: number };
  ceiling?: { name: string; rowsPerSec: number };
  [extra: string]: unknown;
}

/** The repository root, found from this file (dist/bench/lib/results.js or bench/lib/results.ts). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error('cannot find the repository root from ' + fileURLToPath(import.meta.url));
}

export function machine(): BenchMachine {
  const list = cpus();
  return { cpus: list.length, model: list[0]?.model.trim() ?? 'unknown', node: process.version };
}

/** Installed versions of the named packages (from node_modules), plus sluice's own. */
export function versions(packages: readonly string[]): Record<string, string> {
  const root = repoRoot();
  const out: Record<string, string> = {};
  const read = (p: string): string => (JSON.parse(readFileSync(p, 'utf8')) as { version?: string }).version ?? 'unknown';
  out.sluice = read(join(root, 'package.json'));
  for (const name of packages) {
    try {
      out[name] = read(join(root, 'node_modules', name, 'package.json'));
    } catch {
      out[name] = 'missing';
    }
  }
  return out;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Appends the result as one JSON line to bench/results/<workload>.jsonl and returns the path. */
export function appendResult(result: BenchResult, dir = join(repoRoot(), 'bench', 'results')): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${result.workload}.jsonl`);
  appendFileSync(path, JSON.stringify(result) + '\n');
  return path;
}
