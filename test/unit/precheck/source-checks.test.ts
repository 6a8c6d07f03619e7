import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sourceChecks } from '../../../src/precheck/source-checks.js';
import { dialectFor } from '../../../src/source/mysql/dialect.js';
import type { ServerFacts } from '../../../src/source/mysql/server-facts.js';
import { parseServerVersion } from '../../../src/source/mysql/server-version.js';

function facts(version: string, vars: Record<string, string>, grants = ['GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT, SHOW VIEW ON *.* TO `s`@`%`']): ServerFacts {
  return { dialect: dialectFor(parseServerVersion(version)), variables: new Map(Object.entries(vars)), grantLines: grants, binaryLogs: [] };
}
const good = { log_bin: 'ON', binlog_format: 'ROW', binlog_row_image: 'FULL', binlog_row_metadata: 'FULL', gtid_mode: 'ON', binlog_expire_logs_seconds: '2592000' };
const status = (f: ServerFacts, id: string) => sourceChecks(f, [{ db: 'a', table: 'b' }]).find((c) => c.id === id)?.status;

test('version-aware SQL: binlog status statement and row metadata per family and version', () => {
  assert.equal(dialectFor(parseServerVersion('9.5.0')).binlogStatusSql, 'SHOW BINARY LOG STATUS');
  assert.equal(dialectFor(parseServerVersion('8.0.36')).binlogStatusSql, 'SHOW MASTER STATUS');
  assert.equal(dialectFor(parseServerVersion('5.7.44-log')).hasRowMetadata, false);
  assert.equal(dialectFor(parseServerVersion('10.11.6-MariaDB-log')).binlogStatusSql, 'SHOW BINLOG STATUS');
  assert.equal(dialectFor(parseServerVersion('10.4.30-MariaDB')).binlogStatusSql, 'SHOW MASTER STATUS');
  assert.equal(dialectFor(parseServerVersion('10.4.30-MariaDB')).hasRowMetadata, false);
});

test('MariaDB 11.8 (as Debian prints it): its version parses, transaction body events are unpositioned from 11.4 on, UCA-14 collation ids come from the applicability table', () => {
  const v = parseServerVersion('11.8.9-MariaDB-0+deb13u1 from Debian-log');
  assert.deepEqual([v.flavor, v.major, v.minor, v.patch], ['mariadb', 11, 8, 9]);
  const d = dialectFor(v);
  assert.equal(d.binlogStatusSql, 'SHOW BINLOG STATUS');
  assert.equal(d.bodyEventsUnpositioned, true);
  assert.match(d.collationsSql, /COLLATION_CHARACTER_SET_APPLICABILITY/);
  assert.equal(d.supported.newerThanTested, false);
  assert.equal(dialectFor(parseServerVersion('11.4.0-MariaDB')).bodyEventsUnpositioned, true);
  assert.equal(dialectFor(parseServerVersion('11.2.6-MariaDB')).bodyEventsUnpositioned, false);
  assert.equal(dialectFor(parseServerVersion('10.11.19-MariaDB-0+deb12u1-log')).bodyEventsUnpositioned, false);
  assert.equal(dialectFor(parseServerVersion('10.6.20-MariaDB')).collationsSql.includes('APPLICABILITY'), false);
  assert.equal(dialectFor(parseServerVersion('9.7.4-2')).bodyEventsUnpositioned, false);
});

test('a well-configured server passes; wrong settings fail with the variable named', () => {
  assert.ok(sourceChecks(facts('9.5.0', good), [{ db: 'a', table: 'b' }]).every((c) => c.status === 'PASS'));
  assert.equal(status(facts('9.5.0', { ...good, binlog_format: 'MIXED' }), 'source.binlog_format'), 'FAIL');
  assert.equal(status(facts('9.5.0', { ...good, log_bin: 'OFF' }), 'source.log_bin'), 'FAIL');
  assert.equal(status(facts('9.5.0', { ...good, binlog_row_image: 'NOBLOB' }), 'source.binlog_row_image'), 'FAIL');
  assert.equal(status(facts('9.5.0', { ...good, binlog_row_metadata: 'MINIMAL' }), 'source.binlog_row_metadata'), 'WARN');
  assert.equal(status(facts('5.7.44', { ...good }), 'source.binlog_row_metadata'), 'WARN');
  assert.equal(status(facts('5.6.51', good), 'source.version'), 'FAIL');
});

test('retention: short retention warns, none or long passes', () => {
  assert.equal(status(facts('9.5.0', { ...good, binlog_expire_logs_seconds: '86400' }), 'source.binlog_retention'), 'WARN');
  assert.equal(status(facts('9.5.0', { ...good, binlog_expire_logs_seconds: '0', expire_logs_days: '0' }), 'source.binlog_retention'), 'PASS');
  assert.equal(status(facts('10.4.1-MariaDB', { ...good, expire_logs_days: '10' }), 'source.binlog_retention'), 'PASS');
});

test('privileges: MariaDB accepts BINLOG MONITOR for REPLICATION CLIENT; a missing SELECT names the table', () => {
  const maria = facts('10.11.6-MariaDB', good, ['GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR, SHOW VIEW ON *.* TO `s`@`%`']);
  assert.equal(status(maria, 'source.priv.replication_client'), 'PASS');
  const mysqlNoClient = facts('9.5.0', good, ['GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `s`@`%`']);
  assert.equal(status(mysqlNoClient, 'source.priv.replication_client'), 'FAIL');
  const noSelect = sourceChecks(facts('9.5.0', good, ['GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `s`@`%`']), [{ db: 'shop', table: 'orders' }]);
  const sel = noSelect.find((c) => c.id === 'source.priv.select');
  assert.equal(sel?.status, 'FAIL');
  assert.match(sel?.detail ?? '', /shop\.orders/);
});
