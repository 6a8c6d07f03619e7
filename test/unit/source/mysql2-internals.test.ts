/**
 * Pins every mysql2 internal that src/source/mysql/mysql2-internals.ts reaches (the model is
 * test/unit/sink/kafkajs-internals.test.ts): an upgrade that moves one must fail here, naming the version sluice
 * needs, not in production. Driven on a real mysql2 Connection over an in-memory stream (no server); the Query
 * internals of the snapshot's row packets are pinned in test/unit/snapshot/row-packets.test.ts as well.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Duplex } from 'node:stream';
import mysql, { type Query } from 'mysql2';
import {
  feedPackets,
  installRowPacketParser,
  MYSQL2_NEEDED,
  queueSinglePacketCommand,
  syntheticPacket,
  type Mysql2CommandConnection,
  type Mysql2Packet,
  type Mysql2PacketConnection,
} from '../../../src/source/mysql/mysql2-internals.js';

const require = createRequire(import.meta.url);
const mysql2Dir = dirname(require.resolve('mysql2'));
const needs = (what: string): string => `${what}: sluice needs ${MYSQL2_NEEDED}`;
/** mysql2's Packet class (lib/packets/packet.js; the package exports no subpath, so by file) */
const Packet = require(join(mysql2Dir, 'lib/packets/packet.js')) as new (id: number, buffer: Buffer, start: number, end: number) => Mysql2Packet & {
  start: number;
  isError(): boolean;
  asError(encoding?: string): Error & { errno?: number };
};

/** A packet of `payload` as mysql2's PacketParser hands it over: 4 header bytes, then the payload. */
function packetOf(sequenceId: number, payload: Buffer): InstanceType<typeof Packet> {
  const buf = Buffer.concat([Buffer.alloc(4), payload]);
  buf.writeUIntLE(payload.length, 0, 3);
  buf[3] = sequenceId;
  return new Packet(sequenceId, buf, 0, buf.length);
}

type Internals = Mysql2PacketConnection & Mysql2CommandConnection & { _command: unknown; pause(): void; destroy(): void };

/** A mysql2 Connection over a stream that records what it writes and never answers. */
function connection(): { conn: Internals; written: Buffer[] } {
  const written: Buffer[] = [];
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written.push(Buffer.from(chunk));
      cb();
    },
  });
  const { Connection, ConnectionConfig } = mysql as unknown as { Connection: new (o: object) => Internals; ConnectionConfig: new (o: object) => object };
  // isServer: no client handshake is queued, so the command queue starts empty
  const conn = new Connection({ config: new ConnectionConfig({ stream, isServer: true, charset: 'utf8mb4' }) });
  return { conn, written };
}

test('the installed mysql2 is the version the fence is written against', () => {
  const installed = (JSON.parse(readFileSync(join(mysql2Dir, 'package.json'), 'utf8')) as { version: string }).version;
  const wanted = (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> }).dependencies.mysql2;
  assert.equal(wanted, '^3.24.6', needs('package.json no longer pins mysql2 ^3.24.6 (re-check every internal below, then this line)'));
  assert.match(installed, /^3\.(2[4-9]|[3-9]\d)\./, needs(`mysql2 ${installed} is installed`));
});

test("Packet: buffer/offset/end/sequenceId/numPackets and its constructor(id, buffer, start, end)", () => {
  const outer = packetOf(7, Buffer.from([0, 1, 2, 3]));
  assert.equal(outer.offset, 4, needs('Packet#offset is start + 4 (past the wire header)'));
  assert.equal(outer.end, 8, needs('Packet#end'));
  assert.equal(outer.sequenceId, 7, needs('Packet#sequenceId'));
  assert.equal(outer.numPackets, 1, needs('Packet#numPackets'));
  assert.equal(outer.constructor, Packet, needs('Packet#constructor'));
  const buf = Buffer.alloc(10);
  const p = syntheticPacket(outer, { sequenceId: 3 } as Mysql2PacketConnection, buf);
  assert.ok(p instanceof Packet);
  assert.deepEqual([p.buffer === buf, p.offset, p.end, p.sequenceId, p.numPackets], [true, 4, 10, 3, 0]);
});

