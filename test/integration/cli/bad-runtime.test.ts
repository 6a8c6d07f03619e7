/**
 * Issue 15, the bad-input table's runtime faults and signals: what happens to a running `sluice run` (real
 * child processes against MySQL 9.7, MariaDB and Kafka) when a connection is killed, an account changes, a
 * topic vanishes, a state file is torn, a second instance starts, or a signal arrives — as a user would meet
 * them. Each case is bounded at 60 s and asserts the README's exit code and one sentence of sluice's own on
 * stderr (no stack trace, no "internal error", no raw library text, no password; a clean stop, exit 0, has no
 * such line and its sentence is the log line that says it). A runtime fault is followed by what a user does
 * once the fault is gone (a rerun, --resnapshot), after which replaying the topic by key equals the source,
 * value by value.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { decodeRecord } from '../../../src/format/dts-avro/index.js';
import { rootConnection, requireService } from '../../support/db.js';
import { kafkaClient, readWholeTopic, removeJobFiles, spawnSluice, uniqueTopic, writeJobFile, type JobFile, type RunResult } from '../../support/sluice-cli.js';
import { MARIADB, MYSQL, type DbService } from '../../support/services.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const PREFIX = `btf_${randomUUID().slice(0, 6)}`;
const ROWS = 30;
/** every password a case uses: none may appear in sluice's output */
const SECRETS = new Set<string>([MYSQL.root.password]);

type Run = ReturnType<typeof spawnSluice>;

/** One case's world: its own database, table, account, topic and job file. */
class World {
  readonly db: string;
  readonly user: string;
  password: string;
  readonly topic: string;
  readonly serverId = 7000 + Math.floor(Math.random() * 2000);
  job!: JobFile;
  root!: Connection;
  private next = ROWS + 1;
  private readonly runs: Run[] = [];

  constructor(
    readonly svc: DbService,
    readonly n: number,
  ) {
    this.db = `${PREFIX}_${n}`;
    this.user = `${PREFIX}_u${n}`;
    this.password = `pw-${randomUUID().slice(0, 12)}`;
    this.topic = uniqueTopic(`btf-${n}`);
    SECRETS.add(this.password);
  }

  async open(jobExtra: Record<string, unknown>, rows = ROWS): Promise<void> {
    this.root = await rootConnection(this.svc, { multipleStatements: true });
    const grants = this.svc.flavor === 'mariadb' ? 'REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR' : 'REPLICATION SLAVE, REPLICATION CLIENT';
    await this.root.query(
      `DROP DATABASE IF EXISTS ${this.db}; CREATE DATABASE ${this.db}; CREATE TABLE ${this.db}.t (id INT PRIMARY KEY, v VARCHAR(40));` +
        `DROP USER IF EXISTS '${this.user}'@'%'; CREATE USER '${this.user}'@'%' IDENTIFIED BY '${this.password}';` +
        `GRANT ${grants}, SHOW VIEW ON *.* TO '${this.user}'@'%'; GRANT SELECT ON ${this.db}.* TO '${this.user}'@'%'`,
    );
    if (rows > 0) await this.root.query(`INSERT INTO ${this.db}.t VALUES ${Array.from({ length: rows }, (_, i) => `(${i + 1}, 'v${i + 1}')`).join(',')}`);
    this.next = rows + 1;
    this.job = this.jobFile(jobExtra);
  }

  /** A job file for this world (as its own account); `extra` overrides top-level keys. */
  jobFile(extra: Record<string, unknown> = {}, o: { topic?: string; serverId?: number } = {}): JobFile {
    const svc = { ...this.svc, sluice: { user: this.user, password: this.password } };
    const j = writeJobFile({
      svc,
      topic: o.topic ?? this.topic,
      objects: [{ name: `${this.db}.t` }],
      partitioning: 'key-hash',
      snapshot: { parallelism: 1, chunkRows: 100 },
      extra: { init: { schema: false, data: true }, shutdown: { timeoutMs: 3000 }, heartbeat: { intervalMs: 500 }, ...extra },
    });
    // writeJobFile picks a random server id: this world's jobs share one unless told otherwise
    const text = readFileSync(j.path, 'utf8').replace(/serverId: \d+/, `serverId: ${o.serverId ?? this.serverId}`);
    writeFileSync(j.path, text.replace(/connectTimeoutMs: 5000/g, 'connectTimeoutMs: 3000'));
    return j;
  }

