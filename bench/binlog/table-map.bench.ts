/**
 * Workload "table-map": what following the table structure along the binlog costs (issue 7). Every
 * transaction brings one TABLE_MAP per table it touches, so a stream of single-row transactions pays this once
 * per row. Measures, on one thread, TableRegistry.onTableMap for a map that states the structure already
 * tracked (the common case: a field-by-field comparison) against deriving and comparing the structure from
 * the map each time (what the comparison saves), on the 6-column `acct` table of the binlog tests.
 *   npx tsc -p tsconfig.json && node dist/bench/binlog/table-map.bench.js [--maps 200000] [--runs 3]
 * Prints both and appends the result to bench/results/table-map.jsonl (rowsPerSec = table maps per second).
 */
import { performance } from 'node:perf_hooks';
import { TableRegistry } from '../../src/pipeline/binlog/table-registry.js';
import { structureFromTableMap, type TableMapMetadata } from '../../src/source/binlog/table-map-columns.js';
import { mergeTableMap, sameStructure } from '../../src/source/binlog/table-structure.js';
import { MYSQL_DIALECT } from '../../src/transform/index.js';
import { appendResult, machine, median, versions } from '../lib/results.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const MAPS = arg('maps', 200_000);
const RUNS = arg('runs', 3);
const COLLATIONS = new Map([[45, { collation: 'utf8mb4_general_ci', charset: 'utf8mb4' }]]);

/** A fresh event object each time, as zongji parses one per TABLE_MAP (fields as probed on MySQL 9.7). */
const acctMap = (): TableMapMetadata => ({
  schemaName: 'shop',
  tableName: 'acct',
  columnCount: 6,
  columnNames: ['id', 'owner', 'balance', 'flag', 'note', 'updated'],
  columnTypes: [3, 15, 246, 1, 252, 18],
  columnsMetadata: [null, { max_length: 120 }, { precision: 12, decimals: 2 }, null, { length_size: 2 }, { decimals: 6 }],
  signedness: [false, null, false, false, null, null],
  _columnCharsetIds: [null, 45, null, null, 45, null],
  primaryKey: [0],
});

const registry = new TableRegistry(
  { rules: [{ db: 'shop', table: 'acct' }], jobTopic: 't', partitioning: 'key-hash', partitions: new Map([['t', 3]]), filterDialect: MYSQL_DIALECT, fullMetadata: true, collations: COLLATIONS, loadSchema: async () => null, log: () => undefined },
  { tables: [], saved: null, versions: {} },
);
const maps = Array.from({ length: 1000 }, acctMap);
void registry.onTableMap(acctMap());
const tracked = registry.get('shop', 'acct')!.schema;

function timed(body: () => void): number {
  const t0 = performance.now();
  body();
  return Math.round(MAPS / ((performance.now() - t0) / 1000));
}
const viaRegistry = (): void => {
  for (let i = 0; i < MAPS; i++) void registry.onTableMap(maps[i % maps.length]!);
};
let changed = 0;
const deriveEachTime = (): void => {
  for (let i = 0; i < MAPS; i++) {
    const s = structureFromTableMap(maps[i % maps.length]!, COLLATIONS)!;
    if (!sameStructure(mergeTableMap('shop', 'acct', s, tracked), tracked)) changed++;
  }
};
viaRegistry(); // warm up
deriveEachTime();
const fast: number[] = [];
const derive: number[] = [];
for (let r = 0; r < RUNS; r++) {
  fast.push(timed(viaRegistry));
  derive.push(timed(deriveEachTime));
}
if (changed > 0 || registry.get('shop', 'acct')!.schema !== tracked) throw new Error('the benchmark map was read as a structure change');
const rowsPerSec = median(fast);
console.log(`table-map: ${rowsPerSec.toLocaleString('en-US')} maps/s through onTableMap (${(1e6 / rowsPerSec).toFixed(2)} µs each; runs ${fast.join(', ')})`);
console.log(`           ${median(derive).toLocaleString('en-US')} maps/s deriving and comparing the structure each time (${(1e6 / median(derive)).toFixed(2)} µs; runs ${derive.join(', ')}); ratio ${(rowsPerSec / median(derive)).toFixed(1)}x`);
const path = appendResult({
  workload: 'table-map',
  tool: 'sluice',
  at: new Date().toISOString(),
  machine: machine(),
  versions: versions([]),
  settings: { maps: MAPS, columns: 6, threads: 1, metadata: 'binlog_row_metadata=FULL' },
  rowsPerSec,
  runs: fast,
  deriveEachTime: { rowsPerSec: median(derive), runs: derive },
});
console.log(`appended to ${path}`);
