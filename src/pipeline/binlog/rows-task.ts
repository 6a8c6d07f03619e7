/**
 * A piscina task of the binlog path (DESIGN §2): consecutive rows events as bytes, each with the ids the main
 * thread reserved for its rows, decoded (rows-decode.ts: zongji's own decoder), filtered, routed and encoded
 * here, and handed back as EncodedBatches per (topic, partition). The main thread issues them in task order,
 * so records keep the stream's order per partition.
 */
import { AvroWriter, type RowOperation } from '../../format/dts-avro/index.js';
import type { EncodedBatch, SourcePosition } from '../../model/encoded-batch.js';
import { decodeRowsBody, type PlainTableMapEntry } from '../../source/binlog/index.js';
import { compileRowsReader, type RowsReader } from '../../source/binlog/index.js';
import { ROWS_EVENT_TYPES } from '../../source/binlog/index.js';
import { compileBinlogTable, type BinlogTable, type BinlogTableSpec } from './binlog-table.js';
import { encodeRows, rowsEventHeader, type RowsEventPlace } from './encode-rows.js';
import { PartitionBatcher } from './partition-batcher.js';

export interface RowsTaskEvent extends RowsEventPlace {
  /** key of the event's table in RowsTask.tables */
  table: string;
  /** index of the event's table map entry in RowsTask.entries */
  entry: number;
  typeCode: number;
  /** the event body's place in RowsTask.bytes */
  offset: number;
  length: number;
  /** the id of its first row (the main thread reserved rowCount ids from here) */
  firstId: number;
  rowCount: number;
}

export interface RowsTask {
  kind: 'binlog-rows';
  serverVersion: string;
  serverId: number;
  /** the tables the events belong to; a key names one compiled version of a table for the process's lifetime */
  tables: Record<string, BinlogTableSpec>;
  entries: PlainTableMapEntry[];
  /** every event body, back to back */
  bytes: Uint8Array;
  events: RowsTaskEvent[];
  /** the stream position after the task's last event (the batches' endPosition) */
  end: SourcePosition;
}

export interface RowsTaskResult {
  batches: EncodedBatch[];
  /** records that passed the filter */
  records: number;
}

const OPERATION: Readonly<Record<'write' | 'update' | 'delete', RowOperation>> = { write: 'INSERT', update: 'UPDATE', delete: 'DELETE' };

/** compiled tables of this worker, by the key the main thread gave them */
const compiled = new Map<string, BinlogTable>();
const MAX_COMPILED = 256;

function tableFor(key: string, spec: BinlogTableSpec): BinlogTable {
  let t = compiled.get(key);
  if (!t) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    t = compileBinlogTable(spec.synced, spec.schema, spec.options);
    compiled.set(key, t);
  }
  return t;
}

/** this worker's rows readers, by the task's entry (an entry's readers are compiled once per task) */
function readersOf(task: RowsTask): Array<RowsReader | null> {
  return task.entries.map((e) => compileRowsReader(e));
}

// kept across tasks: the writer's scratch and the batch builders keep their grown buffers (takeAll copies each
// batch out at its exact size), so a task does not regrow them from empty
const writer = new AvroWriter();
const batcher = new PartitionBatcher();

export function runRowsTask(task: RowsTask): RowsTaskResult {
  try {
    return encodeTask(task);
  } catch (e) {
    // nothing of a failed task may reach the next one
    batcher.clear();
    throw e;
  }
}

function encodeTask(task: RowsTask): RowsTaskResult {
  const readers = readersOf(task);
  const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  let records = 0;
  for (const ev of task.events) {
    const spec = task.tables[ev.table];
    const entry = task.entries[ev.entry];
    const kind = ROWS_EVENT_TYPES[ev.typeCode];
    if (!spec || !entry || !kind) throw new Error(`binlog rows task refers to an unknown table, table map or event type (${ev.table}, ${ev.entry}, ${ev.typeCode})`);
    const body = bytes.subarray(ev.offset, ev.offset + ev.length);
    // sluice's own reader where every column has one, else zongji's decoder (same values, slower)
    const reader = readers[ev.entry];
    const rows = reader ? reader.read(body, ev.typeCode) : decodeRowsBody(body, ev.typeCode, entry);
    if (rows.length !== ev.rowCount) {
      throw new Error(`a rows event of ${entry.parentSchema}.${entry.tableName} ending at ${ev.file}:${ev.endPos} holds ${rows.length} rows, ${ev.rowCount} were counted for it`);
    }
    const header = rowsEventHeader(ev, task.serverVersion, task.serverId);
    records += encodeRows(tableFor(ev.table, spec), OPERATION[kind.op], header, rows, ev.firstId, writer, batcher, reader !== null);
  }
  return { batches: batcher.takeAll(task.end), records };
}
