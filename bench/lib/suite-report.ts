/**
 * The suite's side-by-side table (sluice, Debezium, sluice ÷ Debezium, each figure as a fraction of its stage
 * ceilings) and the markdown summary bench/RESULTS.md, rewritten from the latest run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Spread, ToolFigures } from './suite-figures.js';

export interface SuiteRun {
  at: string;
  durationSec: number;
  command: string;
  machine: { cpus: number; model: string; node: string; loadavgStart: number[]; loadavgEnd: number[] };
  sluiceCommit: string;
  quick: boolean;
  repetitions: number;
  figures: ToolFigures[];
  /** workloads that failed in this run, one sentence each */
  failures: string[];
  /** workloads whose first attempt failed and whose figures come from the second */
  retried: string[];
  ceilings: Record<string, unknown>;
  /** one-time costs of this run, e.g. the Maven fetch of the peer */
  setup: Record<string, unknown>;
}

const show = (s: Spread | undefined, unit = ''): string => (s ? (s.runs.length > 1 ? `${s.median}${unit} (${s.min}–${s.max})` : `${s.median}${unit}`) : '—');
const ratio = (a: Spread | undefined, b: Spread | undefined): string => (a && b && b.median > 0 ? (a.median / b.median).toFixed(2) : '—');

interface Line {
  label: string;
  pick: (f: ToolFigures) => Spread | undefined;
  better: 'higher' | 'lower';
  ceiling?: boolean;
}

const LINES: Line[] = [
  { label: 'rows/s', pick: (f) => f.rowsPerSec, better: 'higher', ceiling: true },
  { label: 'MB/s of values', pick: (f) => f.mbPerSec, better: 'higher' },
  { label: 'latency p50 ms', pick: (f) => f.latencyMs?.p50, better: 'lower' },
  { label: 'latency p99 ms', pick: (f) => f.latencyMs?.p99, better: 'lower' },
  { label: 'latency p999 ms', pick: (f) => f.latencyMs?.p999, better: 'lower' },
  { label: 'CPU s / 1M rows', pick: (f) => f.cpuSecPer1MRows, better: 'lower' },
  { label: 'peak RSS MB', pick: (f) => f.peakRssMb, better: 'lower' },
];

function fractions(f: ToolFigures | undefined): string {
  if (!f?.rowsPerSec || !f.ceilings.length) return '';
  return f.ceilings.map((c) => `${((f.rowsPerSec!.median / c.rowsPerSec.median) * 100).toFixed(0)} % of ${c.name}`).join(', ');
}

/** Markdown table: one line per workload and figure. */
export function sideBySide(figures: readonly ToolFigures[]): string {
  const out = [
    '| workload | figure | sluice | Debezium | sluice ÷ Debezium | fraction of stage ceiling (sluice; Debezium) |',
    '|---|---|---|---|---|---|',
  ];
  const workloads = [...new Set(figures.map((f) => f.workload))];
  for (const w of workloads) {
    const s = figures.find((f) => f.workload === w && f.tool === 'sluice');
    const d = figures.find((f) => f.workload === w && f.tool === 'debezium');
    for (const l of LINES) {
      const a = s && l.pick(s);
      const b = d && l.pick(d);
      if (!a && !b) continue;
      const frac = l.ceiling ? [fractions(s), fractions(d)].filter(Boolean).join('; ') : '';
      out.push(`| ${w} | ${l.label} (${l.better} is better) | ${show(a)} | ${show(b)} | ${ratio(a, b)} | ${frac} |`);
    }
  }
  return out.join('\n');
}

interface Target {
  what: string;
  check: (fig: (w: string, t: 'sluice' | 'debezium') => ToolFigures | undefined) => { value: string; met: boolean } | null;
}

const med = (s: Spread | undefined): number | null => (s ? s.median : null);

/** The targets issues 6 and 9 set for this machine, checked against the run's medians. */
const TARGETS: Target[] = [
  ...(['snapshot-1m', 'snapshot-wide'] as const).map(
    (w): Target => ({
      what: `${w}: sluice ≥ 3× Debezium's rows/s`,
      check: (f) => {
        const a = med(f(w, 'sluice')?.rowsPerSec);
        const b = med(f(w, 'debezium')?.rowsPerSec);
        return a !== null && b ? { value: `${(a / b).toFixed(2)}×`, met: a / b >= 3 } : null;
      },
    }),
  ),
  {
    what: "catchup-1m: sluice ≥ 2× Debezium's rows/s",
    check: (f) => {
      const a = med(f('catchup-1m', 'sluice')?.rowsPerSec);
      const b = med(f('catchup-1m', 'debezium')?.rowsPerSec);
      return a !== null && b ? { value: `${(a / b).toFixed(2)}×`, met: a / b >= 2 } : null;
    },
  },
  {
    what: 'catchup-1m: sluice ≥ 100k rows/s and ≥ 50 % of the raw zongji decode',
    check: (f) => {
      const s = f('catchup-1m', 'sluice');
      const a = med(s?.rowsPerSec);
      const c = s?.ceilings.find((x) => x.name === 'zongji-decode')?.rowsPerSec.median;
      return a !== null && c ? { value: `${a} rows/s, ${((a / c) * 100).toFixed(0)} %`, met: a >= 100_000 && a / c >= 0.5 } : null;
    },
  },
  ...(['steady-5k', 'steady-20k'] as const).map(
    (w): Target => ({
      what: `${w}: sluice's p99 latency lower than Debezium's`,
      check: (f) => {
        const a = med(f(w, 'sluice')?.latencyMs?.p99);
        const b = med(f(w, 'debezium')?.latencyMs?.p99);
        return a !== null && b !== null ? { value: `${a} ms vs ${b} ms`, met: a < b } : null;
      },
    }),
  ),
  {
    what: 'steady-5k: sluice p99 < 50 ms',
    check: (f) => {
      const a = med(f('steady-5k', 'sluice')?.latencyMs?.p99);
      return a !== null ? { value: `${a} ms`, met: a < 50 } : null;
    },
  },
];

