/**
 * Issue 15, finding 4: SIGTERM while Kafka is down waited forever and a second signal was ignored. The broker
 * is frozen (SIGSTOP, so it accepts nothing and answers nothing, as a broker behind a dead link) while a
 * `sluice run` has changes to send; then
 *   - one SIGTERM: sluice exits 1 within shutdown.timeoutMs (3 s here) plus a margin, in one line naming what
 *     was not acknowledged and where the checkpoint stays;
 *   - SIGTERM twice: the second exits at once, in one line.
 * Once the broker runs again, a rerun sends everything: replaying the topic by key equals the source.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { decodeRecord } from '../../../src/format/dts-avro/index.js';
import { rootConnection, requireService } from '../../support/db.js';
import { readWholeTopic, removeJobFiles, spawnSluice, uniqueTopic, writeJobFile, type JobFile } from '../../support/sluice-cli.js';
import { MYSQL } from '../../support/services.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const svc = MYSQL;

function brokerPid(): number {
  const run = process.env.SLUICE_RUN ?? join(homedir(), '.cache', 'sluice', 'run');
  const pid = Number(readFileSync(join(run, 'kafka', 'kafka.pid'), 'utf8').trim());
  assert.ok(pid > 0, 'the test broker runs');
  return pid;
}

/** Freezes the broker for the body; it always runs again afterwards. */
async function withFrozenBroker<T>(body: () => Promise<T>): Promise<T> {
  const pid = brokerPid();
  process.kill(pid, 'SIGSTOP');
  try {
    return await body();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

after(() => removeJobFiles());

/**
 * The phase the job's status file shows for process `pid` (null while there is none, it is being replaced,
 * or it is still the previous run's: a run that exited at once leaves its last phase behind).
 */
function phase(job: JobFile, pid: number | undefined): string | null {
  try {
    const s = JSON.parse(readFileSync(join(job.stateDir, 'status.json'), 'utf8')) as { phase?: string; pid?: number };
    return s.pid === pid ? (s.phase ?? null) : null;
  } catch {
    return null;
  }
}

async function following(job: JobFile, run: ReturnType<typeof spawnSluice>): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (phase(job, run.child.pid) === 'incremental') return;
    const exited = await Promise.race([run.done.then(() => true), sleep(200).then(() => false)]);
    if (exited) throw new Error(`sluice run exited early:\n${(await run.done).stderr}`);
  }
  run.child.kill('SIGKILL');
  throw new Error(`sluice run did not reach the binlog phase within 60 s:\n${(await run.done).stderr}`);
}

test('SIGTERM while Kafka is down: the wait is bounded, a second SIGTERM exits at once, and a rerun sends everything', { timeout: 240_000 }, async () => {
  await requireService(svc);
  const db = `sig_${Math.random().toString(36).slice(2, 8)}`;
  const root = await rootConnection(svc, { multipleStatements: true });
  const topic = uniqueTopic('sluice-sig');
  try {
    await root.query(`DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db}; CREATE TABLE ${db}.t (id INT PRIMARY KEY, v VARCHAR(20))`);
    await root.query(`INSERT INTO ${db}.t VALUES ${Array.from({ length: 50 }, (_, i) => `(${i + 1}, 'v${i + 1}')`).join(',')}`);
    await root.query(`GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'@'%'`);
    const job = writeJobFile({ svc, topic, objects: [{ name: `${db}.t` }], partitioning: 'key-hash', extra: { shutdown: { timeoutMs: 3000 } } });
    let next = 1000;
    const write = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++, next++) await root.query(`INSERT INTO ${db}.t VALUES (${next}, 'live')`);
    };

    for (const signals of [1, 2]) {
      const run = spawnSluice(['run', job.path, '--skip-precheck']);
      try {
        await following(job, run);
        await write(20);
        await sleep(1500);
        const r = await withFrozenBroker(async () => {
          await write(20); // changes Kafka cannot acknowledge now
          await sleep(1000);
          const t0 = Date.now();
          run.child.kill('SIGTERM');
          if (signals === 2) {
            await sleep(300);
            run.child.kill('SIGTERM');
          }
          const bound = signals === 2 ? 5_000 : 3_000 + 10_000;
          const res = await Promise.race([run.done, sleep(bound + 20_000).then(() => null)]);
          assert.ok(res, `sluice run did not exit within ${bound + 20_000} ms of SIGTERM while Kafka was down`);
          return { ...res, ms: Date.now() - t0, bound };
        });
        assert.ok(r.ms < r.bound, `exited after ${r.ms} ms (bound ${r.bound} ms)`);
        assert.equal(r.code, 1, r.stderr);
        const last = r.stderr.trim().split('\n').pop() ?? '';
        if (signals === 2) assert.match(last, /^sluice: second SIGTERM: exiting at once without waiting for Kafka \(.*\); the checkpoint stays at .+, and the next run sends what came after it again\.$/);
        else assert.match(last, /^sluice: Kafka did not acknowledge everything within 3 s of SIGTERM \(.*\), so sluice exits without it; the checkpoint stays at .+/);
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      } finally {
        run.child.kill('SIGKILL');
      }
    }

    // the broker runs again: a rerun sends everything the two stops left unacknowledged
    const rerun = spawnSluice(['run', job.path, '--skip-precheck']);
    try {
      await following(job, rerun);
      const [[{ n }]] = (await root.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${db}.t`)) as unknown as [[{ n: number }]];
      const until = Date.now() + 60_000;
      let keys = new Set<string>();
      while (Date.now() < until) {
        keys = new Set((await readWholeTopic(topic)).map((m) => decodeRecord(m.value)).filter((d) => d.after?.id !== undefined).map((d) => String(d.after?.id)));
        if (keys.size >= Number(n)) break;
        await sleep(1000);
      }
      assert.equal(keys.size, Number(n), 'every source row is in the topic after the rerun');
      rerun.child.kill('SIGTERM');
      assert.equal((await rerun.done).code, 0);
    } finally {
      rerun.child.kill('SIGKILL');
    }
  } finally {
    await root.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    await root.end();
  }
});
