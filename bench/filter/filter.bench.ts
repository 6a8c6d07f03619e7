/**
 * Workload "filter": rows/s of a compiled filter on one thread, over rows as MySQL text values (what the
 * binlog workers hold after decoding). Predicate: the 3-clause one on a shop.orders-like table with
 * MySQL's default collation. Target ≥ 5M rows/s.
 *   npx tsc -p tsconfig.json && node dist/bench/filter/filter.bench.js [--rows 1000000] [--passes 10] [--runs 3]
 * Prints the result and appends it to bench/results/filter.jsonl (DESIGN §8).
 */
import { performance } from 'node:perf_hooks';
import type { ColumnMeta, TableSchema } from '../../src/model/table.js';
import { compileFilter } from '../../src/transform/index.js';
import { appendResult, machine, median, versions } from '../lib/results.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const ROWS = arg('rows', 1_000_000);
const PASSES = arg('passes', 10);
const RUNS = arg('runs', 3);
const PREDICATE = "amount > 100 AND status IN ('paid','shipped') AND customer_id <> 7";
const COLLATION = 'utf8mb4_0900_ai_ci';

function col(name: string, ordinal: number, dataType: string, collation: string | null = null): ColumnMeta {
  return {
    name, ordinal, typeCode: 0, dataType, columnType: dataType, unsigned: false, nullable: true,
    precision: null, scale: null, charset: collation ? 'utf8mb4' : null, collation,
  };
}

const schema: TableSchema = {
  db: 'shop',
  table: 'orders',
  columns: [
    col('id', 0, 'bigint'),
    col('customer_id', 1, 'int'),
    col('amount', 2, 'decimal'),
    col('status', 3, 'varchar', COLLATION),
    col('created_at', 4, 'datetime'),
  ],
  primaryKey: ['id'],
  uniqueKeys: [],
  version: 1,
};

// Deterministic rows (a fixed LCG): amounts around the threshold, a mix of statuses and case variants.
let seed = 12345;
const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const STATUSES = ['paid', 'shipped', 'new', 'cancelled', 'PAID', 'refunded', 'Shipped', 'pending'];
const rows: Array<ReadonlyArray<string | null>> = [];
for (let i = 0; i < ROWS; i++) {
  rows.push([
    String(i + 1),
    String(Math.floor(rand() * 20)),
    (Math.floor(rand() * 30000) / 100).toFixed(2),
    STATUSES[Math.floor(rand() * STATUSES.length)]!,
    '2024-01-02 03:04:05',
  ]);
}

const filter = compileFilter(PREDICATE, schema);
let passed = 0;
const pass = (): void => {
  for (let i = 0; i < rows.length; i++) if (filter.passes(rows[i]!)) passed++;
};
pass(); // warm up: let V8 optimise the closures before timing
pass();

const runs: number[] = [];
for (let r = 0; r < RUNS; r++) {
  const t0 = performance.now();
  for (let p = 0; p < PASSES; p++) pass();
  const secs = (performance.now() - t0) / 1000;
  runs.push(Math.round((ROWS * PASSES) / secs));
}
const rowsPerSec = median(runs);
const selectivity = passed / (ROWS * (PASSES * RUNS + 2));
console.log(`filter: ${rowsPerSec.toLocaleString('en-US')} rows/s (median of ${RUNS}; runs ${runs.join(', ')}; ${(selectivity * 100).toFixed(1)}% pass)`);
const path = appendResult({
  workload: 'filter',
  tool: 'sluice',
  at: new Date().toISOString(),
  machine: machine(),
  versions: versions([]),
  settings: { predicate: PREDICATE, collation: COLLATION, rows: ROWS, passes: PASSES, threads: 1, rowFormat: 'MySQL text values' },
  rowsPerSec,
  runs,
});
console.log(`appended to ${path}`);
