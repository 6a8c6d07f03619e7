/**
 * bench/streaming, the steady workloads (issues 6 and 9): the tool follows the binlog while a fixed load is
 * offered, and an outside consumer measures each row's latency from its DATETIME(6) commit timestamp to the
 * moment the consumer receives it (bench/lib/latency-observer.ts).
 *
 *   steady-5k   500 transactions/s × 10 rows
 *   steady-20k  1,000 transactions/s × 20 rows
 *
 * Per tool, one session over both tables (own tables per tool, so neither sees the other's rows): prepare,
 * start, wait until it follows the binlog and a probe row per table has reached the consumer; then each load
 * in turn for `seconds`, its first `warmupSeconds` left out of the histograms. The measured part is cut into
 * `windows` equal windows: the figures are the median of the windows' percentiles and min–max their noise.
 * CPU s per 1M rows and peak RSS are taken over each load (start → its last record consumed).
 */
import type { Admin } from 'kafkajs';
import { KAFKA, MYSQL } from '../../test/support/services.js';
import { rootConnection } from '../snapshot/load-tables.js';
import { LatencyObserver, type LatencyFigures } from '../lib/latency-observer.js';
import { ProcessWatch } from '../lib/tool-process.js';
import { spreadOf, type ToolFigures } from '../lib/suite-figures.js';
import { STEADY_COLUMNS, STREAM_DB } from './binlog-workloads.js';
import { runSteadyLoad, type SteadyLoadResult } from './steady-load.js';
import type { StreamingTool } from './tool.js';

export interface SteadyWorkload {
  name: string;
  txPerSec: number;
  rowsPerTx: number;
}

export const STEADY_WORKLOADS: readonly SteadyWorkload[] = [
  { name: 'steady-5k', txPerSec: 500, rowsPerTx: 10 },
  { name: 'steady-20k', txPerSec: 1000, rowsPerTx: 20 },
];

export interface SteadyOptions {
  admin: Admin;
  tools: readonly StreamingTool[];
  workloads: readonly SteadyWorkload[];
  seconds: number;
  warmupSeconds: number;
  windows: number;
  log: (s: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean, ms: number, tail: () => string, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (!alive()) throw new Error(`the tool exited while waiting for ${what}:\n${tail()}`);
    if (Date.now() > deadline) throw new Error(`${what} did not happen in ${ms / 1000} s:\n${tail()}`);
    await sleep(20);
  }
}

const tableOf = (w: SteadyWorkload, tool: StreamingTool): string => `${w.name.replace('-', '_')}_${tool.name}`;

