/**
 * The one place sluice reaches inside @vlasky/zongji 0.9 (pinned in package-lock; package.json ^0.9.0). Everything
 * else sluice does with zongji is its documented API (new ZongJi, start/stop, the 'binlog'/'error'/'ready'/'stopped'
 * events, tableMap, useChecksum, connection). test/unit/binlog/zongji-internals.test.ts fails, naming the version
 * sluice needs, if any of these moves. What is reached, and why:
 *
 * - lib/reader.js's Parser and lib/rows_event.js's WriteRows/UpdateRows/DeleteRows, loaded by file (the package
 *   exports only its index): rows are decoded outside zongji's stream — every rows event in the piscina workers
 *   (decodeZongjiRows), partial JSON updates on the main thread (readZongjiRowImage: WriteRows' _fetchOneRow run on
 *   a context shaped like its event) — with the very code that decodes them inside it. The rows classes read
 *   `tableMap`, `useChecksum`, `connection.config` and `emit` of the instance they are given.
 * - lib/binlog_event.js's TableMap._readOptionalMetadata, wrapped (installTableMapCorrections): MariaDB counts
 *   GEOMETRY columns in the charset lists and zongji does not (zongji-table-map.ts has the rule); the wrapper reads
 *   the parser's `_offset`/`_packetEnd`/`_buffer` and rewrites the event's `_columnCharsetIds`.
 * - TableMap events' private `_columnCharsetIds` and `_enumSetValues` (tableMapCharsetIds, tableMapEnumSetValues):
 *   the collation of each character column and the ENUM/SET member bytes, which table-map-columns.ts needs and
 *   zongji's public fields leave out.
 * - ZongJi#_skipSchema, replaced on one instance (filterTableMaps): includeSchema is a fixed map, and the job's
 *   tables may be created or renamed into its objects later in the stream.
 * - ZongJi#BinlogClass.prototype.binlogData, wrapped at 'ready' (gateBinlogPackets): zongji builds its dump command
 *   class right before 'ready' and the command asks its prototype's binlogData for every packet (returning the next
 *   state, itself), so the wrapper sees every packet before zongji parses it (event-gate.ts).
 * - Emission order: 'ready' is emitted synchronously just before zongji queues its dump on `connection`
 *   (beforeDump: a command queued there reaches the server first), and a 'binlog' TableMap event is emitted once
 *   its table map entry is cached and before the next event is parsed (onTableMap: a prepended listener may re-type
 *   the cached entry, which the rows parser then reads: columns[i].type/metadata/charset, columnSchemas[i].COLUMN_TYPE).
 */

/** The zongji version whose internals this file is written against (named in every "changed" message). */
export const ZONGJI_NEEDED = '@vlasky/zongji 0.9 (package.json ^0.9.0)';

function changed(what: string): Error {
  return new Error(`@vlasky/zongji internals changed: ${what}; sluice needs ${ZONGJI_NEEDED} (or update src/source/binlog/zongji-internals.ts)`);
}

// ---- zongji's own classes, loaded by file ---------------------------------------------------------------------

/** zongji's byte reader (lib/reader.js), as far as sluice drives it */
export interface ZongjiParser {
  _offset: number;
  _packetEnd: number;
  _buffer: Buffer;
  append(buffer: Buffer): void;
  parseUnsignedNumber(bytes: number): number;
  parseLengthCodedNumber(): number | null;
  parseBuffer(length: number): Buffer;
}

/** What zongji's row reader reads from the event it runs on */
interface ImageReaderContext {
  tableMap: Record<number, unknown>;
  tableId: number;
  columns_present_bitmap: Buffer;
  _zongji: unknown;
}

/** The options zongji's event constructors take (lib/binlog_event.js) */
interface ZongjiEventOptions {
  eventType?: number;
  timestamp: number;
  nextPosition: number;
  size: number;
}

/** A rows event class: parses the whole body at construction */
type ZongjiRowsEventClass = new (parser: ZongjiParser, options: ZongjiEventOptions, zongji: unknown) => { rows?: unknown[] };

/** The TableMap event while zongji parses it (the fields the correction reads and writes). */
interface TableMapThis {
  columnCount: number;
  columnTypes: readonly number[];
  columnsMetadata: ReadonlyArray<{ type?: number } | null | undefined>;
  _columnCharsetIds?: Array<number | undefined>;
}
interface ZongjiFlags {
  isMariaDb?: boolean;
  useChecksum?: boolean;
}
type ReadOptionalMetadata = (this: TableMapThis, parser: ZongjiParser, zongji: ZongjiFlags | undefined) => void;