test('Connection: fed packets reach the command in order without moving the sequence id; paused, they wait at the front', () => {
  const { conn } = connection();
  try {
    for (const m of ['handlePacket', 'addCommand', '_resetSequenceId', 'writePacket', 'pause', 'resume'] as const) {
      assert.equal(typeof (conn as unknown as Record<string, unknown>)[m], 'function', needs(`Connection#${m}`));
    }
    assert.equal(conn._paused, false, needs('Connection#_paused'));
    assert.equal(typeof conn._paused_packets.unshift, 'function', needs('Connection#_paused_packets (a RingQueue)'));
    assert.equal(typeof conn.sequenceId, 'number', needs('Connection#sequenceId'));
    const seen: number[] = [];
    // a command that takes every packet (as zongji's dump does)
    conn.addCommand({ execute: (p: Mysql2Packet | undefined) => (p && seen.push(p.buffer[4] as number), false), stateName: () => 'x' } as never);
    const outer = packetOf(conn.sequenceId, Buffer.from([0]));
    const inner = (b: number): Mysql2Packet => syntheticPacket(outer, conn, Buffer.from([0, 0, 0, 0, b]));
    const before = conn.sequenceId;
    feedPackets(conn, [inner(1), inner(2)]);
    assert.deepEqual(seen, [1, 2], needs('Connection#handlePacket runs the current command'));
    assert.equal(conn.sequenceId, before, needs('handlePacket bumps the sequence id by numPackets'));
    conn.pause();
    assert.equal(conn._paused, true, needs('Connection#pause sets _paused'));
    // a packet that arrived while paused, then the gate's: the gate's go first, in their order
    conn.handlePacket(inner(9));
    feedPackets(conn, [inner(3), inner(4)]);
    assert.deepEqual(seen, [1, 2]);
    (conn as unknown as { resume(): void }).resume();
    assert.deepEqual(seen, [1, 2, 3, 4, 9], needs("Connection#_paused_packets.unshift takes one packet to the front, resume() drains it"));
  } finally {
    conn.destroy();
  }
});

test('a single-packet command is written at sequence id 0 and ends on the reply, OK or error', () => {
  const { conn, written } = connection();
  try {
    assert.equal(typeof conn.clientEncoding, 'string', needs('Connection#clientEncoding'));
    const results: Array<Error | null> = [];
    queueSinglePacketCommand(conn, Buffer.from([0x15, 1, 2]), (e) => results.push(e));
    queueSinglePacketCommand(conn, Buffer.from([0x15, 3]), (e) => results.push(e));
    assert.deepEqual(written.map((b) => b.toString('hex')), ['03000000150102'], needs('addCommand starts the first command; writePacket writes header (length, sequence 0) then payload'));
    assert.equal(conn.sequenceId, 1);
    // OK reply → done(null), and the next command starts at sequence id 0
    conn.handlePacket(packetOf(1, Buffer.from([0x00, 0, 0, 2, 0, 0, 0])));
    assert.deepEqual(results, [null]);
    assert.deepEqual(written.map((b) => b.toString('hex')), ['03000000150102', '020000001503']);
    // ERR reply → done(the server's error)
    const err = Buffer.concat([Buffer.from([0xff, 0x45, 0x04, 0x23]), Buffer.from('28000Access denied')]);
    conn.handlePacket(packetOf(1, err));
    assert.equal(results.length, 2);
    const refused = results[1] as unknown as Error & { errno?: number };
    assert.equal(refused.errno, 1093, needs('Packet#isError/asError(encoding)'));
    assert.match(refused.message, /Access denied/);
    assert.equal(conn._command ?? null, null, needs('a command that returns true from execute ends'));
  } finally {
    conn.destroy();
  }
});

test("a Query's _rowParser is the hook of the snapshot's row packets", () => {
  const { createQuery } = mysql as unknown as { createQuery(sql: object, values: undefined, cb: undefined, config: object): Query };
  const q = createQuery({ sql: 'SELECT 1', rowsAsArray: true, typeCast: false }, undefined, undefined, {});
  assert.doesNotThrow(() => installRowPacketParser(q), needs('Query#_rowParser (own, configurable), Query.prototype.row and readField'));
  const proto = Object.getPrototypeOf(q) as { row: unknown; readField: unknown };
  assert.match(String(proto.readField), /this\._rowParser = /, needs('Query#readField assigns this._rowParser'));
  assert.match(String(proto.row), /this\._rowParser\.next\(packet/, needs('Query#row calls this._rowParser.next(packet, ...)'));
});
