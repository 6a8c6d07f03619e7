import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BinlogFramer, classifyQuery } from '../../../src/source/binlog/framer.js';
import type { RawEventBase } from '../../../src/source/binlog/binlog-event.js';
import { tablesTouchedByDdl } from '../../../src/source/binlog/ddl-tables.js';

/** A zongji-like event: its class name, header end offset and extra fields. */
function ev(type: string, nextPosition: number, extra: Record<string, unknown> = {}): RawEventBase {
  return { getTypeName: () => type, timestamp: 1_700_000_000_000, nextPosition, ...extra };
}

test('MySQL transaction: every event gets a sequence number and its end offset; the XID is the boundary; txStart is where the GTID began', () => {
  const f = new BinlogFramer({ file: 'binlog.000004', pos: 1000 }, 10);
  const out = [
    f.frame(ev('Rotate', 0, { binlogName: 'binlog.000004', position: 1000 })),
    f.frame(ev('Format', 0)),
    f.frame(ev('Gtid', 1079, { gtid: 'uuid:498' })),
    f.frame(ev('Query', 1150, { query: 'BEGIN', slaveProxyId: 42 })),
    f.frame(ev('TableMap', 1219)),
    f.frame(ev('WriteRows', 1268)),
    f.frame(ev('Xid', 1299, { xid: 58099 })),
  ];
  assert.deepEqual(out.map((e) => e.seq), [10, 11, 12, 13, 14, 15, 16]);
  assert.deepEqual(out.map((e) => e.kind), ['rotate', 'other', 'begin', 'begin', 'table-map', 'rows', 'commit']);
  assert.deepEqual(out.map((e) => e.endPos), [1000, 1000, 1079, 1150, 1219, 1268, 1299]);
  assert.deepEqual(out.map((e) => e.boundary), [false, false, false, false, false, false, true]);
  const rows = out[5]!;
  assert.deepEqual(rows.txStart, { file: 'binlog.000004', pos: 1000 });
  assert.equal(rows.gtid, 'uuid:498');
  assert.equal(rows.threadId, 42);
  assert.equal(rows.timestampSec, 1_700_000_000);
  assert.deepEqual(f.position, { file: 'binlog.000004', pos: 1299 });
  // the next transaction starts where the last one ended, with no GTID carried over
  const next = f.frame(ev('AnonymousGtid', 1350));
  assert.deepEqual(next.txStart, { file: 'binlog.000004', pos: 1299 });
  assert.equal(next.gtid, null);
});

test('a DDL outside a transaction is a group and a boundary of its own (MySQL and MariaDB standalone GTID)', () => {
  const f = new BinlogFramer({ file: 'mariadb-bin.000002', pos: 4 });
  f.frame(ev('MariadbGtid', 2116856, { gtid: '0-11-222', standalone: true }));
  const ddl = f.frame(ev('Query', 2116964, { query: 'ALTER TABLE probe.t ADD COLUMN w INT', slaveProxyId: 7 }));
  assert.equal(ddl.kind, 'ddl');
  assert.equal(ddl.boundary, true);
  assert.deepEqual(ddl.txStart, { file: 'mariadb-bin.000002', pos: 4 });
  assert.equal(ddl.gtid, '0-11-222');
});

test('MariaDB transaction: a non-standalone GTID opens it; SAVEPOINT inside is not a boundary; XID or COMMIT closes it', () => {
  const f = new BinlogFramer({ file: 'mariadb-bin.000002', pos: 100 });
  f.frame(ev('MariadbGtid', 142, { gtid: '0-11-220', standalone: false }));
  f.frame(ev('TableMap', 200));
  f.frame(ev('WriteRows', 260));
  const sp = f.frame(ev('Query', 300, { query: 'SAVEPOINT `a`' }));
  assert.equal(sp.boundary, false);
  f.frame(ev('UpdateRows', 360));
  const commit = f.frame(ev('Query', 400, { query: 'COMMIT' }));
  assert.equal(commit.kind, 'commit');
  assert.equal(commit.boundary, true);
  assert.deepEqual(commit.txStart, { file: 'mariadb-bin.000002', pos: 100 });
});