  /** `sluice run <job> --skip-precheck …` in the background (killed when the case ends). */
  start(args: string[] = [], job = this.job): Run {
    const r = spawnSluice(['run', job.path, ...(args.includes('--precheck') ? args.filter((a) => a !== '--precheck') : ['--skip-precheck', ...args])]);
    this.runs.push(r);
    return r;
  }

  /** Any sluice command to its end, killed after `ms`. */
  async sluice(args: string[], ms = 45_000): Promise<RunResult> {
    const r = spawnSluice(args);
    this.runs.push(r);
    const timer = setTimeout(() => r.child.kill('SIGKILL'), ms);
    return r.done.finally(() => clearTimeout(timer));
  }

  phase(run: Run, job = this.job): string | null {
    try {
      const s = JSON.parse(readFileSync(join(job.stateDir, 'status.json'), 'utf8')) as { phase?: string; pid?: number };
      return s.pid === run.child.pid ? (s.phase ?? null) : null;
    } catch {
      return null;
    }
  }

  async until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000, run?: Run): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(150)) {
      if (await ok()) return;
      if (run && run.child.exitCode !== null) throw new Error(`sluice run exited (${run.child.exitCode}) before ${what}:\n${(await run.done).stderr}`);
    }
    throw new Error(`${what}: not within ${ms} ms`);
  }

  /** Waits until the run follows the binlog (its status says so). */
  following(run: Run, job = this.job): Promise<void> {
    return this.until('the binlog phase', () => this.phase(run, job) === 'incremental', 40_000, run);
  }

  /** Sends `sig` and waits (at most `ms`) for the exit. */
  async stop(run: Run, sig: NodeJS.Signals = 'SIGTERM', ms = 20_000): Promise<RunResult & { ms: number }> {
    const t0 = Date.now();
    run.child.kill(sig);
    const r = await Promise.race([run.done, sleep(ms).then(() => null)]);
    if (!r) {
      run.child.kill('SIGKILL');
      return { ...(await run.done), code: -1, ms: Date.now() - t0 };
    }
    return { ...r, ms: Date.now() - t0 };
  }

  /** Waits (at most `ms`) for the run to end by itself. */
  async ended(run: Run, ms = 40_000): Promise<RunResult> {
    const r = await Promise.race([run.done, sleep(ms).then(() => null)]);
    if (r) return r;
    run.child.kill('SIGKILL');
    return { ...(await run.done), code: -1 };
  }

  /** Source changes: `n` inserts, then an update and a delete of older rows. */
  async write(n = 5, session = ''): Promise<void> {
    const ids = Array.from({ length: n }, () => this.next++);
    await this.root.query(
      `${session}INSERT INTO ${this.db}.t (id, v) VALUES ${ids.map((i) => `(${i}, 'live${i}')`).join(',')};` +
        `UPDATE ${this.db}.t SET v = CONCAT('u', v) WHERE id = ${ids[0]! - 3};` +
        `DELETE FROM ${this.db}.t WHERE id = ${ids[0]! - 7}`,
    );
  }

  /** The connections of this world's account: the binlog dump thread and the others. */
  async threads(): Promise<{ dump: number[]; other: number[] }> {
    const [rows] = await this.root.query<RowDataPacket[]>(`SELECT ID, COMMAND FROM information_schema.PROCESSLIST WHERE USER = ?`, [this.user]);
    const dump = rows.filter((r) => String(r.COMMAND).startsWith('Binlog Dump')).map((r) => Number(r.ID));
    return { dump, other: rows.filter((r) => !String(r.COMMAND).startsWith('Binlog Dump')).map((r) => Number(r.ID)) };
  }

  /** The binlog dump thread, once the server lists it (a moment after the status says 'incremental'). */
  async dumpThread(): Promise<number> {
    let id = 0;
    await this.until('the binlog dump thread', async () => {
      const { dump } = await this.threads();
      id = dump[0] ?? 0;
      return dump.length === 1;
    }, 10_000);
    return id;
  }

  async kill(ids: number[]): Promise<void> {
    for (const id of ids) await this.root.query(`KILL ${id}`).catch(() => undefined);
  }

  /** How the topic's replay (by key, in record id order) differs from the source table (empty: equal). */
  async differences(topic = this.topic): Promise<string[]> {
    const [rows] = await this.root.query<RowDataPacket[]>(`SELECT id, v FROM ${this.db}.t`);
    const want = new Map(rows.map((r) => [String(r.id), r.v === null ? null : String(r.v)]));
    const recs = (await topics()).has(topic) ? await readWholeTopic(topic, 30_000) : [];
    // a consumer's replay by key: within a partition the last record wins (offset order); a key found in two
    // partitions (their count changed) takes the newer record id
    const last = new Map<string, { id: number; partition: number; offset: bigint; v: string | null | undefined }>();
    for (const m of recs) {
      const d = decodeRecord(m.value);
      if (d.objectName !== `${this.db}.t`) continue;
      const apply = (key: string, v: string | null | undefined): void => {
        const prev = last.get(key);
        const newer = !prev || (prev.partition === m.partition ? m.offset > prev.offset : d.id > prev.id);
        if (newer) last.set(key, { id: d.id, partition: m.partition, offset: m.offset, v });
      };
      if (d.before && (!d.after || String(d.before.id) !== String(d.after.id))) apply(String(d.before.id), undefined);
      if (d.after) apply(String(d.after.id), d.after.v === null || d.after.v === undefined ? null : String(d.after.v));
    }
    const got = new Map<string, string | null>();
    for (const [k, r] of last) if (r.v !== undefined) got.set(k, r.v);
    const out: string[] = [];
    for (const [k, v] of want) if (!got.has(k)) out.push(`id ${k}: missing in Kafka`);
    else if (got.get(k) !== v) out.push(`id ${k}: kafka ${JSON.stringify(got.get(k))} source ${JSON.stringify(v)}`);
    for (const k of got.keys()) if (!want.has(k)) out.push(`id ${k}: in Kafka, not in the source`);
    return out;
  }

  /** Polls until the topic replays to the source (at most `ms`); returns the last differences. */
  async converged(ms = 30_000, topic = this.topic): Promise<string[]> {
    let diffs: string[] = [];
    for (const end = Date.now() + ms; Date.now() < end; await sleep(500)) {
      diffs = await this.differences(topic);
      if (diffs.length === 0) return diffs;
    }
    return diffs;
  }

  /**
   * What a user does once the fault is gone: run the job again, let it catch up, stop it with SIGTERM (exit 0).
   * Returns the differences between the replayed topic and the source.
   */
  async rerun(args: string[] = [], job = this.job, topic = this.topic): Promise<string[]> {
    const run = this.start(args, job);
    await this.following(run, job);
    await this.write(3);
    const diffs = await this.converged(30_000, topic);
    const r = await this.stop(run);
    assert.equal(r.code, 0, `the rerun did not stop cleanly: ${r.code}\n${r.stderr}`);
    return diffs;
  }

  async close(): Promise<void> {
    for (const r of this.runs) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await this.root?.query(`DROP DATABASE IF EXISTS ${this.db}; DROP USER IF EXISTS '${this.user}'@'%'`).catch(() => undefined);
    await this.root?.end().catch(() => undefined);
  }
}

