import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMysqlJsonDouble } from '../../../src/format/dts-avro/mysql-double.js';
import { decodeBinaryDecimal } from '../../../src/format/dts-avro/jsonb-text.js';

test('doubles print as MySQL JSON prints them (values observed on MySQL 9.7)', () => {
  const cases: [number, string][] = [
    [1, '1.0'],
    [100, '100.0'],
    [0.1, '0.1'],
    [1e21, '1e21'],
    [1.2345678901234569e23, '1.2345678901234569e23'],
    [1.5e-7, '0.00000015'],
    [3e-5, '0.00003'],
    [1e20, '1e20'],
    [-2.5, '-2.5'],
    [1e308, '1e308'],
    [-2.2250738585072014e-308, '-2.2250738585072014e-308'],
    [123456789012345, '123456789012345.0'],
    [1234567890123456, '1.234567890123456e15'],
  ];
  for (const [x, want] of cases) assert.equal(formatMysqlJsonDouble(x), want, String(x));
});

test('binary DECIMAL decodes exactly, negative and fractional', () => {
  // DECIMAL(5,2) 123.45: intg 3 digits (2 bytes), frac 2 digits (1 byte), sign bit flipped
  const pos = Buffer.from([0x80, 0x7b, 0x2d]);
  assert.equal(decodeBinaryDecimal(pos, 0, 5, 2), '123.45');
  const neg = Buffer.from(pos.map((b) => ~b & 0xff));
  assert.equal(decodeBinaryDecimal(neg, 0, 5, 2), '-123.45');
});
