import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/errors.js';
import {
  compileRouter,
  javaStringHashCode,
  keyColumnsFor,
  partitionFor,
  renderKeyString,
  routeDdl,
  tableHashString,
} from '../../../src/transform/index.js';
import { table } from './fixtures.js';

const T = table('shop', 'orders', [
  { name: 'id', dataType: 'int', nullable: false },
  { name: 'code', dataType: 'varchar', nullable: false },
  { name: 'maybe', dataType: 'varchar' },
  { name: 'note', dataType: 'varchar' },
], ['id', 'code'], [
  { name: 'uk_maybe', columns: ['maybe'], unique: true },
  { name: 'uk_code', columns: ['code'], unique: true },
]);

test('key columns: configured, else primary key, else the first NOT NULL unique key, else none', () => {
  assert.deepEqual(keyColumnsFor(T, ['note'])!.ordinals, [3]);
  assert.deepEqual(keyColumnsFor(T, ['NOTE'])!.names, ['NOTE']);
  assert.deepEqual(keyColumnsFor(T, null), { names: ['id', 'code'], ordinals: [0, 1], source: 'primary' });
  const noPk = { ...T, primaryKey: [] };
  assert.deepEqual(keyColumnsFor(noPk, undefined), { names: ['code'], ordinals: [1], source: 'unique' });
  assert.equal(keyColumnsFor({ ...noPk, uniqueKeys: [T.uniqueKeys[0]!] }, null), null);
  assert.throws(() => keyColumnsFor(T, ['nope']), (e: unknown) => e instanceof ConfigError && /names column 'nope'/.test(e.message));
});

test('the key string is a JSON array of the image texts, NULL as null', () => {
  assert.equal(renderKeyString(['42', 'abc', null, 'x'], [0, 1]), '["42","abc"]');
  assert.equal(renderKeyString(['1', null], [0, 1]), '["1",null]');
  assert.equal(renderKeyString(['a"b\\c\n', '订单😀'], [0, 1]), '["a\\"b\\\\c\\n","订单😀"]');
  assert.equal(renderKeyString(['a"b', '订单😀', null], [0, 1, 2]), JSON.stringify(['a"b', '订单😀', null]));
});

test('key-hash: partition from the Java hash of the key string; message key is the key string', () => {
  const r = compileRouter({ strategy: 'key-hash', partitions: 8, db: 'shop', table: 'orders', keyOrdinals: [0, 1] });
  const route = r.routeRow(['42', 'abc', null, null]);
  assert.equal(route.key, '["42","abc"]');
  assert.equal(route.partition, partitionFor(javaStringHashCode('["42","abc"]'), 8));
  // An UPDATE goes by its after image: the caller passes the after image, so a changed key moves.
  assert.notEqual(r.routeRow(['43', 'abc', null, null]).key, route.key);
  assert.deepEqual(r.routeDdl(), { partition: 0, key: 'shop' });
});

test('key-hash without a key: partition 0 and no message key', () => {
  const r = compileRouter({ strategy: 'key-hash', partitions: 8, db: 'shop', table: 'orders', keyOrdinals: null });
  assert.deepEqual(r.routeRow(['1', 'a', null, null]), { partition: 0, key: null });
});

test('table-hash: every row of a table on the hash of its objectName; its DDL with it', () => {
  const r = compileRouter({ strategy: 'table-hash', partitions: 64, db: 'shop', table: 'orders', keyOrdinals: [0] });
  const p = partitionFor(javaStringHashCode('shop.orders'), 64);
  assert.equal(r.routeRow(['1', 'a', null, null]).partition, p);
  assert.equal(r.routeRow(['2', 'b', null, null]).partition, p);
  assert.equal(r.routeRow(['2', 'b', null, null]).key, '["2"]');
  assert.deepEqual(r.routeDdl(), { partition: p, key: 'shop' });
  assert.deepEqual(routeDdl('table-hash', 64, 'shop', null), { partition: 0, key: 'shop' });
  assert.equal(tableHashString('my.db', 'orders'), 'my\\u002Edb.orders');
});

test('partition0: everything to partition 0, keys still set', () => {
  const r = compileRouter({ strategy: 'partition0', partitions: 3, db: 'shop', table: 'orders', keyOrdinals: [0] });
  assert.deepEqual(r.routeRow(['7', 'a', null, null]), { partition: 0, key: '["7"]' });
  assert.deepEqual(r.routeDdl(), { partition: 0, key: 'shop' });
  assert.throws(() => compileRouter({ strategy: 'partition0', partitions: 0, db: 'a', table: 'b', keyOrdinals: null }), RangeError);
});
