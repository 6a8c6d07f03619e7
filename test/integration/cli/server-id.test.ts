// Issue 15, finding 2: two jobs on one source must not share a server id. A running job is listed as a
// replica (SHOW REPLICAS / SHOW SLAVE HOSTS) under its id and report host; a job without serverId gets an id
// derived from its name; precheck FAILs for an id a running job holds; and when a second job with the same
// id connects anyway, the older one stops with exit 3 and the "server id in use" sentence (not "purged").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { RowDataPacket } from 'mysql2/promise';
import { parse, stringify } from 'yaml';
import { derivedServerId } from '../../../src/config/job-name.js';
import { runPrecheck } from '../../../src/precheck/run-precheck.js';
import { asRoot, rootConnection, requireService } from '../../support/db.js';
import { testJob } from '../../support/jobs.js';
import { removeJobFiles, spawnSluice, uniqueTopic, writeJobFile, type JobFile, type RunResult } from '../../support/sluice-cli.js';
import { MARIADB, MYSQL, type DbService } from '../../support/services.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const suffix = randomBytes(3).toString('hex');

interface Running {
  child: ChildProcess;
  done: Promise<RunResult>;
}
const running: Running[] = [];

function start(job: JobFile, ...flags: string[]): Running {
  const r = spawnSluice(['run', job.path, ...flags]);
  running.push(r);
  return r;
}

async function stopAll(): Promise<void> {
  await Promise.all(
    running.splice(0).map(async (r) => {
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
      const t = setTimeout(() => r.child.kill('SIGKILL'), 15_000);
      await r.done.finally(() => clearTimeout(t));
    }),
  );
}

/** A job file with the given name and, unless undefined, an explicit serverId (else the derived one). */
function jobFile(svc: DbService, db: string, topic: string, name: string, serverId: number | undefined): JobFile {
  const job = writeJobFile({ svc, topic, objects: [{ name: `${db}.t` }], partitioning: 'partition0' });
  const doc = parse(readFileSync(job.path, 'utf8')) as { name?: string; source: { serverId?: number } };
  doc.name = name;
  if (serverId === undefined) delete doc.source.serverId;
  else doc.source.serverId = serverId;
  writeFileSync(job.path, stringify(doc));
  return job;
}

async function replicas(svc: DbService): Promise<Array<{ serverId: number; host: string }>> {
  const conn = await rootConnection(svc);
  try {
    const [rows] = await conn.query<RowDataPacket[]>(svc.flavor === 'mariadb' ? 'SHOW SLAVE HOSTS' : 'SHOW REPLICAS');
    return rows.map((r) => ({ serverId: Number(r.Server_id ?? r.Server_Id), host: String(r.Host) }));
  } finally {
    await conn.end();
  }
}

/** Waits until the source lists a replica with this id and host (the job reached its binlog phase). */
async function waitListed(svc: DbService, serverId: number, host: string, r: Running, ms = 60_000): Promise<void> {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(300)) {
    if (r.child.exitCode !== null) {
      const out = await r.done;
      throw new Error(`sluice run exited ${out.code} before its binlog phase:\n${out.stdout}\n${out.stderr}`);
    }
    if ((await replicas(svc)).some((x) => x.serverId === serverId && x.host === host)) return;
  }
  throw new Error(`no replica ${serverId} (${host}) listed within ${ms} ms: ${JSON.stringify(await replicas(svc))}`);
}

async function exitWithin(r: Running, ms: number): Promise<RunResult | null> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([r.done, t]).finally(() => clearTimeout(timer));
}

