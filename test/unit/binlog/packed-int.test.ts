import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPackedInt } from '../../../src/source/binlog/packed-int.js';

test('packed integers: one byte below 251, else a 2-, 3- or 8-byte little-endian value after its marker', () => {
  assert.deepEqual(readPackedInt(Buffer.from([9, 250]), 1), { value: 250, next: 2 });
  assert.deepEqual(readPackedInt(Buffer.from([252, 0x34, 0x12]), 0), { value: 0x1234, next: 3 });
  assert.deepEqual(readPackedInt(Buffer.from([253, 1, 2, 3]), 0), { value: 0x030201, next: 4 });
  assert.deepEqual(readPackedInt(Buffer.from([254, 1, 0, 0, 0, 1, 0, 0, 0]), 0), { value: 2 ** 32 + 1, next: 9 });
  assert.throws(() => readPackedInt(Buffer.from([251]), 0), /marker 251/);
});
