/**
 * The Debezium peer of the snapshot workload (issue 9): Kafka Connect standalone with Debezium's MySQL
 * connector (published artifacts only, fetched by bench/peers/debezium/pom.xml), started and stopped by
 * bench/peers/debezium/connect.sh, measured by the same outside observer as sluice:
 *
 * - rows/s: records on the data topic ÷ broker LogAppendTime from the first to the last record (fresh topic
 *   per repetition, 3 partitions, created by us: the broker has auto topic creation off);
 * - wall: from `connect.sh start` to the moment the topic's high watermarks add up to the table's rows
 *   (polled every 200 ms), so JVM start, connector validation, schema capture and the snapshot are in it;
 * - CPU: utime+stime of the Connect JVM (/proc/<pid>/stat, all threads) at that moment — the worker keeps
 *   running after the snapshot (it never exits by itself), so its shutdown is not counted;
 * - peak RSS: VmHWM of the JVM at that moment.
 *
 * Every repetition gets a new run dir (so no Connect offsets: a fresh snapshot), a new topic prefix and a new
 * schema history topic; topics are deleted afterwards.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Admin } from 'kafkajs';
import { repoRoot } from '../lib/results.js';
import { cpuTicks } from '../lib/measure-process.js';
import { createObservedTopic, observeTopic, type TopicFigures } from '../lib/topic-observer.js';
import { KAFKA, MYSQL } from '../../test/support/services.js';
import { rootConnection } from './load-tables.js';

const run = promisify(execFile);
const TICKS_PER_SEC = 100;

export const DEBEZIUM_VERSION = '3.6.1.Final';
export const CONNECT_VERSION = '4.3.1';
export const DEBEZIUM_USER = { user: 'sluice_dbz', password: 'sluice-dbz-pw' };

/** The settings the peer runs with (connect.sh's defaults, rendered into the committed .properties.in files). */
export const DEBEZIUM_SETTINGS = {
  connect: `org.apache.kafka:connect-runtime ${CONNECT_VERSION} standalone (Debezium ${DEBEZIUM_VERSION} is built against Kafka 4.3.0; Connect 4.4.0 lacks a class it uses), JVM -Xms256m -Xmx1g G1`,
  converters: 'org.apache.kafka.connect.json.JsonConverter, schemas.enable=false (key and value)',
  producer: 'acks=all, enable.idempotence=true, compression.type=lz4, batch.size=1048576, linger.ms=5, max.in.flight.requests.per.connection=5 (= sluice job defaults)',
  connector: 'snapshot.mode=initial_only (streaming workloads: no_data), snapshot.max.threads=2 (2 chunks of the one table), snapshot.locking.mode=none, max.batch.size=8192, max.queue.size=32768, poll.interval.ms=5, tombstones.on.delete=false, decimal.handling.mode=string, schema.history.internal.store.only.captured.{tables,databases}.ddl=true, include.schema.changes default (to the <prefix> topic)',
  mysqlUser: 'sluice_dbz: SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, LOCK TABLES (Debezium docs) — sluice runs with the DTS grants REPLICATION SLAVE, REPLICATION CLIENT, SHOW VIEW, SELECT',
  configFiles: 'bench/peers/debezium/{worker.properties.in,mysql-connector.properties.in,log4j2.properties,grants.sql}',
};

export interface PeerSpec {
  db: string;
  table: string;
  partitions: number;
  /** rows the table holds: the run is done when the data topic holds as many records */
  expectedRows: number;
  /** processes to account CPU for, by name (mysqld, the broker) */
  watch?: Record<string, number[]>;
  timeoutMs?: number;
}

export interface PeerRun {
  topic: TopicFigures;
  rows: number;
  observedRowsPerSec: number;
  /** rows ÷ (connect.sh start → high watermarks reach the rows) */
  wallRowsPerSec: number;
  wallMs: number;
  /** JVM CPU (all threads) from start to N rows */
  cpuSec: number;
  cpuSecPer1M: number;
  /** VmHWM of the JVM at N rows, MB */
  peakRssMb: number;
  mbPerSec: number;
  /** start → first record's append time, s (JVM start, validation, schema capture) */
  startToFirstRecordSec: number;
  othersCpuSec: Record<string, number>;
  pid: number;
}

const script = (): string => join(repoRoot(), 'bench', 'peers', 'debezium', 'connect.sh');