for (const svc of [MARIADB, MYSQL]) {
  describe(`server ids on ${svc.name}`, { timeout: 300_000 }, () => {
    const db = `sid_${suffix}_${svc.name}`;
    const topic = uniqueTopic(`sid-${svc.name}`);
    // MariaDB lists replicas only to REPLICATION MASTER ADMIN, which the DTS grants leave out
    const lister = { user: `sid_${suffix}`, password: 'sid-lister-pw' };

    before(async () => {
      await requireService(svc);
      await asRoot(
        svc,
        `DROP DATABASE IF EXISTS ${db}`,
        `CREATE DATABASE ${db}`,
        `CREATE TABLE ${db}.t (id INT PRIMARY KEY, v VARCHAR(16))`,
        `INSERT INTO ${db}.t VALUES (1, 'a'), (2, 'b')`,
        `CREATE USER IF NOT EXISTS '${lister.user}'@'%' IDENTIFIED BY '${lister.password}'`,
        svc.flavor === 'mariadb'
          ? `GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR, SHOW VIEW, REPLICATION MASTER ADMIN ON *.* TO '${lister.user}'@'%'`
          : `GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT, SHOW VIEW ON *.* TO '${lister.user}'@'%'`,
      );
    });
    after(async () => {
      await stopAll();
      removeJobFiles();
      await asRoot(svc, `DROP DATABASE IF EXISTS ${db}`, `DROP USER IF EXISTS '${lister.user}'@'%'`);
    });

    test('jobs without serverId get ids derived from their names, are listed as replicas, and both run', { timeout: 120_000 }, async () => {
      const [a, b] = [`sid-a-${suffix}`, `sid-b-${suffix}`];
      const [idA, idB] = [derivedServerId(a), derivedServerId(b)];
      assert.notEqual(idA, idB);
      const ra = start(jobFile(svc, db, topic, a, undefined));
      const rb = start(jobFile(svc, db, topic, b, undefined));
      await waitListed(svc, idA, `sluice:${a}`, ra);
      await waitListed(svc, idB, `sluice:${b}`, rb);
      await asRoot(svc, `INSERT INTO ${db}.t VALUES (3, 'c')`);
      await sleep(2000);
      assert.equal(ra.child.exitCode, null, 'job a still runs');
      assert.equal(rb.child.exitCode, null, 'job b still runs');
      await stopAll();
    });

    test('precheck FAILs for a server id a running job holds, naming the id, its host and the fix', { timeout: 120_000 }, async () => {
      const id = 1_000_000 + Math.floor(Math.random() * 1_000_000);
      const name = `sid-holder-${suffix}`;
      const holder = start(jobFile(svc, db, topic, name, id));
      await waitListed(svc, id, `sluice:${name}`, holder);
      const second = jobFile(svc, db, topic, `sid-second-${suffix}`, id);
      const doc = parse(readFileSync(second.path, 'utf8')) as { source: { user: string; password: string } };
      Object.assign(doc.source, lister);
      writeFileSync(second.path, stringify(doc));
      const pc = spawnSluice(['precheck', second.path]);
      const out = await exitWithin(pc, 60_000);
      assert.ok(out, 'precheck finished within 60 s');
      assert.equal(out.code, 1, out.stdout + out.stderr);
      const line = out.stdout.split('\n').find((l) => l.includes('FAIL') && l.includes(`server id ${id}`));
      assert.ok(line, out.stdout);
      assert.match(line, new RegExp(`another replica \\(host "sluice:${name}"\\) is connected with server id ${id}, .*: give this job its own name .* or its own source\\.serverId\\.$`));
      if (svc.flavor === 'mariadb') {
        // the DTS grants alone cannot list the replicas: a warning, never a silent pass
        const r = await runPrecheck(testJob(svc, { topic, objects: [{ name: `${db}.t` }], source: { serverId: id } }));
        const c = r.checks.find((x) => x.id === 'source.server_id');
        assert.equal(c?.status, 'WARN', JSON.stringify(c));
        assert.match(c?.detail ?? '', /^cannot check: SHOW SLAVE HOSTS was refused/);
      }
      assert.equal(holder.child.exitCode, null, 'precheck opened no dump: the running job was not disturbed');
      await stopAll();
    });

    test('the older of two running jobs with one server id stops with exit 3: another replica uses the id', { timeout: 120_000 }, async () => {
      const id = 2_000_000 + Math.floor(Math.random() * 1_000_000);
      const first = start(jobFile(svc, db, topic, `sid-old-${suffix}`, id));
      await waitListed(svc, id, `sluice:sid-old-${suffix}`, first);
      // precheck would refuse the second (previous test); a user skipping it is what the server then catches
      const second = start(jobFile(svc, db, topic, `sid-new-${suffix}`, id), '--skip-precheck');
      await waitListed(svc, id, `sluice:sid-new-${suffix}`, second);
      const out = await exitWithin(first, 30_000);
      assert.ok(out, 'the older job stopped within 30 s of the newer one connecting');
      const text = out.stdout + out.stderr;
      assert.equal(out.code, 3, text);
      assert.match(text, new RegExp(`another replica uses server id ${id}`));
      assert.match(text, /its own name .* or its own source\.serverId/);
      assert.doesNotMatch(text, /purged|no longer has binlog|same server_uuid|reconnecting/);
      assert.doesNotMatch(text, /^\s+at /m, 'no stack trace');
      await sleep(2000);
      assert.equal(second.child.exitCode, null, 'the newer job keeps running');
      await stopAll();
    });
  });
}
