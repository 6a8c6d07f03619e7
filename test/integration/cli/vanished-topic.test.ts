// A topic deleted under a job (issue 15, finding 3): sluice never recreates a topic it wrote to, also with
// createTopics: true. Deleted while the job is stopped, the rerun exits 3 with the choice and leaves the topic
// absent; --resnapshot then fills a new topic completely. Deleted while the job runs, the job exits 3 with the
// same choice (not "does not exist and auto-creation is off"); deleted and created again within seconds while
// it runs (no write ever meets a missing topic), it exits 3 at its next write: Kafka places the batch before
// the end it acknowledged earlier.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, requireService } from '../../support/db.js';
import { kafkaClient, readCheckpoint, removeJobFiles, spawnSluice, topicSize, uniqueTopic, writeJobFile, type JobFile, type RunResult } from '../../support/sluice-cli.js';
import { MYSQL } from '../../support/services.js';
import { STATUS_FILE } from '../../../src/state/index.js';

const svc = MYSQL;
const ROWS = 2000;
const db = `lk_topic_${randomUUID().slice(0, 8)}`;
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

function job(topic: string, table = 'items'): JobFile {
  return writeJobFile({
    svc,
    topic,
    objects: [{ name: `${db}.${table}`, partitions: 2 }],
    partitioning: 'key-hash',
    snapshot: { parallelism: 2, chunkRows: 500 },
    extra: { init: { schema: false, data: true } },
  });
}

async function runBounded(args: string[], ms: number): Promise<RunResult> {
  const { child, done } = spawnSluice(args);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  return done.finally(() => clearTimeout(timer));
}

async function topics(): Promise<Set<string>> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    return new Set(await admin.listTopics());
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the topic and waits until the cluster no longer lists it. */
async function deleteTopic(topic: string): Promise<void> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic], timeout: 20_000 });
    for (const until = Date.now() + 20_000; Date.now() < until; await sleep(200)) if (!(await admin.listTopics()).includes(topic)) return;
    throw new Error(`topic ${topic} still listed 20 s after its deletion`);
  } finally {
    await admin.disconnect();
  }
}

/** Until the run follows the binlog (the status file says so; the checkpoint moves only once a change is acknowledged). */
async function untilFollowing(j: JobFile, run: ReturnType<typeof spawnSluice>): Promise<void> {
  const phase = (): string | undefined => {
    try {
      return (JSON.parse(readFileSync(join(j.stateDir, STATUS_FILE), 'utf8')) as { phase?: string }).phase;
    } catch {
      return undefined;
    }
  };
  for (const until = Date.now() + 60_000; phase() !== 'incremental'; await sleep(200)) {
    if (Date.now() > until) throw new Error('the job never reached the binlog phase');
    if (run.child.exitCode !== null) throw new Error(`sluice run exited early: ${(await run.done).stderr}`);
  }
}

const CHOICE = /restore the topic \(with every record the job wrote\), or start the job over into a new topic with 'sluice run <job> --resnapshot' \(schema, full snapshot, then the binlog\)\.$/;

test('a topic deleted while the job is stopped: the rerun exits 3 and does not recreate it; --resnapshot fills it again', { timeout: 150_000 }, async () => {
  const topic = uniqueTopic('lk-topic-stopped');
  const j = job(topic);
  const first = await runBounded(['run', j.path, '--skip-precheck', '--snapshot-only'], 60_000);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(await topicSize(topic), ROWS);

  await deleteTopic(topic);
  const rerun = await runBounded(['run', j.path, '--skip-precheck', '--snapshot-only'], 60_000);
  assert.equal(rerun.code, 3, `${rerun.code ?? rerun.signal}\n${rerun.stdout}\n${rerun.stderr}`);
  const acked = readCheckpoint(j.stateDir)?.topics?.[topic];
  assert.ok(acked, 'the checkpoint records what Kafka acknowledged on the topic');
  assert.equal(Object.values(acked).reduce((a, b) => a + b, 0n), BigInt(ROWS));
  const line = rerun.stderr.trim().split('\n').at(-1) ?? '';
  assert.match(line, new RegExp(`^sluice: Kafka topic '${topic}' was deleted after the job wrote to it \\(the checkpoint in .* records what Kafka acknowledged there\\): `));
  assert.match(line, CHOICE);
  assert.equal((await topics()).has(topic), false, 'the topic was not recreated');
  const before = readFileSync(join(j.stateDir, 'checkpoint.json'), 'utf8');

  const again = await runBounded(['run', j.path, '--skip-precheck', '--snapshot-only', '--resnapshot'], 60_000);
  assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
  const moved = /--resnapshot: the old checkpoint was moved to (\S+); starting the job over \(schema, full snapshot, then the binlog\)/.exec(again.stdout + again.stderr);
  assert.ok(moved, again.stdout + again.stderr);
  assert.equal(readFileSync(moved[1] as string, 'utf8'), before, 'the old checkpoint is kept aside, unchanged');
  assert.equal(await topicSize(topic), ROWS, 'the new topic holds every row');
  assert.equal(readCheckpoint(j.stateDir)?.snapshot?.finished, true);
});

