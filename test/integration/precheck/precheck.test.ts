// Precheck against the real MariaDB, MySQL and Kafka services: a correctly granted job passes, and each
// mistake a user makes shows up as FAIL (or WARN) on the right check with a hint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { runPrecheck, type PrecheckReport } from '../../../src/precheck/run-precheck.js';
import { asRoot, withGlobal } from '../../support/db.js';
import { testJob } from '../../support/jobs.js';
import { DATABASES, KAFKA, MARIADB118, MYSQL_MINIMAL } from '../../support/services.js';

const TOPIC = 'sluice-precheck-topic';
const DB = 'pc_shop';

function check(r: PrecheckReport, id: string) {
  const c = r.checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id} in ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
}

before(async () => {
  const admin = new kafkajs.Kafka({ brokers: [KAFKA.plaintext], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  if (!(await admin.listTopics()).includes(TOPIC)) {
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }], waitForLeaders: true });
  }
  await admin.disconnect();
});

for (const svc of [...DATABASES, MARIADB118, MYSQL_MINIMAL]) {
  describe(`precheck on ${svc.name}`, () => {
    before(async () => {
      await asRoot(
        svc,
        `DROP DATABASE IF EXISTS ${DB}`,
        `CREATE DATABASE ${DB}`,
        `CREATE TABLE ${DB}.orders (id BIGINT PRIMARY KEY, customer INT, note VARCHAR(64))`,
        `CREATE TABLE ${DB}.logbook (line TEXT)`,
        `CREATE USER IF NOT EXISTS 'sluice_norepl'@'%' IDENTIFIED BY 'norepl-pw'`,
        `GRANT SELECT, REPLICATION CLIENT, SHOW VIEW ON *.* TO 'sluice_norepl'@'%'`,
      );
    });
    after(async () => {
      await asRoot(svc, `DROP DATABASE IF EXISTS ${DB}`, `DROP USER IF EXISTS 'sluice_norepl'@'%'`);
    });

    test('a correctly granted job passes every check', async () => {
      const r = await runPrecheck(testJob(svc, { topic: TOPIC, objects: [{ name: `${DB}.orders` }] }));
      assert.equal(r.ok, true, JSON.stringify(r.checks.filter((c) => c.status === 'FAIL')));
      for (const id of ['source.connect', 'source.version', 'source.log_bin', 'source.binlog_format', 'source.binlog_row_image', 'source.priv.replication_slave', 'source.priv.replication_client', 'source.priv.select', 'objects.exist', 'target.connect', 'target.idempotence', `target.topic.${TOPIC}`]) {
        assert.equal(check(r, id).status, 'PASS', id);
      }
      // the 5.7-shaped server: MINIMAL metadata is a warning (never a failure), GTID off a passing note
      assert.equal(check(r, 'source.binlog_row_metadata').status, svc.rowMetadata === 'FULL' ? 'PASS' : 'WARN');
      assert.equal(check(r, 'source.gtid').status, 'PASS');
      assert.match(check(r, 'source.gtid').detail, svc.gtid ? /ON|always on/ : /resumes by binlog file and position/);
    });

    test('a user without REPLICATION SLAVE fails that privilege check', async () => {
      const r = await runPrecheck(testJob(svc, { topic: TOPIC, objects: [{ name: `${DB}.orders` }], source: { user: 'sluice_norepl', password: 'norepl-pw' } }));
      const c = check(r, 'source.priv.replication_slave');
      assert.equal(c.status, 'FAIL');
      assert.match(c.fix ?? '', /GRANT REPLICATION SLAVE/);
      assert.equal(check(r, 'source.priv.replication_client').status, 'PASS');
      assert.equal(r.ok, false);
    });

    test('a wrong MySQL password fails the connect check and never shows the password', async () => {
      const r = await runPrecheck(testJob(svc, { topic: TOPIC, objects: [{ name: `${DB}.orders` }], source: { password: 'not-the-password-xyz' } }));
      const c = check(r, 'source.connect');
      assert.equal(c.status, 'FAIL');
      assert.match(c.detail, /rejected user 'sluice'.*source\.password/);
      assert.doesNotMatch(JSON.stringify(r), /not-the-password-xyz/);
    });

    test('binlog_format=STATEMENT fails the binlog_format check', async () => {
      const r = await withGlobal(svc, 'binlog_format', 'STATEMENT', () => runPrecheck(testJob(svc, { topic: TOPIC, objects: [{ name: `${DB}.orders` }] })));
      const c = check(r, 'source.binlog_format');
      assert.equal(c.status, 'FAIL');
      assert.match(c.detail, /STATEMENT/);
      assert.match(c.fix ?? '', /binlog_format = ROW/);
    });

    test('binlog_row_image=MINIMAL fails the binlog_row_image check', async () => {
      const r = await withGlobal(svc, 'binlog_row_image', 'MINIMAL', () => runPrecheck(testJob(svc, { topic: TOPIC, objects: [{ name: `${DB}.orders` }] })));
      const c = check(r, 'source.binlog_row_image');
      assert.equal(c.status, 'FAIL');
      assert.match(c.fix ?? '', /FULL/);
    });

    test('a table that does not exist fails, a keyless table warns', async () => {
      const r = await runPrecheck(testJob(svc, { topic: TOPIC, objects: [{ name: `${DB}.nope` }, { name: `${DB}.logbook` }] }));
      const missing = check(r, 'objects.exist.0');
      assert.equal(missing.status, 'FAIL');
      assert.match(missing.detail, /pc_shop\.nope does not exist/);
      const keys = check(r, 'objects.keys');
      assert.equal(keys.status, 'WARN');
      assert.match(keys.detail, /pc_shop\.logbook/);
    });

    test('filters and partition keys are checked against the real table', async () => {
      const r = await runPrecheck(
        testJob(svc, {
          topic: TOPIC,
          objects: [{ name: `${DB}.orders`, filter: "customer > 10 AND note <> 'x'", partitionKey: ['customer'] }],
          extra: { partitioning: 'key-hash' },
        }),
      );
      assert.equal(check(r, `objects.filter.${DB}.orders`).status, 'PASS');
      assert.equal(check(r, `objects.partition_key.${DB}.orders`).status, 'PASS');
      for (const [filter, expected] of [
        ['custmer > 10', /custmer/],
        ["id = 1; DROP TABLE t", /;/],
        ["note = 'open", /unterminated|string/i],
        ["note LIKE 'a%'", /LIKE/],
      ] as const) {
        const bad = await runPrecheck(testJob(svc, { topic: TOPIC, objects: [{ name: `${DB}.orders`, filter }] }));
        const c = check(bad, `objects.filter.${DB}.orders`);
        assert.equal(c.status, 'FAIL', filter);
        assert.match(c.detail, expected);
      }
      const badKey = await runPrecheck(testJob(svc, { topic: TOPIC, objects: [{ name: `${DB}.orders`, partitionKey: ['nope'] }], extra: { partitioning: 'key-hash' } }));
      assert.equal(check(badKey, `objects.partition_key.${DB}.orders`).status, 'FAIL');
    });

    test('a topic that does not exist fails when auto-creation is off and passes when createTopics is on', async () => {
      const off = await runPrecheck(testJob(svc, { topic: 'sluice-no-such-topic', objects: [{ name: `${DB}.orders` }] }));
      const c = check(off, 'target.topic.sluice-no-such-topic');
      assert.equal(c.status, 'FAIL');
      assert.match(c.fix ?? '', /createTopics/);
      const on = await runPrecheck(testJob(svc, { topic: 'sluice-no-such-topic', objects: [{ name: `${DB}.orders` }], target: { createTopics: true } }));
      assert.equal(check(on, 'target.topic.sluice-no-such-topic').status, 'PASS');
    });
  });
}

