/**
 * The benchmark suite (issue 9): `npm run bench [-- flags]` runs named workloads on sluice and on the Debezium
 * peer, one tool right after the other on the same MySQL and Kafka, prints a side-by-side table with
 * sluice ÷ Debezium and each figure as a fraction of its stage ceiling, appends JSON lines to bench/results/
 * and rewrites bench/RESULTS.md.
 *
 *   snapshot-1m    snapshot of 1M rows of the standard 8-column shape          (bench/snapshot/suite-snapshot.ts)
 *   snapshot-wide  snapshot of 250k rows of a 50-column table
 *   txn-1m         one 1M-row transaction already in the binlog               (bench/streaming/binlog-backlog.ts)
 *   catchup-1m     1M mixed row changes already in the binlog
 *   steady-5k      500 tx/s × 10 rows, latency p50/p99/p999                    (bench/streaming/steady.ts)
 *   steady-20k     1,000 tx/s × 20 rows
 *
 * Flags: --quick (one repetition, no warm-up runs, 15 s steady loads: under 10 minutes on the 2-core test
 * machine), --only a,b (workload names), --peer debezium|none, --reps N, --steady-seconds N,
 * --backlog-rows N (smaller backlog, for a smoke run), --sluice-dir DIR (default: a clean export of HEAD,
 * bench/snapshot/export-head.sh), --no-write (no JSON, no RESULTS.md).
 * Needs the test services (npm run services:start); the peer needs Java 17 and Maven (first use fetches the
 * Connect and Debezium jars from Maven Central).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { appendResult, machine, repoRoot, type BenchResult } from './lib/results.js';
import { findPids } from './lib/measure-process.js';
import { benchKafka } from './lib/topic-observer.js';
import { spreadOf, type Ceiling, type ToolFigures } from './lib/suite-figures.js';
import { sideBySide, targetTable, writeResultsMarkdown, type SuiteRun } from './lib/suite-report.js';
import { avscCeilingBlock, ceilingRecords } from './format/encode-block.js';
import { KAFKA } from '../test/support/services.js';
import { runSnapshotWorkload, SNAPSHOT_WORKLOADS } from './snapshot/suite-snapshot.js';
import { prepareDebezium } from './snapshot/peer-debezium.js';
import { runBacklogWorkloads } from './streaming/binlog-backlog.js';
import { runSteadyWorkloads, STEADY_WORKLOADS } from './streaming/steady.js';
import { sluiceTool } from './streaming/sluice-tool.js';
import { debeziumTool } from './streaming/debezium-tool.js';
import type { StreamingTool } from './streaming/tool.js';

const ALL = ['snapshot-1m', 'snapshot-wide', 'txn-1m', 'catchup-1m', 'steady-5k', 'steady-20k'] as const;

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const QUICK = args.includes('--quick');
const WRITE = !args.includes('--no-write');
const PEER = opt('--peer') ?? 'debezium';
if (PEER !== 'debezium' && PEER !== 'none') throw new Error(`--peer ${PEER}: only debezium or none`);
const REPS = Number(opt('--reps') ?? 0) || (QUICK ? 1 : 3);
const STEADY_SECONDS = Number(opt('--steady-seconds') ?? 0) || (QUICK ? 15 : 60);
/** the first seconds of each steady load are left out of the latency (JIT and connection warm-up of both tools) */
const STEADY_WARMUP = 5;
const BACKLOG_ROWS = Number(opt('--backlog-rows') ?? 0) || 1_000_000;
const ONLY = (opt('--only') ?? ALL.join(',')).split(',').map((s) => s.trim());
for (const w of ONLY) if (!(ALL as readonly string[]).includes(w)) throw new Error(`--only ${w}: the workloads are ${ALL.join(', ')}`);
const selected = (w: string): boolean => ONLY.includes(w);

const log = (s: string): void => console.log(s);

function sluiceCheckout(): { dir: string; commit: string } {
  const given = opt('--sluice-dir');
  const dir = given ?? execFileSync('bash', [join(repoRoot(), 'bench', 'snapshot', 'export-head.sh')], { encoding: 'utf8' }).trim();
  let commit = 'unknown';
  try {
    commit = readFileSync(join(dir, '.sluice-commit'), 'utf8').trim();
  } catch {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  }
  return { dir, commit };
}