async function topics(): Promise<Set<string>> {
  const a = kafkaClient().admin();
  await a.connect();
  try {
    return new Set(await a.listTopics());
  } finally {
    await a.disconnect();
  }
}

async function withAdmin<T>(body: (a: ReturnType<ReturnType<typeof kafkaClient>['admin']>) => Promise<T>): Promise<T> {
  const a = kafkaClient().admin();
  await a.connect();
  try {
    return await body(a);
  } finally {
    await a.disconnect();
  }
}

async function deleteTopic(topic: string): Promise<void> {
  await withAdmin(async (a) => {
    await a.deleteTopics({ topics: [topic], timeout: 20_000 });
    for (const until = Date.now() + 20_000; Date.now() < until; await sleep(200)) if (!(await a.listTopics()).includes(topic)) return;
    throw new Error(`topic ${topic} still listed 20 s after its deletion`);
  });
}

interface Case {
  kind: 'runtime fault' | 'signal';
  name: string;
  svc?: DbService;
  /** top-level job file keys over the table's defaults */
  job?: Record<string, unknown>;
  /** rows in the table before the first run */
  rows?: number;
  /** the world before the run (a first run, an account) */
  setup?: (w: World) => Promise<void>;
  /** the run and the fault or signal during it; returns the run whose ending the case judges */
  action: (w: World) => Promise<RunResult>;
  code: number;
  /** a failure: the one line sluice writes; a clean stop (exit 0): a line of its log */
  says: RegExp;
  /**
   * the fault gone, what a user does, returning the replay's differences from the source (runtime faults:
   * default a rerun; signals: the same unless `false`, when the case has checked on its own)
   */
  replay?: ((w: World) => Promise<string[]>) | false;
  todo?: string;
}

