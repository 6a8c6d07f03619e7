/**
 * bench/snapshot (issue 5, later part of issue 9's suite): the full-data snapshot end to end, as a user runs it.
 *
 *   snapshot-1m      1M rows of the standard 8-column shape, MySQL → sluice → Kafka (3 partitions, lz4,
 *                    job defaults otherwise), with the raw mysql2 read ceiling measured in the same run
 *   snapshot-2m-1kb  2M rows × ~1 KB: the memory bound (peak RSS of the sluice process < 400 MB)
 *   snapshot-throttle  ~200k rows with snapshot.maxRowsPerSecond = 20000: achieved rate vs the cap
 *
 * Every repetition runs `node bin/sluice.js run job.yaml --snapshot-only --skip-precheck` with a fresh job
 * file, state dir and topic. Figures come from outside sluice: rows/s and MB/s from an observer that reads the
 * topic back (broker LogAppendTime, first to last data record; value bytes), CPU from the child's rusage
 * (/usr/bin/time: user+sys, all threads), peak RSS from ru_maxrss (+ a 100 ms VmRSS sampler).
 * One warm-up run first (excluded), then medians of 3 (1 with --quick), min–max shown.
 *
 * Needs the test services (bash scripts/services.sh start). Tables are loaded once with sql_log_bin=0 into
 * the sluice_bench database and reused while their marker and row count match.
 *
 * The peer (issue 9): after sluice's snapshot-1m, the same workload runs on Debezium's MySQL connector in Kafka
 * Connect standalone (bench/peers/debezium, peer-debezium.ts) — one warm-up (excluded), then the same number
 * of repetitions, measured by the same observer — and a side-by-side table shows sluice ÷ Debezium.
 * --peer debezium is the default; --skip-peer (or --peer none) leaves it out; --peer-only skips sluice's runs.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/snapshot/snapshot.bench.js
 *        [--rows N] [--quick] [--skip-memory] [--skip-throttle] [--only 1m|memory|throttle]
 *        [--partitioning table-hash|key-hash|partition0] [--no-write] [--profile DIR] [--sluice-dir DIR]
 *        [--peer debezium|none] [--skip-peer] [--peer-only]
 * --sluice-dir runs the CLI of another checkout: bench/snapshot/export-head.sh exports HEAD to /tmp and builds
 * it, so the measured code is a commit and nobody's rebuild of dist/ can land mid-run.
 */
import { loadavg } from 'node:os';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendResult, machine, median, repoRoot, versions, type BenchResult } from '../lib/results.js';
import { findPids, measureProcess } from '../lib/measure-process.js';
import { benchKafka } from '../lib/topic-observer.js';
import { KAFKA, MYSQL } from '../../test/support/services.js';
import { BENCH_DB, ensureTable, kilobyteShape, standardShape } from './load-tables.js';
import { measureReadCeiling, type CeilingResult } from './read-ceiling.js';
import { ceilingInputs as loadCeilingInputs, type CeilingInputs } from './ceiling-inputs.js';
import { jobDocument, runSluiceSnapshot, type SluiceRun, type SluiceRunSpec } from './run-sluice.js';
import { summarizeProfiles } from './profile-summary.js';
import { CONNECT_VERSION, DEBEZIUM_SETTINGS, DEBEZIUM_VERSION, prepareDebezium, runDebeziumSnapshot, type PeerRun } from './peer-debezium.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const QUICK = args.includes('--quick');
const ROWS = Number(opt('--rows') ?? 0) || 1_000_000;
const REPS = Number(opt('--reps') ?? 0) || (QUICK ? 1 : 3);
const WRITE = !args.includes('--no-write');
const ONLY = opt('--only');
const PARTITIONING = opt('--partitioning');
const PROFILE_DIR = opt('--profile');
const SLUICE_DIR = opt('--sluice-dir');
const NODE_ARGS = opt('--node-args')?.split(' ').filter(Boolean);
/** --env KEY=VALUE (repeatable) sets the sluice child's environment (diagnostics, e.g. MALLOC_ARENA_MAX=2) */
const CHILD_ENV: Record<string, string> = Object.fromEntries(args.flatMap((a, i) => (a === '--env' && args[i + 1]?.includes('=') ? [[args[i + 1]!.split('=')[0]!, args[i + 1]!.slice(args[i + 1]!.indexOf('=') + 1)]] : [])));
const PEER = args.includes('--skip-peer') ? 'none' : (opt('--peer') ?? 'debezium');
if (PEER !== 'none' && PEER !== 'debezium') throw new Error(`--peer ${PEER}: only debezium (or none) is known`);
const PEER_ONLY = args.includes('--peer-only');
const PARTITIONS = 3;
const MEM_ROWS = Number(opt('--memory-rows') ?? 0) || (QUICK ? 500_000 : 2_000_000);
const THROTTLE_ROWS = 200_000;
const THROTTLE_CAP = 20_000;
const MEM_LIMIT_MB = 400;

