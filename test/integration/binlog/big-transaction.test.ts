/**
 * Issue 6, "a single 1M-row transaction passes in bounded memory": `sluice run` (a child process, as a user
 * runs it) follows the binlog while one transaction inserts SLUICE_BIG_TXN_ROWS rows (default 50 000; the
 * issue's figure is SLUICE_BIG_TXN_ROWS=1000000). Every row arrives in Kafka with the values MySQL holds, all
 * carrying the one transaction's id, the checkpoint moves past the commit, and the child's peak RSS (VmHWM)
 * stays under 512 MB — nothing in sluice holds a transaction's records until its commit: batches go to the sink
 * as they fill, the sink's byte budget pauses the reader inside the transaction, and only the checkpoint waits
 * for the commit.
 */
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { RowDataPacket } from 'mysql2/promise';
import { decodeRecord } from '../../../src/format/dts-avro/index.js';
import { readTopic } from '../../../src/sink/kafka/read-topic.js';
import { rootConnection, requireService } from '../../support/db.js';
import { testJob } from '../../support/jobs.js';
import { DATABASES, type DbService } from '../../support/services.js';
import { readCheckpoint, removeJobFiles, spawnSluice, uniqueTopic, writeJobFile } from '../../support/sluice-cli.js';

/** Names unique to this run: another worktree may run the same test on the same servers at the same time. */
const RUN = randomBytes(3).toString('hex');

const ROWS = Number(process.env.SLUICE_BIG_TXN_ROWS ?? 50_000);
const RSS_LIMIT_MB = 512;
const COLS = ['id', 'grp', 'label', 'amount', 'created'] as const;

