// `sluice status` while a real snapshot runs (MySQL → Kafka), and after the job is killed with SIGKILL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { createRequire } from 'node:module';
import { asRoot } from '../../support/db.js';
import { SLUICE_BIN, spawnSluice, writeJobFile } from '../../support/sluice-cli.js';
import { KAFKA, MYSQL } from '../../support/services.js';

const DB = 'st_status';
// parse-prometheus-text-format ships CommonJS without types.
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Array<{ name: string; type: string; metrics: Array<{ value: string; labels?: Record<string, string> }> }>;
const ROWS = 60000;
let topic = `sluice-status-${randomUUID().slice(0, 8)}`;

interface StatusJson {
  running: boolean;
  note: string | null;
  phase: string;
  totals: { rowsIn: number; recordsAcked: number };
  rates: { rowsOutPerSec: number };
  snapshot: Array<{ table: string; rows: number }>;
  checkpoint: { snapshotChunksDone: number; snapshotChunksTotal: number };
}

async function status(jobPath: string): Promise<StatusJson> {
  const { stdout } = await promisify(execFile)(process.execPath, [SLUICE_BIN, 'status', jobPath, '--json']);
  return JSON.parse(stdout) as StatusJson;
}

async function topicEnd(): Promise<number> {
  const admin = new kafkajs.Kafka({ brokers: [KAFKA.plaintext], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

before(async () => {
  await asRoot(
    MYSQL,
    `DROP DATABASE IF EXISTS ${DB}`,
    `CREATE DATABASE ${DB}`,
    `CREATE TABLE ${DB}.items (id BIGINT PRIMARY KEY, name VARCHAR(64), price DECIMAL(12,2))`,
    `SET SESSION sql_log_bin = 0; SET SESSION cte_max_recursion_depth = ${ROWS + 1};
     INSERT INTO ${DB}.items WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${ROWS})
     SELECT n, CONCAT('item-', n), n / 100 FROM seq`,
    `ANALYZE TABLE ${DB}.items`,
  );
});

after(async () => {
  await asRoot(MYSQL, `DROP DATABASE IF EXISTS ${DB}`);
});

test('status follows a running snapshot, its counts match the topic, and a killed job shows as not running', async () => {
  const job = writeJobFile({
    svc: MYSQL,
    topic,
    objects: [{ name: `${DB}.items`, partitions: 2 }],
    partitioning: 'table-hash',
    snapshot: { parallelism: 2, chunkRows: 5000, maxRowsPerSecond: 8000 },
    extra: { init: { schema: false, data: true } },
  });
  const run = spawnSluice(['run', job.path, '--snapshot-only', '--skip-precheck']);
  try {
    let seen: StatusJson | null = null;
    for (let i = 0; i < 100 && !seen; i++) {
      await new Promise((r) => setTimeout(r, 200));
      try {
        const s = await status(job.path);
        if (s.running && s.phase === 'snapshot' && s.totals.recordsAcked > 0) seen = s;
      } catch {
        // the status file appears a moment after start
      }
    }
    assert.ok(seen, 'status never showed a running snapshot with acknowledged records');
    assert.equal(seen.snapshot[0]?.table, `${DB}.items`);
    // Status is refreshed every second: the topic may be ahead by at most about a second of output.
    const end = await topicEnd();
    const s = await status(job.path);
    assert.ok(end >= seen.totals.recordsAcked, `topic end ${end} < acknowledged ${seen.totals.recordsAcked}`);
    assert.ok(Math.abs(end - s.totals.recordsAcked) <= Math.max(2 * s.rates.rowsOutPerSec, 10000) + 5000, `topic end ${end}, status acknowledged ${s.totals.recordsAcked}`);
    run.child.kill('SIGKILL');
    await run.done;
    const dead = await status(job.path);
    assert.equal(dead.running, false);
    assert.match(dead.note ?? '', /not running/);
    assert.ok(dead.checkpoint.snapshotChunksTotal > 0);
    assert.ok(dead.checkpoint.snapshotChunksDone < dead.checkpoint.snapshotChunksTotal);
  } finally {
    run.child.kill('SIGKILL');
  }
});

test('the metrics endpoint parses as Prometheus text and its counters agree with the topic', async () => {
  topic = `sluice-metrics-${randomUUID().slice(0, 8)}`;
  const port = 19400 + Math.floor(Math.random() * 500);
  const job = writeJobFile({
    svc: MYSQL,
    topic,
    objects: [{ name: `${DB}.items`, partitions: 2 }],
    partitioning: 'table-hash',
    snapshot: { parallelism: 2, chunkRows: 5000, maxRowsPerSecond: 10000 },
    extra: { init: { schema: false, data: true } },
  });
  const run = spawnSluice(['run', job.path, '--snapshot-only', '--skip-precheck', '--metrics-port', String(port)]);
  try {
    let families: ReturnType<typeof parsePrometheus> | null = null;
    let acked = 0;
    for (let i = 0; i < 100 && acked === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => null);
      if (!text) continue;
      families = parsePrometheus(text);
      acked = Number(families.find((f) => f.name === 'sluice_records_acked_total')?.metrics[0]?.value ?? 0);
    }
    assert.ok(families, 'the metrics endpoint never answered');
    const names = families.map((f) => f.name);
    for (const n of ['sluice_phase', 'sluice_rows_total', 'sluice_records_acked_total', 'sluice_snapshot_chunks', 'sluice_buffer_bytes', 'sluice_retries_total']) assert.ok(names.includes(n), n);
    assert.equal(families.find((f) => f.name === 'sluice_records_acked_total')?.type, 'COUNTER');
    const phase = families.find((f) => f.name === 'sluice_phase')?.metrics.find((m) => m.value === '1')?.labels?.phase;
    assert.equal(phase, 'snapshot');
    const end = await topicEnd();
    assert.ok(end >= acked && end - acked <= 15000, `topic end ${end}, metrics acknowledged ${acked}`);
    const done = await run.done;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(await topicEnd(), ROWS);
  } finally {
    run.child.kill('SIGKILL');
  }
});
