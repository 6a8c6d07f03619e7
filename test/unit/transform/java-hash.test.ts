import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { javaBytesHashCode, javaStringHashCode, partitionFor } from '../../../src/transform/index.js';

interface Vector {
  input: string;
  hash: number;
  partitions: Record<string, number>;
}

// Produced by real Java from java/HashVectors.java (see its header); dist/test/unit/transform → repo root.
const file = new URL('../../../../test/unit/transform/java/hash-vectors.json', import.meta.url);
const vectors = (JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] }).vectors;

test('the vector file covers the cases the issue names', () => {
  assert.ok(vectors.length >= 60);
  assert.ok(vectors.some((v) => v.input === ''), 'empty string');
  assert.ok(vectors.some((v) => v.hash === -2147483648), 'a value hashing to Integer.MIN_VALUE');
  assert.ok(vectors.some((v) => /[\ud800-\udbff][\udc00-\udfff]/.test(v.input)), 'a surrogate pair');
  assert.ok(vectors.some((v) => /[\u4e00-\u9fff]/.test(v.input)), 'CJK');
  assert.ok(vectors.some((v) => v.input.length >= 1000), 'a long string');
  assert.ok(vectors.some((v) => v.input.startsWith('["')), 'JSON key strings');
});

test('javaStringHashCode equals Java String.hashCode on every vector', () => {
  for (const v of vectors) assert.equal(javaStringHashCode(v.input), v.hash, JSON.stringify(v.input.slice(0, 40)));
});

test('partitionFor equals (h & 0x7fffffff) % n under 1, 3, 8 and 64 partitions on every vector', () => {
  for (const v of vectors) {
    for (const n of [1, 3, 8, 64]) {
      assert.equal(partitionFor(javaStringHashCode(v.input), n), v.partitions[String(n)], `${JSON.stringify(v.input.slice(0, 40))} / ${n}`);
    }
  }
});

test('Integer.MIN_VALUE stays in range (masking, not Math.abs)', () => {
  assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
  assert.equal(partitionFor(-2147483648, 7), 0);
  assert.equal(partitionFor(-1, 64), 0x7fffffff % 64);
});

test('javaBytesHashCode of ASCII or latin1 bytes equals javaStringHashCode of their text', () => {
  for (const s of ['', '["42"]', '["-9223372036854775808","0.5",null]', 'x'.repeat(1000), 'café\u00ff\u0080']) {
    const b = Buffer.from(s, 'latin1');
    assert.equal(javaBytesHashCode(b, b.length), javaStringHashCode(s), s.slice(0, 40));
  }
  const padded = Buffer.from('["7"]trailing', 'latin1');
  assert.equal(javaBytesHashCode(padded, 5), javaStringHashCode('["7"]'));
});