/** Fetches the jars (first use) and creates the peer's MySQL account as root. */
export async function prepareDebezium(log: (s: string) => void): Promise<void> {
  const { stderr } = await run('bash', [script(), 'fetch'], { maxBuffer: 16 << 20 });
  if (stderr.trim()) log(stderr.trim());
  const conn = await rootConnection(MYSQL);
  try {
    await conn.query(readFileSync(join(repoRoot(), 'bench', 'peers', 'debezium', 'grants.sql'), 'utf8'));
  } finally {
    await conn.end();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function statusKb(pid: number, key: string): number | null {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runDebeziumSnapshot(admin: Admin, spec: PeerSpec): Promise<PeerRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-dbz-'));
  const runDir = join(dir, 'run');
  const prefix = `sluice-bench-dbz-${randomUUID().slice(0, 8)}`;
  const dataTopic = `${prefix}.${spec.db}.${spec.table}`;
  const topics = [dataTopic, prefix, `${prefix}.schema-history`];
  await createObservedTopic(admin, dataTopic, spec.partitions);
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: prefix, numPartitions: 1, replicationFactor: 1 },
      { topic: `${prefix}.schema-history`, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] },
    ],
  });
  const env = {
    ...process.env,
    DBZ_PREFIX: prefix,
    DBZ_SERVER_ID: String(7000 + Math.floor(Math.random() * 1000)),
    DBZ_REST_PORT: String(await freePort()),
    DBZ_DB: spec.db,
    DBZ_TABLE: spec.table,
    DBZ_MYSQL_USER: DEBEZIUM_USER.user,
    DBZ_MYSQL_PASSWORD: DEBEZIUM_USER.password,
    SLUICE_MYSQL_PORT: String(MYSQL.port),
    SLUICE_KAFKA_PORT: KAFKA.plaintext.split(':')[1]!,
  };
  const watch = spec.watch ?? {};
  const before: Record<string, number> = {};
  for (const [name, pids] of Object.entries(watch)) before[name] = pids.reduce((s, p) => s + (cpuTicks(p) ?? 0), 0);
  let pid = 0;
  let ok = false;
  try {
    const t0 = Date.now();
    const { stdout } = await run('bash', [script(), 'start', runDir], { env });
    pid = Number(stdout.trim().split('\n').pop());
    if (!pid) throw new Error(`connect.sh start printed no pid: ${stdout}`);
    const deadline = t0 + (spec.timeoutMs ?? 20 * 60_000);
    let hwmKb = 0;
    let records = 0;
    let ticksAtN: number | null = null;
    let wallMs = 0;
    for (;;) {
      const h = statusKb(pid, 'VmHWM');
      if (h !== null) hwmKb = Math.max(hwmKb, h);
      const ticks = cpuTicks(pid);
      if (ticks === null) throw new Error(`the Connect worker (pid ${pid}) exited before the topic held ${spec.expectedRows} records (it holds ${records})`);
      const offs = await admin.fetchTopicOffsets(dataTopic);
      records = offs.reduce((s, o) => s + Number(BigInt(o.high) - BigInt(o.low)), 0);
      if (records >= spec.expectedRows) {
        wallMs = Date.now() - t0;
        ticksAtN = cpuTicks(pid) ?? ticks;
        hwmKb = Math.max(hwmKb, statusKb(pid, 'VmHWM') ?? 0);
        break;
      }
      if (Date.now() > deadline) throw new Error(`timed out: the topic holds ${records} of ${spec.expectedRows} records`);
      await sleep(200);
    }
    const othersCpuSec: Record<string, number> = {};
    for (const [name, pids] of Object.entries(watch)) othersCpuSec[name] = (pids.reduce((s, p) => s + (cpuTicks(p) ?? 0), 0) - (before[name] ?? 0)) / TICKS_PER_SEC;
    await run('bash', [script(), 'stop', runDir], { env });
    const log = readFileSync(join(runDir, 'connect.log'), 'utf8');
    if (/ERROR .*(Task threw|Failed to create connector)/.test(log)) throw new Error('the connector logged a task failure');
    const fig = await observeTopic([KAFKA.plaintext], dataTopic, { times: true });
    if (fig.records !== spec.expectedRows) throw new Error(`the topic holds ${fig.records} records, expected ${spec.expectedRows}`);
    const span = Math.max((fig.lastMs - fig.firstMs) / 1000, 0.001);
    const cpuSec = (ticksAtN ?? 0) / TICKS_PER_SEC;
    ok = true;
    return {
      topic: fig,
      rows: fig.records,
      observedRowsPerSec: fig.records / span,
      wallRowsPerSec: fig.records / (wallMs / 1000),
      wallMs,
      cpuSec,
      cpuSecPer1M: (cpuSec / fig.records) * 1e6,
      peakRssMb: hwmKb / 1024,
      mbPerSec: fig.valueBytes / 1e6 / span,
      startToFirstRecordSec: Number(((fig.firstMs - t0) / 1000).toFixed(2)),
      othersCpuSec,
      pid,
    };
  } finally {
    if (pid) await run('bash', [script(), 'stop', runDir], { env }).catch(() => undefined);
    if (!ok) {
      const keep = join(tmpdir(), `${prefix}-connect.log`);
      try {
        copyFileSync(join(runDir, 'connect.log'), keep);
        console.error(`  (the failed run's Connect log is kept at ${keep})`);
      } catch {
        // no log
      }
    }
    await admin.deleteTopics({ topics }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