const zongjiLib = new URL('./lib/', import.meta.resolve('@vlasky/zongji'));
const readerLib = (await import(new URL('reader.js', zongjiLib).href)) as { Parser: new () => ZongjiParser };
const rowsLib = (await import(new URL('rows_event.js', zongjiLib).href)) as {
  WriteRows: ZongjiRowsEventClass & { prototype: { _fetchOneRow(this: ImageReaderContext, parser: ZongjiParser): Record<string, unknown> } };
  UpdateRows: ZongjiRowsEventClass;
  DeleteRows: ZongjiRowsEventClass;
};
const eventsLib = (await import(new URL('binlog_event.js', zongjiLib).href)) as {
  TableMap: (new (parser: ZongjiParser, options: ZongjiEventOptions, zongji: unknown) => object) & { prototype: { _readOptionalMetadata: ReadOptionalMetadata } };
};

const Parser = readerLib.Parser;
const ROWS_CLASSES: Readonly<Record<'write' | 'update' | 'delete', ZongjiRowsEventClass>> = { write: rowsLib.WriteRows, update: rowsLib.UpdateRows, delete: rowsLib.DeleteRows };
const fetchOneRow = rowsLib.WriteRows.prototype._fetchOneRow;

/** A zongji parser over `body`, its end `trailer` bytes early (a checksum it must not read). */
export function newZongjiParser(body: Buffer, trailer = 0): ZongjiParser {
  const p = new Parser();
  p.append(body);
  p._packetEnd -= trailer;
  return p;
}

/** Whether the parser has read up to its end. */
export function parserAtEnd(p: ZongjiParser): boolean {
  return p._offset >= p._packetEnd;
}

/** How far the parser has read into its buffer. */
export function parserOffset(p: ZongjiParser): number {
  return p._offset;
}

/**
 * The rows of one rows event, as zongji's own class of `op` decodes them with `entry` as the table's map entry.
 * `body`: the bytes after the 19-byte common header, without the checksum. A value zongji cannot read (it reports
 * those through its instance's 'error' event) throws.
 */
export function decodeZongjiRows(op: 'write' | 'update' | 'delete', body: Buffer, typeCode: number, entry: object): unknown[] {
  const tableId = body.readUIntLE(0, 6);
  const zongji = {
    tableMap: { [tableId]: entry },
    useChecksum: false,
    // sluice's binlog connection leaves mysql2's value options at their defaults (DECIMAL as exact text)
    connection: { config: { decimalNumbers: false, dateStrings: false, jsonStrings: false } },
    emit(_name: string, e: Error): never {
      throw e;
    },
  };
  const Event = ROWS_CLASSES[op];
  const ev = new Event(newZongjiParser(body), { eventType: typeCode, timestamp: 0, nextPosition: 0, size: body.length }, zongji);
  return ev.rows ?? [];
}

/** One row image at the parser, read by zongji's row reader as a rows event of `tableId` with `present` columns would. */
export function readZongjiRowImage(p: ZongjiParser, zongji: { tableMap: Record<number, unknown> }, tableId: number, present: Buffer): Record<string, unknown> {
  return fetchOneRow.call({ tableMap: zongji.tableMap, tableId, columns_present_bitmap: present, _zongji: zongji }, p);
}

// ---- TABLE_MAP ------------------------------------------------------------------------------------------------

/** A TableMap event's private fields sluice reads (lib/binlog_event.js). */
export interface ZongjiTableMapPrivate {
  /** the collation id of each column, from the optional metadata's charset fields */
  _columnCharsetIds?: ReadonlyArray<number | null | undefined>;
  /** the member names of each ENUM/SET column, as bytes, from the optional metadata */
  _enumSetValues?: ReadonlyArray<ReadonlyArray<Uint8Array> | null | undefined>;
}

export function tableMapCharsetIds(ev: ZongjiTableMapPrivate): ReadonlyArray<number | null | undefined> | undefined {
  return ev._columnCharsetIds;
}

export function tableMapEnumSetValues(ev: ZongjiTableMapPrivate): ReadonlyArray<ReadonlyArray<Uint8Array> | null | undefined> | undefined {
  return ev._enumSetValues;
}

/** What installTableMapCorrections asks of its caller for every TABLE_MAP zongji parses. */
export interface TableMapCorrections {
  /** true: zongji sees the TABLE_MAP as if it carried no optional metadata */
  withoutOptionalMetadata(): boolean;
  /**
   * After zongji's own parse of a TABLE_MAP that has an optional-metadata `block` and charset ids: correct
   * `charsetIds` (zongji's, by column) in place. `columnTypes` as in the event, `columnsMetadata[i].type` the real
   * type of a STRING-coded column.
   */
  correctCharsetIds(
    block: Buffer,
    event: { columnTypes: readonly number[]; columnsMetadata: ReadonlyArray<{ type?: number } | null | undefined> },
    charsetIds: Array<number | undefined>,
    flags: { isMariaDb: boolean },
  ): void;
}

let corrected = false;

