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

test('exit codes: 2 for the job file or command line, 3 for a fault to act on, 1 for a failed check or a refusal', async () => {
  const { ConfigError, CheckError, FaultError, SourceError, TargetError, StateError, exitCodeFor } = await import('../../src/errors.js');
  assert.equal(exitCodeFor(new ConfigError('x')), 2);
  assert.equal(exitCodeFor(new FaultError('x')), 3);
  for (const E of [CheckError, SourceError, TargetError, StateError]) assert.equal(exitCodeFor(new E('x')), 1, E.name);
  assert.equal(exitCodeFor(new Error('a bug')), 1);
});
