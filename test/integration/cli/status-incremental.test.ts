// `sluice status` and /metrics while `sluice run` follows the binlog (issue 8): after live changes the status
// shows phase incremental, a binlog position at or past the changes, a small lag (0 once idle), latency
// percentiles and counts that match the topic; /metrics carries sluice_lag_seconds and the latency quantiles.
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { RowDataPacket } from 'mysql2/promise';
import { rootConnection, requireService } from '../../support/db.js';
import { removeJobFiles, SLUICE_BIN, spawnSluice, topicSize, uniqueTopic, writeJobFile } from '../../support/sluice-cli.js';
import { DATABASES, type DbService } from '../../support/services.js';

// parse-prometheus-text-format ships CommonJS without types.
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Array<{ name: string; type: string; metrics: Array<{ value: string; labels?: Record<string, string> }> }>;

const ROWS = 300;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface StatusJson {
  running: boolean;
  phase: string;
  binlog: { file: string; pos: number; gtid: string | null; lagSeconds: number | null } | null;
  binlogRows: Array<{ table: string; op: string; rows: number }>;
  totals: { rowsIn: number; recordsAcked: number };
  latencyMs: { p50: number; p99: number; p999: number; samples: number; reader: { p50: number; p99: number; p999: number } | null } | null;
  sink: { queuedBytes: number; bufferBytes: number; requestsInFlight: number; retries: number } | null;
}

async function status(jobPath: string): Promise<StatusJson | null> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [SLUICE_BIN, 'status', jobPath, '--json']);
    return JSON.parse(stdout) as StatusJson;
  } catch {
    return null; // the status file appears a moment after start
  }
}

async function waitFor(jobPath: string, what: string, ok: (s: StatusJson) => boolean, ms: number): Promise<StatusJson> {
  let last: StatusJson | null = null;
  for (const until = Date.now() + ms; Date.now() < until; await sleep(250)) {
    last = await status(jobPath);
    if (last && ok(last)) return last;
  }
  throw new Error(`status never showed ${what} within ${ms} ms; last: ${JSON.stringify(last)}`);
}


/** Binlog file names compare as strings (same base, fixed-width number). */
function atOrAfter(a: { file: string; pos: number }, b: { file: string; pos: number }): boolean {
  return a.file === b.file ? a.pos >= b.pos : a.file > b.file;
}

/**
 * Whether GTID state `a` covers `b`: per MySQL source uuid (and tag) the same first transaction and an end at
 * least as far, or per MariaDB domain a sequence number at least as far. A single GTID never covers a set.
 */
function gtidCovers(a: string, b: string): boolean {
  const ends = (s: string): Map<string, { first: number; last: number }> => {
    const m = new Map<string, { first: number; last: number }>();
    for (const part of s.replace(/\s/g, '').split(',').filter(Boolean)) {
      const maria = /^(\d+)-(\d+)-(\d+)$/.exec(part);
      if (maria) {
        m.set(`domain ${maria[1]}`, { first: 0, last: Number(maria[3]) });
        continue;
      }
      const [uuid, ...rest] = part.split(':');
      let key = String(uuid);
      for (const tok of rest) {
        if (!/^\d/.test(tok)) {
          key = `${uuid}:${tok}`;
          continue;
        }
        const [lo, hi] = tok.split('-').map(Number) as [number, number | undefined];
        const cur = m.get(key);
        m.set(key, { first: Math.min(cur?.first ?? lo, lo), last: Math.max(cur?.last ?? 0, hi ?? lo) });
      }
    }
    return m;
  };
  const have = ends(a);
  for (const [k, want] of ends(b)) {
    const h = have.get(k);
    if (!h || h.first > want.first || h.last < want.last) return false;
  }
  return true;
}

after(() => removeJobFiles());