const TERM_LOG = /^SIGTERM: finishing the work in progress, flushing to Kafka and saving the checkpoint/;
const CHOICE = /restore the topic \(with every record the job wrote\), or start the job over into a new topic with 'sluice run <job> --resnapshot'/;

/** Runs to the binlog phase, does `fault`, checks the job still streams, then SIGTERM. */
async function survives(w: World, fault: (run: Run) => Promise<void>): Promise<RunResult> {
  const run = w.start();
  await w.following(run);
  await w.write();
  await fault(run);
  await w.write();
  assert.deepEqual(await w.converged(), [], 'the job goes on after the fault');
  return w.stop(run);
}

/** Runs to the binlog phase, does `fault`, writes until the run ends by itself. */
async function stopsOn(w: World, fault: (run: Run) => Promise<void>, session = ''): Promise<RunResult> {
  const run = w.start();
  await w.following(run);
  await w.write();
  await fault(run);
  for (let i = 0; i < 60 && run.child.exitCode === null && run.child.signalCode === null; i++) {
    await w.write(1, session).catch(() => undefined);
    await sleep(300);
  }
  if (session) await w.root.query('SET SESSION binlog_format = ROW; SET SESSION binlog_row_image = FULL');
  return w.ended(run, 5_000);
}

/** A first run to the binlog phase and a stop: the job has written to its topic and has a checkpoint. */
async function ranOnce(w: World): Promise<void> {
  const run = w.start();
  await w.following(run);
  await w.write();
  assert.deepEqual(await w.converged(), []);
  const r = await w.stop(run);
  assert.equal(r.code, 0, r.stderr);
}