async function runTool(tool: StreamingTool, o: SteadyOptions): Promise<ToolFigures[]> {
  const root = await rootConnection(MYSQL);
  const tables = o.workloads.map((w) => tableOf(w, tool));
  for (const t of tables) {
    await root.query(`DROP TABLE IF EXISTS \`${STREAM_DB}\`.\`${t}\``);
    await root.query(`CREATE TABLE \`${STREAM_DB}\`.\`${t}\` (${STEADY_COLUMNS}) ENGINE=InnoDB`);
  }
  const s = tool.session(STREAM_DB, tables);
  const observer = new LatencyObserver([KAFKA.plaintext]);
  let watch: ProcessWatch | null = null;
  try {
    await s.prepare();
    for (const t of tables) observer.add(s.topic(t), tool.commitTime, o.windows);
    await observer.start();
    const pid = await s.start();
    watch = new ProcessWatch(pid);
    await waitFor(`${tool.name} following the binlog`, () => s.following(), 180_000, () => s.logTail(), () => watch!.alive());
    // a probe row per table: the whole path (tool → Kafka → consumer) is live before any load is offered
    await root.query("SET SESSION time_zone = '+00:00'");
    for (const t of tables) await root.query(`INSERT INTO \`${STREAM_DB}\`.\`${t}\` (account, amount, note, committed_at) VALUES (0, 0, 'probe', NOW(6))`);
    await waitFor('the probe rows reaching the consumer', () => tables.every((t) => observer.records(s.topic(t)) >= 1), 120_000, () => s.logTail(), () => watch!.alive());
    const out: ToolFigures[] = [];
    for (const w of o.workloads) {
      const table = tableOf(w, tool);
      const topic = s.topic(table);
      const startMs = Date.now();
      observer.measureFrom(topic, startMs + o.warmupSeconds * 1000, ((o.seconds - o.warmupSeconds) * 1000) / o.windows);
      const before = watch.mark();
      const benchCpu = process.cpuUsage();
      const rebalancesBefore = observer.rebalances;
      const load: SteadyLoadResult = await runSteadyLoad({ connection: { host: MYSQL.host, port: MYSQL.port, user: MYSQL.root.user, password: MYSQL.root.password }, db: STREAM_DB, table, txPerSec: w.txPerSec, rowsPerTx: w.rowsPerTx, seconds: o.seconds });
      await waitFor(`all ${load.rows} rows of ${w.name} reaching the consumer`, () => observer.records(topic) >= 1 + load.rows, 300_000, () => s.logTail(), () => watch!.alive());
      const after = watch.mark();
      const benchCpuUs = process.cpuUsage(benchCpu);
      if (observer.redelivered(topic) || observer.rebalances > rebalancesBefore) {
        throw new Error(`the latency consumer lost its place during ${w.name} (${observer.rebalances - rebalancesBefore} rebalance(s), ${observer.redelivered(topic)} record(s) handed over again): its latencies would include the consumer's own pause`);
      }
      const benchCpuSec = (benchCpuUs.user + benchCpuUs.system) / 1e6;
      const ph = watch.phase(before, after);
      const overall: LatencyFigures = observer.figures(topic);
      const windows = observer.windowFigures(topic);
      const drainSec = (after.atMs - load.endMs) / 1000;
      o.log(
        `  ${tool.name} ${w.name}: offered ${load.achievedTxPerSec.toFixed(0)} tx/s × ${w.rowsPerTx} (latest start ${load.maxLateMs} ms behind schedule); ` +
          `latency p50 ${overall.p50Ms} ms, p99 ${overall.p99Ms} ms, p999 ${overall.p999Ms} ms, max ${overall.maxMs} ms over ${overall.measured} rows; ` +
          `per window p99 ${windows.map((x) => x.p99Ms).join(' / ')} ms; CPU ${ph.cpuSec.toFixed(1)} s (the suite's load generator + consumer: ${benchCpuSec.toFixed(1)} s), peak RSS ${Math.round(ph.peakRssMb)} MB; last row ${drainSec.toFixed(2)} s after the load ended`,
      );
      out.push({
        workload: w.name,
        tool: tool.name,
        rowsPerSec: spreadOf([load.rows / ((after.atMs - before.atMs) / 1000)]),
        cpuSecPer1MRows: spreadOf([(ph.cpuSec / load.rows) * 1e6], 2),
        peakRssMb: spreadOf([ph.peakRssMb]),
        latencyMs: { p50: spreadOf(windows.map((x) => x.p50Ms), 2), p99: spreadOf(windows.map((x) => x.p99Ms), 2), p999: spreadOf(windows.map((x) => x.p999Ms), 2) },
        ceilings: [],
        method: `latency = consumer receive time − the row's committed_at (NOW(6) of its INSERT), first ${o.warmupSeconds} s of the ${o.seconds} s load left out (warm-up), median (min–max) over ${o.windows} equal windows; rows/s = offered rows ÷ (load start → last row consumed); CPU/RSS over the same interval`,
        detail: {
          ...tool.describe(),
          offered: { txPerSec: w.txPerSec, rowsPerTx: w.rowsPerTx, seconds: o.seconds, achievedTxPerSec: Number(load.achievedTxPerSec.toFixed(1)), maxLateMs: load.maxLateMs, rows: load.rows },
          latencyAllMeasuredRows: overall,
          latencyWindows: windows,
          lastRowAfterLoadEndSec: Number(drainSec.toFixed(2)),
          // the same 2 cores run the load generator and the latency consumer (which decodes DTS Avro for sluice, JSON for Debezium)
          suiteProcessCpuSec: Number(benchCpuSec.toFixed(2)),
        },
      });
    }
    return out;
  } finally {
    watch?.stop();
    await observer.stop().catch(() => undefined);
    await s.cleanup().catch(() => undefined);
    for (const t of tables) await root.query(`DROP TABLE IF EXISTS \`${STREAM_DB}\`.\`${t}\``).catch(() => undefined);
    await root.end();
  }
}

export async function runSteadyWorkloads(o: SteadyOptions): Promise<ToolFigures[]> {
  const root = await rootConnection(MYSQL);
  await root.query(`CREATE DATABASE IF NOT EXISTS \`${STREAM_DB}\``);
  await root.end();
  const out: ToolFigures[] = [];
  for (const tool of o.tools) out.push(...(await runTool(tool, o)));
  return out;
}
