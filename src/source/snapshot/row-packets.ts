/**
 * The one place sluice reaches into mysql2's internals (3.x): a streaming text-protocol query whose 'result'
 * events carry each row packet's byte range instead of a row mysql2 parsed. mysql2 with `typeCast: false`
 * still slices one Buffer per column per row; the snapshot's fused encoder (format/dts-avro) reads the
 * length-coded values itself, so that parsing is pure cost.
 *
 * How: a Query command compiles its row parser when the column definitions are in (readField assigns
 * `this._rowParser`) and calls `this._rowParser.next(packet, fields, options)` once per row packet, emitting
 * what it returns as 'result'. An accessor on the command's own `_rowParser` swaps in a parser that returns
 * the packet's range. test/unit/snapshot/row-packets.test.ts pins this contract; when mysql2 changes it,
 * installRowPacketParser throws MYSQL2_CHANGED instead of sluice reading wrong rows.
 */
import type { Query } from 'mysql2';

/** One result row: its column values, length-coded, are buffer[start, end). Valid as long as it is held. */
export interface RowPacket {
  readonly buffer: Buffer;
  readonly start: number;
  readonly end: number;
}

/** The fields of mysql2's Packet the parser reads. */
interface PacketLike {
  buffer: Buffer;
  offset: number;
  end: number;
}

interface RowParser {
  next(packet: PacketLike): RowPacket;
}

const rowPacketParser: RowParser = {
  next(packet) {
    // offset is just past the 4-byte packet header: row() has only peeked at the first byte (EOF check)
    return { buffer: packet.buffer, start: packet.offset, end: packet.end };
  },
};

export const MYSQL2_CHANGED =
  'mysql2 no longer has the Query internals sluice reads row packets through (_rowParser, row()); ' +
  'pin mysql2 to a 3.x version that has them or update src/source/snapshot/row-packets.ts';

/** The Query internals this file depends on, checked on every query before it is queued. */
function assertQueryShape(q: object): void {
  const own = Object.getOwnPropertyDescriptor(q, '_rowParser');
  const proto = Object.getPrototypeOf(q) as Record<string, unknown>;
  if (!own || !own.configurable || !('value' in own) || typeof proto.row !== 'function' || typeof proto.readField !== 'function') {
    throw new Error(MYSQL2_CHANGED);
  }
}

/**
 * Makes `q` emit RowPackets as its 'result' events. Call it right after conn.query() returned `q`: no packet
 * of its result can be handled before the current tick ends.
 */
export function installRowPacketParser(q: Query): void {
  assertQueryShape(q);
  Object.defineProperty(q, '_rowParser', {
    configurable: true,
    enumerable: true,
    get: () => rowPacketParser,
    // mysql2 still compiles (and caches) its own parser per column set; it is ignored
    set: () => undefined,
  });
}