describe('precheck against unreachable or refusing services', () => {
  const svc = DATABASES[1]!;

  test('MySQL unreachable fails the connect check and skips the rest of the source', async () => {
    const r = await runPrecheck(testJob(svc, { topic: TOPIC, objects: [{ name: 'a.b' }], source: { port: 13399 } }));
    assert.equal(check(r, 'source.connect').status, 'FAIL');
    assert.match(check(r, 'source.connect').detail, /refused the connection/);
    assert.equal(check(r, 'target.connect').status, 'PASS');
  });

  test('Kafka unreachable fails within a bounded time', async () => {
    const started = Date.now();
    const r = await runPrecheck(testJob(svc, { topic: TOPIC, objects: [{ name: 'a.b' }], target: { brokers: ['127.0.0.1:19099'], connectTimeoutMs: 1000 } }));
    const elapsed = Date.now() - started;
    assert.equal(check(r, 'target.connect').status, 'FAIL');
    assert.match(check(r, 'target.connect').detail, /127\.0\.0\.1:19099/);
    assert.ok(elapsed < 20000, `took ${elapsed} ms`);
  });

  test('a wrong SCRAM password fails the Kafka connect check; the right ones pass', async () => {
    for (const user of [KAFKA.scram256, KAFKA.scram512]) {
      const ok = await runPrecheck(testJob(svc, { topic: TOPIC, objects: [{ name: 'a.b' }], target: { brokers: [KAFKA.sasl], sasl: { ...user } } }));
      assert.equal(check(ok, 'target.connect').status, 'PASS', `${user.mechanism}: ${check(ok, 'target.connect').detail}`);
      const bad = await runPrecheck(testJob(svc, { topic: TOPIC, objects: [{ name: 'a.b' }], target: { brokers: [KAFKA.sasl], sasl: { ...user, password: 'wrong-scram-pw-123' } } }));
      const c = check(bad, 'target.connect');
      assert.equal(c.status, 'FAIL');
      assert.match(c.detail, /rejected authentication/);
      assert.doesNotMatch(JSON.stringify(bad), /wrong-scram-pw-123/);
    }
  });
});