/** A /proc/<pid>/status field in kB. */
function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} for pid ${pid}`);
  return Number(m[1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function bigTransaction(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const db = `inc_bigtxn_${svc.name}_${RUN}`;
  const topic = uniqueTopic(`sluice-inc-bigtxn-${svc.name}`);
  const root = await rootConnection(svc, { charset: 'utf8mb4' });
  let child: ReturnType<typeof spawnSluice> | null = null;
  try {
    await root.query(`DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db}; USE ${db}`);
    await root.query(`CREATE TABLE big (id INT PRIMARY KEY, grp INT NOT NULL, label VARCHAR(80) NOT NULL, amount DECIMAL(14,2) NOT NULL, created DATETIME(6) NOT NULL) DEFAULT CHARSET=utf8mb4`);
    await root.query(`CREATE TABLE digit (d INT PRIMARY KEY); INSERT INTO digit VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)`);
    await root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'@'%'`);

    const job = writeJobFile({
      svc,
      topic,
      objects: [{ db, table: 'big', partitions: 3 }],
      partitioning: 'key-hash',
      extra: { init: { schema: false, data: false } },
    });
    child = spawnSluice(['run', job.path]);
    let output = '';
    child.child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const pid = child.child.pid as number;
    for (let i = 0; !/following the binlog/.test(output); i++) {
      if (child.child.exitCode !== null || i > 600) throw new Error(`sluice run did not start following the binlog:\n${output}`);
      await sleep(100);
    }
    const rssBefore = statusKb(pid, 'VmHWM');

    // one transaction: ROWS inserts built from a cross join of digits (one statement, many row events)
    const digits = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].slice(0, Math.max(1, Math.ceil(Math.log10(ROWS))));
    const n = digits.map((x, i) => `${x}.d * ${10 ** i}`).join(' + ');
    const committedAt = Date.now();
    await root.query(
      `BEGIN; INSERT INTO big SELECT n + 1, n % 7, CONCAT('row-', n + 1, '-', REPEAT('x', n % 40)), (n + 1) / 100, TIMESTAMPADD(MICROSECOND, n * 1000003, '2024-01-01 00:00:00') FROM (SELECT ${n} AS n FROM ${digits.map((x) => `digit ${x}`).join(', ')}) s WHERE n < ${ROWS}; COMMIT`,
    );
    const insertedMs = Date.now() - committedAt;
    const [status] = await root.query<RowDataPacket[]>(svc.flavor === 'mysql' ? 'SHOW BINARY LOG STATUS' : 'SHOW BINLOG STATUS');
    const end = { file: String(status[0]!.File), pos: Number(status[0]!.Position) };

    // wait for the checkpoint to pass the commit, sampling the RSS curve meanwhile
    let peakSampledKb = 0;
    const started = Date.now();
    for (;;) {
      peakSampledKb = Math.max(peakSampledKb, statusKb(pid, 'VmRSS'));
      const cp = readCheckpoint(job.stateDir);
      if (cp?.binlog && (cp.binlog.file > end.file || (cp.binlog.file === end.file && cp.binlog.pos >= end.pos))) break;
      if (child.child.exitCode !== null) throw new Error(`sluice run exited:\n${output}`);
      if (Date.now() - started > 60_000 + ROWS / 2) throw new Error(`the checkpoint did not pass ${end.file}:${end.pos} (at ${JSON.stringify(cp?.binlog)})`);
      await sleep(100);
    }
    const passedMs = Date.now() - started;
    const hwmMb = statusKb(pid, 'VmHWM') / 1024;
    child.child.kill('SIGTERM');
    const exit = await child.done;
    child = null;
    assert.equal(exit.code, 0, `sluice run exits 0 on SIGTERM:\n${exit.stderr.slice(-2000)}`);
    t.diagnostic(
      `${svc.name}: ${ROWS} rows in one transaction (INSERT…SELECT took ${insertedMs} ms); checkpoint past the commit ${passedMs} ms after it; peak RSS (VmHWM) ${hwmMb.toFixed(0)} MB (${(rssBefore / 1024).toFixed(0)} MB before the transaction; sampled VmRSS max ${(peakSampledKb / 1024).toFixed(0)} MB)`,
    );
    assert.ok(hwmMb < RSS_LIMIT_MB, `peak RSS ${hwmMb.toFixed(0)} MB stays under ${RSS_LIMIT_MB} MB`);

    // every row arrives with MySQL's values, all from one transaction
    const want = new Map<number, string>();
    const [rows] = await root.query<RowDataPacket[]>(`SELECT ${COLS.map((c) => `CAST(${c} AS CHAR) AS ${c}`).join(', ')} FROM big`);
    for (const r of rows) want.set(Number(r.id), COLS.map((c) => r[c] as string).join('|'));
    (rows as unknown[]).length = 0;
    assert.equal(want.size, ROWS, 'the source holds every row');
    const got = new Set<number>();
    const txids = new Set<string>();
    const wrong: string[] = [];
    let records = 0;
    await readTopic(testJob(svc, { objects: [{ db, table: 'big' }], topic }).target, { topic, from: 'earliest', idleMs: 4000 }, (m) => {
      if (!m.value) return;
      records++;
      const d = decodeRecord(m.value, { fsp: { created: 6 } });
      const after = d.after as Record<string, string | null>;
      const id = Number(after.id);
      txids.add(d.sourceTxid);
      const text = COLS.map((c) => after[c]).join('|');
      if (d.operation !== 'INSERT' || want.get(id) !== text) {
        if (wrong.length < 5) wrong.push(`${d.operation} ${text} (source ${want.get(id)})`);
      }
      got.add(id);
    });
    assert.deepEqual(wrong, [], 'every record holds the row MySQL holds');
    assert.equal(got.size, ROWS, `every row arrived (${records} records)`);
    assert.equal(txids.size, 1, `all rows carry the one transaction's id (${[...txids].slice(0, 3).join(', ')})`);
  } finally {
    if (child) {
      child.child.kill('SIGKILL');
      await child.done;
    }
    await root.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    await root.end();
    removeJobFiles();
  }
}

for (const svc of DATABASES) {
  test(`binlog on ${svc.name}: one ${ROWS}-row transaction passes through sluice run in under ${RSS_LIMIT_MB} MB, every row arriving`, { timeout: 300_000 + ROWS }, (t) => bigTransaction(t, svc));
}
