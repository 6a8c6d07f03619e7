import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLAG_RULES, numericFlag } from '../../src/cli/numeric-flags.js';
import { ConfigError } from '../../src/errors.js';

test('numeric flags: valid values pass, absent stays absent, and every bad value is one sentence (exit 2)', () => {
  assert.equal(numericFlag('timeout', 5, FLAG_RULES.timeout), 5);
  assert.equal(numericFlag('timeout', undefined, FLAG_RULES.timeout), undefined);
  assert.equal(numericFlag('idle', 0.5, FLAG_RULES.idle), 0.5);
  assert.equal(numericFlag('max', 0, FLAG_RULES.max), 0);
  const bad: Array<[string, unknown, keyof typeof FLAG_RULES, RegExp]> = [
    ['timeout', -5, 'timeout', /^--timeout -5 is out of range: give a whole number of seconds from 1 to 3600\.$/],
    ['timeout', 0, 'timeout', /out of range/],
    ['timeout', Number.NaN, 'timeout', /^--timeout is not a number/],
    ['max', -1, 'max', /^--max -1 is out of range/],
    ['partition', -1, 'partition', /out of range/],
    ['partition', 1.5, 'partition', /^--partition 1\.5 is not a whole number/],
    ['idle', -3, 'idle', /out of range/],
    ['metrics-port', 70000, 'metricsPort', /give a port number from 1 to 65535/],
    ['metrics-port', Infinity, 'metricsPort', /is not a number/],
  ];
  for (const [name, v, rule, re] of bad) {
    assert.throws(() => numericFlag(name, v, FLAG_RULES[rule]), (e: unknown) => e instanceof ConfigError && re.test(e.message), `${name} ${String(v)}`);
  }
});
