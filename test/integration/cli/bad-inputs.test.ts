/**
 * Issue 15, the bad-input table: mistakes a user makes in the job file, on the command line, in credentials
 * and in server settings, each run as the user would (the CLI against the real MySQL and Kafka services).
 * Every case must end within 60 s with the README's exit code and one sentence on stderr — no stack trace,
 * no "internal error", no password. (Runtime faults and signals are the table of bad-runtime.test.ts; more in stop-signals,
 * state-lock, vanished-topic, server-id, binlog/failures, binlog/outages.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { asRoot, requireService } from '../../support/db.js';
import { SLUICE_BIN } from '../../support/sluice-cli.js';
import { KAFKA, MYSQL } from '../../support/services.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-bad-'));
const svc = MYSQL;
const db = `bad_${Math.random().toString(36).slice(2, 8)}`;
const PASSWORD = svc.sluice.password;

type Job = Record<string, unknown>;
const base = (): Job => ({
  source: { host: svc.host, port: svc.port, user: svc.sluice.user, password: PASSWORD, connectTimeoutMs: 3000 },
  target: { brokers: [KAFKA.plaintext], topic: `bad-${db}`, createTopics: false, connectTimeoutMs: 3000 },
  objects: [{ name: `${db}.t` }],
  state: { dir: join(dir, 'state') },
});
function edit(f: (j: Job) => void): Job {
  const j = base();
  f(j);
  return j;
}
const src = (j: Job): Record<string, unknown> => j.source as Record<string, unknown>;
const tgt = (j: Job): Record<string, unknown> => j.target as Record<string, unknown>;

let n = 0;
function jobFile(content: Job | string): string {
  const p = join(dir, `job-${++n}.yaml`);
  writeFileSync(p, typeof content === 'string' ? content : stringify(content));
  return p;
}

interface Case {
  kind: 'job file' | 'cli' | 'credentials' | 'server setting';
  name: string;
  /** the command line after `sluice` ($JOB: a job file from `job`) */
  args: string[];
  job?: Job | string;
  env?: NodeJS.ProcessEnv;
  code: number;
  /** the sentence on stderr's last line (for a precheck report: a FAIL line of the report on stdout) */
  says: RegExp;
  /** precheck's answer is its report: a FAIL line on stdout, nothing on stderr */
  report?: boolean;
}

const JOB_FILE: Case[] = [
  { kind: 'job file', name: 'a job file that does not exist', args: ['precheck', join(dir, 'nope.yaml')], code: 2, says: /nope\.yaml/ },
  { kind: 'job file', name: 'YAML that does not parse', args: ['precheck', '$JOB'], job: 'source: [unclosed\n', code: 2, says: /YAML|yaml/ },
  { kind: 'job file', name: 'an unknown top-level key', args: ['precheck', '$JOB'], job: { ...base(), sorce: {} }, code: 2, says: /sorce/ },
  { kind: 'job file', name: 'source.port as text', args: ['precheck', '$JOB'], job: edit((j) => (src(j).port = 'abc')), code: 2, says: /source\.port/ },
  { kind: 'job file', name: 'no target.brokers', args: ['precheck', '$JOB'], job: edit((j) => delete tgt(j).brokers), code: 2, says: /target\.brokers/ },
  { kind: 'job file', name: 'a broker without a port', args: ['precheck', '$JOB'], job: edit((j) => (tgt(j).brokers = ['localhost'])), code: 2, says: /target\.brokers/ },
  { kind: 'job file', name: 'no objects', args: ['precheck', '$JOB'], job: edit((j) => (j.objects = [])), code: 2, says: /objects/ },
  { kind: 'job file', name: 'an object name without a dot', args: ['precheck', '$JOB'], job: edit((j) => (j.objects = [{ name: 'nodot' }])), code: 2, says: /objects/ },
  { kind: 'job file', name: 'an unknown partitioning', args: ['precheck', '$JOB'], job: edit((j) => (j.partitioning = 'round-robin')), code: 2, says: /partitioning/ },
  { kind: 'job file', name: 'a password from an unset environment variable', args: ['precheck', '$JOB'], job: edit((j) => (src(j).password = '${SLUICE_BAD_INPUT_UNSET}')), code: 2, says: /SLUICE_BAD_INPUT_UNSET/ },
  { kind: 'job file', name: 'a password file that does not exist', args: ['precheck', '$JOB'], job: edit((j) => (src(j).password = { file: join(dir, 'no-such-secret') })), code: 2, says: /no-such-secret/ },
  { kind: 'job file', name: "a topic name with a space (Kafka refuses it)", args: ['precheck', '$JOB'], job: edit((j) => (tgt(j).topic = 'a b')), code: 2, says: /target\.topic: a Kafka topic name/ },
  { kind: 'job file', name: "the topic name '..'", args: ['precheck', '$JOB'], job: edit((j) => (tgt(j).topic = '..')), code: 2, says: /target\.topic/ },
  { kind: 'job file', name: 'a 300-character topic name', args: ['precheck', '$JOB'], job: edit((j) => (tgt(j).topic = 'x'.repeat(300))), code: 2, says: /at most 249 characters/ },
  { kind: 'job file', name: "an object's topic with a slash", args: ['precheck', '$JOB'], job: edit((j) => (j.objects = [{ name: `${db}.t`, topic: 'a/b' }])), code: 2, says: /topic/ },
  { kind: 'job file', name: 'a shutdown timeout under a second', args: ['precheck', '$JOB'], job: edit((j) => (j.shutdown = { timeoutMs: 5 })), code: 2, says: /shutdown\.timeoutMs/ },
  { kind: 'job file', name: 'HEARTBEAT records without probes', args: ['precheck', '$JOB'], job: edit((j) => (j.heartbeat = { intervalMs: 0, records: true })), code: 2, says: /heartbeat/ },
];