const log = (s: string): void => console.log(s);
const mb = (n: number): number => Number(n.toFixed(1));
const r0 = (n: number): number => Math.round(n);
const spread = (xs: number[]): string => `${r0(Math.min(...xs))}–${r0(Math.max(...xs))}`;

function gitState(): Record<string, string> {
  if (SLUICE_DIR) {
    let commit = 'unknown';
    try {
      commit = readFileSync(join(SLUICE_DIR, '.sluice-commit'), 'utf8').trim();
    } catch {
      // not made by export-head
    }
    return { commit, srcWorkingTree: `clean export of ${commit} built in ${SLUICE_DIR} (bench/snapshot/export-head.sh)` };
  }
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot(), encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: repoRoot(), encoding: 'utf8' }).trim();
    return { commit: head, srcWorkingTree: dirty ? `modified (${dirty.split('\n').length} file(s) under src/ differ from HEAD)` : 'clean' };
  } catch {
    return { commit: 'unknown', srcWorkingTree: 'unknown' };
  }
}

function watchPids(): Record<string, number[]> {
  return { mysqld: findPids(['sbin/mysqld', '/mysql/my.cnf']).slice(0, 1), kafka: findPids(['kafka.Kafka']).slice(0, 1) };
}

/** Every run of sluice goes through here so --sluice-dir applies to all of them. */
function withDir(spec: SluiceRunSpec): SluiceRunSpec {
  const out = SLUICE_DIR ? { ...spec, sluiceDir: SLUICE_DIR } : { ...spec };
  if (NODE_ARGS && !out.nodeArgs) out.nodeArgs = NODE_ARGS;
  if (Object.keys(CHILD_ENV).length) out.env = { ...CHILD_ENV, ...out.env };
  return out;
}

/** --job-extra '{"snapshot":{"chunkRows":5000}}' merges job-file sections over the defaults (diagnostics). */
const JOB_EXTRA = opt('--job-extra') ? (JSON.parse(opt('--job-extra')!) as Record<string, unknown>) : {};

function baseExtra(): Record<string, unknown> {
  return { ...JOB_EXTRA, ...(PARTITIONING ? { partitioning: PARTITIONING } : {}) };
}

/** The job as sluice would load it, for the mapper's select list and the connection settings. */
function ceilingInputs(table: string): Promise<CeilingInputs> {
  return loadCeilingInputs(BENCH_DB, table, PARTITIONS, baseExtra());
}

function ceilingRun(inputs: CeilingInputs, table: string): Promise<CeilingResult> {
  return measureReadCeiling(
    { host: MYSQL.host, port: MYSQL.port, user: MYSQL.sluice.user, password: MYSQL.sluice.password },
    BENCH_DB,
    table,
    inputs.selectList,
    inputs.minId,
    inputs.maxId,
    inputs.parallelism,
  );
}

