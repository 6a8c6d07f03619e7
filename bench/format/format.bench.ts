/**
 * bench/format: DTS Avro records/s for INSERT and UPDATE of the 8-column row (issue 3), on one thread and
 * through a 2-thread piscina pool, with avsc's toBuffer measured in the same run as the ceiling.
 * Run: npx tsc -p tsconfig.json && node dist/bench/format/format.bench.js [--records N] [--no-write]
 */
import { Piscina } from 'piscina';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { appendResult, machine, median, versions, type BenchResult } from '../lib/results.js';
import { avscCeilingBlock, ceilingRecords, encodeBlock, makeRows } from './encode-block.js';

const args = process.argv.slice(2);
const RECORDS = Number(args[args.indexOf('--records') + 1] || 0) || 500_000;
const WRITE = !args.includes('--no-write');
const BLOCK = 2000;
// the machine is shared while others build and test: the 1-minute load average goes into settings
const REPS = 3;

function rate(n: number, fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return n / s;
}

async function poolRate(pool: Piscina, op: 'insert' | 'update', n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const tasks: Promise<number>[] = [];
  for (let start = 0; start < n; start += BLOCK) tasks.push(pool.run({ op, start, count: Math.min(BLOCK, n - start) }));
  await Promise.all(tasks);
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function main(): Promise<void> {
  const rows = makeRows(1024);
  const pool = new Piscina({ filename: fileURLToPath(new URL('./worker.js', import.meta.url)), minThreads: 2, maxThreads: 2 });
  for (const op of ['insert', 'update'] as const) {
    // warm-up: JIT the mapper and writer paths
    encodeBlock({ op, start: 0, count: 50_000 }, rows);
    const single: number[] = [];
    for (let r = 0; r < REPS; r++) single.push(rate(RECORDS, () => encodeBlock({ op, start: 0, count: RECORDS }, rows)));
    await poolRate(pool, op, 100_000);
    const pooled: number[] = [];
    for (let r = 0; r < REPS; r++) pooled.push(await poolRate(pool, op, RECORDS));
    const recs = ceilingRecords(op, 1024);
    avscCeilingBlock(recs, 20_000);
    const ceiling: number[] = [];
    for (let r = 0; r < REPS; r++) ceiling.push(rate(RECORDS / 2, () => avscCeilingBlock(recs, RECORDS / 2)));
    const common = {
      workload: `format-${op}`,
      tool: 'sluice',
      at: new Date().toISOString(),
      machine: machine(),
      versions: versions(['avsc', 'piscina', '@vlasky/zongji', 'mysql2']),
      ceiling: { name: 'avsc-toBuffer', rowsPerSec: Math.round(median(ceiling)) },
      loadAvg1m: Number((loadavg()[0] ?? 0).toFixed(2)),
    };
    const results: BenchResult[] = [
      { ...common, settings: { threads: 1, records: RECORDS, input: 'zongji raw-table-map row values', writer: 'hand-written' }, rowsPerSec: Math.round(median(single)), runs: single.map(Math.round) },
      { ...common, settings: { threads: 2, pool: 'piscina', block: BLOCK, records: RECORDS, input: 'generated in worker', writer: 'hand-written' }, rowsPerSec: Math.round(median(pooled)), runs: pooled.map(Math.round) },
    ];
    for (const res of results) {
      console.log(`${res.workload} threads=${String(res.settings.threads)}: ${res.rowsPerSec} records/s (runs ${res.runs.join(', ')}; avsc toBuffer ceiling ${common.ceiling.rowsPerSec}/s)`);
      if (WRITE) appendResult(res);
    }
  }
  await pool.destroy();
}

await main();