const RUNTIME: Case[] = [
  {
    kind: 'runtime fault',
    name: 'the binlog dump thread killed (KILL CONNECTION): sluice reconnects and goes on',
    action: (w) =>
      survives(w, async () => {
        await w.kill([await w.dumpThread()]);
      }),
    code: 0,
    says: TERM_LOG,
  },
  {
    kind: 'runtime fault',
    name: 'the binlog dump thread killed on MariaDB: sluice reconnects and goes on',
    svc: MARIADB,
    action: (w) =>
      survives(w, async () => {
        await w.kill([await w.dumpThread()]);
      }),
    code: 0,
    says: TERM_LOG,
  },
  {
    kind: 'runtime fault',
    name: 'every other connection of the account killed (the probe/heartbeat one): the job goes on',
    action: (w) =>
      survives(w, async () => {
        const { other } = await w.threads();
        assert.ok(other.length >= 1, 'sluice holds a connection besides the dump thread (the probe)');
        await w.kill(other);
        await sleep(1500); // a few probe intervals
      }),
    code: 0,
    says: TERM_LOG,
  },
  {
    kind: 'runtime fault',
    name: 'a second sluice run on the same state while the first runs: exit 3 naming the holder; the first goes on',
    action: async (w) => {
      const first = w.start();
      await w.following(first);
      const second = await w.sluice(['run', w.job.path, '--skip-precheck'], 30_000);
      await w.write();
      assert.deepEqual(await w.converged(), [], 'the first run goes on');
      const r = await w.stop(first);
      assert.equal(r.code, 0, `the first run: ${r.stderr}`);
      return second;
    },
    code: 3,
    says: /^sluice: The state directory \S+ is in use by another sluice run \(pid \d+ on host .*, since .*\): stop that process first, or if it is gone for good, run again with --break-lock\.$/,
  },
  {
    kind: 'runtime fault',
    name: 'another job with the same server id starts while the first streams: the first exits 3, "another replica uses server id"',
    action: async (w) => {
      const first = w.start();
      await w.following(first);
      const other = w.jobFile({}, { topic: `${w.topic}-other` });
      const second = w.start([], other);
      await w.following(second, other);
      await w.write();
      const r = await w.ended(first, 30_000);
      const s = await w.stop(second);
      assert.equal(s.code, 0, `the second job: ${s.stderr}`);
      return r;
    },
    code: 3,
    says: /another replica uses server id \d+.*its own name .* or its own source\.serverId/,
  },
  {
    kind: 'runtime fault',
    name: 'the topic deleted while the job runs: exit 3 with the --resnapshot choice; --resnapshot then fills a new topic',
    action: (w) => stopsOn(w, () => deleteTopic(w.topic)),
    code: 3,
    says: new RegExp(`was deleted while the job wrote to it: ${CHOICE.source}`),
    replay: (w) => w.rerun(['--resnapshot']),
  },
  {
    kind: 'runtime fault',
    name: 'the topic deleted while the job is stopped: the rerun exits 3 and creates nothing; --resnapshot fills it',
    setup: ranOnce,
    action: async (w) => {
      await deleteTopic(w.topic);
      await w.write();
      const r = await w.sluice(['run', w.job.path, '--skip-precheck']);
      assert.equal((await topics()).has(w.topic), false, 'the topic was not created again');
      return r;
    },
    code: 3,
    says: new RegExp(`was deleted after the job wrote to it .*: ${CHOICE.source}`),
    replay: (w) => w.rerun(['--resnapshot']),
  },
  {
    kind: 'runtime fault',
    name: 'the topic deleted while the job is stopped, run with its precheck: exit 1, precheck FAILs with the choice (it said "will create")',
    setup: ranOnce,
    action: async (w) => {
      await deleteTopic(w.topic);
      const r = await w.sluice(['run', w.job.path]);
      assert.match(r.stdout, /FAIL.*was deleted after the job wrote to it/s, r.stdout);
      return r;
    },
    code: 1,
    says: /^sluice: precheck failed \(1 check\(s\)\)/,
    replay: (w) => w.rerun(['--resnapshot', '--precheck']),
  },
  {
    kind: 'runtime fault',
    name: 'the topic deleted and created again (empty) while the job is stopped: the rerun exits 3',
    setup: ranOnce,
    action: async (w) => {
      await deleteTopic(w.topic);
      await withAdmin((a) => a.createTopics({ waitForLeaders: true, topics: [{ topic: w.topic, numPartitions: 1, replicationFactor: -1 }] }));
      return w.sluice(['run', w.job.path, '--skip-precheck']);
    },
    code: 3,
    says: new RegExp(`was deleted and created again after the job wrote to it \\(partition 0 ends at offset 0, Kafka had acknowledged up to \\d+\\): ${CHOICE.source}`),
    replay: (w) => w.rerun(['--resnapshot']),
  },
  {
    kind: 'runtime fault',
    name: "a session writing with binlog_format=STATEMENT to a selected table: exit 1 naming STATEMENT",
    action: (w) => stopsOn(w, async () => undefined, 'SET SESSION binlog_format = STATEMENT;'),
    code: 1,
    says: /STATEMENT/,
    // the statement-logged change is not in the binlog as rows: a new snapshot into a new topic is how a
    // consumer gets the source again (a snapshot over the old topic cannot delete the key it missed)
    replay: async (w) => {
      await deleteTopic(w.topic);
      return w.rerun(['--resnapshot']);
    },
  },
  {
    kind: 'runtime fault',
    name: 'a session writing with binlog_row_image=MINIMAL to a selected table: exit 1 naming the row image',
    action: (w) => stopsOn(w, async () => undefined, 'SET SESSION binlog_row_image = MINIMAL;'),
    code: 1,
    says: /binlog_row_image=MINIMAL/,
    replay: async (w) => {
      await deleteTopic(w.topic);
      return w.rerun(['--resnapshot']);
    },
  },
  {
    kind: 'runtime fault',
    name: 'a torn checkpoint file: exit 1 naming the file; restoring it, the rerun goes on',
    setup: ranOnce,
    action: async (w) => {
      const cp = join(w.job.stateDir, 'checkpoint.json');
      copyFileSync(cp, `${cp}.good`);
      writeFileSync(cp, readFileSync(cp, 'utf8').slice(0, 40));
      await w.write();
      return w.sluice(['run', w.job.path, '--skip-precheck']);
    },
    code: 1,
    says: /^sluice: The checkpoint file \S+checkpoint\.json is unusable \(not valid JSON.*\): restore it from a backup, or move it away/,
    replay: async (w) => {
      copyFileSync(join(w.job.stateDir, 'checkpoint.json.good'), join(w.job.stateDir, 'checkpoint.json'));
      return w.rerun();
    },
  },
  {
    kind: 'runtime fault',
    name: 'a torn status.json: sluice status exits 1 naming the file',
    setup: ranOnce,
    action: async (w) => {
      const st = join(w.job.stateDir, 'status.json');
      writeFileSync(st, readFileSync(st, 'utf8').slice(0, 25));
      return w.sluice(['status', w.job.path]);
    },
    code: 1,
    says: /status\.json/,
  },
  {
    kind: 'runtime fault',
    name: 'the checkpoint path replaced by a directory while the job runs: exit 1, saving the checkpoint failed',
    action: (w) =>
      stopsOn(w, async () => {
        // root ignores a read-only mode: a directory in the checkpoint's place makes the rename fail for anyone
        const cp = join(w.job.stateDir, 'checkpoint.json');
        rmSync(cp, { force: true });
        mkdirSync(join(cp, 'x'), { recursive: true });
      }),
    code: 1,
    says: /^sluice: Saving the checkpoint to \S+ failed \(\w+\): check free space and permissions of the state directory\.$/,
    replay: async (w) => {
      rmSync(join(w.job.stateDir, 'checkpoint.json'), { recursive: true, force: true });
      return w.rerun(); // no checkpoint: the job starts over (a new snapshot over the same topic)
    },
  },
  {
    kind: 'runtime fault',
    name: "the account's password changed while running (the binlog reconnect is refused): exit 1 naming the credentials",
    action: (w) =>
      stopsOn(w, async () => {
        // the dump thread first: changed before the binlog connection logged in, the password would refuse
        // that first login and no dump thread would ever show (seen once in CI)
        const dump = await w.dumpThread();
        await w.root.query(`ALTER USER '${w.user}'@'%' IDENTIFIED BY 'changed-${w.password}'`);
        SECRETS.add(`changed-${w.password}`);
        await w.kill([dump, ...(await w.threads()).other]);
      }),
    code: 1,
    says: /source\.user|source\.password|credentials/,
    replay: async (w) => {
      await w.root.query(`ALTER USER '${w.user}'@'%' IDENTIFIED BY '${w.password}'`);
      return w.rerun();
    },
  },
  {
    kind: 'runtime fault',
    name: 'REPLICATION SLAVE revoked while running (the binlog reconnect is refused): exit 1 naming the grant',
    action: (w) =>
      stopsOn(w, async () => {
        const dump = await w.dumpThread();
        await w.root.query(`REVOKE REPLICATION SLAVE ON *.* FROM '${w.user}'@'%'`);
        await w.kill([dump]);
      }),
    code: 1,
    says: /refused to register sluice's binlog connection as a replica .*grant REPLICATION SLAVE/,
    replay: async (w) => {
      await w.root.query(`GRANT REPLICATION SLAVE ON *.* TO '${w.user}'@'%'`);
      return w.rerun();
    },
  },
  {
    kind: 'runtime fault',
    name: 'a column added to the selected table while streaming (DDL goes through): the job goes on',
    action: (w) =>
      survives(w, async () => {
        await w.root.query(`ALTER TABLE ${w.db}.t ADD COLUMN extra INT NULL`);
      }),
    code: 0,
    says: TERM_LOG,
  },
  {
    kind: 'runtime fault',
    name: 'a second selected table dropped while streaming: the job goes on',
    setup: async (w) => {
      await w.root.query(`CREATE TABLE ${w.db}.t2 (id INT PRIMARY KEY); INSERT INTO ${w.db}.t2 VALUES (1), (2)`);
      w.job = w.jobFile({ objects: [{ name: `${w.db}.t` }, { name: `${w.db}.t2` }] });
    },
    action: (w) =>
      survives(w, async () => {
        await w.root.query(`INSERT INTO ${w.db}.t2 VALUES (3); DROP TABLE ${w.db}.t2`);
      }),
    code: 0,
    says: TERM_LOG,
    // the user takes the dropped table out of the job file (same state)
    replay: (w) => w.rerun([], { ...w.jobFile({ objects: [{ name: `${w.db}.t` }], state: { dir: w.job.stateDir } }), stateDir: w.job.stateDir }),
  },
  {
    kind: 'runtime fault',
    name: "the topic's partitions increased while the job runs: the job goes on",
    setup: async (w) => {
      w.job = w.jobFile({ objects: [{ name: `${w.db}.t`, partitions: 2 }] });
    },
    action: (w) =>
      survives(w, async () => {
        await withAdmin((a) => a.createPartitions({ topicPartitions: [{ topic: w.topic, count: 4 }] }));
        await sleep(1000);
      }),
    code: 0,
    says: TERM_LOG,
  },
  {
    kind: 'runtime fault',
    name: 'the lock taken over by run --break-lock while the first runs: the first exits 3',
    action: async (w) => {
      const first = w.start();
      await w.following(first);
      const second = w.start(['--break-lock']);
      const r = await w.ended(first, 30_000);
      await w.following(second);
      await w.write();
      assert.deepEqual(await w.converged(), [], 'the new holder streams');
      const s = await w.stop(second);
      assert.equal(s.code, 0, s.stderr);
      return r;
    },
    code: 3,
    says: /^sluice: Another sluice run took over this job's state directory \S+ \(.*\): this one stopped; run only one sluice run per state directory\.$/,
  },
];