function describeRun(label: string, r: SluiceRun): string {
  const other = Object.entries(r.proc.othersCpuSec)
    .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
    .join(', ');
  return (
    `  ${label}: ${r0(r.observedRowsPerSec)} rows/s observed (first→last append), ${r0(r.wallRowsPerSec)} rows/s wall (${(r.proc.wallMs / 1000).toFixed(1)} s spawn→exit), ` +
    `sluice says ${r.reportedRowsPerSec ?? '?'}; ${r.mbPerSec.toFixed(1)} MB/s values; CPU ${(r.proc.userSec + r.proc.sysSec).toFixed(1)} s (user ${r.proc.userSec.toFixed(1)}, sys ${r.proc.sysSec.toFixed(1)}) = ${r.cpuSecPer1M.toFixed(1)} s/1M; ` +
    `peak RSS ${r0(r.proc.maxRssMb)} MB (sampled ${r0(r.proc.sampledPeakRssMb)}); others: ${other}; per partition ${r.topic.perPartition.join('/')}\n` +
    `    ETA at 25 %: ${r.etaAt25Pct ? `shown ${r.etaAt25Pct.etaSec ?? '--'} s at ${(r.etaAt25Pct.atFraction * 100).toFixed(1)} % (estimate ${r.etaAt25Pct.estimatedRows} rows, ${r.etaAt25Pct.rowsPerSecShown} rows/s), actual ${r.etaAt25Pct.actualSec} s → error ${r.etaAt25Pct.errorPct ?? '?'} %` : 'no status sample reached 25 %'}`
  );
}

interface Row {
  workload: string;
  rowsPerSec: number;
  noise: string;
  wall: number;
  mbPerSec: number;
  cpu: number;
  rss: number;
  ceiling: string;
  note: string;
}
const table: Row[] = [];

function result(workload: string, runs: SluiceRun[], settings: Record<string, unknown>, ceiling: CeilingResult[] | null, extra: Record<string, unknown> = {}): BenchResult {
  const rates = runs.map((r) => r0(r.observedRowsPerSec));
  const ceil = ceiling ? r0(median(ceiling.map((c) => c.rowsPerSec))) : null;
  const res: BenchResult = {
    workload,
    tool: 'sluice',
    at: new Date().toISOString(),
    machine: machine(),
    versions: { ...versions(['mysql2', 'kafkajs', 'lz4', 'piscina', 'avsc']), ...gitState() },
    settings: {
      ...settings,
      loadavg1m: Number(loadavg()[0]?.toFixed(2)),
      ...(NODE_ARGS ? { nodeArgs: NODE_ARGS.join(' ') } : {}),
      ...(Object.keys(JOB_EXTRA).length ? { jobExtra: JOB_EXTRA } : {}),
      ...(Object.keys(CHILD_ENV).length ? { childEnv: CHILD_ENV } : {}),
      repetitions: runs.length,
      warmup: settings.warmup ?? 'one full run before the measured ones, excluded',
      measuredBy: 'outside observer: broker LogAppendTime of first and last data record on a fresh topic; CPU and peak RSS from /usr/bin/time (rusage of the child, all threads)',
    },
    rowsPerSec: median(rates),
    mbPerSec: mb(median(runs.map((r) => r.mbPerSec))),
    cpuSecondsPer1MRows: Number(median(runs.map((r) => r.cpuSecPer1M)).toFixed(2)),
    peakRssMb: r0(Math.max(...runs.map((r) => r.proc.maxRssMb))),
    runs: rates,
    wallRowsPerSec: r0(median(runs.map((r) => r.wallRowsPerSec))),
    wallRuns: runs.map((r) => r0(r.wallRowsPerSec)),
    rowsPerRun: runs[0]?.rows,
    valueBytesPerRow: runs[0] ? Number((runs[0].topic.valueBytes / runs[0].rows).toFixed(1)) : undefined,
    otherProcessesCpuSec: runs.map((r) => r.proc.othersCpuSec),
    ...extra,
  };
  if (typeof extra.rowsPerSecOverride === 'number') {
    res.rowsPerSec = extra.rowsPerSecOverride;
    res.runs = extra.runsOverride as number[];
    delete res.rowsPerSecOverride;
    delete res.runsOverride;
  }
  if (ceiling && ceil !== null) {
    res.ceiling = { name: 'mysql2-read', rowsPerSec: ceil };
    res.ceilingRuns = ceiling.map((c) => r0(c.rowsPerSec));
    res.fractionOfCeiling = Number((res.rowsPerSec / ceil).toFixed(3));
  }
  table.push({
    workload,
    rowsPerSec: res.rowsPerSec,
    noise: spread(res.runs),
    wall: res.wallRowsPerSec as number,
    mbPerSec: res.mbPerSec as number,
    cpu: res.cpuSecondsPer1MRows as number,
    rss: res.peakRssMb as number,
    ceiling: ceil !== null ? `${ceil} (${ceiling!.length > 1 ? spread(ceiling!.map((c) => c.rowsPerSec)) : 'one run'}) → ${((res.rowsPerSec / ceil) * 100).toFixed(1)} %` : '—',
    note: String(extra.note ?? ''),
  });
  if (WRITE) log(`  appended to ${appendResult(res)}`);
  return res;
}

