/**
 * Issue 6, "the same sluice process, without a restart or a manual step, survives the broker stopped for 30 s
 * under load and MySQL restarted under load": runIncremental follows a random workload (as the sluice user,
 * key-hash over 3 partitions) while
 * - the Kafka broker is stopped (scripts/kafka.sh stop) for SLUICE_KAFKA_OUTAGE_MS (default 10 s; the issue's
 *   figure is 30 s) and started again;
 * - MySQL is restarted (scripts/mysql.sh stop, start) while the workload writes (its batches fail while the
 *   server is down and resume after).
 * Either way the run keeps going, and once quiet, replaying the topic by key reproduces the source and each
 * partition's ids increase. The stopped service is started again in a `finally`, whatever happens.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Connection } from 'mysql2/promise';
import { runIncremental, type IncrementalSummary } from '../../../src/pipeline/job/run-incremental.js';
import { rootConnection, requireService } from '../../support/db.js';
import { MYSQL, type DbService } from '../../support/services.js';
import { backgroundWorkload, differences, replayTopic, setUp, sourceState, waitForCheckpoint, type Setup } from './binlog-harness.js';

const OUTAGE_MS = Number(process.env.SLUICE_KAFKA_OUTAGE_MS ?? 10_000);
const SCRIPTS = new URL('../../../../scripts/', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);

async function service(script: 'kafka.sh' | 'mysql.sh', cmd: 'stop' | 'start'): Promise<number> {
  const t0 = Date.now();
  await run('bash', [`${SCRIPTS}${script}`, cmd], { timeout: 180_000 });
  return Date.now() - t0;
}

/** Fails fast if the run ends (rejects or returns) before `p` settles. */
async function whileRunning<T>(runP: Promise<IncrementalSummary>, p: Promise<T>): Promise<T> {
  const ended = runP.then(
    () => {
      throw new Error('the run ended by itself');
    },
    (e: unknown) => {
      throw new Error(`the run failed: ${(e as Error).message}`);
    },
  );
  return Promise.race([p, ended]);
}

async function converges(t: TestContext, s: Setup, root: Connection, label: string): Promise<void> {
  const replayed = await replayTopic(s);
  const source = await sourceState({ root, db: s.db });
  const diffs = differences(replayed, source);
  t.diagnostic(`${label}: ${replayed.records} records (${replayed.duplicates} resent), source rows ${[...source.values()].reduce((n, m) => n + m.size, 0)}`);
  assert.deepEqual(replayed.orderViolations.slice(0, 20), [], 'ids increase within each partition');
  assert.deepEqual(diffs.slice(0, 20), [], `replaying the topic reproduces the source (${diffs.length} difference(s))`);
}

