import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, isUserError, UserError } from '../../src/errors.js';

test('a ConfigError is a user error whose message is the sentence for the user', () => {
  const e = new ConfigError('source.port must be a number, found "abc": fix the job file.');
  assert.ok(isUserError(e));
  assert.ok(e instanceof UserError);
  assert.equal(e.kind, 'config');
  assert.equal(e.name, 'ConfigError');
  assert.equal(isUserError(new Error('x')), false);
});