/** avsc's own toBuffer of DTS records of the standard shape, one thread: the encode stage's ceiling. */
function avscCeiling(reps: number): Ceiling {
  const recs = ceilingRecords('insert', 1024);
  avscCeilingBlock(recs, 20_000);
  const rates: number[] = [];
  for (let r = 0; r < Math.max(reps, 5); r++) {
    const t0 = process.hrtime.bigint();
    avscCeilingBlock(recs, 100_000);
    rates.push(100_000 / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return { name: 'avsc-encode', rowsPerSec: spreadOf(rates) };
}

function toResult(f: ToolFigures, base: { at: string; commit: string; settings: Record<string, unknown> }): BenchResult {
  const d = f.detail as { versions?: Record<string, string>; settings?: Record<string, unknown> };
  return {
    workload: f.workload,
    tool: f.tool,
    at: base.at,
    machine: machine(),
    versions: { ...(d.versions ?? {}), benchCommit: base.commit },
    settings: { ...base.settings, ...(d.settings ?? {}), method: f.method },
    rowsPerSec: f.rowsPerSec?.median ?? 0,
    runs: f.rowsPerSec?.runs ?? [],
    ...(f.mbPerSec ? { mbPerSec: f.mbPerSec.median } : {}),
    cpuSecondsPer1MRows: f.cpuSecPer1MRows.median,
    peakRssMb: f.peakRssMb.median,
    ...(f.latencyMs ? { latencyMs: { p50: f.latencyMs.p50.median, p99: f.latencyMs.p99.median, p999: f.latencyMs.p999.median } } : {}),
    ...(f.ceilings[0] ? { ceiling: { name: f.ceilings[0].name, rowsPerSec: f.ceilings[0].rowsPerSec.median } } : {}),
    figures: { rowsPerSec: f.rowsPerSec, mbPerSec: f.mbPerSec, cpuSecPer1MRows: f.cpuSecPer1MRows, peakRssMb: f.peakRssMb, latencyMs: f.latencyMs, ceilings: f.ceilings },
    detail: f.detail,
  };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const at = new Date().toISOString();
  const loadStart = loadavg();
  const { dir: sluiceDir, commit } = sluiceCheckout();
  log(`benchmark suite: ${ONLY.join(', ')}; sluice ${commit} from ${sluiceDir}; peer ${PEER}; ${REPS} repetition(s)${QUICK ? ' (--quick: no warm-up runs)' : ' after one warm-up run'}; load ${loadStart.map((x) => x.toFixed(2)).join(' ')}`);
  const setup: Record<string, unknown> = {};
  if (PEER === 'debezium') {
    const t = Date.now();
    await prepareDebezium(log);
    setup['Debezium/Connect jars ready (connect.sh fetch: Maven, only the first time downloads)'] = `${((Date.now() - t) / 1000).toFixed(1)} s`;
  }
  const kafka = benchKafka([KAFKA.plaintext]);
  const admin = kafka.admin();
  await admin.connect();
  const watch = { mysqld: findPids(['sbin/mysqld', '/mysql/my.cnf']).slice(0, 1), kafka: findPids(['kafka.Kafka']).slice(0, 1) };
  const avsc = avscCeiling(REPS);
  log(`avsc-encode ceiling (standard shape, one thread): ${avsc.rowsPerSec.median} records/s`);
  const figures: ToolFigures[] = [];
  const tools: StreamingTool[] = [sluiceTool(admin, sluiceDir, commit), ...(PEER === 'debezium' ? [debeziumTool(admin)] : [])];
  // A workload that fails is reported and the suite goes on with the next one.
  const failures: string[] = [];
  const retried: string[] = [];
  // Other engineers' tests share the MySQL server: a session of theirs may write what sluice refuses to skip
  // (a statement-logged row change, DESIGN §5) while a workload runs. Such a run is reported and tried once more.
  const attempt = async (names: string, body: () => Promise<ToolFigures[]>): Promise<void> => {
    for (let tries = 1; ; tries++) {
      try {
        const got = await body();
        if (tries > 1) {
          const first = failures.pop()!;
          retried.push(first);
          for (const f of got) f.detail.attempt = `${tries} (the first attempt failed: ${first})`;
        }
        figures.push(...got);
        return;
      } catch (e) {
        const msg = `${names} failed: ${e instanceof Error ? e.message : String(e)}`;
        failures.push(msg.split('\n').slice(0, 2).join(' '));
        log(`  ${msg}${tries < 2 ? '\n  trying once more' : ''}`);
        if (tries >= 2) return;
      }
    }
  };
  try {
    for (const w of SNAPSHOT_WORKLOADS) {
      if (!selected(w.name)) continue;
      await attempt(w.name, () => runSnapshotWorkload(w, { admin, sluiceDir, commit, peer: PEER === 'debezium', repetitions: REPS, warmupRun: !QUICK, watch, avscCeiling: avsc, log }));
    }
    if (selected('txn-1m') || selected('catchup-1m')) {
      log(`\ntxn-1m / catchup-1m: ${BACKLOG_ROWS} rows in one transaction, then ${BACKLOG_ROWS} mixed row changes, already in the binlog when each tool starts`);
      await attempt('txn-1m/catchup-1m', () => runBacklogWorkloads({ admin, tools, repetitions: REPS, txnRows: BACKLOG_ROWS, mixedChanges: BACKLOG_ROWS, txn: selected('txn-1m'), mixed: selected('catchup-1m'), log, avscCeiling: avsc }));
    }
    const steady = STEADY_WORKLOADS.filter((w) => selected(w.name));
    if (steady.length) {
      log(`\n${steady.map((w) => w.name).join(', ')}: ${STEADY_SECONDS} s of offered load each, latency from the row's commit timestamp to the consumer`);
      await attempt(steady.map((w) => w.name).join('/'), () => runSteadyWorkloads({ admin, tools, workloads: steady, seconds: STEADY_SECONDS, warmupSeconds: STEADY_WARMUP, windows: 3, log }));
    }
  } finally {
    await admin.disconnect();
  }
  const durationSec = (Date.now() - t0) / 1000;
  log(`\nsluice vs Debezium (same MySQL, same Kafka, same outside observer; ${QUICK ? 'one repetition' : `median (min–max) of ${REPS}`}; warm-up excluded as each workload's method says; the machine is shared and noisy: compare the ratios):`);
  log(sideBySide(figures));
  log(`\n${targetTable(figures)}`);
  for (const f of retried) log(`failed once, measured on the second attempt: ${f}`);
  for (const f of failures) log(`FAILED: ${f}`);
  log(`\nrun took ${Math.round(durationSec)} s`);
  if (!WRITE) return;
  const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
  const base = { at, commit, settings: { quick: QUICK, repetitions: REPS, command, loadavg1m: Number(loadavg()[0]?.toFixed(2)) } };
  for (const f of figures) appendResult(toResult(f, base));
  const run: SuiteRun = {
    at,
    durationSec: Number(durationSec.toFixed(1)),
    command,
    machine: { ...machine(), loadavgStart: loadStart, loadavgEnd: loadavg() },
    sluiceCommit: commit,
    quick: QUICK,
    repetitions: REPS,
    figures,
    failures,
    retried,
    ceilings: { avscEncodeRecordsPerSec: avsc.rowsPerSec.median },
    setup,
  };
  appendResult({ workload: 'suite', tool: 'sluice+debezium', at, machine: machine(), versions: { sluice: commit }, settings: base.settings, rowsPerSec: 0, runs: [], run });
  // bench/RESULTS.md shows one whole run: a run of some workloads (--only) leaves it as it is
  const whole = ALL.every(selected) && PEER === 'debezium';
  log(`results appended to bench/results/*.jsonl; ${whole ? `${writeResultsMarkdown(repoRoot(), run)} rewritten` : 'bench/RESULTS.md left as it is (it shows whole runs: all workloads, both tools)'}`);
  if (failures.length) process.exitCode = 1;
}

await main();
