/**
 * What decoding MySQL's compressed transactions and partial JSON updates costs the binlog path (issue 7): the
 * same row changes written four ways on MySQL, each caught up by runIncremental from before them until its
 * checkpoint reaches the end, in one run so the ratios compare like with like on a noisy machine.
 * - rows / rows-zstd: 1000-row INSERTs then one UPDATE of every row, plain and with the writing session's
 *   binlog_transaction_compression=ON (each statement one zstd TRANSACTION_PAYLOAD);
 * - json-full / json-partial: JSON_SET of one member in ~2.5 KB documents, logged as whole documents and with
 *   binlog_row_value_options=PARTIAL_JSON (a diff applied to the before image).
 * Run: `npx tsc -p . && node dist/bench/binlog/events.bench.js [rows=100000] [repeats=3]`; appends
 * bench/results/binlog-events.jsonl (one line per variant, rowsPerSec = the median of the repeats).
 */
import type { Connection } from 'mysql2/promise';
import { runIncremental } from '../../src/pipeline/job/run-incremental.js';
import { captureBinlogPosition } from '../../src/source/binlog/capture-position.js';
import { MYSQL } from '../../test/support/services.js';
import { COLUMNS, setUp, waitForCheckpoint, type ExtraTable } from '../../test/integration/binlog/binlog-harness.js';
import { appendResult, machine, median, versions } from '../lib/results.js';

const N = Number(process.argv[2] ?? 50_000);
const REPEATS = Number(process.argv[3] ?? 3);
const DOC: ExtraTable = { ddl: 'CREATE TABLE doc (id INT PRIMARY KEY, j JSON NOT NULL)', object: { table: 'doc', partitions: 3 } };
COLUMNS.doc = { key: ['id'], cols: ['id', 'j'] };

interface Variant {
  name: string;
  session: string;
  /** writes the changes; returns how many row changes */
  write(root: Connection): Promise<number>;
}

async function rowChanges(root: Connection): Promise<number> {
  for (let i = 0; i < N / 2; i += 1000) {
    const rows = Array.from({ length: 1000 }, (_, k) => `(${i + k}, 'owner${k}', ${(i + k) / 100}, 1, 'some note text here', '2024-01-02 03:04:05.123456')`);
    await root.query(`INSERT INTO acct VALUES ${rows.join(',')}`);
  }
  await root.query('UPDATE acct SET balance = balance + 1, flag = 2');
  return N;
}

const DOCS = 1000;
function doc(id: number): string {
  const items = Array.from({ length: 40 }, (_, i) => ({ sku: `sku-${id}-${i}`, qty: i, price: i * 1.25, tags: ['a', 'b'] }));
  return JSON.stringify({ id, items, note: 'n'.repeat(600) });
}

async function jsonChanges(root: Connection): Promise<number> {
  // a fifth as many changes as the row variants: each carries a ~2.5 KB document twice when logged in full
  const rounds = Math.max(1, Math.floor(N / 5 / DOCS));
  // a value no item holds yet, so every row changes (MySQL logs no unchanged row)
  for (let r = 0; r < rounds; r++) await root.query('UPDATE doc SET j = JSON_SET(j, ?, ?)', [`$.items[${r % 40}].qty`, 1000 + r]);
  return rounds * DOCS;
}

const VARIANTS: Variant[] = [
  { name: 'rows', session: 'SET SESSION binlog_transaction_compression = OFF', write: rowChanges },
  { name: 'rows-zstd', session: 'SET SESSION binlog_transaction_compression = ON', write: rowChanges },
  { name: 'json-full', session: "SET SESSION binlog_row_value_options = ''", write: jsonChanges },
  { name: 'json-partial', session: "SET SESSION binlog_row_value_options = 'PARTIAL_JSON'", write: jsonChanges },
];

interface Run {
  changesPerSec: number;
  /** CPU seconds of this process (reader, decode, encode, sink) per million changes: steadier than wall time on a shared machine */
  cpuSecPer1M: number;
}

async function once(v: Variant, rep: number): Promise<Run> {
  const s = await setUp(MYSQL, `evtbench_${v.name.replace('-', '_')}_${rep}`, [DOC]);
  try {
    await s.root.query(`USE ${s.db}`);
    for (let i = 0; i < DOCS; i += 200) {
      const rows = Array.from({ length: 200 }, (_, k) => `(${i + k}, '${doc(i + k)}')`);
      await s.root.query(`INSERT INTO doc VALUES ${rows.join(',')}`);
    }
    const from = await captureBinlogPosition(s.root, s.model.dialect);
    await s.root.query(v.session);
    const changes = await v.write(s.root);
    const checkpoint = { ...s.checkpoint, snapshot: { ...s.checkpoint.snapshot!, binlogStart: { file: from.file, pos: from.pos, gtidSet: from.gtid || null } } };
    const ac = new AbortController();
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const run = runIncremental({ job: s.job, model: s.model, partitions: s.partitions, checkpoint, store: s.store, log: () => undefined, signal: ac.signal });
    await waitForCheckpoint(s, 300_000);
    const sec = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    ac.abort();
    const sum = await run;
    // a change MySQL did not log (an UPDATE to the same value) would inflate the rate: count what sluice read
    if (sum.rows < changes) throw new Error(`${v.name}: sluice read ${sum.rows} row changes, the workload meant ${changes}`);
    return { changesPerSec: changes / sec, cpuSecPer1M: ((cpu.user + cpu.system) / 1e6 / changes) * 1e6 };
  } finally {
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

const runs = new Map<string, Run[]>(VARIANTS.map((v) => [v.name, []]));
// interleaved repetitions, so drift in the machine's load spreads over every variant
for (let rep = 0; rep < REPEATS; rep++) for (const v of VARIANTS) runs.get(v.name)!.push(await once(v, rep));
const rate = (name: string) => median(runs.get(name)!.map((r) => r.changesPerSec));
const cpuPer1M = (name: string) => median(runs.get(name)!.map((r) => r.cpuSecPer1M));
for (const v of VARIANTS) {
  const r = runs.get(v.name)!;
  const twin = v.name.startsWith('json') ? 'json-full' : 'rows';
  console.log(
    `${v.name.padEnd(13)} ${Math.round(rate(v.name))} changes/s (runs ${r.map((x) => Math.round(x.changesPerSec)).join(', ')}), ${cpuPer1M(v.name).toFixed(1)} CPU s per 1M changes (runs ${r.map((x) => x.cpuSecPer1M.toFixed(1)).join(', ')}); vs ${twin}: ${(rate(v.name) / rate(twin)).toFixed(2)}× the rate, ${(cpuPer1M(v.name) / cpuPer1M(twin)).toFixed(2)}× the CPU`,
  );
  appendResult({
    workload: 'binlog-events',
    tool: 'sluice',
    at: new Date().toISOString(),
    machine: machine(),
    versions: versions(['@vlasky/zongji', 'fzstd', 'kafkajs']),
    settings: { variant: v.name, session: v.session, changes: N, repeats: REPEATS, server: 'mysql 9.7', partitioning: 'key-hash', partitions: 3 },
    rowsPerSec: Math.round(rate(v.name)),
    runs: r.map((x) => Math.round(x.changesPerSec)),
    cpuSecondsPer1MRows: Number(cpuPer1M(v.name).toFixed(2)),
    cpuRuns: r.map((x) => Number(x.cpuSecPer1M.toFixed(2))),
    twin,
    rateRatioToTwin: Number((rate(v.name) / rate(twin)).toFixed(3)),
    cpuRatioToTwin: Number((cpuPer1M(v.name) / cpuPer1M(twin)).toFixed(3)),
  });
}
