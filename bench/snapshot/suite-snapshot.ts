/**
 * The snapshot workloads of the suite (issue 9), on sluice and the Debezium peer, same table, same Kafka,
 * same outside observer:
 *
 *   snapshot-1m    1M rows of the standard 8-column shape
 *   snapshot-wide  rows of the 50-column wide shape (250k; --quick too)
 *
 * Per tool: an optional whole warm-up run (excluded), then `repetitions` runs; in every run the first 5 % of
 * the records (by broker append time) are left out of rows/s as warm-up. Before each sluice run, the raw
 * mysql2 read of the same table (sluice's connection options, select list and connection count) is measured
 * as the ceiling; it also brings the table into the buffer pool for both tools.
 */
import type { Admin } from 'kafkajs';
import { MYSQL } from '../../test/support/services.js';
import { steadyRate } from '../lib/topic-observer.js';
import { spreadOf, type Ceiling, type ToolFigures } from '../lib/suite-figures.js';
import { BENCH_DB, ensureTable, standardShape, wideShape } from './load-tables.js';
import { measureReadCeiling, type CeilingResult } from './read-ceiling.js';
import { ceilingInputs } from './ceiling-inputs.js';
import { runSluiceSnapshot, type SluiceRun } from './run-sluice.js';
import { DEBEZIUM_SETTINGS, DEBEZIUM_VERSION, CONNECT_VERSION, runDebeziumSnapshot, type PeerRun } from './peer-debezium.js';
import { versions } from '../lib/results.js';

const PARTITIONS = 3;
export const SNAPSHOT_WARMUP_FRACTION = 0.05;

export interface SnapshotWorkload {
  name: 'snapshot-1m' | 'snapshot-wide';
  table: string;
  rows: number;
  shape: 'standard' | 'wide';
}

export const SNAPSHOT_WORKLOADS: readonly SnapshotWorkload[] = [
  { name: 'snapshot-1m', table: 'orders_std_1m', rows: 1_000_000, shape: 'standard' },
  { name: 'snapshot-wide', table: 'wide50_250k', rows: 250_000, shape: 'wide' },
];

export interface SnapshotOptions {
  admin: Admin;
  sluiceDir: string;
  commit: string;
  peer: boolean;
  repetitions: number;
  /** one whole run per tool before the measured ones */
  warmupRun: boolean;
  watch: Record<string, number[]>;
  /** the avsc encode ceiling of the standard shape (null for other shapes) */
  avscCeiling: Ceiling | null;
  log: (s: string) => void;
}

const r0 = (n: number): number => Math.round(n);

