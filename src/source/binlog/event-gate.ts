/**
 * The reader's gate in front of zongji's event parser: every binlog packet passes here, in stream order, before
 * zongji turns it into an event, and its type code decides (event-types.ts):
 * - a type zongji decodes goes on to zongji unchanged;
 * - TRANSACTION_PAYLOAD is decompressed and each inner event goes through zongji as if it had come from the
 *   server uncompressed, with the payload's end position (its end is the only position the inner events have in
 *   the file, and the transaction's boundary);
 * - a TABLE_MAP's VECTOR columns are re-typed so zongji can read them (zongji-raw.ts retypeVectorColumns);
 * - PARTIAL_UPDATE_ROWS is decoded here (partial-update-rows.ts) and handed on as an UpdateRows event;
 * - anything else is handed on as a RefusedEvent, on which the reader stops with its position and kind.
 * Before any of that, a header whose end_log_pos is 0 (MariaDB ≥ 11.4 writes so inside a transaction) gets
 * its real end offset written in (event-positions.ts), so zongji and the framer only ever see real offsets.
 *
 * How: zongji-internals.ts gateBinlogPackets hands the gate every packet of the dump before zongji parses it.
 * Inner events are fed back as packets through the connection (source/mysql/mysql2-internals.ts feedPackets): when
 * zongji pauses it (to fetch a table's columns) the rest wait at the front of mysql2's paused-packet queue, ahead
 * of packets that arrived later. Both fences fail loudly if the internals are not as expected.
 */
import { EVENT, type RawEventBase, type RawRefused, type RawRowsBytes, type RawRowsEvent } from './binlog-event.js';
import { eventTreatment, eventTypeName, PARTIAL_UPDATE_ROWS_EVENT, ROTATE_EVENT, TABLE_MAP_EVENT } from './event-types.js';
import { decodePartialUpdateRows } from './partial-update-rows.js';
import { innerEvents } from './transaction-payload.js';
import { compileRowsLayout, countRows, readRowsBodyHeader, ROWS_EVENT_TYPES, type RowsLayout } from './rows-layout.js';
import { retypeVectorColumns, type ZongjiTableMapEntry } from './zongji-raw.js';
import { EventPositions } from './event-positions.js';
import { gateBinlogPackets, type PacketGatedZongji } from './zongji-internals.js';
import { feedPackets, syntheticPacket, type Mysql2Packet as Packet, type Mysql2PacketConnection as PacketConnection } from '../mysql/mysql2-internals.js';

export interface GatedZongji extends PacketGatedZongji<Packet, PacketConnection> {
  tableMap: Record<number, ZongjiTableMapEntry>;
  useChecksum: boolean;
}

export interface EventGateHandlers {
  /** an event the gate produced itself (decoded partial rows, a refused event), in stream order */
  emit(ev: RawEventBase): void;
  /** the gate could not decode a packet it owns (a corrupt payload, zongji internals not as expected) */
  fail(e: Error): void;
  /** table id → the VECTOR columns the gate re-typed in its latest TABLE_MAP (shared with attachRawBinlogValues) */
  vectorColumns: Map<number, number[]>;
  /**
   * Hand rows events of selected tables on undecoded (RawRowsBytes, via emit) for the consumer to decode in its
   * workers. Tables with a column rows-layout.ts has no width rule for still go through zongji.
   */
  rowsAsBytes?: boolean;
}

/** The common binlog event header, after the OK byte mysql2 leaves at packet.offset. */
const HEADER_BYTES = 19;
const OK_MARKER_BYTES = 1;

interface Header {
  timestamp: number;
  typeCode: number;
  eventLength: number;
  nextPosition: number;
  flags: number;
}

function readHeader(buf: Buffer, at: number): Header {
  return {
    timestamp: buf.readUInt32LE(at) * 1000,
    typeCode: buf[at + 4] as number,
    eventLength: buf.readUInt32LE(at + 9),
    nextPosition: buf.readUInt32LE(at + 13),
    flags: buf.readUInt16LE(at + 17),
  };
}

const ROWS_TYPE_NAME = { write: EVENT.writeRows, update: EVENT.updateRows, delete: EVENT.deleteRows } as const;

function refused(h: Header, typeName: string): RawRefused {
  return { getTypeName: () => EVENT.refused, typeName, timestamp: h.timestamp, nextPosition: h.nextPosition };
}

/**
 * Installs the gate on a zongji instance (before start()). Returns a function that removes the 'ready' hook
 * (the patched class dies with the stream).
 */
