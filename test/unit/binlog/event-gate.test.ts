/**
 * The gate in front of zongji's parser, driven with hand-built packets: what zongji decodes reaches it
 * untouched; a type sluice cannot read is handed on as a Refused event (never silently skipped); a compressed
 * transaction's inner events reach zongji as packets with the payload's end position, in order, also when
 * zongji pauses the connection in the middle of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { attachEventGate, type GatedZongji } from '../../../src/source/binlog/event-gate.js';
import type { RawEventBase, RawRefused } from '../../../src/source/binlog/binlog-event.js';
import { binlogEvent, payloadBody, zstdRawFrame } from './binlog-bytes.js';

/** mysql2's packet shape: a 4-byte wire header, then the payload from `offset` */
class FakePacket {
  sequenceId: number;
  numPackets = 1;
  buffer: Buffer;
  offset: number;
  end: number;
  constructor(id: number, buffer: Buffer, start: number, end: number) {
    this.sequenceId = id;
    this.buffer = buffer;
    this.offset = start + 4;
    this.end = end;
  }
}

/** A binlog packet as the server sends it with CRC32 checksums: OK byte, event, 4 checksum bytes. */
function wire(event: Buffer): FakePacket {
  const buf = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), event, Buffer.alloc(4, 0xee)]);
  return new FakePacket(3, buf, 0, buf.length);
}

/** mysql2's paused-packet queue (lib/ring_queue.js) as far as the gate uses it: unshift takes one packet. */
class PausedQueue {
  readonly items: FakePacket[] = [];
  push(p: FakePacket): void {
    this.items.push(p);
  }
  unshift(p: FakePacket): void {
    this.items.unshift(p);
  }
}

interface Harness {
  zongjiSaw: { type: number; nextPosition: number; eventLength: number }[];
  emitted: RawEventBase[];
  failures: Error[];
  connection: { _paused: boolean; _paused_packets: PausedQueue; sequenceId: number; handlePacket(p: FakePacket): void };
  send(p: FakePacket): void;
}

function harness(pauseOnType = -1): Harness {
  const zongjiSaw: Harness['zongjiSaw'] = [];
  class BinlogClass {
    binlogData(packet: FakePacket): unknown {
      const at = packet.offset + 1;
      const type = packet.buffer[at + 4] as number;
      zongjiSaw.push({ type, nextPosition: packet.buffer.readUInt32LE(at + 13), eventLength: packet.buffer.readUInt32LE(at + 9) });
      // zongji pauses the connection while it fetches a table's columns
      if (type === pauseOnType) connection._paused = true;
      return null;
    }
  }
  const z = Object.assign(new EventEmitter(), { BinlogClass, tableMap: {}, useChecksum: true });
  const emitted: RawEventBase[] = [];
  const failures: Error[] = [];
  attachEventGate(z as unknown as GatedZongji, { emit: (e) => emitted.push(e), fail: (e) => failures.push(e), vectorColumns: new Map() });
  z.emit('ready');
  const gated = BinlogClass.prototype.binlogData as unknown as (this: unknown, p: FakePacket, c: unknown) => unknown;
  const command = {};
  const connection: Harness['connection'] = {
    _paused: false,
    _paused_packets: new PausedQueue(),
    sequenceId: 4,
    handlePacket(p: FakePacket) {
      gated.call(command, p, connection);
    },
  };
  return { zongjiSaw, emitted, failures, connection, send: (p) => gated.call(command, p, connection) };
}

test('events zongji decodes pass through untouched', () => {
  const h = harness();
  h.send(wire(binlogEvent(30, Buffer.alloc(12), 500)));
  assert.deepEqual(h.zongjiSaw.map((s) => s.type), [30]);
  assert.equal(h.emitted.length, 0);
});

test('an event type sluice does not know is handed on as Refused with its end position, and zongji never sees it', () => {
  const h = harness();
  h.send(wire(binlogEvent(201, Buffer.alloc(10), 777)));
  h.send(wire(binlogEvent(26, Buffer.alloc(10), 888)));
  assert.equal(h.zongjiSaw.length, 0);
  assert.deepEqual(
    h.emitted.map((e) => [e.getTypeName(), (e as RawRefused).typeName, e.nextPosition]),
    [
      ['Refused', 'type 201', 777],
      ['Refused', 'INCIDENT_EVENT', 888],
    ],
  );
});

test('an unknown event flagged ignorable by the server is left to zongji (which skips it)', () => {
  const h = harness();
  h.send(wire(binlogEvent(201, Buffer.alloc(10), 777, 0x80)));
  assert.deepEqual(h.zongjiSaw.map((s) => s.type), [201]);
  assert.equal(h.emitted.length, 0);
});

const INNER = [binlogEvent(2, Buffer.from('BEGIN-ish')), binlogEvent(19, Buffer.alloc(9)), binlogEvent(30, Buffer.alloc(12)), binlogEvent(16, Buffer.alloc(8))];
const RAW = Buffer.concat(INNER);
const PAYLOAD = wire(binlogEvent(40, payloadBody(zstdRawFrame(RAW), 0, RAW.length), 4242));

test('a compressed transaction reaches zongji as its inner events, each ending at the payload\'s end position', () => {
  const h = harness();
  h.send(PAYLOAD);
  assert.deepEqual(h.failures, []);
  assert.deepEqual(h.zongjiSaw.map((s) => s.type), [2, 19, 30, 16]);
  assert.ok(h.zongjiSaw.every((s) => s.nextPosition === 4242));
  // room for the checksum zongji trims is counted in the event length
  assert.deepEqual(h.zongjiSaw.map((s) => s.eventLength), INNER.map((e) => e.length + 4));
  assert.equal(h.connection.sequenceId, 4, 'inner packets do not move the wire sequence');
});

test('when zongji pauses inside a payload, the remaining inner events wait at the front of the paused queue', () => {
  const h = harness(19);
  const later = wire(binlogEvent(33, Buffer.alloc(25), 5000));
  h.connection._paused_packets.push(later);
  h.send(PAYLOAD);
  assert.deepEqual(h.zongjiSaw.map((s) => s.type), [2, 19]);
  const queued = h.connection._paused_packets.items.map((p) => p.buffer[p.offset + 1 + 4]);
  assert.deepEqual(queued, [30, 16, 33]);
});

test('a corrupt payload fails the reader instead of dropping the transaction', () => {
  const h = harness();
  h.send(wire(binlogEvent(40, payloadBody(Buffer.from('not zstd at all'), 0, 40), 4242)));
  assert.equal(h.failures.length, 1);
  assert.match(h.failures[0]!.message, /compressed transaction .*TRANSACTION_PAYLOAD_EVENT ending at 4242/);
});