const CLI: Case[] = [
  { kind: 'cli', name: 'no command', args: [], code: 2, says: /run sluice --help for the commands\.$/ },
  { kind: 'cli', name: 'an unknown command', args: ['frobnicate'], code: 2, says: /run sluice --help for the commands\.$/ },
  { kind: 'cli', name: 'an unknown flag', args: ['precheck', '$JOB', '--bogus'], job: base(), code: 2, says: /bogus/ },
  { kind: 'cli', name: 'precheck --timeout -5 (it never exited)', args: ['precheck', '$JOB', '--timeout', '-5'], job: base(), code: 2, says: /^sluice: --timeout -5 is out of range/ },
  { kind: 'cli', name: 'precheck --timeout abc', args: ['precheck', '$JOB', '--timeout', 'abc'], job: base(), code: 2, says: /--timeout is not a number/ },
  { kind: 'cli', name: 'run --metrics-port 70000', args: ['run', '$JOB', '--metrics-port', '70000'], job: base(), code: 2, says: /--metrics-port 70000 is out of range/ },
  { kind: 'cli', name: 'tail --max -1 (it waited forever)', args: ['tail', '--brokers', KAFKA.plaintext, '--topic', 'x', '--max', '-1'], code: 2, says: /--max -1 is out of range/ },
  { kind: 'cli', name: 'tail --partition -1', args: ['tail', '--brokers', KAFKA.plaintext, '--topic', 'x', '--partition', '-1'], code: 2, says: /--partition -1 is out of range/ },
  { kind: 'cli', name: 'tail --partition 1.5', args: ['tail', '--brokers', KAFKA.plaintext, '--topic', 'x', '--partition', '1.5'], code: 2, says: /not a whole number/ },
  { kind: 'cli', name: 'tail --idle -3', args: ['tail', '--brokers', KAFKA.plaintext, '--topic', 'x', '--idle', '-3'], code: 2, says: /--idle -3 is out of range/ },
  { kind: 'cli', name: 'tail without a topic', args: ['tail', '--brokers', KAFKA.plaintext], code: 2, says: /--topic/ },
  { kind: 'cli', name: 'tail --from-timestamp that is not a time', args: ['tail', '--brokers', KAFKA.plaintext, '--topic', 'x', '--from-timestamp', 'yesterday-ish'], code: 2, says: /not a time/ },
  { kind: 'cli', name: 'tail with both --from-beginning and --from-timestamp', args: ['tail', '--brokers', KAFKA.plaintext, '--topic', 'x', '--from-beginning', '--from-timestamp', '1'], code: 2, says: /mutually exclusive|conflict/i },
  { kind: 'cli', name: 'tail of a topic that does not exist', args: ['tail', '--brokers', KAFKA.plaintext, '--topic', `bad-missing-${db}`, '--idle', '1'], code: 1, says: /does not exist/ },
  { kind: 'cli', name: 'tail --partition 99 of a one-partition topic (it waited forever)', args: ['tail', '--brokers', KAFKA.plaintext, '--topic', '__consumer_offsets', '--partition', '99', '--idle', '1'], code: 1, says: /has partitions 0 to \d+, not 99/ },
  { kind: 'cli', name: 'status of a job file that does not exist', args: ['status', join(dir, 'missing.yaml')], code: 2, says: /missing\.yaml/ },
];

