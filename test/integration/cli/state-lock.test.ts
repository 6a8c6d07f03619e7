// One `sluice run` per state directory (issue 15, finding 1): a second run on the same state refuses at once
// (exit 3, one sentence naming the holder) while the first goes on and the topic holds each row once; a lock
// whose process is gone is taken over; --break-lock takes a live one; `sluice status` works meanwhile.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Connection } from 'mysql2/promise';
import { rootConnection, requireService } from '../../support/db.js';
import { readCheckpoint, removeJobFiles, SLUICE_BIN, spawnSluice, topicSize, uniqueTopic, writeJobFile, type JobFile, type RunResult } from '../../support/sluice-cli.js';
import { MYSQL } from '../../support/services.js';

const svc = MYSQL;
const ROWS = 3000;
const db = `lk_lock_${randomUUID().slice(0, 8)}`;
let root: Connection;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(async () => {
  await requireService(svc);
  root = await rootConnection(svc, { multipleStatements: true });
  await root.query(`CREATE DATABASE ${db}; CREATE TABLE ${db}.items (id BIGINT PRIMARY KEY, name VARCHAR(64))`);
  await root.query(`INSERT INTO ${db}.items VALUES ${Array.from({ length: ROWS }, (_, i) => `(${i + 1}, 'item-${i + 1}')`).join(',')}`);
});

after(async () => {
  removeJobFiles();
  await root?.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
  root?.destroy();
});

function job(topic: string, snapshot: Record<string, number> = { parallelism: 2, chunkRows: 500 }): JobFile {
  return writeJobFile({ svc, topic, objects: [{ name: `${db}.items`, partitions: 2 }], partitioning: 'key-hash', snapshot, extra: { init: { schema: false, data: true } } });
}

/** Runs sluice to its end, killed (and failed) after `ms`. */
async function runBounded(args: string[], ms: number): Promise<RunResult & { elapsedMs: number }> {
  const started = Date.now();
  const { child, done } = spawnSluice(args);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const r = await done.finally(() => clearTimeout(timer));
  return { ...r, elapsedMs: Date.now() - started };
}

async function waitUntil(what: string, ok: () => boolean, ms: number): Promise<void> {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(100)) if (ok()) return;
  throw new Error(`${what} did not happen within ${ms} ms`);
}

function writeLock(stateDir: string, pid: number, renewedAgoMs = 0): void {
  mkdirSync(stateDir, { recursive: true });
  const at = new Date(Date.now() - renewedAgoMs).toISOString();
  writeFileSync(join(stateDir, 'lock.json'), JSON.stringify({ pid, host: hostname(), since: at, renewedAt: at, token: randomUUID() }));
}

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('a second sluice run on the same state exits 3 at once naming the holder; the first goes on, no row twice', { timeout: 120_000 }, async () => {
  const topic = uniqueTopic('lk-lock-two');
  // paced so the snapshot is still running when the second instance starts
  const j = job(topic, { parallelism: 2, chunkRows: 300, maxRowsPerSecond: 1000 });
  const first = spawnSluice(['run', j.path, '--skip-precheck']);
  const early = first.done.then((r) => {
    throw new Error(`the first sluice run exited early (${r.code ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  });
  early.catch(() => undefined);
  try {
    await Promise.race([waitUntil('the first run taking the lock', () => existsSync(join(j.stateDir, 'lock.json')), 20_000), early]);
    const lock = JSON.parse(readFileSync(join(j.stateDir, 'lock.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(lock.pid, first.child.pid);
    assert.deepEqual(Object.keys(lock).sort(), ['host', 'pid', 'renewedAt', 'since', 'token'], 'the lock holds who and when, nothing else');

    const second = await runBounded(['run', j.path, '--skip-precheck'], 30_000);
    assert.equal(second.code, 3, `second run: ${second.code ?? second.signal}\n${second.stdout}\n${second.stderr}`);
    assert.ok(second.elapsedMs < 10_000, `refused after ${second.elapsedMs} ms`);
    const line = second.stderr.trim();
    assert.match(line, new RegExp(`^sluice: The state directory .* is in use by another sluice run \\(pid ${first.child.pid} on host ${hostname()}, since \\S+\\): stop that process first, or if it is gone for good, run again with --break-lock\\.$`));

    // `sluice status` only reads: it works while the run holds the lock
    const status = await promisify(execFile)(process.execPath, [SLUICE_BIN, 'status', j.path, '--json']);
    assert.equal((JSON.parse(status.stdout) as { running: boolean }).running, true);

    await Promise.race([waitUntil('the snapshot finishing', () => readCheckpoint(j.stateDir)?.snapshot?.finished === true, 60_000), early]);
    await sleep(500);
    assert.ok(existsSync(join(j.stateDir, 'lock.json')), 'the lease is still held');
    first.child.kill('SIGTERM');
    const r = await first.done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(join(j.stateDir, 'lock.json')), false, 'released on a clean exit');
    assert.equal(await topicSize(topic), ROWS, 'each row once');
  } finally {
    first.child.kill('SIGKILL');
  }
});

test('a lock whose process is gone is taken over (log line), and released at the end', { timeout: 90_000 }, async () => {
  const topic = uniqueTopic('lk-lock-stale');
  const j = job(topic);
  const pid = deadPid();
  writeLock(j.stateDir, pid);
  const r = await runBounded(['run', j.path, '--skip-precheck', '--snapshot-only'], 60_000);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout + r.stderr, new RegExp(`taking over the stale lock on .* \\(pid ${pid} on host .*\\): its process ${pid} on .* is gone`));
  assert.equal(existsSync(join(j.stateDir, 'lock.json')), false);
  assert.equal(await topicSize(topic), ROWS);
});

test('a lock not renewed for over 30 s is taken over although its pid is alive', { timeout: 90_000 }, async () => {
  const topic = uniqueTopic('lk-lock-expired');
  const j = job(topic);
  writeLock(j.stateDir, process.pid, 45_000);
  const r = await runBounded(['run', j.path, '--skip-precheck', '--snapshot-only'], 60_000);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout + r.stderr, /taking over the stale lock on .*: it was last renewed 4\d s ago/);
  assert.equal(await topicSize(topic), ROWS);
});

test('a live lock refuses the run (exit 3); --break-lock takes it over and says so', { timeout: 90_000 }, async () => {
  const topic = uniqueTopic('lk-lock-break');
  const j = job(topic);
  writeLock(j.stateDir, process.pid);
  const refused = await runBounded(['run', j.path, '--skip-precheck', '--snapshot-only'], 30_000);
  assert.equal(refused.code, 3, `${refused.stdout}\n${refused.stderr}`);
  assert.match(refused.stderr, new RegExp(`in use by another sluice run \\(pid ${process.pid} on host`));
  assert.equal(refused.stderr.trim().split('\n').length, 1, 'one line');
  assert.equal(readCheckpoint(j.stateDir), null, 'the refused run did nothing');

  const r = await runBounded(['run', j.path, '--skip-precheck', '--snapshot-only', '--break-lock'], 60_000);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout + r.stderr, new RegExp(`--break-lock: taking over the lock on .* from pid ${process.pid} on host`));
  assert.equal(existsSync(join(j.stateDir, 'lock.json')), false);
  assert.equal(await topicSize(topic), ROWS);
});
