/**
 * The unit of work the format benchmark measures: build and encode N records of the 8-column row, from
 * binlog-path values (what zongji hands over with the raw table map). Plain inputs in, a byte count out,
 * so it runs the same on the main thread and in a piscina worker.
 */
import { AvroWriter } from '../../src/format/dts-avro/avro-writer.js';
import { writeRecord } from '../../src/format/dts-avro/encode-record.js';
import { buildRowRecord, type ChangeHeader } from '../../src/format/dts-avro/record.js';
import { compileTableMapper, type TableMapper } from '../../src/format/dts-avro/table-mapper.js';
import { recordToAvsc } from '../../src/format/dts-avro/avsc-form.js';
import { dtsRecordType } from '../../src/format/dts-avro/schema.js';
import { BENCH_TABLE, benchBinlogRow, smallJsonb } from '../../test/support/dts-fixtures.js';
import type { DtsRecord } from '../../src/format/dts-avro/types.js';

export interface BlockTask {
  /** 'insert' or 'update' */
  op: 'insert' | 'update';
  /** first row number of the block */
  start: number;
  count: number;
}

const JSONB = smallJsonb();
let mapper: TableMapper | undefined;
let writer: AvroWriter | undefined;

function header(i: number): ChangeHeader {
  return {
    id: i,
    sourceTimestamp: 1_700_000_000 + (i >> 10),
    sourcePosition: `${4 + i * 97}@78`,
    safeSourcePosition: `${4 + i * 97}@78`,
    sourceTxid: '0',
    serverVersion: '9.7.4',
    threadId: 17,
    serverId: 1,
    readerThroughoutTime: 3,
  };
}

/** Pregenerated input rows (the benchmark measures mapping + encoding, not input generation). */
export function makeRows(count: number, start = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, k) => benchBinlogRow(start + k, JSONB));
}

export function buildRecord(m: TableMapper, op: 'insert' | 'update', rows: readonly Record<string, unknown>[], k: number, i: number): DtsRecord {
  const row = rows[k % rows.length] as Record<string, unknown>;
  if (op === 'insert') return buildRowRecord(m, 'INSERT', header(i), null, m.binlogImage(row));
  const before = rows[(k + 1) % rows.length] as Record<string, unknown>;
  return buildRowRecord(m, 'UPDATE', header(i), m.binlogImage(before), m.binlogImage(row));
}

/** Maps, builds and encodes `count` records; returns total bytes (so the work cannot be optimised away). */
export function encodeBlock(task: BlockTask, rows: readonly Record<string, unknown>[]): number {
  mapper ??= compileTableMapper(BENCH_TABLE);
  writer ??= new AvroWriter(1 << 16);
  let bytes = 0;
  for (let k = 0; k < task.count; k++) {
    const rec = buildRecord(mapper, task.op, rows, k, task.start + k);
    writer.reset();
    writeRecord(writer, rec, mapper.fieldsBytes);
    bytes += writer.toBuffer().length;
  }
  return bytes;
}

/** The ceiling: avsc's own toBuffer on prebuilt avsc-form records (no mapping at all). */
export function avscCeilingBlock(recs: readonly ReturnType<typeof recordToAvsc>[], count: number): number {
  const type = dtsRecordType();
  let bytes = 0;
  for (let k = 0; k < count; k++) bytes += type.toBuffer(recs[k % recs.length]).length;
  return bytes;
}

export function ceilingRecords(op: 'insert' | 'update', n: number): ReturnType<typeof recordToAvsc>[] {
  const m = compileTableMapper(BENCH_TABLE);
  const rows = makeRows(n);
  return Array.from({ length: n }, (_, k) => recordToAvsc(buildRecord(m, op, rows, k, k)));
}