async function snapshot1m(admin: import('kafkajs').Admin, watch: Record<string, number[]>): Promise<BenchResult | null> {
  const name = ROWS === 1_000_000 ? 'orders_std_1m' : `orders_std_${ROWS}`;
  const workload = ROWS === 1_000_000 ? 'snapshot-1m' : `snapshot-${ROWS}`;
  log(`\n${workload}: ${ROWS} rows of the standard 8-column shape`);
  await ensureTable(MYSQL, standardShape(name), ROWS, log);
  if (PEER_ONLY) return null;
  const inputs = await ceilingInputs(name);
  const spec: SluiceRunSpec = { db: BENCH_DB, table: name, partitions: PARTITIONS, extra: baseExtra(), watch };

  // precheck's own time, once (kept out of the snapshot timing with --skip-precheck)
  {
    const { jobFile, cleanup } = await tempJob(spec);
    const p = await measureProcess(process.execPath, [join(SLUICE_DIR ?? repoRoot(), 'bin', 'sluice.js'), 'precheck', jobFile]);
    cleanup();
    log(`  precheck: ${(p.wallMs / 1000).toFixed(2)} s wall, exit ${p.exitCode}, CPU ${(p.userSec + p.sysSec).toFixed(2)} s`);
    precheckSeconds = Number((p.wallMs / 1000).toFixed(2));
    precheckExit = p.exitCode;
  }

  log('  warm-up run (excluded)');
  const warm = await runSluiceSnapshot(admin, withDir(spec));
  log(describeRun('warm-up', warm));
  const runs: SluiceRun[] = [];
  const ceilings: CeilingResult[] = [];
  for (let rep = 1; rep <= REPS; rep++) {
    const c = await ceilingRun(inputs, name);
    if (c.rows !== ROWS) throw new Error(`ceiling read ${c.rows} rows, expected ${ROWS}`);
    ceilings.push(c);
    log(`  ceiling ${rep}: mysql2-read ${r0(c.rowsPerSec)} rows/s (${inputs.parallelism} connections in ${inputs.parallelism} worker threads, ${(c.bytes / c.rows).toFixed(0)} text bytes/row)`);
    const r = await runSluiceSnapshot(admin, withDir(spec));
    if (r.rows !== ROWS) throw new Error(`the topic holds ${r.rows} data records, expected ${ROWS}`);
    runs.push(r);
    log(describeRun(`run ${rep}`, r));
  }
  return result(
    workload,
    runs,
    {
      rows: ROWS,
      table: `${BENCH_DB}.${name}`,
      partitions: PARTITIONS,
      partitioning: PARTITIONING ?? 'table-hash (job default)',
      compression: 'lz4',
      snapshot: { parallelism: inputs.parallelism, chunkRows: 'default (50000)' },
      workers: { threads: inputs.threads },
      producer: 'job defaults (batchBytes 1 MiB, linger 5 ms, maxInFlight 5)',
      command: 'node bin/sluice.js run job.yaml --snapshot-only --skip-precheck',
      precheckSeconds,
      precheckExit,
      ceilingMethod: `raw mysql2 streaming read, SNAPSHOT_CONNECTION_OPTIONS + SNAPSHOT_SESSION_SQL + the mapper's select list, ${inputs.parallelism} connections each in its own worker thread, each one query over an equal share of the id range, rows discarded; measured before each sluice repetition`,
    },
    ceilings,
    { warmupRowsPerSec: r0(warm.observedRowsPerSec), ...etaFields(runs) },
  );
}