/** Wraps zongji's TableMap optional-metadata parse with `corrections` (once per process; later calls are no-ops). */
export function installTableMapCorrections(corrections: TableMapCorrections): void {
  if (corrected) return;
  const proto = eventsLib.TableMap.prototype;
  const original = proto._readOptionalMetadata;
  if (typeof original !== 'function') throw changed('TableMap._readOptionalMetadata is gone');
  corrected = true;
  proto._readOptionalMetadata = function (this: TableMapThis, parser: ZongjiParser, zongji: ZongjiFlags | undefined): void {
    const nullBitmap = Math.floor((this.columnCount + 7) / 8);
    const end = parser._packetEnd - (zongji?.useChecksum ? 4 : 0);
    if (corrections.withoutOptionalMetadata()) {
      parser.parseBuffer(nullBitmap);
      parser._offset = end;
      return;
    }
    const blockStart = parser._offset + nullBitmap;
    original.call(this, parser, zongji);
    if (blockStart >= end || this._columnCharsetIds === undefined) return;
    corrections.correctCharsetIds(parser._buffer.subarray(blockStart, end), this, this._columnCharsetIds, { isMariaDb: zongji?.isMariaDb === true });
  };
}

// ---- the instance ---------------------------------------------------------------------------------------------

/** Makes zongji decode the table maps (and so the rows) of exactly the tables `selects` accepts. */
export function filterTableMaps(zongji: object, selects: (db: string, table: string) => boolean): void {
  if (typeof (zongji as { _skipSchema?: unknown })._skipSchema !== 'function') throw changed('ZongJi#_skipSchema is gone');
  (zongji as { _skipSchema: (db: string, table: string) => boolean })._skipSchema = (db, table) => !selects(db, table);
}

/** zongji as beforeDump touches it: its binlog connection (a mysql2 connection), and 'ready'. */
export interface DumpingZongji<C = import('../mysql/mysql2-internals.js').Mysql2CommandConnection> {
  connection: C | null;
  once(event: 'ready', listener: () => void): unknown;
}

/** Calls `queue` with the binlog connection right before zongji queues its dump on it (a command queued then goes first). */
export function beforeDump<C>(zongji: DumpingZongji<C>, queue: (connection: C) => void): void {
  zongji.once('ready', () => {
    const conn = zongji.connection;
    if (conn) queue(conn);
  });
}

/** zongji as gateBinlogPackets touches it: its dump command class, built right before 'ready'. */
export interface PacketGatedZongji<P, C> {
  BinlogClass?: { prototype: { binlogData?: (this: unknown, packet: P, connection: C) => unknown } };
  on(event: 'ready', listener: () => void): unknown;
  removeListener(event: 'ready', listener: () => void): unknown;
}

/**
 * Calls `gate` with every packet of the dump before zongji parses it; `gate` returns true when it has handled the
 * packet (zongji never sees it), false to hand it to zongji. Returns a function that removes the 'ready' hook (the
 * wrapped class dies with the stream).
 */
export function gateBinlogPackets<P, C>(zongji: PacketGatedZongji<P, C>, gate: (packet: P, connection: C) => boolean, fail: (e: Error) => void): () => void {
  const onReady = (): void => {
    const proto = zongji.BinlogClass?.prototype;
    const original = proto?.binlogData;
    if (!proto || typeof original !== 'function') {
      fail(changed('BinlogClass.prototype.binlogData is missing, so sluice cannot see every binlog event'));
      return;
    }
    const gated = function gatedBinlogData(this: unknown, packet: P, connection: C): unknown {
      // the dump command's next state is binlogData itself
      return gate(packet, connection) ? gated : original.call(this, packet, connection);
    };
    proto.binlogData = gated;
  };
  zongji.on('ready', onReady);
  return () => {
    zongji.removeListener('ready', onReady);
  };
}

/** A 'binlog' TableMap event, as onTableMap hands it over. */
export interface TableMapEventLike {
  getTypeName(): string;
  tableId?: number;
  columnTypes?: number[];
}

/** zongji as onTableMap touches it. */
export interface TableMapListeningZongji {
  prependListener(event: 'binlog', listener: (event: TableMapEventLike) => void): unknown;
  removeListener(event: 'binlog', listener: (event: TableMapEventLike) => void): unknown;
}

/**
 * Calls `listener` with every TableMap event before any other 'binlog' listener, once zongji has cached its table
 * map entry and before it parses the next event (so re-typing the cached entry there changes how its rows decode).
 * Returns a function that detaches the listener.
 */
export function onTableMap(zongji: TableMapListeningZongji, listener: (event: TableMapEventLike & { tableId: number }) => void): () => void {
  const onEvent = (event: TableMapEventLike): void => {
    if (event.getTypeName() !== 'TableMap' || event.tableId === undefined) return;
    listener(event as TableMapEventLike & { tableId: number });
  };
  zongji.prependListener('binlog', onEvent);
  return () => {
    zongji.removeListener('binlog', onEvent);
  };
}
