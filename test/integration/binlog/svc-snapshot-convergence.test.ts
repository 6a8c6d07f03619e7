/**
 * Snapshot + binlog convergence on the sources added in issue 14 — the 5.7-shaped MySQL (GTID off,
 * binlog_row_metadata=MINIMAL) and MariaDB 11.8 — run the way a user runs it: `sluice run job.yaml` (precheck,
 * schema, a throttled snapshot while a random workload writes, then the binlog), more changes once it follows
 * the binlog, SIGTERM when its checkpoint has caught up. Replaying the topic by key (snapshot rows, then the
 * binlog changes in id order) reproduces the source tables value by value.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { lastIdBeforeBinlog } from '../../../src/state/record-ids.js';
import { emptyCheckpoint, updateCheckpoint } from '../../../src/state/checkpoint.js';
import { MARIADB118, MYSQL_MINIMAL, type DbService } from '../../support/services.js';
import { readCheckpoint, spawnSluice, uniqueTopic, writeJobFile, type RunResult } from '../../support/sluice-cli.js';
import { testJob } from '../../support/jobs.js';
import { requireService } from '../../support/db.js';
import { backgroundWorkload, createTables, differences, jobObjects, readRecords, replayRecords, sourceState, workload } from './binlog-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serverPosition(root: Connection, svc: DbService): Promise<{ file: string; pos: number }> {
  const [rows] = await root.query<RowDataPacket[]>(svc.flavor === 'mysql' ? 'SHOW BINARY LOG STATUS' : 'SHOW BINLOG STATUS');
  return { file: String(rows[0]?.File), pos: Number(rows[0]?.Position) };
}

async function snapshotConvergence(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const db = `svc_snapconv_${svc.name}`;
  const topic = uniqueTopic(`svc-snapconv-${svc.name}`);
  const root = await createTables(svc, db);
  const bg: { w: ReturnType<typeof backgroundWorkload> | null } = { w: null };
  let run: ReturnType<typeof spawnSluice> | null = null;
  const job = writeJobFile({ svc, topic, objects: jobObjects(db), partitioning: 'key-hash', snapshot: { chunkRows: 200, parallelism: 2, maxRowsPerSecond: 2000 } });
  try {
    await workload(root, db, 1401, 150);
    const values = Array.from({ length: 3000 }, (_, i) => `(${10_001 + i}, 'static', ${i}.25, ${i % 100}, REPEAT('s', ${i % 50}), '2024-01-01 00:00:00.${String(i).padStart(6, '0')}')`);
    await root.query(`INSERT INTO ${db}.acct VALUES ${values.join(', ')}`);

    bg.w = backgroundWorkload(svc, db, 1402, 10, 5);
    run = spawnSluice(['run', job.path]);
    let out = '';
    run.child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    for (const until = Date.now() + 90_000; !out.includes('following the binlog'); await sleep(100)) {
      const exited = await Promise.race([run.done, sleep(0).then(() => null)]);
      if (exited) throw new Error(`sluice run exited (${exited.code ?? exited.signal}) before following the binlog:\n${exited.stdout}\n${exited.stderr}`);
      if (Date.now() > until) throw new Error(`sluice run did not follow the binlog within 90 s:\n${out}`);
    }
    const wl = await bg.w.stop();
    bg.w = null;
    await workload(root, db, 1403, 150);

    const target = await serverPosition(root, svc);
    for (const until = Date.now() + 120_000; ; await sleep(200)) {
      const cp = readCheckpoint(job.stateDir);
      const b = cp?.binlog;
      if (b && (b.file > target.file || (b.file === target.file && b.pos >= target.pos))) break;
      if (Date.now() > until) throw new Error(`the checkpoint (${b ? `${b.file}:${b.pos}` : 'none'}) did not reach ${target.file}:${target.pos} in 120 s:\n${out}`);
    }
    run.child.kill('SIGTERM');
    const fin: RunResult = await run.done;
    assert.equal(fin.code, 0, `SIGTERM: exit 0\n${fin.stderr}`);

    const endCp = readCheckpoint(job.stateDir)!;
    assert.ok(endCp.snapshot?.finished, 'the snapshot finished');
    const firstBinlogId = Number(lastIdBeforeBinlog(updateCheckpoint(emptyCheckpoint('x'), { snapshot: endCp.snapshot })) + 1n);
    const recs = await readRecords({ job: testJob(svc, { objects: jobObjects(db), topic }), topic });
    const snapshotRecords = recs.filter((r) => r.op === 'INIT').length;
    const binlogRecords = recs.filter((r) => r.id >= firstBinlogId && r.op !== 'INIT').length;
    const replayed = replayRecords(recs, { orderFromId: firstBinlogId });
    const source = await sourceState({ root, db });
    const diffs = differences(replayed, source);
    t.diagnostic(`${svc.name}: ${snapshotRecords} snapshot + ${binlogRecords} binlog records (${replayed.duplicates} resent); workload during the snapshot ${wl.batches} batches, ${wl.errors} error(s); source rows ${[...source.values()].reduce((n, m) => n + m.size, 0)}`);
    assert.ok(snapshotRecords >= 3000, 'the snapshot delivered the loaded rows');
    assert.ok(binlogRecords > 100, 'the binlog phase delivered the workload');
    assert.deepEqual(replayed.orderViolations.slice(0, 20), [], 'binlog ids increase within each partition');
    assert.deepEqual(diffs.slice(0, 20), [], `replaying the topic reproduces the source (${diffs.length} difference(s))`);
  } finally {
    if (run && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await bg.w?.stop();
    await root.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    await root.end().catch(() => undefined);
    await rm(job.dir, { recursive: true, force: true });
  }
}

for (const svc of [MYSQL_MINIMAL, MARIADB118]) {
  test(`snapshot + binlog convergence on ${svc.name}: sluice run under a random workload, then replaying the topic by key reproduces the source`, { timeout: 300_000 }, (t) => snapshotConvergence(t, svc));
}