/** The ETA check of the run with the median |error| (all runs too when there are several). */
function etaFields(runs: SluiceRun[]): Record<string, unknown> {
  const checks = runs.map((r) => r.etaAt25Pct);
  const known = checks.filter((c) => c?.errorPct != null).sort((a, b) => Math.abs(a!.errorPct!) - Math.abs(b!.errorPct!));
  const mid = known[Math.floor((known.length - 1) / 2)] ?? checks[0] ?? null;
  return {
    etaAt25Pct: mid ? { etaSec: mid.etaSec, actualSec: mid.actualSec, errorPct: mid.errorPct, atFraction: mid.atFraction, estimatedRows: mid.estimatedRows, within20Pct: mid.errorPct !== null && Math.abs(mid.errorPct) <= 20 } : null,
    ...(runs.length > 1 ? { etaAt25PctRuns: checks } : {}),
    etaMethod: 'status.json sampled every 200 ms: the first with rows >= 25 % of the final rows; actual = its updatedAt to the broker append time of the last data record',
  };
}

let precheckSeconds = 0;
let precheckExit: number | null = null;

async function tempJob(spec: SluiceRunSpec): Promise<{ jobFile: string; cleanup: () => void }> {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-pre-'));
  const jobFile = join(dir, 'job.yaml');
  // precheck against an existing topic name is not needed: createTopics lets the topic check pass
  writeFileSync(jobFile, JSON.stringify({ ...jobDocument(spec, 'sluice-bench-precheck', join(dir, 'state')), target: { brokers: [KAFKA.plaintext], topic: 'sluice-bench-precheck', createTopics: true } }));
  return { jobFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function snapshotMemory(admin: import('kafkajs').Admin, watch: Record<string, number[]>): Promise<void> {
  const name = `kb_${MEM_ROWS}`;
  log(`\nsnapshot-2m-1kb: ${MEM_ROWS} rows × ~1 KB${MEM_ROWS !== 2_000_000 ? ' (reduced row count: --quick or --memory-rows)' : ''}`);
  await ensureTable(MYSQL, kilobyteShape(name), MEM_ROWS, log);
  const inputs = await ceilingInputs(name);
  const c = await ceilingRun(inputs, name);
  log(`  ceiling: mysql2-read ${r0(c.rowsPerSec)} rows/s`);
  const r = await runSluiceSnapshot(admin, withDir({ db: BENCH_DB, table: name, partitions: PARTITIONS, extra: baseExtra(), watch }));
  if (r.rows !== MEM_ROWS) throw new Error(`the topic holds ${r.rows} data records, expected ${MEM_ROWS}`);
  log(describeRun('run', r));
  const peak = r.proc.maxRssMb;
  const curve = r.proc.rssCurve;
  const step = Math.max(1, Math.floor(curve.length / 40));
  result(
    'snapshot-2m-1kb',
    [r],
    { rows: MEM_ROWS, table: `${BENCH_DB}.${name}`, rowBytes: '~1 KB (BIGINT + VARCHAR(1000) ascii)', partitions: PARTITIONS, partitioning: PARTITIONING ?? 'table-hash (job default)', compression: 'lz4', warmup: 'none (one run: a memory measurement)' },
    [c],
    {
      memoryLimitMb: MEM_LIMIT_MB,
      memoryWithinLimit: peak < MEM_LIMIT_MB,
      rssCurveMb: curve.filter((_, i) => i % step === 0),
      note: `peak RSS ${r0(peak)} MB ${peak < MEM_LIMIT_MB ? '<' : '≥'} ${MEM_LIMIT_MB} MB`,
    },
  );
}

async function snapshotThrottle(admin: import('kafkajs').Admin, watch: Record<string, number[]>): Promise<void> {
  const name = `orders_std_${THROTTLE_ROWS}`;
  log(`\nsnapshot-throttle: ${THROTTLE_ROWS} rows with snapshot.maxRowsPerSecond = ${THROTTLE_CAP}`);
  await ensureTable(MYSQL, standardShape(name), THROTTLE_ROWS, log);
  const runs: SluiceRun[] = [];
  const extra = { ...baseExtra(), snapshot: { ...((JOB_EXTRA.snapshot as object) ?? {}), maxRowsPerSecond: THROTTLE_CAP } };
  for (let rep = 1; rep <= REPS; rep++) {
    const r = await runSluiceSnapshot(admin, withDir({ db: BENCH_DB, table: name, partitions: PARTITIONS, extra, watch }));
    if (r.rows !== THROTTLE_ROWS) throw new Error(`the topic holds ${r.rows} data records, expected ${THROTTLE_ROWS}`);
    runs.push(r);
    log(describeRun(`run ${rep}`, r));
  }
  // Records reach Kafka a whole chunk at a time (a chunk's batches return when its paced read ends), so the
  // observer's first→last window misses the first chunk's read time and overstates the rate. The source
  // load the cap is about is the read rate: rows ÷ sluice's snapshot time (its own log line, from job start;
  // cross-checked by the wall rate spawn→exit, which also holds node's start-up).
  const achieved = median(runs.map((r) => r.reportedRowsPerSec ?? r.wallRowsPerSec));
  const dev = achieved / THROTTLE_CAP - 1;
  result(
    'snapshot-throttle',
    runs,
    { rows: THROTTLE_ROWS, table: `${BENCH_DB}.${name}`, maxRowsPerSecond: THROTTLE_CAP, partitions: PARTITIONS, partitioning: PARTITIONING ?? 'table-hash (job default)', warmup: 'none (a pacing check)' },
    null,
    {
      headline: 'rowsPerSec/runs here are the read rate sluice reports (rows ÷ its snapshot time); observedRunsFirstToLast are the arrival rates',
      rowsPerSecOverride: r0(achieved),
      runsOverride: runs.map((r) => r0(r.reportedRowsPerSec ?? r.wallRowsPerSec)),
      observedRunsFirstToLast: runs.map((r) => r0(r.observedRowsPerSec)),
      cap: THROTTLE_CAP,
      deviationFromCap: Number(dev.toFixed(3)),
      withinTenPercent: Math.abs(dev) <= 0.1,
      note: `${(dev * 100).toFixed(1)} % vs cap ${THROTTLE_CAP} (${Math.abs(dev) <= 0.1 ? 'within' : 'outside'} 10 %)`,
    },
  );
}

async function profileRun(admin: import('kafkajs').Admin, dir: string): Promise<void> {
  const name = ROWS === 1_000_000 ? 'orders_std_1m' : `orders_std_${ROWS}`;
  await ensureTable(MYSQL, standardShape(name), ROWS, log);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.cpuprofile')) throw new Error(`${dir} already holds profiles: give an empty directory`);
  log(`\nprofile: one run of ${ROWS} rows with --cpu-prof into ${dir}`);
  const r = await runSluiceSnapshot(admin, withDir({ db: BENCH_DB, table: name, partitions: PARTITIONS, extra: baseExtra(), nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`], watch: watchPids() }));
  log(describeRun('profiled run', r));
  log(summarizeProfiles(dir));
}

async function main(): Promise<void> {
  const kafka = benchKafka([KAFKA.plaintext]);
  const admin = kafka.admin();
  await admin.connect();
  const watch = watchPids();
  log(`snapshot bench: ${REPS} measured repetition(s) after one warm-up; watching CPU of mysqld pid ${watch.mysqld?.join(',') || '?'} and kafka pid ${watch.kafka?.join(',') || '?'}; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  try {
    if (PROFILE_DIR) {
      await profileRun(admin, PROFILE_DIR);
      return;
    }
    if (!ONLY || ONLY === '1m') {
      const sluice = await snapshot1m(admin, watch);
      if (PEER === 'debezium') await peerDebezium(admin, watch, sluice);
    }
    if ((!ONLY && !args.includes('--skip-throttle')) || ONLY === 'throttle') await snapshotThrottle(admin, watch);
    if ((!ONLY && !args.includes('--skip-memory')) || ONLY === 'memory') await snapshotMemory(admin, watch);
  } finally {
    await admin.disconnect();
  }
  log('\n| workload | rows/s (median; first→last, throttle: read rate) | min–max | rows/s wall (spawn→exit) | MB/s | CPU s / 1M rows | peak RSS MB | ceiling mysql2-read rows/s (min–max) → fraction | note |');
  log('|---|---|---|---|---|---|---|---|---|');
  for (const t of table) log(`| ${t.workload} | ${t.rowsPerSec} | ${t.noise} | ${t.wall} | ${t.mbPerSec} | ${t.cpu} | ${t.rss} | ${t.ceiling} | ${t.note} |`);
  if (sideBySide.length) {
    log('\nsluice vs Debezium (same MySQL, same Kafka, same outside observer; warm-up runs excluded):');
    log('| workload | figure | sluice | Debezium | sluice ÷ Debezium |');
    log('|---|---|---|---|---|');
    for (const l of sideBySide) log(l);
  }
}

const sideBySide: string[] = [];

function describePeerRun(label: string, r: PeerRun): string {
  const other = Object.entries(r.othersCpuSec)
    .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
    .join(', ');
  return (
    `  ${label}: ${r0(r.observedRowsPerSec)} rows/s observed (first→last append), ${r0(r.wallRowsPerSec)} rows/s wall (${(r.wallMs / 1000).toFixed(1)} s start→${r.rows} rows; first record after ${r.startToFirstRecordSec} s); ` +
    `${r.mbPerSec.toFixed(1)} MB/s values (JSON); JVM CPU ${r.cpuSec.toFixed(1)} s = ${r.cpuSecPer1M.toFixed(1)} s/1M; peak RSS ${r0(r.peakRssMb)} MB (VmHWM); others: ${other}; per partition ${r.topic.perPartition.join('/')}`
  );
}

/** The same snapshot workload on Debezium (issue 9): warm-up (excluded), REPS repetitions, JSON line, ratios. */
async function peerDebezium(admin: import('kafkajs').Admin, watch: Record<string, number[]>, sluice: BenchResult | null): Promise<void> {
  const name = ROWS === 1_000_000 ? 'orders_std_1m' : `orders_std_${ROWS}`;
  const workload = ROWS === 1_000_000 ? 'snapshot-1m' : `snapshot-${ROWS}`;
  log(`\n${workload} on the peer: Debezium ${DEBEZIUM_VERSION} MySQL connector in Kafka Connect ${CONNECT_VERSION} standalone`);
  await prepareDebezium(log);
  const spec = { db: BENCH_DB, table: name, partitions: PARTITIONS, expectedRows: ROWS, watch };
  log('  warm-up run (excluded)');
  const warm = await runDebeziumSnapshot(admin, spec);
  log(describePeerRun('warm-up', warm));
  const runs: PeerRun[] = [];
  for (let rep = 1; rep <= REPS; rep++) {
    const r = await runDebeziumSnapshot(admin, spec);
    runs.push(r);
    log(describePeerRun(`run ${rep}`, r));
  }
  const rates = runs.map((r) => r0(r.observedRowsPerSec));
  const res: BenchResult = {
    workload,
    tool: 'debezium',
    at: new Date().toISOString(),
    machine: machine(),
    versions: { debezium: DEBEZIUM_VERSION, 'kafka-connect': CONNECT_VERSION, java: javaVersion(), benchCommit: gitState().commit ?? 'unknown' },
    settings: {
      rows: ROWS,
      table: `${BENCH_DB}.${name}`,
      partitions: PARTITIONS,
      partitioning: 'Connect default partitioner (murmur2 of the JSON key)',
      ...DEBEZIUM_SETTINGS,
      loadavg1m: Number(loadavg()[0]?.toFixed(2)),
      repetitions: runs.length,
      warmup: 'one full run (JVM start to all rows on the topic) before the measured ones, excluded; each run is a new JVM',
      measuredBy:
        'outside observer: broker LogAppendTime of first and last record on a fresh data topic; wall = connect.sh start → topic high watermarks reach the rows; CPU = utime+stime of the Connect JVM (/proc/<pid>/stat, all threads) at that moment; peak RSS = its VmHWM',
    },
    rowsPerSec: median(rates),
    mbPerSec: mb(median(runs.map((r) => r.mbPerSec))),
    cpuSecondsPer1MRows: Number(median(runs.map((r) => r.cpuSecPer1M)).toFixed(2)),
    peakRssMb: r0(Math.max(...runs.map((r) => r.peakRssMb))),
    runs: rates,
    wallRowsPerSec: r0(median(runs.map((r) => r.wallRowsPerSec))),
    wallRuns: runs.map((r) => r0(r.wallRowsPerSec)),
    rowsPerRun: runs[0]?.rows,
    valueBytesPerRow: runs[0] ? Number((runs[0].topic.valueBytes / runs[0].rows).toFixed(1)) : undefined,
    valueFormat: 'JSON without schema (Debezium envelope: before/after/source/op/ts_ms); sluice writes DTS Avro, so MB/s differs by format',
    startToFirstRecordSec: runs.map((r) => r.startToFirstRecordSec),
    otherProcessesCpuSec: runs.map((r) => r.othersCpuSec),
    warmupRowsPerSec: r0(warm.observedRowsPerSec),
    ...(sluice ? { sluiceRowsPerSecSameRun: sluice.rowsPerSec } : {}),
  };
  table.push({
    workload: `${workload} (debezium)`,
    rowsPerSec: res.rowsPerSec,
    noise: spread(rates),
    wall: res.wallRowsPerSec as number,
    mbPerSec: res.mbPerSec as number,
    cpu: res.cpuSecondsPer1MRows as number,
    rss: res.peakRssMb as number,
    ceiling: '—',
    note: 'JSON values',
  });
  if (WRITE) log(`  appended to ${appendResult(res)}`);
  if (sluice) {
    const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : '—');
    sideBySide.push(`| ${workload} | rows/s (median, first→last) | ${sluice.rowsPerSec} (${spread(sluice.runs)}) | ${res.rowsPerSec} (${spread(res.runs)}) | ${ratio(sluice.rowsPerSec, res.rowsPerSec)} |`);
    sideBySide.push(`| ${workload} | rows/s wall (start→all rows) | ${sluice.wallRowsPerSec} | ${res.wallRowsPerSec} | ${ratio(sluice.wallRowsPerSec as number, res.wallRowsPerSec as number)} |`);
    sideBySide.push(`| ${workload} | CPU s / 1M rows (lower is better) | ${sluice.cpuSecondsPer1MRows} | ${res.cpuSecondsPer1MRows} | ${ratio(sluice.cpuSecondsPer1MRows!, res.cpuSecondsPer1MRows!)} |`);
    sideBySide.push(`| ${workload} | peak RSS MB (lower is better) | ${sluice.peakRssMb} | ${res.peakRssMb} | ${ratio(sluice.peakRssMb!, res.peakRssMb!)} |`);
    sideBySide.push(`| ${workload} | MB/s of values (DTS Avro vs JSON) | ${sluice.mbPerSec} | ${res.mbPerSec} | ${ratio(sluice.mbPerSec!, res.mbPerSec!)} |`);
  }
}

function javaVersion(): string {
  // java -version prints to stderr
  const r = spawnSync(process.env.KAFKA_JAVA ?? 'java', ['-version'], { encoding: 'utf8' });
  return `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n')[0] || 'unknown';
}

await main();