export function targetTable(figures: readonly ToolFigures[]): string {
  const find = (w: string, t: 'sluice' | 'debezium'): ToolFigures | undefined => figures.find((f) => f.workload === w && f.tool === t);
  const rows = TARGETS.flatMap((t) => {
    const r = t.check(find);
    return r ? [`| ${t.what} | ${r.value} | ${r.met ? 'met' : '**not met**'} |`] : [];
  });
  const rss = figures.filter((f) => f.tool === 'sluice').map((f) => f.peakRssMb.max);
  if (rss.length) rows.push(`| sluice peak RSS < 512 MB in every workload | ${Math.max(...rss)} MB at most | ${Math.max(...rss) < 512 ? 'met' : '**not met**'} |`);
  return ['| target (issues 6 and 9) | this run | |', '|---|---|---|', ...rows].join('\n');
}

export function ceilingTable(figures: readonly ToolFigures[]): string {
  const seen = new Map<string, string>();
  for (const f of figures) for (const c of f.ceilings) seen.set(`${f.workload} ${c.name}`, `| ${f.workload} | ${c.name} | ${show(c.rowsPerSec)} |`);
  return ['| workload | stage ceiling | rows/s |', '|---|---|---|', ...seen.values()].join('\n');
}

export function writeResultsMarkdown(root: string, run: SuiteRun): string {
  const methods = new Map<string, string>();
  for (const f of run.figures) methods.set(f.workload, f.method);
  const md = [
    '# Benchmark results',
    '',
    `The latest run of \`${run.command}\`, written by bench/suite.ts (JSON lines of every run: \`bench/results/suite.jsonl\` and \`bench/results/<workload>.jsonl\`). Reproduce: start the test services (\`npm run services:start\`), then \`npm run bench -- --quick\` (or without \`--quick\` for warm-up runs and 3 repetitions).`,
    '',
    `- when: ${run.at}, ${Math.round(run.durationSec)} s for the whole run`,
    `- machine: ${run.machine.cpus} × ${run.machine.model}, Node ${run.machine.node}; load average ${run.machine.loadavgStart.map((x) => x.toFixed(1)).join(' ')} at the start, ${run.machine.loadavgEnd.map((x) => x.toFixed(1)).join(' ')} at the end`,
    `- sluice: commit ${run.sluiceCommit} (a clean export of HEAD, built on its own); the peer: Debezium's MySQL connector on Kafka Connect standalone (bench/peers/debezium), same MySQL 9.7 and Kafka 4.4 services`,
    `- ${run.quick ? '--quick: one repetition per figure, no separate warm-up runs (the warm-up part of each run is still left out, see below)' : `${run.repetitions} repetitions per figure: the median, (min–max) is the noise`}`,
    '- **Noise**: this machine has 2 cores shared with other engineers\' test runs, so absolute figures move between runs; compare the ratios, which are measured within one run, one tool right after the other.',
    '',
    ...(run.failures.length ? ['**Failed in this run:**', '', ...run.failures.map((f) => `- ${f}`), ''] : []),
    ...(run.retried.length ? ['Failed once and measured on the second attempt:', '', ...run.retried.map((f) => `- ${f}`), ''] : []),
    '## sluice and Debezium, side by side',
    '',
    sideBySide(run.figures),
    '',
    '## Targets',
    '',
    targetTable(run.figures),
    '',
    '## Stage ceilings measured in the same run',
    '',
    ceilingTable(run.figures),
    '',
    'mysql2-read: the raw mysql2 streaming read of the same table with sluice\'s connection options, select list and connection count. zongji-decode: bare @vlasky/zongji (with sluice\'s raw-value table map) reading the same binlog range, rows dropped. avsc-encode: avsc\'s own `toBuffer` of DTS records of the standard shape, one thread (sluice encodes on 2 worker threads, so up to 2× this is possible).',
    '',
    '## How each workload is measured',
    '',
    ...[...methods.entries()].map(([w, m]) => `- **${w}**: ${m}.`),
    '- Everything comes from outside the tools: the broker\'s LogAppendTime on fresh topics (3 partitions) read back by one observer, a live consumer for latency, and /proc (or rusage) of the tool\'s process for CPU and memory — never a tool\'s own counters.',
    '',
    ...(Object.keys(run.setup).length ? ['## One-time setup in this run', '', ...Object.entries(run.setup).map(([k, v]) => `- ${k}: ${String(v)}`), ''] : []),
  ].join('\n');
  const path = join(root, 'bench', 'RESULTS.md');
  writeFileSync(path, md);
  return path;
}
