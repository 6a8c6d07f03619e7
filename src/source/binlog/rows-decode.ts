/**
 * Decodes a rows event's body away from the binlog stream (in a piscina worker): zongji's own rows-event
 * classes (reached through zongji-internals.ts) run on the bytes with the table map entry the stream had when the event arrived, so every value is
 * exactly what zongji gives on the main thread (zongji-raw.ts re-typing included — it is in the entry).
 */
import type { RawRowImage } from './binlog-event.js';
import { ROWS_EVENT_TYPES } from './rows-layout.js';
import { decodeZongjiRows } from './zongji-internals.js';
import type { ZongjiColumn } from './zongji-raw.js';

/** zongji's table map entry as plain data (it crosses to a worker by structured clone). */
export interface PlainTableMapEntry {
  parentSchema: string;
  tableName: string;
  columns: ZongjiColumn[];
  columnSchemas: Record<string, unknown>[];
}

/** The parts of a live zongji table map entry copied for a worker. */
export interface LiveTableMapEntry {
  parentSchema: string;
  tableName: string;
  columns?: ReadonlyArray<ZongjiColumn>;
  columnSchemas: ReadonlyArray<object>;
}

export function plainTableMapEntry(e: LiveTableMapEntry): PlainTableMapEntry {
  return {
    parentSchema: e.parentSchema,
    tableName: e.tableName,
    columns: (e.columns ?? []).map((c) => ({
      name: c.name,
      charset: c.charset,
      type: c.type,
      metadata: { ...c.metadata },
      ...(c.binlogType !== undefined ? { binlogType: c.binlogType } : {}),
    })),
    columnSchemas: e.columnSchemas.map((s) => ({ ...s })),
  };
}

export type DecodedRow = RawRowImage | { before: RawRowImage; after: RawRowImage };

/**
 * The rows of one rows event. `body`: the bytes after the 19-byte common header, without the checksum.
 * zongji reports a value it cannot read through its instance's 'error' event; here that throws.
 */
export function decodeRowsBody(body: Buffer, typeCode: number, entry: PlainTableMapEntry): DecodedRow[] {
  const kind = ROWS_EVENT_TYPES[typeCode];
  if (!kind) throw new Error(`event type ${typeCode} is not a rows event`);
  return decodeZongjiRows(kind.op, body, typeCode, entry) as DecodedRow[];
}
