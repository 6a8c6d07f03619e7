/**
 * zongji 0.9's byte reader and rows-event classes, loaded by file from the installed package: its package
 * exports only its index, and sluice decodes rows outside zongji's stream (partial JSON updates on the main
 * thread, every rows event in the piscina workers) with the very code that decodes them inside it.
 */

/** zongji's byte reader (lib/reader.js), as far as sluice drives it */
export interface ZongjiParser {
  _offset: number;
  _packetEnd: number;
  append(buffer: Buffer): void;
  parseUnsignedNumber(bytes: number): number;
  parseLengthCodedNumber(): number | null;
  parseBuffer(length: number): Buffer;
}

/** What zongji's row reader reads from the event it runs on */
export interface ImageReaderContext {
  tableMap: Record<number, unknown>;
  tableId: number;
  columns_present_bitmap: Buffer;
  _zongji: unknown;
}

/** The options zongji's event constructors take (lib/binlog_event.js) */
export interface ZongjiEventOptions {
  eventType: number;
  timestamp: number;
  nextPosition: number;
  size: number;
}

/** A rows event class: parses the whole body at construction */
export type ZongjiRowsEventClass = new (parser: ZongjiParser, options: ZongjiEventOptions, zongji: unknown) => { rows?: unknown[] };

const zongjiLib = new URL('./lib/', import.meta.resolve('@vlasky/zongji'));
const reader = (await import(new URL('reader.js', zongjiLib).href)) as { Parser: new () => ZongjiParser };
const rowsEvents = (await import(new URL('rows_event.js', zongjiLib).href)) as {
  WriteRows: ZongjiRowsEventClass & { prototype: { _fetchOneRow(this: ImageReaderContext, parser: ZongjiParser): Record<string, unknown> } };
  UpdateRows: ZongjiRowsEventClass;
  DeleteRows: ZongjiRowsEventClass;
};

export const ZongjiParserClass = reader.Parser;
export const { WriteRows, UpdateRows, DeleteRows } = rowsEvents;
/** zongji's reader of one row image (WriteRows' _fetchOneRow), called on a context shaped like its event */
export const readZongjiImage = rowsEvents.WriteRows.prototype._fetchOneRow;
