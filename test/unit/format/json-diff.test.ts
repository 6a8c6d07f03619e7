/**
 * Partial JSON updates applied to their before image. The byte vectors are what MySQL 9.7 wrote to its binlog
 * (binlog_row_value_options=PARTIAL_JSON) for the statements named, and the expected texts what its SELECT
 * printed for the updated document afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonDiff, parseJsonPath } from '../../../src/format/dts-avro/json-diff.js';
import { SourceError } from '../../../src/errors.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const X49 = 'x'.repeat(49);

test("JSON_SET(j, '$.a[1]', 42, '$.c', 'new', '$.k.\"x y\"', 2.5): replace in an array, insert a key, replace under a quoted key", () => {
  const base = hex(
    '0003006900190001001a0001001b000100021c000c2900005b0061626b03000d00050100050200050300317878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787801000e000b000300050100782079',
  );
  const diff = hex('0006242e615b315d03052a000103242e63050c036e65770009242e6b2e2278207922070ff60402018205');
  assert.equal(applyJsonDiff(base, diff), `{"a": [1, 42, 3], "b": "${X49}", "c": "new", "k": {"x y": 2.5}}`);
});

test("JSON_REMOVE(j, '$.c', '$.a[0]'): remove a key and an array element", () => {
  const base = hex(
    '0004007b00200001002100010022000100230001000224000c31000c63000067006162636b03000d00050100052a000503003178787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878036e6577010014000b0003000f0e00782079f60402018205',
  );
  assert.equal(applyJsonDiff(base, hex('0203242e630206242e615b305d')), `{"a": [42, 3], "b": "${X49}", "k": {"x y": 2.5}}`);
});

test("JSON_SET(j, '$.a[10]', 'end', '$.aa', JSON_OBJECT('z', NULL)): append past the end, insert a key that sorts by length", () => {
  const base = hex(
    '0003007b002000010021000100230001000224000c3100006700000c63000067006162636b02000d00052a000503000503003178787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878036e6577010014000b0003000f0e00782079f60402018205',
  );
  const diff = hex('0107242e615b31305d050c03656e640104242e61610d0001000c000b0001000400007a');
  // MySQL orders keys by length first: "aa" after "k"
  assert.equal(applyJsonDiff(base, diff), `{"a": [42, 3, "end"], "b": "${X49}", "k": {"x y": 2.5}, "aa": {"z": null}}`);
});

test('JSON paths as MySQL writes them in diffs', () => {
  assert.deepEqual(parseJsonPath('$.a[1]'), [{ key: 'a' }, { index: 1 }]);
  assert.deepEqual(parseJsonPath('$.k."x y".z'), [{ key: 'k' }, { key: 'x y' }, { key: 'z' }]);
  assert.deepEqual(parseJsonPath('$."a\\"b"[0][2]'), [{ key: 'a"b' }, { index: 0 }, { index: 2 }]);
  assert.deepEqual(parseJsonPath('$'), []);
});

test('a diff that does not fit its before image stops with one sentence naming the setting', () => {
  // REMOVE $.a[0].x on a document whose $.a does not exist ({"b": 1} as binary JSON)
  const base = hex('0001000c000b00010005010062');
  const path = Buffer.from('$.a[0].x');
  const diff = Buffer.concat([Buffer.from([2, path.length]), path]);
  assert.throws(() => applyJsonDiff(base, diff), (e: unknown) => e instanceof SourceError && /binlog_row_value_options=''/.test(e.message));
});