export async function runSnapshotWorkload(w: SnapshotWorkload, o: SnapshotOptions): Promise<ToolFigures[]> {
  o.log(`\n${w.name}: ${w.rows} rows of the ${w.shape} shape (${BENCH_DB}.${w.table})`);
  await ensureTable(MYSQL, w.shape === 'standard' ? standardShape(w.table) : wideShape(w.table), w.rows, o.log);
  const inputs = await ceilingInputs(BENCH_DB, w.table, PARTITIONS);
  const spec = { db: BENCH_DB, table: w.table, partitions: PARTITIONS, watch: o.watch, sluiceDir: o.sluiceDir };
  const check = (rows: number, what: string): void => {
    if (rows !== w.rows) throw new Error(`${what}: the topic holds ${rows} data records, expected ${w.rows}`);
  };

  const ceilings: CeilingResult[] = [];
  const sluiceRuns: SluiceRun[] = [];
  if (o.warmupRun) {
    const warm = await runSluiceSnapshot(o.admin, spec);
    o.log(`  sluice warm-up run (excluded): ${r0(steadyRate(warm.topic, SNAPSHOT_WARMUP_FRACTION))} rows/s`);
  }
  for (let rep = 1; rep <= o.repetitions; rep++) {
    const c = await measureReadCeiling({ host: MYSQL.host, port: MYSQL.port, user: MYSQL.sluice.user, password: MYSQL.sluice.password }, BENCH_DB, w.table, inputs.selectList, inputs.minId, inputs.maxId, inputs.parallelism);
    check(c.rows, 'the mysql2 ceiling');
    ceilings.push(c);
    const r = await runSluiceSnapshot(o.admin, spec);
    check(r.rows, 'sluice');
    sluiceRuns.push(r);
    o.log(
      `  ceiling ${rep}: mysql2-read ${r0(c.rowsPerSec)} rows/s; sluice run ${rep}: ${r0(steadyRate(r.topic, SNAPSHOT_WARMUP_FRACTION))} rows/s after warm-up (first→last ${r0(r.observedRowsPerSec)}, wall ${r0(r.wallRowsPerSec)}), ` +
        `CPU ${(r.proc.userSec + r.proc.sysSec).toFixed(1)} s, peak RSS ${r0(r.proc.maxRssMb)} MB`,
    );
  }
  const mysqlCeiling: Ceiling = { name: 'mysql2-read', rowsPerSec: spreadOf(ceilings.map((c) => c.rowsPerSec)) };
  const ceilingList = [mysqlCeiling, ...(w.shape === 'standard' && o.avscCeiling ? [o.avscCeiling] : [])];
  const method = `rows/s = records ÷ broker append-time span with the first ${SNAPSHOT_WARMUP_FRACTION * 100} % of the records left out (warm-up)${o.warmupRun ? ', after one whole warm-up run per tool (excluded)' : ' (no separate warm-up run: --quick)'}; CPU and peak RSS of the whole process from start to the last row (start-up included for both tools)`;
  const out: ToolFigures[] = [
    {
      workload: w.name,
      tool: 'sluice',
      rowsPerSec: spreadOf(sluiceRuns.map((r) => steadyRate(r.topic, SNAPSHOT_WARMUP_FRACTION))),
      mbPerSec: spreadOf(sluiceRuns.map((r) => r.mbPerSec), 1),
      cpuSecPer1MRows: spreadOf(sluiceRuns.map((r) => r.cpuSecPer1M), 2),
      peakRssMb: spreadOf(sluiceRuns.map((r) => r.proc.maxRssMb)),
      ceilings: ceilingList,
      method,
      detail: {
        versions: { ...versions(['mysql2', 'kafkajs', 'lz4', 'piscina', 'avsc']), commit: o.commit },
        settings: { rows: w.rows, table: `${BENCH_DB}.${w.table}`, partitions: PARTITIONS, job: 'job defaults: snapshot.parallelism 2, chunkRows 50000, workers.threads 2, producer batchBytes 1 MiB, linger 5 ms, lz4, partitioning table-hash', command: 'sluice run job.yaml --snapshot-only --skip-precheck' },
        firstToLastRowsPerSec: sluiceRuns.map((r) => r0(r.observedRowsPerSec)),
        wallRowsPerSec: sluiceRuns.map((r) => r0(r.wallRowsPerSec)),
        valueBytesPerRow: Number((sluiceRuns[0]!.topic.valueBytes / w.rows).toFixed(1)),
        otherProcessesCpuSec: sluiceRuns.map((r) => r.proc.othersCpuSec),
      },
    },
  ];
  if (!o.peer) return out;

  const dspec = { db: BENCH_DB, table: w.table, partitions: PARTITIONS, expectedRows: w.rows, watch: o.watch };
  if (o.warmupRun) {
    const warm = await runDebeziumSnapshot(o.admin, dspec);
    o.log(`  Debezium warm-up run (excluded): ${r0(steadyRate(warm.topic, SNAPSHOT_WARMUP_FRACTION))} rows/s`);
  }
  const peerRuns: PeerRun[] = [];
  for (let rep = 1; rep <= o.repetitions; rep++) {
    const r = await runDebeziumSnapshot(o.admin, dspec);
    check(r.rows, 'Debezium');
    peerRuns.push(r);
    o.log(`  Debezium run ${rep}: ${r0(steadyRate(r.topic, SNAPSHOT_WARMUP_FRACTION))} rows/s after warm-up (first→last ${r0(r.observedRowsPerSec)}, wall ${r0(r.wallRowsPerSec)}, first record ${r.startToFirstRecordSec} s after start), CPU ${r.cpuSec.toFixed(1)} s, peak RSS ${r0(r.peakRssMb)} MB`);
  }
  out.push({
    workload: w.name,
    tool: 'debezium',
    rowsPerSec: spreadOf(peerRuns.map((r) => steadyRate(r.topic, SNAPSHOT_WARMUP_FRACTION))),
    mbPerSec: spreadOf(peerRuns.map((r) => r.mbPerSec), 1),
    cpuSecPer1MRows: spreadOf(peerRuns.map((r) => r.cpuSecPer1M), 2),
    peakRssMb: spreadOf(peerRuns.map((r) => r.peakRssMb)),
    ceilings: ceilingList,
    method,
    detail: {
      versions: { debezium: DEBEZIUM_VERSION, 'kafka-connect': CONNECT_VERSION },
      settings: { rows: w.rows, table: `${BENCH_DB}.${w.table}`, partitions: PARTITIONS, ...DEBEZIUM_SETTINGS },
      firstToLastRowsPerSec: peerRuns.map((r) => r0(r.observedRowsPerSec)),
      wallRowsPerSec: peerRuns.map((r) => r0(r.wallRowsPerSec)),
      startToFirstRecordSec: peerRuns.map((r) => r.startToFirstRecordSec),
      valueBytesPerRow: Number((peerRuns[0]!.topic.valueBytes / w.rows).toFixed(1)),
      otherProcessesCpuSec: peerRuns.map((r) => r.othersCpuSec),
    },
  });
  return out;
}