describe('sluice precheck, the command', () => {
  const svc = DATABASES[1]!;
  const bin = new URL('../../../../bin/sluice.js', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-precheck-'));
  const run = (file: string, ...args: string[]) =>
    promisify(execFile)(process.execPath, [bin, 'precheck', file, ...args], { env: { ...process.env, PC_PW: svc.sluice.password } }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  test('prints the table, exits 0 when nothing fails and 1 when something does; --json parses', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, `source: {host: 127.0.0.1, port: ${svc.port}, user: sluice, password: "\${PC_PW}"}\ntarget: {brokers: ["${KAFKA.plaintext}"], topic: ${TOPIC}}\nobjects: [{name: mysql.nothing_here_*}]\n`);
    const ok = await run(good);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /binlog_format = ROW\s+PASS/);
    assert.doesNotMatch(ok.stdout + ok.stderr, new RegExp(svc.sluice.password));
    const json = await run(good, '--json');
    assert.equal(JSON.parse(json.stdout).ok, true);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `source: {host: 127.0.0.1, port: ${svc.port}, user: sluice, password: "\${PC_PW}"}\ntarget: {brokers: ["${KAFKA.plaintext}"], topic: sluice-missing-topic}\nobjects: [{name: a.b}]\n`);
    const failed = await run(bad);
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /FAIL/);
  });

  test('bad job files give one clear line and exit 2, without a stack trace or the password', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['unknown-key.yaml', `source: {host: h, user: u, password: s3cret-value, colour: red}\ntarget: {brokers: ["a:1"], topic: t}\nobjects: [{name: a.b}]\n`, /source has unknown key "colour"/],
      ['wrong-type.yaml', `source: {host: h, port: "abc", user: u, password: s3cret-value}\ntarget: {brokers: ["a:1"], topic: t}\nobjects: [{name: a.b}]\n`, /source\.port: expected number, found string "abc"/],
      ['missing.yaml', `source: {host: h, user: u, password: s3cret-value}\nobjects: [{name: a.b}]\n`, /target is required/],
      ['secret-file.yaml', `source: {host: h, user: u, password: {file: /nonexistent/pw.txt}}\ntarget: {brokers: ["a:1"], topic: t}\nobjects: [{name: a.b}]\n`, /source\.password names the file \/nonexistent\/pw\.txt, which does not exist/],
      ['invalid.yaml', `source: {host: h, user: u, password: s3cret-value\ntarget: [\n`, /is not valid YAML at line \d+, column \d+/],
    ];
    for (const [name, text, expected] of cases) {
      const f = join(dir, name);
      writeFileSync(f, text);
      const r = await run(f);
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${name}: ${r.stderr}`);
      assert.match(lines[0]!, expected);
      assert.doesNotMatch(r.stderr + r.stdout, /s3cret-value|\n\s+at /);
    }
  });
});
