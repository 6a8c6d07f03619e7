import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasGlobal, hasOnTable, parseGrants } from '../../../src/source/mysql/grants.js';

test('global grants as MySQL and MariaDB print them', () => {
  const my = parseGrants(["GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT, SHOW VIEW ON *.* TO `sluice`@`%`"]);
  assert.ok(hasGlobal(my, 'REPLICATION SLAVE'));
  assert.ok(hasGlobal(my, 'SHOW VIEW'));
  assert.ok(hasOnTable(my, 'SELECT', 'shop', 'orders'));
  const maria = parseGrants(["GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR, SHOW VIEW ON *.* TO `sluice`@`%` IDENTIFIED BY PASSWORD '*ABC'"]);
  assert.ok(hasGlobal(maria, 'BINLOG MONITOR'));
  assert.ok(!hasGlobal(maria, 'REPLICATION CLIENT'));
});

test('ALL PRIVILEGES implies every privilege', () => {
  const g = parseGrants(['GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION']);
  assert.ok(hasGlobal(g, 'REPLICATION SLAVE'));
  assert.ok(hasOnTable(g, 'SELECT', 'a', 'b'));
});

test('database, wildcard and table scopes; column grants do not count as SELECT', () => {
  const g = parseGrants([
    'GRANT USAGE ON *.* TO `u`@`%`',
    'GRANT SELECT ON `shop`.* TO `u`@`%`',
    'GRANT SELECT ON `log\\_%`.* TO `u`@`%`',
    'GRANT SELECT ON `crm`.`people` TO `u`@`%`',
    'GRANT SELECT (`id`, `name`) ON `crm`.`secrets` TO `u`@`%`',
  ]);
  assert.ok(!hasGlobal(g, 'SELECT'));
  assert.ok(hasOnTable(g, 'SELECT', 'shop', 'orders'));
  assert.ok(hasOnTable(g, 'SELECT', 'log_2024', 'x'));
  assert.ok(!hasOnTable(g, 'SELECT', 'logx2024', 'x'));
  assert.ok(hasOnTable(g, 'SELECT', 'crm', 'people'));
  assert.ok(!hasOnTable(g, 'SELECT', 'crm', 'secrets'));
  assert.ok(!hasOnTable(g, 'SELECT', 'other', 't'));
});