const CREDENTIALS: Case[] = [
  { kind: 'credentials', name: 'a wrong MySQL password (run)', args: ['run', '$JOB', '--skip-precheck'], job: edit((j) => (src(j).password = 'wrong-pw-123')), code: 1, says: /source\.user and source\.password|credentials|Access denied/i },
  { kind: 'credentials', name: 'an unknown MySQL user (run)', args: ['run', '$JOB', '--skip-precheck'], job: edit((j) => (src(j).user = 'nobody_here')), code: 1, says: /source\.user|credentials|Access denied/i },
  { kind: 'credentials', name: 'a wrong MySQL password (precheck: a FAIL, exit 1)', args: ['precheck', '$JOB'], job: edit((j) => (src(j).password = 'wrong-pw-123')), code: 1, says: /FAIL/, report: true },
  { kind: 'credentials', name: 'a wrong SASL/SCRAM password', args: ['tail', '--brokers', KAFKA.sasl, '--topic', 'x', '--sasl', 'scram-sha-256', '--username', KAFKA.scram256.username, '--password-env', 'SLUICE_BAD_SASL', '--idle', '1'], env: { SLUICE_BAD_SASL: 'not-the-password' }, code: 1, says: /SASL|authentic|password/i },
  { kind: 'credentials', name: 'an unknown SASL user', args: ['tail', '--brokers', KAFKA.sasl, '--topic', 'x', '--sasl', 'scram-sha-512', '--username', 'nobody', '--password-env', 'SLUICE_BAD_SASL', '--idle', '1'], env: { SLUICE_BAD_SASL: 'x' }, code: 1, says: /SASL|authentic|password/i },
  { kind: 'credentials', name: 'tail --password-env naming an unset variable', args: ['tail', '--brokers', KAFKA.sasl, '--topic', 'x', '--sasl', 'scram-sha-256', '--username', 'u', '--password-env', 'SLUICE_BAD_UNSET_VAR'], code: 2, says: /SLUICE_BAD_UNSET_VAR/ },
  { kind: 'credentials', name: 'tail --password-file that does not exist', args: ['tail', '--brokers', KAFKA.sasl, '--topic', 'x', '--sasl', 'scram-sha-256', '--username', 'u', '--password-file', join(dir, 'no-pw-file')], code: 2, says: /no-pw-file/ },
];