test('a rotate moves to the new file at the offset of its first event; header offsets of 0 are not adopted', () => {
  const f = new BinlogFramer({ file: 'binlog.000004', pos: 5000 });
  f.frame(ev('Xid', 5100));
  const r = f.frame(ev('Rotate', 5144, { binlogName: 'binlog.000005', position: 4 }));
  assert.deepEqual({ file: r.file, pos: r.endPos }, { file: 'binlog.000005', pos: 4 });
  const fmt = f.frame(ev('Format', 0));
  assert.equal(fmt.endPos, 4);
  const g = f.frame(ev('Gtid', 230, { gtid: 'u:9' }));
  assert.deepEqual(g.txStart, { file: 'binlog.000005', pos: 4 });
  const hb = f.frame(ev('Heartbeat', 999999));
  assert.equal(hb.endPos, 230, 'a heartbeat does not move the position');
});

test('events the gate refuses are framed as unsupported, with their position and transaction start', () => {
  const f = new BinlogFramer({ file: 'binlog.000004', pos: 100 });
  f.frame(ev('Gtid', 179, { gtid: 'u:1' }));
  const p = f.frame(ev('Refused', 900, { typeName: 'INCIDENT_EVENT' }));
  assert.equal(p.kind, 'unsupported');
  assert.equal(p.endPos, 900);
  assert.deepEqual(p.txStart, { file: 'binlog.000004', pos: 100 });
});

test('query classification', () => {
  assert.equal(classifyQuery('BEGIN'), 'begin');
  assert.equal(classifyQuery('  commit'), 'commit');
  assert.equal(classifyQuery('ROLLBACK'), 'commit');
  assert.equal(classifyQuery('XA COMMIT X\'01\''), 'commit');
  assert.equal(classifyQuery('SAVEPOINT `s1`'), 'other');
  assert.equal(classifyQuery('ALTER TABLE t ADD c INT'), 'ddl');
  assert.equal(classifyQuery('CREATE TABLE x (a INT)'), 'ddl');
});

test('DDL touching: unqualified names count in the default database, qualified ones anywhere', () => {
  const tables = [
    { db: 'shop', table: 'orders' },
    { db: 'shop', table: 'order' },
    { db: 'crm', table: 'orders' },
  ];
  assert.deepEqual(tablesTouchedByDdl('ALTER TABLE orders ADD c INT', 'shop', tables), [{ db: 'shop', table: 'orders' }]);
  assert.deepEqual(tablesTouchedByDdl('ALTER TABLE `crm`.`orders` ADD c INT', 'shop', tables), [
    { db: 'shop', table: 'orders' },
    { db: 'crm', table: 'orders' },
  ]);
  assert.deepEqual(tablesTouchedByDdl('RENAME TABLE shop.order TO shop.order_old', 'other', tables), [{ db: 'shop', table: 'order' }]);
  assert.deepEqual(tablesTouchedByDdl('CREATE TABLE orders_archive (a INT)', 'shop', tables), []);
});

test('after a gap (a dump started by GTID skips executed transactions) txStart is where the GTID event itself began', () => {
  // events carry CRC32 checksums: zongji's size leaves out the 19-byte header and the 4-byte trailer
  const f = new BinlogFramer({ file: 'mariadb-bin.000001', pos: 4 }, 0, () => 4);
  f.frame(ev('Rotate', 0, { binlogName: 'mariadb-bin.000001', position: 4 }));
  f.frame(ev('Format', 256, { size: 229 }));
  // the server skipped everything up to 162201390; the GTID event is 42 bytes (19 header + 19 body + 4 checksum)
  const g = f.frame(ev('MariadbGtid', 162201432, { size: 19, gtid: '0-11-29951', standalone: false }));
  const rows = f.frame(ev('DeleteRows', 162201800, { size: 353 }));
  assert.deepEqual(g.txStart, { file: 'mariadb-bin.000001', pos: 162201390 });
  assert.deepEqual(rows.txStart, { file: 'mariadb-bin.000001', pos: 162201390 });
  // without a gap the start is the previous event's end, as before
  f.frame(ev('Xid', 162201831, { size: 8 }));
  const next = f.frame(ev('MariadbGtid', 162201873, { size: 19, gtid: '0-11-29952', standalone: false }));
  assert.deepEqual(next.txStart, { file: 'mariadb-bin.000001', pos: 162201831 });
});