/** A TCP server that accepts and never answers: a source stuck before its handshake. */
async function silentServer(): Promise<{ port: number; server: Server }> {
  const server = createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
}

const SIGNALS: Case[] = [
  {
    kind: 'signal',
    name: 'SIGTERM during the snapshot: exit 0; the rerun resumes it',
    rows: 600,
    job: { snapshot: { parallelism: 1, chunkRows: 100, maxRowsPerSecond: 200 } },
    action: async (w) => {
      const run = w.start();
      await w.until('the snapshot running', () => w.phase(run) === 'snapshot', 20_000, run);
      await sleep(1200);
      return w.stop(run);
    },
    code: 0,
    says: TERM_LOG,
  },
  {
    kind: 'signal',
    name: 'SIGINT during the binlog phase: exit 0',
    action: async (w) => {
      const run = w.start();
      await w.following(run);
      await w.write();
      await sleep(500);
      return w.stop(run, 'SIGINT');
    },
    code: 0,
    says: /^SIGINT: finishing the work in progress/,
  },
  {
    kind: 'signal',
    name: 'two SIGTERMs in a row during the snapshot: the second exits at once (exit 1) naming the checkpoint; nothing is lost',
    rows: 400,
    job: { snapshot: { parallelism: 1, chunkRows: 100, maxRowsPerSecond: 100 } },
    action: async (w) => {
      const run = w.start();
      await w.until('the snapshot running', () => w.phase(run) === 'snapshot', 20_000, run);
      await sleep(300);
      run.child.kill('SIGTERM');
      await sleep(100);
      return w.stop(run, 'SIGTERM', 5_000);
    },
    code: 1,
    says: /^sluice: second SIGTERM: exiting at once without waiting for Kafka \(.*\); the checkpoint stays at .+, and the next run sends what came after it again\.$/,
  },
  {
    kind: 'signal',
    name: 'SIGTERM during startup, while the source does not answer yet: exit 0, not killed silently',
    action: async (w) => {
      const { port, server } = await silentServer();
      try {
        const job = w.jobFile({ source: { host: '127.0.0.1', port, user: w.user, password: w.password, serverId: w.serverId, connectTimeoutMs: 8000 } });
        const run = w.start(['--precheck'], job);
        await sleep(1500);
        const r = await w.stop(run);
        assert.ok(r.ms < 3000, `exited ${r.ms} ms after SIGTERM`);
        return r;
      } finally {
        server.close();
      }
    },
    code: 0,
    says: /^SIGTERM: /,
    replay: false,
  },
  {
    kind: 'signal',
    name: 'SIGINT during precheck while the broker does not answer (Kafka not connected yet): exit 0 at once',
    action: async (w) => {
      const { port, server } = await silentServer();
      try {
        const job = w.jobFile({}, {});
        writeFileSync(job.path, readFileSync(job.path, 'utf8').replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`).replace(/connectTimeoutMs: 3000\n(\s+createTopics)/, 'connectTimeoutMs: 3000\n$1'));
        const run = w.start(['--precheck'], job);
        await sleep(1500);
        const r = await w.stop(run, 'SIGINT');
        assert.ok(r.ms < 3000, `exited ${r.ms} ms after SIGINT`);
        return r;
      } finally {
        server.close();
      }
    },
    code: 0,
    says: /^stopped before the job started/,
    replay: false,
  },
  {
    kind: 'signal',
    name: 'SIGHUP while following the binlog: not a silent death; one WARN line, the job goes on',
    action: async (w) => {
      const run = w.start();
      await w.following(run);
      run.child.kill('SIGHUP');
      await sleep(1000);
      assert.equal(run.child.exitCode, null, 'the job still runs after SIGHUP');
      assert.equal(run.child.signalCode, null, 'the job was not killed by SIGHUP');
      await w.write();
      assert.deepEqual(await w.converged(), [], 'the job goes on after SIGHUP');
      return w.stop(run);
    },
    code: 0,
    says: /SIGHUP/,
  },
  {
    kind: 'signal',
    name: 'SIGTERM, then a rerun with a fresh workload: both exit 0 and the topic holds everything',
    action: async (w) => {
      const run = w.start();
      await w.following(run);
      await w.write();
      const r = await w.stop(run);
      await w.write(8);
      return r;
    },
    code: 0,
    says: TERM_LOG,
  },
];

const CASES = [...RUNTIME, ...SIGNALS];

after(() => removeJobFiles());

before(async () => {
  await requireService(MYSQL);
  await requireService(MARIADB);
});

test("the runtime table holds the issue's mix: ≥ 15 runtime faults, ≥ 5 signals", () => {
  const count = (k: Case['kind']): number => CASES.filter((c) => c.kind === k).length;
  assert.ok(count('runtime fault') >= 15 && count('signal') >= 5, JSON.stringify({ runtime: count('runtime fault'), signal: count('signal') }));
});

let n = 0;
for (const c of CASES) {
  const i = ++n;
  test(`bad input (${c.kind}): ${c.name} → exit ${c.code}`, { timeout: 60_000, ...(c.todo ? { todo: c.todo } : {}) }, async () => {
    const w = new World(c.svc ?? MYSQL, i);
    try {
      await w.open(c.job ?? {}, c.rows ?? ROWS);
      await c.setup?.(w);
      const r = await c.action(w);
      const where = `${c.name}: exit ${r.code ?? r.signal}\nstderr: ${r.stderr.slice(-3000)}\nstdout: ${r.stdout.slice(0, 2000)}`;
      assert.notEqual(r.code, -1, `it did not end in time: ${where}`);
      assert.equal(r.signal, null, `killed by ${r.signal}, with no line: ${where}`);
      assert.equal(r.code, c.code, where);
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));
      if (c.code === 0) {
        assert.deepEqual(lines, [], `a clean stop writes no line of its own: ${where}`);
        const logs = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => String((JSON.parse(l) as { msg?: unknown }).msg));
        assert.ok(logs.some((m) => c.says.test(m)), `no log line matches ${c.says}: ${where}`);
      } else {
        assert.equal(lines.length, 1, `one line, not ${lines.length}: ${where}`);
        assert.match(lines[0]!, /^sluice: /, `the sentence is sluice's own: ${where}`);
        assert.match(lines[0]!, c.says, where);
        assert.doesNotMatch(lines[0]!, /\bER_[A-Z_]+\b|\bE[A-Z]{4,}\b: |KafkaJS|\[object |undefined/, `raw library text: ${where}`);
      }
      assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, `no stack trace, no internal error: ${where}`);
      for (const secret of SECRETS) assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), `a password leaked: ${where}`);
      if (c.replay !== false) {
        const diffs = c.replay ? await c.replay(w) : await w.rerun();
        assert.deepEqual(diffs.slice(0, 10), [], `replaying the topic by key equals the source (${diffs.length} difference(s))`);
      }
    } finally {
      await w.close();
    }
  });
}
