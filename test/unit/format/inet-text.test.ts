/** MariaDB 10.11's own text for stored INET6/INET4/UUID bytes (SELECT col, HEX(col) on the test server). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inet4Text, inet6Text, uuidText } from '../../../src/format/dts-avro/inet-text.js';

const hex = (s: string) => Buffer.from(s, 'hex');

test('INET6 prints as the server prints it, not as RFC 5952 or zongji would', () => {
  const cases: [string, string][] = [
    ['00000000000000000000000000000002', '::2'],
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000ffff01020304', '::ffff:1.2.3.4'],
    ['00000000000000000000000001020304', '::1.2.3.4'],
    ['00000000000000000000000001020000', '::1.2.0.0'],
    ['20010db8000000000000ff0000428329', '2001:db8::ff00:42:8329'],
    ['00010000000200030004000500060007', '1::2:3:4:5:6:7'],
  ];
  for (const [bytes, text] of cases) assert.equal(inet6Text(hex(bytes)), text, bytes);
});

test('INET4 and UUID', () => {
  assert.equal(inet4Text(hex('01020304')), '1.2.3.4');
  assert.equal(inet4Text(hex('ffffffff')), '255.255.255.255');
  assert.equal(uuidText(hex('6ccd780cbaba102695645b8c656024db')), '6ccd780c-baba-1026-9564-5b8c656024db');
  assert.equal(uuidText(hex('1ef3c5d2aaaa6bbb8ccc0123456789ab')), '1ef3c5d2-aaaa-6bbb-8ccc-0123456789ab');
});
