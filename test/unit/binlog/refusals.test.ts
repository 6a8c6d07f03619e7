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
