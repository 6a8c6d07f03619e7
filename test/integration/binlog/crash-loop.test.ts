/**
 * Issue 6, "Crash loop": `sluice run job.yaml` (schema, snapshot, then the binlog) as a child process is
 * killed with SIGKILL at seeded random moments while a random workload (single and multi-row statements,
 * multi-statement and rolled-back transactions, key updates, a filtered table) keeps writing, and started
 * again, SLUICE_CRASH_LOOP times (default 3; `npm run soak` does 20): the kills cycle through a
 * random moment just after a snapshot chunk was checkpointed (while the throttled snapshot lasts), a random
 * moment after the run logged that it follows the binlog, and a random moment after the start. At the end it catches up and is
 * stopped with SIGTERM (exit 0). Then, from the topic:
 * - replaying it by key in id order reproduces the source tables value by value (nothing committed is lost);
 * - each run wrote each partition's binlog records in increasing id order, and the first copies of all
 *   binlog ids increase per partition (order per key);
 * - every binlog record sent twice is the same record (key, partition, value bytes apart from the
 *   readerThroughoutTime tag, which is the time it was read);
 * - a run never resent what the checkpoint it started from covered: binlog ids above the checkpoint's lastId,
 *   snapshot records only of chunks the checkpoint did not list as done (duplicates only after the checkpoint);
 * - a reference run (in-process, never killed) over the same binlog range into another topic yields exactly
 *   the same set of binlog records: no change lost, none invented, ids identical.
 * Env: SLUICE_CRASH_LOOP (kills), SLUICE_CRASH_SEED (seed).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import { decodeRecordRaw, type RawJson } from '../../../src/format/dts-avro/index.js';
import { lastIdBeforeBinlog } from '../../../src/state/record-ids.js';
import { runIncremental } from '../../../src/pipeline/job/run-incremental.js';
import { readSourceModel } from '../../../src/pipeline/job/source-model.js';
import { kafkaClient as sluiceKafkaClient } from '../../../src/sink/kafka/client.js';
import { ensureTopics } from '../../../src/sink/kafka/topics.js';
import { captureBinlogPosition } from '../../../src/source/binlog/capture-position.js';
import { openConnection } from '../../../src/source/mysql/connect.js';
import { IDS_PER_CHUNK } from '../../../src/source/snapshot/chunk.js';
import { emptyCheckpoint, updateCheckpoint, type Checkpoint } from '../../../src/state/checkpoint.js';
import { CheckpointStore } from '../../../src/state/checkpoint-store.js';
import { testJob } from '../../support/jobs.js';
import { DATABASES, MARIADB118, MYSQL_MINIMAL, type DbService } from '../../support/services.js';
import { kafkaClient, readCheckpoint, spawnSluice, uniqueTopic, writeJobFile, type RunResult } from '../../support/sluice-cli.js';
import { Rng } from '../transform/random.js';
import {
  backgroundWorkload,
  createTables,
  differences,
  jobObjects,
  readRecords,
  replayRecords,
  sourceState,
  waitForCheckpoint,
  workload,
  type TopicRecordRead,
} from './binlog-harness.js';
import { requireService } from '../../support/db.js';

const KILLS = Number(process.env.SLUICE_CRASH_LOOP ?? 3);
const SEED = Number(process.env.SLUICE_CRASH_SEED ?? 6_2024);
const BINLOG_OPS = new Set(['INSERT', 'UPDATE', 'DELETE']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cmpPos(a: { file: string; pos: number }, b: { file: string; pos: number }): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.pos - b.pos;
}

/** End offsets per partition (empty while the topic does not exist yet). */
async function endOffsets(topic: string): Promise<Map<number, bigint>> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return new Map();
    return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** The record as Avro value, without the time it was read (the one field a resend may change). */
function comparable(value: Buffer): string {
  const raw = decodeRecordRaw(value) as { [k: string]: RawJson };
  const tags = raw.tags as { [k: string]: RawJson } | null;
  if (tags && typeof tags === 'object') delete tags.readerThroughoutTime;
  return JSON.stringify(raw);
}

function describeCheckpoint(cp: Checkpoint | null): string {
  if (!cp) return 'no checkpoint';
  if (cp.binlog) return `binlog ${cp.binlog.file}:${cp.binlog.pos} lastId ${cp.lastId}`;
  if (cp.snapshot) return `snapshot ${cp.snapshot.done.filter((d) => !d.startsWith('#')).length}/${cp.snapshot.chunks.length} chunk(s)${cp.snapshot.finished ? ' finished' : ''}`;
  return 'empty';
}