const SERVER: Case[] = [
  { kind: 'server setting', name: 'nothing listens on the source port', args: ['run', '$JOB', '--skip-precheck'], job: edit((j) => (src(j).port = 1)), code: 1, says: /127\.0\.0\.1:1\b/ },
  { kind: 'server setting', name: 'nothing listens on the broker port', args: ['run', '$JOB', '--skip-precheck'], job: edit((j) => (tgt(j).brokers = ['127.0.0.1:2'])), code: 1, says: /127\.0\.0\.1:2\b/ },
  { kind: 'server setting', name: 'a table that does not exist (precheck FAIL, exit 1)', args: ['precheck', '$JOB'], job: edit((j) => (j.objects = [{ name: `${db}.no_such_table` }])), code: 1, says: /FAIL/, report: true },
  { kind: 'server setting', name: 'a topic that does not exist with createTopics false (precheck FAIL)', args: ['precheck', '$JOB'], job: base(), code: 1, says: /FAIL/, report: true },
  { kind: 'server setting', name: 'run stops on a precheck FAIL with exit 1 (it exited 2)', args: ['run', '$JOB'], job: base(), code: 1, says: /^sluice: precheck failed \(\d+ check\(s\)\)/ },
  { kind: 'server setting', name: 'an account without REPLICATION SLAVE (precheck FAIL)', args: ['precheck', '$JOB'], job: edit((j) => Object.assign(src(j), { user: `${db}_norepl`, password: 'norepl-pw-1' })), code: 1, says: /FAIL/, report: true },
  { kind: 'server setting', name: 'a state.dir that cannot be created (it spun at high CPU)', args: ['run', '$JOB', '--skip-precheck'], job: edit((j) => (j.state = { dir: '/proc/sluice-bad-input-state' })), code: 1, says: /^sluice: The state directory \/proc\/sluice-bad-input-state cannot be created or written/ },
];

const CASES = [...JOB_FILE, ...CLI, ...CREDENTIALS, ...SERVER];

function sluice(c: Case): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const args = c.args.map((a) => (a === '$JOB' ? jobFile(c.job ?? base()) : a));
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [SLUICE_BIN, ...args], { timeout: 60_000, killSignal: 'SIGKILL', env: { ...process.env, ...c.env } }, (err, stdout, stderr) => {
      const code: unknown = err ? (err as unknown as { code?: unknown }).code : 0;
      resolve({ code: typeof code === 'number' ? code : -1, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

before(async () => {
  await requireService(svc);
  await asRoot(
    svc,
    `DROP DATABASE IF EXISTS ${db}`,
    `CREATE DATABASE ${db}`,
    `CREATE TABLE ${db}.t (id INT PRIMARY KEY, v VARCHAR(10))`,
    `GRANT SELECT ON ${db}.* TO '${svc.sluice.user}'@'%'`,
    `CREATE USER IF NOT EXISTS '${db}_norepl'@'%' IDENTIFIED BY 'norepl-pw-1'`,
    `GRANT SELECT ON ${db}.* TO '${db}_norepl'@'%'`,
  );
});

after(async () => {
  await asRoot(svc, `DROP DATABASE IF EXISTS ${db}`, `DROP USER IF EXISTS '${db}_norepl'@'%'`).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

test('the bad-input table holds the issue\'s mix of kinds', () => {
  const count = (k: Case['kind']): number => CASES.filter((c) => c.kind === k).length;
  assert.ok(count('job file') >= 10 && count('cli') >= 10 && count('credentials') >= 5 && count('server setting') >= 5, JSON.stringify({ jobFile: count('job file'), cli: count('cli'), credentials: count('credentials'), server: count('server setting') }));
});

for (const c of CASES) {
  test(`bad input (${c.kind}): ${c.name} → exit ${c.code}, one sentence`, { timeout: 70_000 }, async () => {
    const r = await sluice(c);
    const where = `${c.name}: exit ${r.code} after ${r.ms} ms\nstderr: ${r.stderr}\nstdout: ${r.stdout.slice(0, 2000)}`;
    assert.notEqual(r.code, -1, `it did not end within 60 s: ${where}`);
    assert.equal(r.code, c.code, where);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));
    if (c.report) {
      assert.deepEqual(lines, [], `precheck answers with its report only: ${where}`);
      assert.match(r.stdout, c.says, where);
    } else {
      const last = lines[lines.length - 1] ?? '';
      assert.match(last, c.says, where);
      assert.match(last, /^sluice: /, `the sentence is sluice's own: ${where}`);
      assert.equal(lines.length, 1, `one line, not ${lines.length}: ${where}`);
    }
    assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, `no stack trace, no internal error: ${where}`);
    for (const secret of [PASSWORD, 'wrong-pw-123', 'norepl-pw-1', 'not-the-password', svc.root.password]) {
      assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), `the password ${secret} leaked: ${where}`);
    }
  });
}
