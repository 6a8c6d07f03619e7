/**
 * Real end offsets for MariaDB ≥ 11.4's transaction body events, which carry end_log_pos 0. The data is the
 * SHOW BINLOG EVENTS listing of a MariaDB 11.8.9 binlog (binlog_legacy_event_pos=OFF): start offset, type,
 * end_log_pos as written, and the end the event really has (the next event's start).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventPositions, type EventHeaderFields } from '../../../src/source/binlog/event-positions.js';
import { attachEventGate, type GatedZongji } from '../../../src/source/binlog/event-gate.js';
import { EventEmitter } from 'node:events';
import { binlogEvent } from './binlog-bytes.js';

const GTID = 162, ANNOTATE = 160, TABLE_MAP = 19, WRITE_V1 = 23, UPDATE_V1 = 24, XID = 16, QUERY = 2;
const ROTATE = 4, FDE = 15, HEARTBEAT = 27, GTID_LIST = 163;
const ARTIFICIAL = 0x20;

/** [start, type, end_log_pos as written, real end] of mariadb-bin.000002 from 389 on */
const LISTING: [number, number, number, number][] = [
  [389, GTID, 431, 431],
  [431, ANNOTATE, 0, 500],
  [500, TABLE_MAP, 0, 568],
  [568, WRITE_V1, 0, 615],
  [615, ANNOTATE, 0, 677],
  [677, TABLE_MAP, 0, 745],
  [745, UPDATE_V1, 0, 793],
  [793, XID, 824, 824],
  [824, GTID, 866, 866],
  [866, ANNOTATE, 0, 927],
  [927, TABLE_MAP, 0, 995],
  [995, WRITE_V1, 0, 1035],
  [1035, XID, 1066, 1066],
  [1066, GTID, 1108, 1108],
  [1108, QUERY, 1238, 1238], // DDL
  [1238, GTID, 1280, 1280],
  [1280, ANNOTATE, 0, 1337],
  [1337, TABLE_MAP, 0, 1397],
  [1397, WRITE_V1, 0, 1435],
  [1435, QUERY, 1504, 1504], // COMMIT of a non-transactional table's group
];

const header = (typeCode: number, start: number, written: number, realEnd: number, flags = 0): EventHeaderFields =>
  ({ typeCode, flags, eventLength: realEnd - start, nextPosition: written });

test('a dump from an offset: body events with end_log_pos 0 get the previous end plus their length; real offsets are kept', () => {
  const p = new EventPositions();
  // the dump opens with an artificial Rotate naming the start offset, then the file's Format_description
  assert.equal(p.endOf({ typeCode: ROTATE, flags: ARTIFICIAL, eventLength: 43, nextPosition: 0 }, 389), 0);
  assert.equal(p.endOf({ typeCode: FDE, flags: 0, eventLength: 252, nextPosition: 0 }), 0);
  const got = LISTING.map(([start, type, written, end]) => p.endOf(header(type, start, written, end)));
  assert.deepEqual(got, LISTING.map((r) => r[3]));
});

test('the Format_description re-sent with its own end (256) does not move the tracked end back; a heartbeat and a fake Gtid_list move nothing', () => {
  const p = new EventPositions();
  p.endOf({ typeCode: ROTATE, flags: ARTIFICIAL, eventLength: 43, nextPosition: 0 }, 824);
  assert.equal(p.endOf({ typeCode: FDE, flags: 0, eventLength: 252, nextPosition: 256 }), 256);
  assert.equal(p.endOf({ typeCode: GTID_LIST, flags: 0, eventLength: 43, nextPosition: 0 }), 0);
  assert.equal(p.endOf({ typeCode: HEARTBEAT, flags: 0, eventLength: 39, nextPosition: 1066 }), 1066);
  const rest = LISTING.slice(8);
  assert.deepEqual(rest.map(([start, type, written, end]) => p.endOf(header(type, start, written, end))), rest.map((r) => r[3]));
});

test('a Rotate to the next file restarts the count at its offset; before any known offset, 0 stays 0', () => {
  const p = new EventPositions();
  assert.equal(p.endOf(header(TABLE_MAP, 0, 0, 68)), 0, 'no position known yet: nothing is guessed');
  p.endOf({ typeCode: ROTATE, flags: 0, eventLength: 47, nextPosition: 1551 }, 4);
  assert.equal(p.endOf({ typeCode: FDE, flags: 0, eventLength: 252, nextPosition: 256 }), 256);
  assert.equal(p.endOf(header(GTID_LIST, 256, 299, 299)), 299);
  assert.equal(p.endOf(header(GTID, 299, 341, 341)), 341);
  assert.equal(p.endOf(header(TABLE_MAP, 341, 0, 409)), 409);
  assert.equal(p.endOf(header(WRITE_V1, 409, 0, 450)), 450);
});

test('the gate writes the real end into the header before zongji parses it, also for events zongji filters out', () => {
  const saw: number[] = [];
  class BinlogClass {
    binlogData(packet: { buffer: Buffer; offset: number }): unknown {
      saw.push(packet.buffer.readUInt32LE(packet.offset + 1 + 13));
      return null;
    }
  }
  const z = Object.assign(new EventEmitter(), { BinlogClass, tableMap: {}, useChecksum: true });
  attachEventGate(z as unknown as GatedZongji, { emit: () => undefined, fail: (e) => { throw e; }, vectorColumns: new Map() });
  z.emit('ready');
  const gated = BinlogClass.prototype.binlogData as unknown as (this: unknown, p: unknown, c: unknown) => unknown;
  const send = (type: number, start: number, written: number, end: number, body?: Buffer, flags = 0): void => {
    // the event as the server sends it: header + body + 4 checksum bytes, event_length counting all of them
    const ev = binlogEvent(type, body ?? Buffer.alloc(end - start - 19 - 4), written, flags);
    ev.writeUInt32LE(body ? 19 + body.length + 4 : end - start, 9);
    const buf = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), ev, Buffer.alloc(4, 0xee)]);
    gated.call({}, { buffer: buf, offset: 4, end: buf.length, sequenceId: 1, numPackets: 1 }, {});
  };
  const rotateBody = Buffer.alloc(8 + 18);
  rotateBody.writeUInt32LE(824, 0);
  rotateBody.write('mariadb-bin.000002', 8);
  send(ROTATE, 0, 0, 0, rotateBody, ARTIFICIAL);
  for (const [start, type, written, end] of LISTING.slice(8, 13)) send(type, start, written, end);
  assert.deepEqual(saw, [0, 866, 927, 995, 1035, 1066]);
});
