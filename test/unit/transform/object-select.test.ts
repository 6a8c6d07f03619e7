import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/errors.js';
import { matchesObject, resolveObject, selectObjects, type ServerTable } from '../../../src/transform/index.js';

const TABLES: ServerTable[] = [
  { db: 'shop', table: 'orders', type: 'BASE TABLE' },
  { db: 'shop', table: 'order_items', type: 'BASE TABLE' },
  { db: 'shop', table: 'order_view', type: 'VIEW' },
  { db: 'shop', table: 'customers', type: 'BASE TABLE' },
  { db: 'crm', table: 'orders', type: 'BASE TABLE' },
];

test('exact names and globs select base tables, never views, with the job topic by default', () => {
  const sel = selectObjects([{ db: 'shop', table: 'order*', filter: 'id > 0' }, { db: 'crm', table: 'orders', topic: 'crm-topic', partitionKey: ['id'] }], TABLES, 'job-topic');
  assert.deepEqual(sel.objects.map((o) => `${o.db}.${o.table}@${o.topic}`), ['shop.orders@job-topic', 'shop.order_items@job-topic', 'crm.orders@crm-topic']);
  assert.equal(sel.objects[0]!.filter, 'id > 0');
  assert.deepEqual(sel.objects[2]!.partitionKey, ['id']);
  assert.equal(sel.objects[2]!.filter, null);
  assert.deepEqual(sel.unmatched, []);
});

test('? matches one character and * matches across the db name too', () => {
  const sel = selectObjects([{ db: '*', table: 'order?' }], TABLES, 't');
  assert.deepEqual(sel.objects.map((o) => `${o.db}.${o.table}`), ['shop.orders', 'crm.orders']);
});

test("the name: 'db.table' shorthand is accepted and split at the first dot", () => {
  const sel = selectObjects([{ name: 'shop.customers' }], TABLES, 't');
  assert.deepEqual(sel.objects.map((o) => o.table), ['customers']);
  assert.throws(() => selectObjects([{ name: 'nodot' }], TABLES, 't'), ConfigError);
  assert.throws(() => selectObjects([{ name: 'a.b', db: 'a' }], TABLES, 't'), /both name and db\/table/);
});

test('a table matched by two entries is a ConfigError naming both', () => {
  assert.throws(
    () => selectObjects([{ db: 'shop', table: '*' }, { db: 'shop', table: 'orders' }], TABLES, 't'),
    (e: unknown) => e instanceof ConfigError && /shop\.orders is matched by two object entries \(objects\[0\] 'shop\.\*' and objects\[1\] 'shop\.orders'\)/.test(e.message),
  );
});

test('rules that select nothing are returned, exact ones flagged, views named', () => {
  const sel = selectObjects([{ db: 'shop', table: 'missing' }, { db: 'x*', table: '*' }, { db: 'shop', table: 'order_view' }], TABLES, 't');
  assert.deepEqual(sel.objects, []);
  assert.deepEqual(sel.unmatched.map((u) => [u.pattern, u.exact, u.views]), [
    ['shop.missing', true, []],
    ['x*.*', false, []],
    ['shop.order_view', true, ['shop.order_view']],
  ]);
});

test('tables created later are matched by the same rules', () => {
  const rules = [{ db: 'shop', table: 'order_*', topic: 'orders' }];
  assert.equal(matchesObject(rules, 'shop', 'order_2025'), true);
  assert.equal(matchesObject(rules, 'shop', 'orders'), false);
  assert.equal(resolveObject(rules, 'shop', 'order_2025', 'job')?.topic, 'orders');
  assert.equal(resolveObject(rules, 'crm', 'order_2025', 'job'), null);
});

test('glob characters of regular expressions are literal', () => {
  assert.equal(matchesObject([{ db: 'a.b', table: 't(1)' }], 'a.b', 't(1)'), true);
  assert.equal(matchesObject([{ db: 'a.b', table: 't(1)' }], 'axb', 't(1)'), false);
});