async function incrementalStatus(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const db = `st_incr_${svc.name}`;
  const root = await rootConnection(svc, { multipleStatements: true });
  const topic = uniqueTopic(`sluice-status-incr-${svc.name}`);
  const port = 19900 + Math.floor(Math.random() * 90);
  let run: ReturnType<typeof spawnSluice> | null = null;
  try {
    await root.query(`DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db}; CREATE TABLE ${db}.items (id BIGINT PRIMARY KEY, name VARCHAR(64), price DECIMAL(12,2))`);
    const values = Array.from({ length: ROWS }, (_, i) => `(${i + 1}, 'item-${i + 1}', ${(i + 1) / 100})`).join(',');
    await root.query(`INSERT INTO ${db}.items VALUES ${values}`);
    const job = writeJobFile({
      svc,
      topic,
      objects: [{ name: `${db}.items`, partitions: 2 }],
      partitioning: 'key-hash',
      snapshot: { parallelism: 2, chunkRows: 100 },
      extra: { init: { schema: false, data: true }, heartbeat: { intervalMs: 500 } },
    });
    run = spawnSluice(['run', job.path, '--skip-precheck', '--metrics-port', String(port)]);
    const early = run.done.then((r) => {
      throw new Error(`sluice run exited early (${r.code ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    });
    early.catch(() => undefined);
    const following = await Promise.race([waitFor(job.path, 'the incremental phase', (s) => s.running && s.phase === 'incremental' && s.totals.recordsAcked >= ROWS, 60_000), early]);
    assert.equal(following.totals.rowsIn, ROWS, 'rows in continue from the snapshot');

    // live changes: 100 inserts in 10 transactions, an update of 50 rows, a delete of 20
    for (let i = 0; i < 10; i++) {
      const batch = Array.from({ length: 10 }, (_, j) => `(${ROWS + i * 10 + j + 1}, 'new', 1.5)`).join(',');
      await root.query(`INSERT INTO ${db}.items VALUES ${batch}`);
    }
    await root.query(`UPDATE ${db}.items SET price = price + 1 WHERE id <= 50`);
    await root.query(`DELETE FROM ${db}.items WHERE id > 280 AND id <= 300`);
    const changes = 100 + 50 + 20;
    const [sql] = svc.flavor === 'mysql' ? ['SHOW BINARY LOG STATUS'] : ['SHOW MASTER STATUS'];
    const [rows] = await root.query<RowDataPacket[]>(sql as string);
    const serverEnd = { file: String(rows[0]?.File), pos: Number(rows[0]?.Position) };

    const s = await Promise.race([
      waitFor(job.path, `the binlog read to ${serverEnd.file}:${serverEnd.pos} and every change acknowledged`, (x) => x.binlog !== null && atOrAfter(x.binlog, serverEnd) && x.totals.recordsAcked >= ROWS + changes && x.latencyMs !== null, 30_000),
      early,
    ]);
    t.diagnostic(`${svc.name}: ${JSON.stringify({ binlog: s.binlog, totals: s.totals, latencyMs: s.latencyMs, sink: s.sink, binlogRows: s.binlogRows })}`);
    assert.equal(s.phase, 'incremental');
    assert.ok(s.binlog);
    assert.ok(s.binlog.lagSeconds !== null && s.binlog.lagSeconds >= 0 && s.binlog.lagSeconds <= 5, `lag ${s.binlog.lagSeconds}`);
    assert.equal(s.totals.rowsIn, ROWS + changes);
    assert.deepEqual(
      s.binlogRows.map((r) => `${r.table} ${r.op} ${r.rows}`).sort(),
      [`${db}.items DELETE 20`, `${db}.items INSERT 100`, `${db}.items UPDATE 50`],
    );
    assert.equal(s.totals.recordsAcked, await topicSize(topic), 'acknowledged records match the topic');
    const l = s.latencyMs;
    assert.ok(l && l.samples >= changes, `latency samples ${l?.samples}`);
    assert.ok(l.p50 >= 1 && l.p50 <= l.p99 && l.p99 <= l.p999 && l.p999 < 10_000, `latency ${JSON.stringify(l)}`);
    assert.ok(l.reader && l.reader.p99 <= l.p999 + 1000 && l.reader.p99 < 5000, `reader latency ${JSON.stringify(l.reader)}`);
    assert.ok(s.sink && s.sink.bufferBytes > 0);

    // idle: the probe of the server's binlog end keeps the lag at 0 instead of growing with the last event's age
    await sleep(3000);
    const idle = await waitFor(job.path, 'lag 0 on an idle source', (x) => x.binlog?.lagSeconds === 0, 5000);
    assert.equal(idle.binlog?.lagSeconds, 0);
    // the GTID shown is the set executed up to the position (it showed the last transaction's GTID alone):
    // it covers what the server had executed when the source went quiet (other tests may write meanwhile)
    const [g] = await root.query<RowDataPacket[]>(svc.name.startsWith('mariadb') ? 'SELECT @@GLOBAL.gtid_binlog_pos AS g' : 'SELECT @@GLOBAL.gtid_executed AS g');
    const executed = String(g[0]?.g).replace(/\s/g, '');
    const withSet = await waitFor(job.path, `a GTID set covering ${executed}`, (x) => gtidCovers(x.binlog?.gtid ?? '', executed), 10_000);
    assert.ok(gtidCovers(withSet.binlog?.gtid ?? '', executed), `${withSet.binlog?.gtid} covers ${executed}`);
    // A new binlog file on an idle source (what a server restart leaves too): it ends after the events it opens
    // with (Previous_gtids, Gtid_list, Binlog_checkpoint); the reader must pass them, or the lag grows forever.
    await root.query('FLUSH BINARY LOGS');
    await sleep(3000);
    const afterFlush = await waitFor(job.path, 'lag 0 after FLUSH BINARY LOGS on an idle source', (x) => x.binlog?.lagSeconds === 0, 8000);
    assert.equal(afterFlush.binlog?.lagSeconds, 0);

    const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    const families = parsePrometheus(text);
    const family = (n: string) => families.find((f) => f.name === n);
    assert.equal(family('sluice_lag_seconds')?.metrics[0]?.value, '0');
    const p99 = family('sluice_latency_seconds')?.metrics.find((m) => m.labels?.quantile === '0.99');
    assert.ok(p99 && Number(p99.value) > 0 && Number(p99.value) < 10, `latency p99 ${p99?.value}`);
    assert.ok(family('sluice_reader_latency_seconds')?.metrics.some((m) => m.labels?.quantile === '0.99'));
    const rowsTotal = family('sluice_rows_total')?.metrics ?? [];
    assert.equal(Number(rowsTotal.find((m) => m.labels?.op === 'INSERT')?.value), 100);
    assert.equal(Number(rowsTotal.find((m) => m.labels?.op === 'INIT')?.value), ROWS);
    assert.equal(family('sluice_phase')?.metrics.find((m) => m.value === '1')?.labels?.phase, 'incremental');

    run.child.kill('SIGTERM');
    const done = await run.done;
    assert.equal(done.code, 0, done.stderr);
    const stopped = await status(job.path);
    assert.equal(stopped?.running, false);
    assert.equal(stopped?.phase, 'stopped');
  } finally {
    run?.child.kill('SIGKILL');
    await root.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    root.destroy();
  }
}

for (const svc of DATABASES) {
  test(`status and /metrics follow the incremental phase (${svc.name})`, { timeout: 150_000 }, (t) => incrementalStatus(t, svc));
}
