/**
 * The one place sluice reaches inside mysql2 3.24 (pinned in package-lock; package.json ^3.24.6). Everything else
 * sluice does with mysql2 is its documented API (createConnection, query, pause/resume, threadId, stream).
 * test/unit/source/mysql2-internals.test.ts fails, naming the version sluice needs, if any of these moves:
 *
 * - The snapshot's row packets (installRowPacketParser): a streaming text-protocol Query compiles its row parser
 *   when the column definitions are in (readField assigns `this._rowParser`) and calls
 *   `this._rowParser.next(packet, fields, options)` once per row packet, emitting what it returns as 'result'.
 *   An accessor on the command's own `_rowParser` swaps in a parser that returns the packet's byte range:
 *   mysql2 with `typeCast: false` still slices one Buffer per column per row, and the snapshot's fused encoder
 *   (format/dts-avro) reads the length-coded values itself, so that parsing is pure cost (the snapshot's hot path).
 * - Binlog packets (Mysql2Packet, syntheticPacket, feedPackets): the binlog gate (source/binlog/event-gate.ts)
 *   reads each packet's `buffer`/`offset`/`end` in place (no copy on the hot path) and feeds the inner events of a
 *   compressed transaction back through the connection as packets of the same class (`handlePacket`, or the front
 *   of `_paused_packets` while zongji has paused it), so zongji parses them as if the server had sent them.
 * - A raw command (queueSinglePacketCommand): COM_REGISTER_SLAVE has no mysql2 API, so it is sent as a command
 *   object on mysql2's command queue (`addCommand`; `execute(packet, connection)` with `_resetSequenceId`,
 *   `writePacket`, and the reply's `isError`/`asError(clientEncoding)`), ahead of zongji's dump on the same connection.
 */
import type { Query } from 'mysql2';

/** The mysql2 version whose internals this file is written against (named in every "changed" message). */
export const MYSQL2_NEEDED = 'mysql2 3.24 (package.json ^3.24.6)';

// ---- the snapshot's row packets -------------------------------------------------------------------------------

/** One result row: its column values, length-coded, are buffer[start, end). Valid as long as it is held. */
export interface RowPacket {
  readonly buffer: Buffer;
  readonly start: number;
  readonly end: number;
}

interface RowParser {
  next(packet: Pick<Mysql2Packet, 'buffer' | 'offset' | 'end'>): RowPacket;
}

const rowPacketParser: RowParser = {
  next(packet) {
    // offset is just past the 4-byte packet header: row() has only peeked at the first byte (EOF check)
    return { buffer: packet.buffer, start: packet.offset, end: packet.end };
  },
};

export const MYSQL2_CHANGED =
  'mysql2 no longer has the Query internals sluice reads row packets through (_rowParser, row()); ' +
  `sluice needs ${MYSQL2_NEEDED}: pin mysql2 to it or update src/source/mysql/mysql2-internals.ts`;

/** The Query internals the row-packet parser depends on, checked on every query before it is queued. */
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

// ---- binlog packets -------------------------------------------------------------------------------------------

/** mysql2's Packet (lib/packets/packet.js), as far as the binlog gate reads and builds them. */
export interface Mysql2Packet {
  buffer: Buffer;
  /** where the payload starts (past the 4-byte wire header) */
  offset: number;
  end: number;
  sequenceId: number;
  numPackets: number;
  constructor: new (id: number, buffer: Buffer, start: number, end: number) => Mysql2Packet;
}

/** mysql2's connection (lib/base/connection.js), as far as packets are fed into it. */
export interface Mysql2PacketConnection {
  _paused: boolean;
  /** mysql2's RingQueue: unshift takes ONE packet (extra arguments are ignored) */
  _paused_packets: { unshift(packet: Mysql2Packet): unknown };
  sequenceId: number;
  handlePacket(packet: Mysql2Packet): void;
}

/**
 * A packet of `outer`'s class over `buf` (which starts with 4 bytes of room for the wire header), not a wire packet:
 * it does not move mysql2's sequence counter.
 */
export function syntheticPacket(outer: Mysql2Packet, connection: Mysql2PacketConnection, buf: Buffer): Mysql2Packet {
  const p = new outer.constructor(connection.sequenceId, buf, 0, buf.length);
  p.numPackets = 0;
  return p;
}

/** Feeds packets through the connection, in order; what a pause holds back waits at the front of its queue. */
export function feedPackets(connection: Mysql2PacketConnection, packets: readonly Mysql2Packet[]): void {
  for (let i = 0; i < packets.length; i++) {
    if (connection._paused) {
      // one at a time, last first: mysql2's queue ignores every argument of unshift but the first
      for (let j = packets.length - 1; j >= i; j--) connection._paused_packets.unshift(packets[j] as Mysql2Packet);
      return;
    }
    connection.handlePacket(packets[i] as Mysql2Packet);
  }
}

// ---- a raw command --------------------------------------------------------------------------------------------

/** The reply packet handed to a command (only what is read here). */
export interface Mysql2ReplyPacket {
  isError(): boolean;
  asError(encoding?: string): Error;
}

/** The mysql2 connection as a command drives it (lib/base/connection.js). */
export interface Mysql2CommandConnection {
  clientEncoding?: string;
  _resetSequenceId(): void;
  writePacket(packet: OutgoingPacket): void;
  addCommand(cmd: SinglePacketCommand): unknown;
}

/** What mysql2's writePacket needs: the buffer with 4 header bytes first, and its header filled in. */
export interface OutgoingPacket {
  buffer: Buffer;
  length(): number;
  writeHeader(sequenceId: number): void;
}

function outgoing(payload: Buffer): OutgoingPacket {
  const buffer = Buffer.alloc(4 + payload.length);
  payload.copy(buffer, 4);
  return {
    buffer,
    length: () => buffer.length,
    writeHeader(sequenceId: number) {
      buffer.writeUIntLE(payload.length, 0, 3);
      buffer.writeUInt8(sequenceId, 3);
    },
  };
}

/** A mysql2 command: send the payload as one packet, then read the server's OK or error. */
export class SinglePacketCommand {
  private sent = false;
  constructor(
    private readonly payload: Buffer,
    private readonly done: (err: Error | null) => void,
  ) {}

  /** mysql2 calls this with no packet to start the command, then with each reply; true ends the command. */
  execute(packet: Mysql2ReplyPacket | undefined, connection: Mysql2CommandConnection): boolean {
    if (!this.sent) {
      this.sent = true;
      connection._resetSequenceId();
      connection.writePacket(outgoing(this.payload));
      return false;
    }
    this.done(packet?.isError() ? packet.asError(connection.clientEncoding) : null);
    return true;
  }

  // mysql2 logs these when its debug option is on
  stateName(): string {
    return this.sent ? 'reply' : 'start';
  }
}

/** Queues a one-packet command (`payload`: command byte first) behind the commands already queued on `connection`. */
export function queueSinglePacketCommand(connection: Mysql2CommandConnection, payload: Buffer, done: (err: Error | null) => void): void {
  connection.addCommand(new SinglePacketCommand(payload, done));
}
