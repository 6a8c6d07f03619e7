/**
 * The benchmark suite's arithmetic on plain data: the warm-up cut of the observer's rate, medians and noise,
 * the side-by-side ratios and the target verdicts that bench/RESULTS.md prints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { steadyRate, type TopicFigures } from '../../../bench/lib/topic-observer.js';
import { spreadOf, type ToolFigures } from '../../../bench/lib/suite-figures.js';
import { sideBySide, targetTable } from '../../../bench/lib/suite-report.js';

function figWithTimes(times: number[]): TopicFigures {
  return { records: times.length, valueBytes: 0, keyBytes: 0, firstMs: times[0]!, lastMs: times[times.length - 1]!, perPartition: [times.length], times: Float64Array.from(times) };
}

test('steadyRate leaves the first records out: a slow start does not lower the rate', () => {
  // 10 records: the first arrives 10 s before the others, which come one every 100 ms
  const times = [0, ...Array.from({ length: 9 }, (_, i) => 10_000 + i * 100)];
  assert.equal(steadyRate(figWithTimes(times), 0.1), 8 / 0.8);
  // nothing left out: the slow start counts
  assert.equal(steadyRate(figWithTimes(times), 0), 9 / 10.8);
});

test('steadyRate needs the append times', () => {
  const f = figWithTimes([1, 2, 3]);
  delete f.times;
  assert.throws(() => steadyRate(f, 0.05), /append times/);
});

test('spreadOf: median, min–max and rounded runs', () => {
  assert.deepEqual(spreadOf([3.4, 1.2, 2.26], 1), { median: 2.3, min: 1.2, max: 3.4, runs: [3.4, 1.2, 2.3] });
  assert.equal(spreadOf([4, 1, 2, 3]).median, 3); // even count: mean of the middle two, rounded
});

function figures(workload: string, tool: 'sluice' | 'debezium', rows: number, p99?: number): ToolFigures {
  return {
    workload,
    tool,
    rowsPerSec: spreadOf([rows]),
    cpuSecPer1MRows: spreadOf([10]),
    peakRssMb: spreadOf([tool === 'sluice' ? 300 : 1300]),
    ...(p99 !== undefined ? { latencyMs: { p50: spreadOf([1]), p99: spreadOf([p99]), p999: spreadOf([p99 * 2]) } } : {}),
    ceilings: workload === 'catchup-1m' ? [{ name: 'zongji-decode', rowsPerSec: spreadOf([200_000]) }] : [],
    method: 'test',
    detail: {},
  };
}

test('sideBySide: sluice ÷ Debezium per figure and the fraction of the ceiling', () => {
  const md = sideBySide([figures('catchup-1m', 'sluice', 120_000), figures('catchup-1m', 'debezium', 40_000)]);
  assert.match(md, /\| catchup-1m \| rows\/s \(higher is better\) \| 120000 \| 40000 \| 3\.00 \| 60 % of zongji-decode; 20 % of zongji-decode \|/);
  assert.match(md, /\| catchup-1m \| peak RSS MB \(lower is better\) \| 300 \| 1300 \| 0\.23 \|/);
});

test('targetTable: met and not met from the medians', () => {
  const md = targetTable([
    figures('catchup-1m', 'sluice', 120_000),
    figures('catchup-1m', 'debezium', 40_000),
    figures('steady-5k', 'sluice', 5000, 60),
    figures('steady-5k', 'debezium', 5000, 40),
  ]);
  assert.match(md, /catchup-1m: sluice ≥ 2× Debezium's rows\/s \| 3\.00× \| met/);
  assert.match(md, /catchup-1m: sluice ≥ 100k rows\/s and ≥ 50 % of the raw zongji decode \| 120000 rows\/s, 60 % \| met/);
  assert.match(md, /steady-5k: sluice's p99 latency lower than Debezium's \| 60 ms vs 40 ms \| \*\*not met\*\*/);
  assert.match(md, /steady-5k: sluice p99 < 50 ms \| 60 ms \| \*\*not met\*\*/);
  assert.doesNotMatch(md, /snapshot-1m/);
});
