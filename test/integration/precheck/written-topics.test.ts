// Precheck and the topics the job's checkpoint says it wrote to (issue 15): a missing topic used to PASS as
// "missing; sluice will create it (target.createTopics: true)" although `sluice run` then refuses to recreate a
// topic it wrote to (exit 3). Now precheck FAILs with run's own sentence, for a deleted topic and for one
// created again (its partitions end before what Kafka acknowledged), creates nothing (no topic, no state
// directory, no file), and `sluice run --resnapshot` is not held back by it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import type { PrecheckReport } from '../../../src/precheck/run-precheck.js';
import { rootConnection, requireService } from '../../support/db.js';
import { kafkaClient, removeJobFiles, spawnSluice, topicSize, uniqueTopic, writeJobFile, type RunResult } from '../../support/sluice-cli.js';
import { MYSQL } from '../../support/services.js';

const svc = MYSQL;
const ROWS = 40;
const db = `btf_pc_${randomUUID().slice(0, 8)}`;
let root: Connection;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(async () => {
  await requireService(svc);
  root = await rootConnection(svc, { multipleStatements: true });
  await root.query(`CREATE DATABASE ${db}; CREATE TABLE ${db}.t (id INT PRIMARY KEY, v VARCHAR(20))`);
  await root.query(`INSERT INTO ${db}.t VALUES ${Array.from({ length: ROWS }, (_, i) => `(${i + 1}, 'v${i + 1}')`).join(',')}`);
  await root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'@'%'`);
});

after(async () => {
  removeJobFiles();
  await root?.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
  root?.destroy();
});

async function sluice(args: string[], ms = 60_000): Promise<RunResult> {
  const { child, done } = spawnSluice(args);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  return done.finally(() => clearTimeout(timer));
}

async function precheck(path: string): Promise<{ code: number | null; report: PrecheckReport; stderr: string }> {
  const r = await sluice(['precheck', path, '--json']);
  return { code: r.code, report: JSON.parse(r.stdout) as PrecheckReport, stderr: r.stderr };
}

async function admin<T>(body: (a: ReturnType<ReturnType<typeof kafkaClient>['admin']>) => Promise<T>): Promise<T> {
  const a = kafkaClient().admin();
  await a.connect();
  try {
    return await body(a);
  } finally {
    await a.disconnect();
  }
}

async function deleteTopic(topic: string): Promise<void> {
  await admin(async (a) => {
    await a.deleteTopics({ topics: [topic], timeout: 20_000 });
    for (const until = Date.now() + 20_000; Date.now() < until; await sleep(200)) if (!(await a.listTopics()).includes(topic)) return;
    throw new Error(`topic ${topic} still listed 20 s after its deletion`);
  });
}

const hasTopic = (topic: string): Promise<boolean> => admin(async (a) => (await a.listTopics()).includes(topic));

/** Every file of the state directory with its content, to show precheck changed nothing. */
function stateFiles(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).filter((f) => f !== 'status.json').sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

test('precheck FAILs, with run\'s sentence, for a topic the checkpoint wrote to that was deleted or created again; it creates nothing; --resnapshot still runs', { timeout: 180_000 }, async () => {
  const topic = uniqueTopic('btf-pc');
  const job = writeJobFile({ svc, topic, objects: [{ name: `${db}.t`, partitions: 2 }], partitioning: 'key-hash', extra: { init: { schema: false, data: true } } });

  // before the first run: no checkpoint, the topic may be created; precheck does not even make the state dir
  let pc = await precheck(job.path);
  assert.equal(pc.code, 0, JSON.stringify(pc.report.checks.filter((c) => c.status === 'FAIL')));
  assert.match(pc.report.checks.find((c) => c.id === `target.topic.${topic}`)?.detail ?? '', /missing; sluice will create it/);
  assert.equal(existsSync(job.stateDir), false, 'precheck created the state directory');
  assert.equal(await hasTopic(topic), false, 'precheck created the topic');

  const first = await sluice(['run', job.path, '--snapshot-only']);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(await topicSize(topic), ROWS);
  pc = await precheck(job.path);
  assert.equal(pc.code, 0, JSON.stringify(pc.report.checks.filter((c) => c.status === 'FAIL')));

  // deleted: FAIL with run's sentence, not "will create it"
  await deleteTopic(topic);
  const files = stateFiles(job.stateDir);
  pc = await precheck(job.path);
  assert.equal(pc.code, 1, JSON.stringify(pc.report.checks));
  const deleted = pc.report.checks.find((c) => c.id === `target.topic.${topic}`);
  assert.equal(deleted?.status, 'FAIL', JSON.stringify(deleted));
  assert.match(deleted?.detail ?? '', new RegExp(`^Kafka topic '${topic}' was deleted after the job wrote to it \\(the checkpoint in .* records what Kafka acknowledged there\\): restore the topic .*'sluice run <job> --resnapshot'`));
  const run = await sluice(['run', job.path, '--skip-precheck', '--snapshot-only']);
  assert.equal(run.code, 3, run.stderr);
  assert.equal(run.stderr.trim().split('\n').at(-1), `sluice: ${deleted?.detail}`, 'precheck says what run says');
  const gated = await sluice(['run', job.path, '--snapshot-only']);
  assert.equal(gated.code, 1, gated.stderr);
  assert.match(gated.stdout, /was deleted after the job wrote to it/);
  assert.equal(await hasTopic(topic), false, 'precheck (or run) created the topic again');
  assert.deepEqual(stateFiles(job.stateDir), files, 'precheck changed the state directory');

  // created again, empty: its partitions end before what Kafka acknowledged
  await admin((a) => a.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2, replicationFactor: -1 }] }));
  pc = await precheck(job.path);
  assert.equal(pc.code, 1, JSON.stringify(pc.report.checks));
  const recreated = pc.report.checks.find((c) => c.id === `target.topic.${topic}`);
  assert.equal(recreated?.status, 'FAIL', JSON.stringify(recreated));
  assert.match(recreated?.detail ?? '', new RegExp(`^Kafka topic '${topic}' was deleted and created again after the job wrote to it \\(partition \\d ends at offset 0, Kafka had acknowledged up to \\d+\\)`));
  assert.equal(await topicSize(topic), 0, 'precheck wrote nothing');

  // --resnapshot runs precheck too, but the checkpoint it sets aside does not count
  const again = await sluice(['run', job.path, '--snapshot-only', '--resnapshot']);
  assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
  assert.equal(await topicSize(topic), ROWS, 'the re-snapshot filled the new topic');
  pc = await precheck(job.path);
  assert.equal(pc.code, 0, JSON.stringify(pc.report.checks.filter((c) => c.status === 'FAIL')));
});

test('precheck FAILs on an unusable checkpoint file with the sentence run gives', { timeout: 60_000 }, async () => {
  const topic = uniqueTopic('btf-pc-torn');
  const job = writeJobFile({ svc, topic, objects: [{ name: `${db}.t` }], partitioning: 'key-hash' });
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(job.stateDir, { recursive: true });
  writeFileSync(join(job.stateDir, 'checkpoint.json'), '{"version":1,"job":"x","sav');
  const pc = await precheck(job.path);
  assert.equal(pc.code, 1);
  const c = pc.report.checks.find((x) => x.id === 'state.checkpoint');
  assert.equal(c?.status, 'FAIL', JSON.stringify(pc.report.checks));
  assert.match(c?.detail ?? '', /^The checkpoint file .*checkpoint\.json is unusable \(not valid JSON/);
  const run = await sluice(['run', job.path, '--skip-precheck']);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stderr.trim().split('\n').at(-1), `sluice: ${c?.detail}`);
});
