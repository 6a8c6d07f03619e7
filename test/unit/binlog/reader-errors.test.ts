/**
 * A refused resume by GTID becomes one sentence naming what is missing and the fix. The servers' texts are
 * their own (MySQL 9.7 ER_SOURCE_HAS_PURGED_REQUIRED_GTIDS, MariaDB 10.11 ER_MASTER_FATAL_ERROR_READING_BINLOG
 * for a purged GTID state); the "ahead of the server" case is also checked live in gtid-resume.test.ts. The
 * purged cases cannot be made live without purging the shared test servers' binlogs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultError, SourceError } from '../../../src/errors.js';
import { explainBinlogError } from '../../../src/source/binlog/reader-errors.js';

const AT = { file: 'binlog.000007', pos: 4 };
const MYSQL_PURGED =
  "Cannot replicate because the source purged required binary logs. Replicate the missing transactions from elsewhere, or provision a new replica from backup. Consider increasing the source's binary log expiration period. The GTID set sent by the replica is '0e68a271-e910-11f1-9cb2-02fc00000001:1-5', and the missing transactions are '0e68a271-e910-11f1-9cb2-02fc00000001:6-90'";
const MARIADB_PURGED = 'Could not find GTID state requested by slave in any binlog files. Probably the slave state is too old and required binlog files have been purged.';

function oneSentence(m: string): void {
  // the sentence's own full stop is its last character; quoted server text may hold others
  assert.ok(m.endsWith('.'), m);
  assert.ok(!/\n/.test(m), m);
}

test('a MySQL GTID resume past purged binlogs names the missing GTIDs and the re-snapshot', () => {
  const e = explainBinlogError({ errno: 1236, code: 'ER_SOURCE_FATAL_ERROR_READING_BINLOG', message: MYSQL_PURGED }, AT, '/var/sluice/state', '0e68a271-e910-11f1-9cb2-02fc00000001:1-5');
  assert.ok(e instanceof FaultError, 'a fault the user must act on: exit 3');
  assert.match(e.message, /^The source purged binlogs holding transactions sluice has not read yet \(the missing GTIDs are 0e68a271-e910-11f1-9cb2-02fc00000001:6-90;/);
  assert.match(e.message, /take a new snapshot with 'sluice run <job> --resnapshot' \(it moves the checkpoint in \/var\/sluice\/state aside\)/);
  oneSentence(e.message);
});

test('a MariaDB GTID resume past purged binlogs names the GTID position it needed and the re-snapshot', () => {
  const e = explainBinlogError({ errno: 1236, message: MARIADB_PURGED }, AT, 'st', '0-11-40');
  assert.ok(e instanceof FaultError, 'a fault the user must act on: exit 3');
  assert.match(e.message, /the GTIDs after 0-11-40 up to the oldest binlog the server kept are gone/);
  assert.match(e.message, /moves the checkpoint in st aside/);
  oneSentence(e.message);
});

test('a resume by file/position past purged binlogs still names the file', () => {
  const e = explainBinlogError({ errno: 1236, message: 'Could not find first log file name in binary log index file' }, AT, 'st');
  assert.match(e.message, /^The source no longer has binlog file binlog\.000007/);
});

// The servers' own texts, as they ended the older of two dumps with one server id (seen on MySQL 9.7 and
// MariaDB 10.11; mysql2 names MariaDB's 4052 ER_INVALID_MFA_PLUGIN_SPECIFIED after MySQL's unrelated error).
const MYSQL_SAME_ID =
  "A replica with the same server_uuid/server_id as this replica has connected to the source; the first event 'binlog.000005' at 27654857, the last event read from './binlog.000005' at 127, the last byte read from './binlog.000005' at 27654857.";
const MARIADB_SAME_ID =
  "A slave with the same server_uuid/server_id is already connected; the first event 'mariadb-bin.000005' at 27661894, the last event read from 'mariadb-bin.000005' at 256, the last byte read from 'mariadb-bin.000005' at 27661894.";

test('a dump ended for another replica with the same server id is a fault naming the id, never the purged-binlog advice', () => {
  for (const [errno, code, message] of [
    [1236, 'ER_SOURCE_FATAL_ERROR_READING_BINLOG', MYSQL_SAME_ID],
    [1236, 'ER_MASTER_FATAL_ERROR_READING_BINLOG', 'A slave with the same server_uuid/server_id as this slave has connected to the master; the first event ...'],
    [4052, 'ER_INVALID_MFA_PLUGIN_SPECIFIED', MARIADB_SAME_ID],
  ] as const) {
    for (const gtid of [null, '0-11-40']) {
      const e = explainBinlogError({ errno, code, message, fatal: true }, AT, 'st', gtid, 3000818375);
      assert.ok(e instanceof FaultError, `${errno}: exit 3, not retried`);
      assert.match(e.message, /another replica uses server id 3000818375/);
      assert.match(e.message, /its own name .* or its own source\.serverId/);
      assert.doesNotMatch(e.message, /purged|no longer has|state directory|same server_uuid/);
      oneSentence(e.message);
    }
  }
});
