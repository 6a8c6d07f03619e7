/**
 * Pins the mysql2 Query internals src/source/mysql/mysql2-internals.ts relies on (mysql2 3.x): a Query keeps its
 * row parser in an own `_rowParser` field that readField assigns once the columns are known, and row() emits
 * what `_rowParser.next(packet, …)` returns as 'result'. A mysql2 upgrade that changes this fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql, { type Query } from 'mysql2';
import { installRowPacketParser, MYSQL2_CHANGED, type RowPacket } from '../../../src/source/mysql/mysql2-internals.js';

interface QueryInternals {
  _rowParser: unknown;
  row(packet: object, connection: unknown): unknown;
  readField: (...args: unknown[]) => unknown;
}

function newQuery(): Query {
  const { createQuery } = mysql as unknown as { createQuery(sql: object, values: undefined, cb: undefined, config: object): Query };
  return createQuery({ sql: 'SELECT 1', rowsAsArray: true, typeCast: false }, undefined, undefined, {});
}

test('a Query with the row-packet parser emits each row packet\'s byte range as its result', () => {
  const q = newQuery();
  installRowPacketParser(q);
  const internals = q as unknown as QueryInternals;
  // what readField does once the column definitions are in: mysql2's own compiled parser is ignored
  internals._rowParser = { next: () => assert.fail('mysql2\'s parser must not run') };
  const results: RowPacket[] = [];
  q.on('result', (r) => results.push(r as unknown as RowPacket));
  // a row packet as mysql2's PacketParser hands it over: header at start, values from start + 4 to end
  const buffer = Buffer.from([0xee, 0xee, 5, 0, 0, 1, 2, 0x34, 0x32, 0xfb, 0xee]);
  const packet = { buffer, start: 2, offset: 6, end: 10, isEOF: () => false };
  const next = internals.row(packet, null);
  assert.equal(next, Object.getPrototypeOf(q).row, 'row() stays the state for the next packet');
  assert.deepEqual(results.map((r) => [r.buffer === buffer, r.start, r.end]), [[true, 6, 10]]);
});

test('mysql2\'s Query still compiles its parser in readField and calls it from row()', () => {
  const proto = Object.getPrototypeOf(newQuery()) as QueryInternals;
  assert.match(String(proto.readField), /this\._rowParser = /);
  assert.match(String(proto.row), /this\._rowParser\.next\(packet/);
  assert.match(String(proto.row), /this\.emit\('result', row/);
});

test('a Query without the internals is refused with a sentence naming the cause', () => {
  const q = newQuery();
  delete (q as unknown as { _rowParser?: unknown })._rowParser;
  assert.throws(() => installRowPacketParser(q), { message: MYSQL2_CHANGED });
});
