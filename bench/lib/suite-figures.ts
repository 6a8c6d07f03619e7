/**
 * The figures of one workload on one tool as the suite reports them: each a median over the repetitions
 * with its min–max (the noise), plus the stage ceilings measured in the same run.
 */
import { median } from './results.js';

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function spreadOf(values: readonly number[], digits = 0): Spread {
  const f = (x: number): number => Number(x.toFixed(digits));
  return { median: f(median(values)), min: f(Math.min(...values)), max: f(Math.max(...values)), runs: values.map(f) };
}

export type ToolName = 'sluice' | 'debezium';

export interface Ceiling {
  /** raw mysql2 read, raw zongji decode, avsc encode */
  name: string;
  rowsPerSec: Spread;
}

export interface ToolFigures {
  workload: string;
  tool: ToolName;
  rowsPerSec?: Spread;
  mbPerSec?: Spread;
  cpuSecPer1MRows: Spread;
  peakRssMb: Spread;
  latencyMs?: { p50: Spread; p99: Spread; p999: Spread };
  ceilings: Ceiling[];
  /** how the figures were taken (warm-up, windows), shown under the table */
  method: string;
  /** everything else worth keeping in the JSON line */
  detail: Record<string, unknown>;
}
