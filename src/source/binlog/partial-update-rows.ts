/**
 * MySQL's PARTIAL_UPDATE_ROWS_EVENT (binlog_row_value_options=PARTIAL_JSON, settable per session), which zongji
 * skips. It is an UPDATE_ROWS_EVENT (v2 layout) whose rows carry, between the before and the after image, a
 * "shared image": value_options (packed integer; bit 1 = PARTIAL_JSON) and, when set, one bit per JSON column
 * of the table saying whether the after image holds that column's diff instead of its document (rpl_record.h).
 * The images themselves are read with zongji's own row reader (zongji-internals.ts readZongjiRowImage), so every column decodes exactly as in an
 * UPDATE_ROWS_EVENT; a partial JSON value becomes a PartialJsonValue (model/partial-json.ts) for the format.
 */
import type { PartialJsonValue } from '../../model/partial-json.js';
import type { RawRowImage } from './binlog-event.js';
import type { ZongjiTableMapEntry } from './zongji-raw.js';

import { newZongjiParser, parserAtEnd, readZongjiRowImage } from './zongji-internals.js';

const PARTIAL_JSON_UPDATES = 1;
const MYSQL_TYPE_JSON = 245;

export interface PartialRowsZongji {
  tableMap: Record<number, ZongjiTableMapEntry>;
  useChecksum: boolean;
}

export interface DecodedPartialRows {
  tableId: number;
  columns_present_bitmap: Buffer;
  columns_present_bitmap2: Buffer;
  rows: { before: RawRowImage; after: RawRowImage }[];
}

function columnPresent(bitmap: Buffer, i: number): boolean {
  return i >= 0 && ((bitmap[i >> 3] as number) & (1 << (i & 7))) !== 0;
}

/** The binlog type of each column before zongji-raw.ts re-typed it (JSON is read as BLOB there). */
function isJsonColumn(c: { type: number; binlogType?: number }): boolean {
  return (c.binlogType ?? c.type) === MYSQL_TYPE_JSON;
}

/**
 * Decodes the body of a PARTIAL_UPDATE_ROWS_EVENT (after the 19-byte common header, checksum included when the
 * stream has one). Returns null when the table's map was filtered out (zongji skips such rows events too).
 */
export function decodePartialUpdateRows(body: Buffer, zongji: PartialRowsZongji): DecodedPartialRows | null {
  const p = newZongjiParser(body, zongji.useChecksum ? 4 : 0);
  const tableId = p.parseUnsignedNumber(6);
  p.parseUnsignedNumber(2); // flags
  const extraLength = p.parseUnsignedNumber(2);
  p.parseBuffer(extraLength - 2);
  const columnCount = p.parseLengthCodedNumber() ?? 0;
  const entry = zongji.tableMap[tableId];
  if (!entry?.columns) return null;
  const bitmapBytes = (columnCount + 7) >> 3;
  const bitmap1 = p.parseBuffer(bitmapBytes);
  const bitmap2 = p.parseBuffer(bitmapBytes);
  const columns = entry.columns as ReadonlyArray<{ name: string; type: number; binlogType?: number }>;
  const jsonColumns = columns.filter(isJsonColumn).map((c) => c.name);
  const rows: DecodedPartialRows['rows'] = [];
  while (!parserAtEnd(p)) {
    const before = readZongjiRowImage(p, zongji, tableId, bitmap1);
    const valueOptions = p.parseLengthCodedNumber() ?? 0;
    const partialBits = (valueOptions & PARTIAL_JSON_UPDATES) !== 0 ? p.parseBuffer((jsonColumns.length + 7) >> 3) : null;
    const after = readZongjiRowImage(p, zongji, tableId, bitmap2);
    if (partialBits) {
      jsonColumns.forEach((name, i) => {
        if (((partialBits[i >> 3] as number) & (1 << (i & 7))) === 0) return;
        const diff = after[name];
        const base = before[name];
        if (!Buffer.isBuffer(diff)) return;
        // left out of the before image (binlog_row_image=MINIMAL): the reader refuses the whole event for its
        // incomplete images (refusals.ts), with the setting to fix, before any value is used
        if (!columnPresent(bitmap1, columns.findIndex((c) => c.name === name))) return;
        if (!Buffer.isBuffer(base)) {
          throw new Error(`a partial JSON update of column ${name} has no before image to apply to (binlog_row_image is not FULL)`);
        }
        const v: PartialJsonValue = { kind: 'partial-json', base, diff };
        after[name] = v;
      });
    }
    rows.push({ before, after });
  }
  return { tableId, columns_present_bitmap: bitmap1, columns_present_bitmap2: bitmap2, rows };
}