test('a topic recreated (empty) while the job is stopped: the rerun exits 3 (offsets behind the checkpoint)', { timeout: 120_000 }, async () => {
  const topic = uniqueTopic('lk-topic-recreated');
  const j = job(topic);
  const first = await runBounded(['run', j.path, '--skip-precheck', '--snapshot-only'], 60_000);
  assert.equal(first.code, 0, first.stderr);
  await deleteTopic(topic);
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2, replicationFactor: -1 }] });
  } finally {
    await admin.disconnect();
  }
  const rerun = await runBounded(['run', j.path, '--skip-precheck', '--snapshot-only'], 60_000);
  assert.equal(rerun.code, 3, `${rerun.code ?? rerun.signal}\n${rerun.stdout}\n${rerun.stderr}`);
  const line = rerun.stderr.trim().split('\n').at(-1) ?? '';
  assert.match(line, new RegExp(`^sluice: Kafka topic '${topic}' was deleted and created again after the job wrote to it \\(partition \\d ends at offset 0, Kafka had acknowledged up to \\d+\\): `));
  assert.match(line, CHOICE);
  assert.equal(await topicSize(topic), 0, 'nothing was written to the new topic');
});

test('a topic deleted while the job runs: the job stops with exit 3 and the choice', { timeout: 120_000 }, async () => {
  const topic = uniqueTopic('lk-topic-running');
  const j = job(topic);
  const run = spawnSluice(['run', j.path, '--skip-precheck']);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 100_000);
  try {
    await untilFollowing(j, run);
    await deleteTopic(topic);
    // changes to write into the vanished topic, until the job stops
    let n = ROWS;
    const writer = (async () => {
      while (run.child.exitCode === null && n < ROWS + 2000) {
        await root.query(`INSERT INTO ${db}.items VALUES (${++n}, 'live')`).catch(() => undefined);
        await sleep(100);
      }
    })();
    const r = await run.done;
    await writer;
    assert.equal(r.code, 3, `${r.code ?? r.signal}\n${r.stdout}\n${r.stderr}`);
    const line = r.stderr.trim().split('\n').at(-1) ?? '';
    assert.match(line, new RegExp(`^sluice: Kafka topic '${topic}' was deleted while the job wrote to it: `));
    assert.match(line, CHOICE);
    assert.doesNotMatch(r.stderr, /auto-creation is off/);
  } finally {
    clearTimeout(timer);
    run.child.kill('SIGKILL');
  }
});

test('a topic deleted and created again within seconds while the job runs: the job stops with exit 3 at the next write', { timeout: 150_000 }, async () => {
  const topic = uniqueTopic('lk-topic-swapped');
  const j = job(topic);
  const run = spawnSluice(['run', j.path, '--skip-precheck']);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 130_000);
  try {
    await untilFollowing(j, run);
    // gone and back before the job writes again: no write of the job ever meets a missing topic
    await deleteTopic(topic);
    const admin = kafkaClient().admin();
    await admin.connect();
    try {
      for (const until = Date.now() + 30_000; ; await sleep(200)) {
        const made = await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2, replicationFactor: -1 }] }).catch(() => false);
        if (made) break;
        if (Date.now() > until) throw new Error(`topic ${topic} could not be created again`);
      }
    } finally {
      await admin.disconnect();
    }
    let n = ROWS + 10_000;
    const writer = (async () => {
      while (run.child.exitCode === null && n < ROWS + 12_000) {
        await root.query(`INSERT INTO ${db}.items VALUES (${++n}, 'after the swap')`).catch(() => undefined);
        await sleep(100);
      }
    })();
    const r = await run.done;
    await writer;
    assert.equal(r.code, 3, `${r.code ?? r.signal}\n${r.stdout}\n${r.stderr}`);
    const line = r.stderr.trim().split('\n').at(-1) ?? '';
    assert.match(line, new RegExp(`^sluice: Kafka topic '${topic}' was deleted and created again after the job wrote to it \\(partition \\d ends at offset \\d+, Kafka had acknowledged up to \\d+\\): `));
    assert.match(line, CHOICE);
    // the checkpoint kept what the old topic had acknowledged, so a rerun refuses too
    const rerun = await runBounded(['run', j.path, '--skip-precheck'], 60_000);
    assert.equal(rerun.code, 3, `${rerun.code ?? rerun.signal}\n${rerun.stderr}`);
  } finally {
    clearTimeout(timer);
    run.child.kill('SIGKILL');
  }
});
