import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildJob } from '../../../src/config/index.js';
import { DERIVED_SERVER_ID_MAX, DERIVED_SERVER_ID_MIN, derivedServerId } from '../../../src/config/job-name.js';
import { ConfigError } from '../../../src/errors.js';

const minimal = {
  source: { host: 'db', user: 'sync', password: 'pw' },
  target: { brokers: ['k:9092'], topic: 'dts' },
  objects: [{ name: 'shop.orders' }],
};

test('the name defaults to the file base name and can be set in the file', () => {
  assert.equal(buildJob(minimal, '/jobs/orders-to-dts.yaml', {}).name, 'orders-to-dts');
  assert.equal(buildJob({ ...minimal, name: 'billing_2.a' }, '/jobs/x.yaml', {}).name, 'billing_2.a');
});

test('an omitted serverId is derived from the name: stable, in the documented range, different per name', () => {
  const a = buildJob(minimal, '/jobs/a.yaml', {}).source.serverId;
  const again = buildJob({ ...minimal, name: 'a' }, '/elsewhere/other.yml', {}).source.serverId;
  const b = buildJob(minimal, '/jobs/b.yaml', {}).source.serverId;
  assert.equal(a, again);
  assert.notEqual(a, b);
  assert.notEqual(a, 5401);
  const ids = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const id = derivedServerId(`job-${i}`);
    assert.ok(Number.isInteger(id) && id >= DERIVED_SERVER_ID_MIN && id <= DERIVED_SERVER_ID_MAX, String(id));
    ids.add(id);
  }
  assert.equal(ids.size, 2000);
});

test('an explicit serverId wins over the derived one', () => {
  assert.equal(buildJob({ ...minimal, source: { ...minimal.source, serverId: 77 } }, '/jobs/a.yaml', {}).source.serverId, 77);
});

test('a bad name, given or defaulted from the file name, is a ConfigError naming it', () => {
  for (const name of ['', 'a b', 'x'.repeat(65), 'sluice:1', 'naïve']) {
    assert.throws(
      () => buildJob({ ...minimal, name }, '/jobs/j.yaml', {}),
      (e: unknown) => e instanceof ConfigError && /name ".*" is not 1 to 64 letters/.test(e.message),
      JSON.stringify(name),
    );
  }
  assert.throws(
    () => buildJob(minimal, '/jobs/my job.yaml', {}),
    (e: unknown) => e instanceof ConfigError && /defaults to the file's base name "my job".*set name:/.test(e.message),
  );
  assert.throws(() => buildJob({ ...minimal, name: 5 }, '/jobs/j.yaml', {}), (e: unknown) => e instanceof ConfigError && /name: expected string/.test(e.message));
  assert.equal(buildJob({ ...minimal, name: 'x'.repeat(64) }, '/jobs/j.yaml', {}).name.length, 64);
});
