/**
 * The row records of one rows event: ids, filter, route, encode (DESIGN §3/§4). The same code runs on the main
 * thread (rows zongji decoded there) and in the piscina workers (rows-task.ts), so both give the same bytes.
 */
import { AvroWriter, buildRowRecord, encodeRecordView, recordHeader, type DtsValue, type MutableHeader, type RecordPlace, type RowOperation } from '../../format/dts-avro/index.js';
import type { RawRowImage } from '../../source/binlog/index.js';
import type { BinlogTable } from './binlog-table.js';

/** Where the event sits in the stream: what every record header of its rows carries. */
export type RowsEventPlace = RecordPlace;

/** Takes each encoded record (the value is a view: copy it before the writer is used again). */
export interface RecordOut {
  add(topic: string, partition: number, seq: number, key: Uint8Array | null, value: Uint8Array, timestampMs: number): void;
}

/** The header the rows of one event share (encodeRows sets each row's id). */
export function rowsEventHeader(place: RowsEventPlace, serverVersion: string, serverId: number): MutableHeader {
  return recordHeader(0, place, { serverVersion, serverId });
}

/**
 * Encodes `rows` (zongji's images; {before, after} for UPDATE) with ids firstId, firstId+1, … — every row takes
 * its id, filtered or not (state/record-ids.ts). Returns how many records passed the filter.
 */
export function encodeRows(
  table: BinlogTable,
  op: RowOperation,
  header: MutableHeader,
  rows: ReadonlyArray<unknown>,
  firstId: number,
  writer: AvroWriter,
  out: RecordOut,
  /** the rows are value arrays in ordinal order (rows-reader.ts), not zongji's name-keyed images */
  asArrays = false,
): number {
  const tsMs = header.sourceTimestamp * 1000;
  const { mapper, filter, router } = table;
  const imageOf = asArrays ? (v: unknown): DtsValue[] => mapper.binlogValues(v as readonly unknown[]) : (v: unknown): DtsValue[] => mapper.binlogImage(v as RawRowImage);
  let id = firstId - 1;
  let records = 0;
  for (const row of rows) {
    id++;
    let before: DtsValue[] | null = null;
    let after: DtsValue[] | null = null;
    if (op === 'UPDATE') {
      const r = row as { before: unknown; after: unknown };
      before = imageOf(r.before);
      after = imageOf(r.after);
      if (filter && !filter.passesUpdate(table.filterText(before), table.filterText(after))) continue;
    } else {
      const image = imageOf(row);
      if (op === 'INSERT') after = image;
      else before = image;
      if (filter && !filter.passes(table.filterText(image))) continue;
    }
    // an UPDATE that changes the key goes by its after image (DESIGN §4)
    const route = router.routeRow(table.keyText((after ?? before) as DtsValue[]));
    header.id = id;
    const value = encodeRecordView(buildRowRecord(mapper, op, header, before, after), writer, mapper.fieldsBytes);
    out.add(table.topic, route.partition, id, route.key === null ? null : Buffer.from(route.key, 'utf8'), value, tsMs);
    records++;
  }
  return records;
}