export function attachEventGate(zongji: GatedZongji, handlers: EventGateHandlers): () => void {
  const positions = new EventPositions();
  /** One packet of the dump: true when the gate has handled it, false to hand it to zongji. */
  const gate = (packet: Packet, connection: PacketConnection): boolean => {
    const buf = packet.buffer;
    // EOF / error packets, and anything too short to be an event, are zongji's to handle
    if (packet.end - packet.offset < OK_MARKER_BYTES + HEADER_BYTES || buf[packet.offset] !== 0x00) return false;
    const at = packet.offset + OK_MARKER_BYTES;
    // the hot path reads two header fields and allocates nothing
    const typeCode = buf[at + 4] as number;
    const written = buf.readUInt32LE(at + 13);
    const end = positions.endOf(
      { typeCode, flags: buf.readUInt16LE(at + 17), eventLength: buf.readUInt32LE(at + 9), nextPosition: written },
      typeCode === ROTATE_EVENT ? buf.readUIntLE(at + HEADER_BYTES, 6) : undefined,
    );
    if (end !== written) buf.writeUInt32LE(end, at + 13);
    const treatment = eventTreatment(typeCode, buf.readUInt16LE(at + 17));
    const bodyStart = at + HEADER_BYTES;
    if (typeCode === TABLE_MAP_EVENT) {
      const vector = retypeVectorColumns(buf.subarray(bodyStart, packet.end));
      if (vector) handlers.vectorColumns.set(vector.tableId, vector.columns);
      else if (handlers.vectorColumns.size > 0) handlers.vectorColumns.delete(buf.readUIntLE(bodyStart, 6));
    }
    if (handlers.rowsAsBytes && ROWS_EVENT_TYPES[typeCode] !== undefined) {
      const ev = rowsBytes(buf, at, packet.end, typeCode);
      if (ev) {
        handlers.emit(ev);
        return true;
      }
    }
    if (treatment === 'zongji') return false;
    const h = readHeader(buf, at);
    try {
      if (treatment === 'payload') {
        const body = buf.subarray(bodyStart, packet.end - (zongji.useChecksum ? 4 : 0));
        feedPackets(connection, innerEvents(body).map((e) => innerPacket(packet, connection, e.bytes, h.nextPosition)));
      } else if (treatment === 'partial') {
        const decoded = decodePartialUpdateRows(buf.subarray(bodyStart, packet.end), zongji);
        if (decoded) {
          const ev: RawRowsEvent = {
            getTypeName: () => EVENT.updateRows,
            timestamp: h.timestamp,
            nextPosition: h.nextPosition,
            tableMap: zongji.tableMap as unknown as RawRowsEvent['tableMap'],
            ...decoded,
          };
          handlers.emit(ev);
        }
      } else {
        handlers.emit(refused(h, eventTypeName(h.typeCode)));
      }
    } catch (e) {
      const what = h.typeCode === PARTIAL_UPDATE_ROWS_EVENT ? 'a partial JSON update' : 'a compressed transaction';
      handlers.fail(new Error(`decoding ${what} (${eventTypeName(h.typeCode)} ending at ${h.nextPosition}) failed: ${(e as Error).message}`, { cause: e }));
    }
    return true;
  };

  // by the entry's column list: zongji gives a table map entry a new list when the table's columns change
  const layouts = new WeakMap<object, RowsLayout | null>();

  /**
   * A rows event of a selected table as bytes, its rows counted; null when zongji should decode it instead
   * (its table map was filtered out, a column has no width rule, or the bytes do not walk as the map says).
   */
  function rowsBytes(buf: Buffer, at: number, packetEnd: number, typeCode: number): RawRowsBytes | null {
    const bodyStart = at + HEADER_BYTES;
    const checksum = zongji.useChecksum ? 4 : 0;
    const entry = zongji.tableMap[buf.readUIntLE(bodyStart, 6)];
    if (!entry?.columns) return null;
    let layout = layouts.get(entry.columns);
    if (layout === undefined) layouts.set(entry.columns, (layout = compileRowsLayout(entry)));
    if (!layout) return null;
    const body = Buffer.from(buf.subarray(bodyStart, packetEnd - checksum));
    let rowCount: number;
    let h: ReturnType<typeof readRowsBodyHeader>;
    try {
      h = readRowsBodyHeader(body, typeCode);
      rowCount = countRows(body, body.length, layout, h);
    } catch {
      return null;
    }
    const ev: RawRowsBytes = {
      getTypeName: () => ROWS_TYPE_NAME[ROWS_EVENT_TYPES[typeCode]!.op],
      timestamp: buf.readUInt32LE(at) * 1000,
      nextPosition: buf.readUInt32LE(at + 13),
      size: buf.readUInt32LE(at + 9) - HEADER_BYTES - checksum,
      tableId: h.tableId,
      columns_present_bitmap: h.present,
      ...(h.presentAfter ? { columns_present_bitmap2: h.presentAfter } : {}),
      // the entry as it is now: the rows are decoded later, after zongji may have replaced it (a later TABLE_MAP)
      tableMap: { [h.tableId]: { ...entry } } as unknown as RawRowsBytes['tableMap'],
      typeCode,
      body,
      rowCount,
    };
    return ev;
  }

  /** One inner event as a packet zongji can parse: OK marker, header (end position = the payload's), body, checksum room. */
  function innerPacket(outer: Packet, connection: PacketConnection, event: Buffer, nextPosition: number): Packet {
    const checksum = zongji.useChecksum ? 4 : 0;
    const buf = Buffer.alloc(4 + OK_MARKER_BYTES + event.length + checksum);
    event.copy(buf, 4 + OK_MARKER_BYTES);
    const header = 4 + OK_MARKER_BYTES;
    // inner events carry no checksum; zongji's parsers trim one when the stream has them, so room is made
    buf.writeUInt32LE(event.length + checksum, header + 9);
    buf.writeUInt32LE(nextPosition, header + 13);
    return syntheticPacket(outer, connection, buf);
  }

  return gateBinlogPackets(zongji, gate, handlers.fail);
}
