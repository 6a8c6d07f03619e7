import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BinlogFramer } from '../../../src/source/binlog/framer.js';
import { refusalOf } from '../../../src/source/binlog/refusals.js';
import type { RawEventBase } from '../../../src/source/binlog/binlog-event.js';

function ev(type: string, nextPosition: number, extra: Record<string, unknown> = {}): RawEventBase {
  return { getTypeName: () => type, timestamp: 1_700_000_000_000, nextPosition, ...extra } as RawEventBase;
}

const TABLE = { 7: { parentSchema: 'd', tableName: 't', columns: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } };

test('a DML statement inside a transaction (statement-based logging) is refused; SAVEPOINT and DDL are not', () => {
  const f = new BinlogFramer({ file: 'binlog.000001', pos: 4 });
  f.frame(ev('Gtid', 100, { gtid: 'u:1' }));
  f.frame(ev('Query', 150, { query: 'BEGIN', schema: 'd', slaveProxyId: 9 }));
  assert.equal(refusalOf(f.frame(ev('Query', 200, { query: 'SAVEPOINT s1', schema: 'd', slaveProxyId: 9 }))), null);
  const dml = f.frame(ev('Query', 300, { query: '/* app */ INSERT INTO t VALUES (1)', schema: 'd', slaveProxyId: 9 }));
  assert.deepEqual(refusalOf(dml), { reason: 'statement', statement: 'INSERT INTO t VALUES (1)' });
  f.frame(ev('Xid', 350, { xid: 1 }));
  f.frame(ev('Gtid', 400, { gtid: 'u:2' }));
  assert.equal(refusalOf(f.frame(ev('Query', 500, { query: 'ALTER TABLE t ADD c INT', schema: 'd', slaveProxyId: 9 }))), null);
  // a DML statement standing alone (no BEGIN) frames as a statement group of its own: still refused
  f.frame(ev('Gtid', 600, { gtid: 'u:3' }));
  assert.deepEqual(refusalOf(f.frame(ev('Query', 700, { query: 'DELETE FROM t', schema: 'd', slaveProxyId: 9 }))), { reason: 'statement', statement: 'DELETE FROM t' });
});

test('row images that leave columns out (binlog_row_image=MINIMAL/NOBLOB) are refused; full ones pass', () => {
  const f = new BinlogFramer({ file: 'binlog.000001', pos: 4 });
  const full = f.frame(ev('WriteRows', 100, { tableId: 7, tableMap: TABLE, rows: [], columns_present_bitmap: Buffer.from([0b111]) }));
  assert.equal(refusalOf(full), null);
  const minimal = f.frame(ev('UpdateRows', 200, { tableId: 7, tableMap: TABLE, rows: [], columns_present_bitmap: Buffer.from([0b001]), columns_present_bitmap2: Buffer.from([0b110]) }));
  assert.deepEqual(refusalOf(minimal), { reason: 'partial-image', table: 'd.t' });
  const noblobAfter = f.frame(ev('UpdateRows', 300, { tableId: 7, tableMap: TABLE, rows: [], columns_present_bitmap: Buffer.from([0b111]), columns_present_bitmap2: Buffer.from([0b011]) }));
  assert.deepEqual(refusalOf(noblobAfter), { reason: 'partial-image', table: 'd.t' });
});

test('an event the gate refused is refused under its server name', () => {
  const f = new BinlogFramer({ file: 'binlog.000001', pos: 4 });
  assert.deepEqual(refusalOf(f.frame(ev('Refused', 100, { typeName: 'INCIDENT_EVENT' }))), { reason: 'event', typeName: 'INCIDENT_EVENT' });
});

test('a statement-logged DML is refused only when it may change a table the job reads', () => {
  const selects = (db: string, table: string): boolean => db === 'shop' && table === 'orders';
  const f = new BinlogFramer({ file: 'binlog.000001', pos: 4 });
  const q = (query: string, schema: string, at: number) => {
    f.frame(ev('Gtid', at, { gtid: `u:${at}` }));
    return refusalOf(f.frame(ev('Query', at + 50, { query, schema, slaveProxyId: 9 })), selects);
  };
  // another application's database: not the job's business
  assert.equal(q('UPDATE acct SET flag = 2', 'other_app', 100), null);
  assert.equal(q('INSERT INTO other_app.log SELECT * FROM other_app.log2', 'shop', 200), null);
  // a selected table, bare in its default database or qualified from anywhere (quoted too)
  assert.equal(q('UPDATE orders SET x = 1', 'shop', 300)?.reason, 'statement');
  assert.equal(q('DELETE FROM `shop`.`orders` WHERE id = 1', 'other_app', 400)?.reason, 'statement');
  assert.equal(q('INSERT INTO other_app.t SELECT * FROM shop.orders JOIN shop.items', '', 500)?.reason, 'statement');
  // without a predicate (a caller that cannot tell) every statement-logged DML is refused
  f.frame(ev('Gtid', 600, { gtid: 'u:600' }));
  assert.equal(refusalOf(f.frame(ev('Query', 650, { query: 'UPDATE x SET y = 1', schema: 'z', slaveProxyId: 9 })))?.reason, 'statement');
});