async function crashLoop(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const started = Date.now();
  const rng = new Rng(SEED);
  const db = `cl_${svc.name}`;
  const topic = uniqueTopic(`sluice-crash-${svc.name}`);
  const refTopic = `${topic}-ref`;
  const root: Connection = await createTables(svc, db);
  const bg: { w: ReturnType<typeof backgroundWorkload> | null } = { w: null };
  const children: Array<ReturnType<typeof spawnSluice>> = [];
  const logs: string[] = [];
  const ac = new AbortController();
  const dirs: string[] = [];
  try {
    // rows for the snapshot (2000 of them outside the workload's keys: several chunks), then a job whose
    // snapshot is throttled to last a few seconds: the first kills land in it, with some chunks done
    await workload(root, db, SEED, 150);
    const values = Array.from({ length: 2000 }, (_, i) => `(${10_001 + i}, 'static', ${i}.25, ${i % 100}, REPEAT('s', ${i % 50}), '2024-01-01 00:00:00.${String(i).padStart(6, '0')}')`);
    await root.query(`INSERT INTO ${db}.acct VALUES ${values.join(', ')}`);
    const jobFile = writeJobFile({ svc, topic, objects: jobObjects(db), partitioning: 'key-hash', snapshot: { chunkRows: 100, parallelism: 2, maxRowsPerSecond: 1000 } });
    dirs.push(jobFile.dir);
    bg.w = backgroundWorkload(svc, db, SEED + 1000, 10, 5);

    const startCps: Array<Checkpoint | null> = [];
    const killOffsets: Array<Map<number, bigint>> = [];
    const killPhases: string[] = [];
    const run = (): ReturnType<typeof spawnSluice> => {
      const c = spawnSluice(['run', jobFile.path, '--skip-precheck']);
      children.push(c);
      return c;
    };
    for (let k = 0; k < KILLS; k++) {
      startCps.push(readCheckpoint(jobFile.stateDir));
      const c = run();
      // kills cycle through three kinds of moment: 0 — while the snapshot runs, a random moment after the
      // checkpoint lists one more finished chunk (if the snapshot is still unfinished); 1 — a random moment
      // after the run logged that it follows the binlog; 2 — a random moment after the start
      const mode = k % 3;
      const following = new Promise<void>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`run ${k} did not log 'following the binlog' within 60 s`)), 60_000);
        c.child.stderr?.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('following the binlog')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      following.catch(() => undefined);
      const chunksDone = (cp: Checkpoint | null) => cp?.snapshot?.done.filter((d) => !d.startsWith('#')).length ?? 0;
      const snapshotProgress = async (): Promise<void> => {
        const before = readCheckpoint(jobFile.stateDir);
        if (before?.snapshot?.finished) return;
        for (const until = Date.now() + 60_000; Date.now() < until; await sleep(20)) {
          const cp = readCheckpoint(jobFile.stateDir);
          if (cp?.snapshot && (cp.snapshot.finished || chunksDone(cp) > chunksDone(before))) return;
        }
      };
      const delay = mode === 0 ? rng.int(0, 500) : mode === 1 ? rng.int(200, 3000) : rng.int(500, 4500);
      const moment = mode === 0 ? snapshotProgress() : mode === 1 ? following : Promise.resolve();
      const when = [readCheckpoint(jobFile.stateDir)?.snapshot?.finished ? 'the start (snapshot finished)' : 'a snapshot chunk was checkpointed', 'following the binlog', 'the start'][mode];
      const early = await Promise.race([c.done, moment.then(() => sleep(delay)).then(() => null)]);
      if (early) throw new Error(`run ${k} exited by itself (${early.code ?? early.signal}) before the kill:\n${early.stdout}\n${early.stderr}`);
      c.child.kill('SIGKILL');
      const r = await c.done;
      assert.equal(r.signal, 'SIGKILL');
      // a Produce request the broker was already handling is appended just after the kill
      await sleep(300);
      killOffsets.push(await endOffsets(topic));
      const cp = readCheckpoint(jobFile.stateDir);
      const startCp = startCps[k] ?? null;
      const moved = cp?.binlog && !(startCp?.binlog && cmpPos(cp.binlog, startCp.binlog) === 0);
      killPhases.push(!cp?.snapshot ? 'start' : !cp.snapshot.finished ? 'snapshot' : moved ? 'binlog' : 'binlog before its first checkpoint');
      logs.push(`kill ${k + 1} ${delay} ms after ${when}: ${describeCheckpoint(cp)}`);
    }
    const wl = await bg.w.stop();
    bg.w = null;
    logs.push(`workload: ${wl.batches} batches of 10 steps, ${wl.errors} error(s)`);

    // the last run catches up and is stopped with SIGTERM
    startCps.push(readCheckpoint(jobFile.stateDir));
    const final = run();
    const refJob = testJob(svc, { objects: jobObjects(db), topic: refTopic, target: { createTopics: true }, extra: { partitioning: 'key-hash', state: { dir: await mkdtemp(join(tmpdir(), 'sluice-crash-ref-')) } } });
    dirs.push(refJob.state.dir);
    const conn = await openConnection(refJob.source);
    const model = await readSourceModel(conn, refJob).finally(() => conn.destroy());
    const target = await captureBinlogPosition(root, model.dialect);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const cp = readCheckpoint(jobFile.stateDir);
      if (cp?.binlog && cmpPos(cp.binlog, target) >= 0) break;
      if (Date.now() > deadline) throw new Error(`the last run did not catch up within 120 s (${describeCheckpoint(cp)}, server at ${target.file}:${target.pos})`);
      const exited = await Promise.race([final.done, sleep(200).then(() => null)]);
      if (exited) throw new Error(`the last run exited (${exited.code ?? exited.signal}) before catching up:\n${exited.stdout}\n${exited.stderr}`);
    }
    final.child.kill('SIGTERM');
    const fin: RunResult = await Promise.race([final.done, sleep(30_000).then(() => ({ code: -1, signal: null, stdout: '', stderr: 'no exit 30 s after SIGTERM' }) as RunResult)]);
    if (fin.code === -1) final.child.kill('SIGKILL');
    assert.equal(fin.code, 0, `SIGTERM: exit 0\n${fin.stdout}\n${fin.stderr}`);
    const endCp = readCheckpoint(jobFile.stateDir) as Checkpoint;
    assert.ok(endCp.snapshot?.finished && endCp.binlog, 'the last run finished the snapshot and checkpointed the binlog');

    // --- the topic -----------------------------------------------------------------------------------
    const recs = await readRecords({ job: refJob, topic });
    const epochOf = (r: TopicRecordRead): number => {
      for (let k = 0; k < killOffsets.length; k++) if (r.offset < ((killOffsets[k] as Map<number, bigint>).get(r.partition) ?? 0n)) return k;
      return killOffsets.length;
    };
    const chunks = endCp.snapshot!.chunks;
    const chunkOf = (id: number): string | null => {
      for (const c of chunks) if (BigInt(id) >= c.firstId && BigInt(id) < c.firstId + BigInt(IDS_PER_CHUNK)) return c.chunk;
      return null;
    };
    const firstBinlogId = Number(lastIdBeforeBinlog(updateCheckpoint(emptyCheckpoint('x'), { snapshot: endCp.snapshot })) + 1n);
    const problems: string[] = [];
    const byId = new Map<number, { rec: TopicRecordRead; comparable: string; copies: number }>();
    const lastInEpoch = new Map<string, number>();
    let binlogRecords = 0;
    let binlogDuplicates = 0;
    let snapshotRecords = 0;
    const snapshotIds = new Map<number, number>();
    for (const r of recs) {
      const e = epochOf(r);
      const startCp = startCps[e] ?? null;
      if (r.op === 'INIT') {
        snapshotRecords++;
        snapshotIds.set(r.id, (snapshotIds.get(r.id) ?? 0) + 1);
        const chunk = chunkOf(r.id);
        if (chunk === null) problems.push(`snapshot record id ${r.id} is in no planned chunk`);
        else if (startCp?.snapshot?.done.includes(chunk)) problems.push(`run ${e} resent snapshot chunk ${chunk} its checkpoint listed as done`);
        continue;
      }
      if (!BINLOG_OPS.has(r.op)) continue;
      binlogRecords++;
      if (r.id < firstBinlogId) problems.push(`binlog record id ${r.id} below the first binlog id ${firstBinlogId}`);
      if (startCp?.binlog && BigInt(r.id) <= startCp.lastId) problems.push(`run ${e} resent binlog id ${r.id}, at or below its checkpoint's lastId ${startCp.lastId}`);
      const pk = `${e}/${r.partition}`;
      if (r.id <= (lastInEpoch.get(pk) ?? -1)) problems.push(`run ${e}, partition ${r.partition}: id ${r.id} after ${lastInEpoch.get(pk)}`);
      lastInEpoch.set(pk, r.id);
      const c = comparable(r.value);
      const seen = byId.get(r.id);
      if (!seen) byId.set(r.id, { rec: r, comparable: c, copies: 1 });
      else {
        seen.copies++;
        binlogDuplicates++;
        if (seen.comparable !== c || seen.rec.partition !== r.partition || !(seen.rec.key ?? Buffer.alloc(0)).equals(r.key ?? Buffer.alloc(0))) problems.push(`binlog id ${r.id} sent twice with different contents`);
      }
    }
    const replayed = replayRecords(recs, { orderFromId: firstBinlogId });
    const diffs = differences(replayed, await sourceState({ root, db }));

    // --- the reference: one uninterrupted run over the same binlog range -------------------------------------
    const admin = sluiceKafkaClient(refJob.target, { clientIdSuffix: 'admin' }).admin();
    await admin.connect();
    const partitions = await ensureTopics(admin, new Map([[refTopic, 3]]), true).finally(() => admin.disconnect());
    const store = new CheckpointStore(refJob.state.dir);
    const refCp = updateCheckpoint(emptyCheckpoint(refJob.name), { snapshot: endCp.snapshot });
    await store.save(refCp);
    const refRun = runIncremental({ job: refJob, model, partitions, checkpoint: refCp, store, log: (l) => logs.push(`ref: ${l}`), signal: ac.signal });
    await waitForCheckpoint({ root, model, store }, 120_000);
    ac.abort();
    await refRun;
    const refRecs = (await readRecords({ job: refJob, topic: refTopic })).filter((r) => BINLOG_OPS.has(r.op));
    const refIds = new Set<number>();
    for (const r of refRecs) {
      refIds.add(r.id);
      const got = byId.get(r.id);
      if (!got) problems.push(`binlog id ${r.id} (${r.op} ${r.table}) of the reference run is missing from the crash-loop topic`);
      else if (got.comparable !== comparable(r.value) || got.rec.partition !== r.partition) problems.push(`binlog id ${r.id} differs from the reference run's record`);
    }
    for (const id of byId.keys()) if (!refIds.has(id)) problems.push(`binlog id ${id} is not in the reference run`);

    const snapDup = [...snapshotIds.values()].reduce((n, c) => n + c - 1, 0);
    const phases = ['start', 'snapshot', 'binlog before its first checkpoint', 'binlog'].map((p) => `${killPhases.filter((x) => x === p).length} in ${p}`).join(', ');
    t.diagnostic(
      `${svc.name}: ${KILLS} kill(s) (${phases}); ${recs.length} records: ${snapshotRecords} snapshot (${snapDup} resent), ${binlogRecords} binlog (${byId.size} distinct, ${binlogDuplicates} resent), reference ${refRecs.length}; ` +
        `source rows ${[...(await sourceState({ root, db })).values()].reduce((n, m) => n + m.size, 0)}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    t.diagnostic(logs.filter((l) => !l.startsWith('ref: ')).join('\n'));
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problem(s)`);
    assert.deepEqual(replayed.orderViolations.slice(0, 20), [], 'first copies of binlog ids increase within each partition');
    assert.deepEqual(diffs.slice(0, 20), [], `replaying the topic reproduces the source (${diffs.length} difference(s))`);
    assert.equal(refRecs.length, byId.size, 'as many distinct binlog records as the reference run wrote');
    assert.ok(byId.size > 100, 'the workload made binlog records');
  } catch (e) {
    t.diagnostic(logs.join('\n'));
    for (const [i, c] of children.entries()) {
      const r = await Promise.race([c.done, sleep(0).then(() => null)]);
      if (r && i === children.length - 1) t.diagnostic(`last run output:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
    }
    throw e;
  } finally {
    ac.abort();
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await bg.w?.stop();
    await root.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    await root.end().catch(() => undefined);
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}

for (const svc of [...DATABASES, MARIADB118, MYSQL_MINIMAL]) {
  test(`crash loop on ${svc.name}: ${KILLS} SIGKILLs of sluice run under a random workload; nothing lost, order per key, resends only after the checkpoint and identical`, { timeout: 120_000 + KILLS * 15_000 }, (t) => crashLoop(t, svc));
}
