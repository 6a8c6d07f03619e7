import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { crc32c } from '../../../src/sink/kafka/crc32c.js';

const kafkajsCrc32c = createRequire(import.meta.url)('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;

test('CRC32C matches the standard check value and kafkajs for every length 0..300 and large random inputs', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283, 'the CRC-32C check value');
  const data = randomBytes(300);
  for (let n = 0; n <= 300; n++) assert.equal(crc32c(data.subarray(0, n)), kafkajsCrc32c(data.subarray(0, n)), `length ${n}`);
  for (const size of [65_536, 1_000_003]) {
    const big = randomBytes(size);
    assert.equal(crc32c(big), kafkajsCrc32c(big), `length ${size}`);
    assert.equal(crc32c(big.subarray(3)), kafkajsCrc32c(big.subarray(3)), 'unaligned start');
  }
});