async function kafkaOutage(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const s = await setUp(svc, 'kout');
  const lines: string[] = [];
  const ac = new AbortController();
  let wl: ReturnType<typeof backgroundWorkload> | null = null;
  const started = Date.now();
  try {
    const runP = runIncremental({ job: s.job, model: s.model, partitions: s.partitions, checkpoint: s.checkpoint, store: s.store, log: (l) => lines.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${l}`), signal: ac.signal });
    runP.catch(() => undefined);
    wl = backgroundWorkload(svc, s.db, 31, 10, 5);
    await whileRunning(runP, sleep(2000));
    let stopMs = 0;
    let startMs = 0;
    let downFor = 0;
    try {
      stopMs = await service('kafka.sh', 'stop');
      const down = Date.now();
      await whileRunning(runP, sleep(OUTAGE_MS));
      downFor = Date.now() - down;
    } finally {
      startMs = await service('kafka.sh', 'start');
    }
    lines.push(`kafka stopped in ${stopMs} ms, down ${downFor} ms, started in ${startMs} ms`);
    await whileRunning(runP, sleep(3000));
    const w = await wl.stop();
    wl = null;
    const caughtUp = Date.now();
    await whileRunning(runP, waitForCheckpoint(s, 180_000));
    lines.push(`caught up ${Date.now() - caughtUp} ms after the workload stopped; workload ${w.batches} batches, ${w.errors} error(s)`);
    ac.abort();
    const sum = await runP;
    t.diagnostic(`broker down ${(downFor / 1000).toFixed(1)} s (stop ${stopMs} ms, start ${startMs} ms); ${sum.rows} row changes, ${sum.records} records, ${sum.transactions} transactions, ${sum.reconnects} binlog reconnect(s); ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
    t.diagnostic(lines.join('\n'));
    // the outage shows as a WARN line with its cause, and its end as another (not only as a growing lag)
    assert.ok(lines.some((l) => /Kafka does not accept records: .+; \d+ byte\(s\) in \d+ request\(s\) wait, retried every/.test(l)), 'a line says Kafka is unreachable, why, and what waits');
    assert.ok(lines.some((l) => /Kafka \(.+\) accepts records again after \d+ s/.test(l)), 'a line says Kafka is back');
    await converges(t, s, s.root, 'after the broker outage');
  } catch (e) {
    t.diagnostic(lines.join('\n'));
    throw e;
  } finally {
    ac.abort();
    await wl?.stop();
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end().catch(() => undefined);
  }
}

async function mysqlRestart(t: TestContext): Promise<void> {
  const svc = MYSQL;
  await requireService(svc);
  const s = await setUp(svc, 'mrst');
  s.root.on('error', () => undefined); // the restart closes it; a fresh one is used after
  let root: Connection = s.root;
  const lines: string[] = [];
  const ac = new AbortController();
  let wl: ReturnType<typeof backgroundWorkload> | null = null;
  const started = Date.now();
  try {
    const runP = runIncremental({
      job: s.job,
      model: s.model,
      partitions: s.partitions,
      checkpoint: s.checkpoint,
      store: s.store,
      log: (l) => lines.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${l}`),
      signal: ac.signal,
      retry: { initialMs: 200, maxMs: 2000 },
    });
    runP.catch(() => undefined);
    wl = backgroundWorkload(svc, s.db, 41, 10, 5);
    await whileRunning(runP, sleep(2000));
    let stopMs = 0;
    let startMs = 0;
    try {
      stopMs = await service('mysql.sh', 'stop');
    } finally {
      startMs = await service('mysql.sh', 'start');
    }
    lines.push(`mysql stopped in ${stopMs} ms, started in ${startMs} ms`);
    root = await rootConnection(svc, { charset: 'utf8mb4' });
    await whileRunning(runP, sleep(3000));
    const w = await wl.stop();
    wl = null;
    await whileRunning(runP, waitForCheckpoint({ ...s, root }, 120_000));
    ac.abort();
    const sum = await runP;
    t.diagnostic(`mysql down ${((stopMs + startMs) / 1000).toFixed(1)} s (stop ${stopMs} ms, start ${startMs} ms); workload ${w.batches} batches, ${w.errors} failed; ${sum.rows} row changes, ${sum.records} records, ${sum.reconnects} binlog reconnect(s); ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
    t.diagnostic(lines.join('\n'));
    assert.ok(sum.reconnects >= 1, 'the binlog connection was resumed');
    assert.ok(lines.some((l) => /MySQL unreachable: .+; reconnecting in \d+ ms from/.test(l)), 'a line says MySQL is unreachable and when sluice retries');
    assert.ok(lines.some((l) => /MySQL is reachable again: following the binlog from/.test(l)), 'a line says MySQL is back');
    await converges(t, s, root, 'after the MySQL restart');
  } catch (e) {
    t.diagnostic(lines.join('\n'));
    throw e;
  } finally {
    ac.abort();
    await wl?.stop();
    if (root === s.root) root = await rootConnection(svc, { charset: 'utf8mb4' }).catch(() => s.root);
    await root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await root.end().catch(() => undefined);
    if (root !== s.root) s.root.destroy();
  }
}

test(`outage: the Kafka broker stopped for ${OUTAGE_MS / 1000} s under load, then started; the same run continues and converges (mysql)`, { timeout: 300_000 + OUTAGE_MS }, (t) => kafkaOutage(t, MYSQL));
test('outage: MySQL restarted under load; the same run reconnects and converges', { timeout: 300_000 }, (t) => mysqlRestart(t));
