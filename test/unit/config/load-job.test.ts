import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { buildJob, loadJob } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';

const minimal = {
  source: { host: 'db', user: 'sync', password: 'pw' },
  target: { brokers: ['k:9092'], topic: 'dts' },
  objects: [{ name: 'shop.orders' }],
};

function expectConfigError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ConfigError && message.test(e.message), String(message));
}

test('defaults are filled in and objects are split into db and table', () => {
  const j = buildJob(minimal, '/jobs/demo.yaml', {});
  assert.equal(j.name, 'demo');
  assert.equal(j.source.port, 3306);
  assert.equal(j.partitioning, 'table-hash');
  assert.deepEqual(j.init, { schema: true, data: true });
  assert.equal(j.ddl, 'ignore');
  assert.equal(j.target.createTopics, false);
  assert.equal(j.producer.compression, 'lz4');
  assert.equal(j.snapshot.parallelism, 2);
  assert.equal(j.state.dir, '/jobs/.sluice-state');
  assert.deepEqual(j.objects, [{ db: 'shop', table: 'orders' }]);
});

test('passwords are wrapped: logging or serialising the config never shows them', () => {
  const j = buildJob(minimal, 'x.yaml', {});
  assert.equal(j.source.password.reveal(), 'pw');
  assert.doesNotMatch(JSON.stringify(j), /"pw"/);
  assert.doesNotMatch(inspect(j, { depth: 10 }), /'pw'/);
  assert.equal(`${j.source.password}`, '[redacted]');
});

test('${ENV} references and { env } / { file } secrets are resolved', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cfg-'));
  writeFileSync(join(dir, 'kafka.pw'), 'from-file\n');
  const j = buildJob(
    {
      ...minimal,
      source: { host: '${DB_HOST}', user: 'sync', password: { env: 'DB_PW' } },
      target: { brokers: ['k:9092'], topic: 'dts', sasl: { mechanism: 'scram-sha-512', username: 'u', password: { file: 'kafka.pw' } } },
    },
    join(dir, 'job.yaml'),
    { DB_HOST: 'mysql.internal', DB_PW: 'from-env' },
  );
  assert.equal(j.source.host, 'mysql.internal');
  assert.equal(j.source.password.reveal(), 'from-env');
  assert.equal(j.target.sasl?.password.reveal(), 'from-file');
});

test('each mistake is one sentence naming the key, what was expected and what was found', () => {
  expectConfigError(() => buildJob({ ...minimal, sorce: {} }, 'j.yaml', {}), /top level has unknown key "sorce"/);
  expectConfigError(() => buildJob({ ...minimal, source: { ...minimal.source, port: 'abc' } }, 'j.yaml', {}), /source\.port: expected number, found string "abc"/);
  expectConfigError(() => buildJob({ source: minimal.source, objects: minimal.objects }, 'j.yaml', {}), /target is required/);
  expectConfigError(() => buildJob({ ...minimal, partitioning: 'random' }, 'j.yaml', {}), /partitioning: expected one of "partition0", "table-hash", "key-hash", found string "random"/);
  expectConfigError(() => buildJob({ ...minimal, objects: [{ name: 'nodot' }] }, 'j.yaml', {}), /objects\[0\]\.name/);
  expectConfigError(() => buildJob({ ...minimal, source: { ...minimal.source, host: '${NOPE}' } }, 'j.yaml', {}), /source\.host refers to \$\{NOPE\}, but the environment variable NOPE is not set/);
  expectConfigError(() => buildJob({ ...minimal, source: { ...minimal.source, password: { file: '/nonexistent/x' } } }, 'j.yaml', {}), /source\.password names the file \/nonexistent\/x, which does not exist/);
});

test('a wrongly typed password is reported without its value', () => {
  assert.throws(
    () => buildJob({ ...minimal, source: { ...minimal.source, password: 987654321 } }, 'j.yaml', {}),
    (e: unknown) => e instanceof ConfigError && /source\.password/.test(e.message) && !/987654321/.test(e.message),
  );
});

test('loadJob reports invalid YAML with its line and a missing file plainly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cfg-'));
  const f = join(dir, 'bad.yaml');
  writeFileSync(f, 'source:\n  host: [1,\n');
  expectConfigError(() => loadJob(f, {}), /is not valid YAML at line \d+, column \d+/);
  expectConfigError(() => loadJob(join(dir, 'none.yaml'), {}), /does not exist: check the path/);
});

test('heartbeat: probes every second and writes no HEARTBEAT records unless asked; records need a probe interval', () => {
  assert.deepEqual(buildJob(minimal, 'x.yaml', {}).heartbeat, { intervalMs: 1000, records: false });
  assert.deepEqual(buildJob({ ...minimal, heartbeat: { records: true } }, 'x.yaml', {}).heartbeat, { intervalMs: 1000, records: true });
  expectConfigError(() => buildJob({ ...minimal, heartbeat: { intervalMs: 0, records: true } }, 'x.yaml', {}), /heartbeat\.records.*intervalMs above 0/);
});
