/**
 * Turns framed binlog events into EncodedBatches (DESIGN §2): row events of selected tables become
 * INSERT/UPDATE/DELETE records (ids, filter, route, encode), packed per (topic, partition); transaction
 * boundaries go to the AckTracker once every record before them has been handed to the sink.
 *
 * Rows events that arrive as bytes (RawRowsBytes) get their ids here — the reader counted their rows — and go
 * to the piscina workers in tasks of consecutive events (rows-task.ts), which decode and encode them; rows
 * zongji decoded on this thread (partial JSON updates, tables without a rows layout) and DDL records are encoded
 * here. Both kinds of output wait in one queue of segments, in stream order, and reach the sink strictly in
 * that order, so per-partition order holds whichever thread encoded a record. Named steps per event kind; the
 * reader pauses the stream while a returned promise is pending (sink backpressure, tasks in flight, a schema
 * re-read).
 */
import { AvroWriter, buildDdlRecord, encodeRecord, recordHeader, type RecordPlace, type RowOperation } from '../../format/dts-avro/index.js';
import type { EncodedBatch, SourcePosition } from '../../model/encoded-batch.js';
import { SourceError } from '../../errors.js';
import { EVENT, isRowsBytes, type RawQuery, type RawRowImage, type RawRowsBytes, type RawRowsEvent } from '../../source/binlog/index.js';
import { plainTableMapEntry, type LiveTableMapEntry, type PlainTableMapEntry } from '../../source/binlog/index.js';
import { parseDdl } from '../../source/binlog/index.js';
import type { TableMapMetadata } from '../../source/binlog/index.js';
import type { FramedEvent } from '../../source/binlog/index.js';
import type { GtidTracker } from '../../source/binlog/index.js';
import type { AckTracker } from '../../state/ack-tracker.js';
import type { BinlogTable, BinlogTableSpec } from './binlog-table.js';
import { encodeRows, rowsEventHeader } from './encode-rows.js';
import { runRowsTask, type RowsTask, type RowsTaskEvent, type RowsTaskResult } from './rows-task.js';
import { PartitionBatcher } from './partition-batcher.js';
import type { TableRegistry, TrackedState } from './table-registry.js';
import { ddlRoutes, type DdlRouteOptions } from './ddl-routes.js';

/** A checkpointable position: a transaction boundary and the last id assigned before it. */
export interface StreamPosition {
  readonly file: string;
  readonly pos: number;
  readonly gtidSet: string | null;
  readonly lastId: number;
  /** the table structures in force at this boundary (saved with it, so a replay versions rows the same) */
  readonly tables: TrackedState;
}

export interface ChangeStreamOptions {
  registry: TableRegistry;
  /** the KafkaSink (write resolves at once while its byte budget has room; stats.waitingWrites counts the rest) */
  sink: { write(batch: EncodedBatch): Promise<void>; readonly stats: { readonly waitingWrites: number } };
  tracker: AckTracker<StreamPosition>;
  gtids: GtidTracker;
  /** the last id used at the start position (lastIdBeforeBinlog) */
  lastId: number;
  serverVersion: string;
  serverId: number;
  /** `emit`: DDL statements on selected tables become DDL records (DESIGN §3); `ignore`: they only update structures */
  ddl: 'ignore' | 'emit';
  /** where DDL records go */
  ddlRouting: Omit<DdlRouteOptions, 'objectFor'>;
  /** open batches are cut once their records reach this many bytes */
  batchBytes: number;
  log: (line: string) => void;
  /** the piscina pool that runs rows tasks; without one, rows events that arrive as bytes are encoded here */
  rowsPool?: RowsPool;
  /** a rows task is sent once its event bytes reach this (default 256 KiB) */
  taskBytes?: number;
  /** rows tasks in flight before the stream pauses (default 4) */
  maxTasksInFlight?: number;
  /**
   * A task of fewer rows runs on this thread instead (default 256): a quiet source's few rows are encoded
   * sooner, and cheaper, than a round trip to a worker (the same code either way, runRowsTask).
   */
  inlineRowsBelow?: number;
}

/** Runs a rows task in a worker (piscina's run, with the task's bytes transferred). */
export interface RowsPool {
  run(task: RowsTask, transferList: ArrayBuffer[]): Promise<RowsTaskResult>;
}

/** Output in stream order: batches (ready, or being encoded by a worker) and the boundaries right after them. */
interface Segment {
  done: boolean;
  batches: EncodedBatch[];
  boundaries: StreamPosition[];
}

/** Rows events gathered for one worker task. */
interface OpenTask {
  events: RowsTaskEvent[];
  rows: number;
  bodies: Buffer[];
  bytes: number;
  tables: Record<string, BinlogTableSpec>;
  entries: PlainTableMapEntry[];
  /** by the entry's column list (a table map entry gets a new one when its columns change) */
  entryIndex: Map<object, number>;
}

/** A name per compiled table, unique in this process (workers cache their compiled copies under it). */
const tableKeys = new WeakMap<BinlogTable, string>();
let nextTableKey = 0;
function tableKey(t: BinlogTable): string {
  let k = tableKeys.get(t);
  if (k === undefined) tableKeys.set(t, (k = `t${nextTableKey++}`));
  return k;
}

const OPERATION: Record<string, RowOperation> = { [EVENT.writeRows]: 'INSERT', [EVENT.updateRows]: 'UPDATE', [EVENT.deleteRows]: 'DELETE' };

export class ChangeStream {
  private readonly o: ChangeStreamOptions;
  private readonly taskBytes: number;
  private readonly maxTasksInFlight: number;
  private readonly inlineRowsBelow: number;
  private readonly batcher = new PartitionBatcher();
  private readonly writer = new AvroWriter();
  private lastId: number;
  /** boundaries whose records still sit in open batches or the open task */
  private pendingBoundaries: StreamPosition[] = [];
  /** sealed output not yet handed to the sink, in stream order */
  private segments: Segment[] = [];
  private task: OpenTask | null = null;
  private tasksInFlight = 0;
  /** resolved whenever a segment leaves the queue (or the stream fails) */
  private drainWaiters: Array<() => void> = [];
  private cutScheduled = false;
  /** sink writes still waiting for budget: the next event waits for them (backpressure) */
  private blocked: Promise<void> | null = null;
  private failure: Error | null = null;
  private lastEvent: FramedEvent | null = null;
  /** counters for metrics and the report */
  rows = 0;
  records = 0;
  transactions = 0;
  /** event time of the last boundary, ms (lag = now − this) */
  lastCommitMs = 0;

  constructor(o: ChangeStreamOptions) {
    this.o = o;
    this.lastId = o.lastId;
    this.taskBytes = o.taskBytes ?? 256 << 10;
    this.maxTasksInFlight = o.maxTasksInFlight ?? 4;
    this.inlineRowsBelow = o.inlineRowsBelow ?? 256;
  }

  /** The reader's onEvent. */
  onEvent(ev: FramedEvent): void | Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.blocked) return this.blocked.then(() => this.handle(ev));
    return this.handle(ev);
  }

  private handle(ev: FramedEvent): void | Promise<void> {
    this.lastEvent = ev;
    let wait: void | Promise<void> = undefined;
    switch (ev.kind) {
      case 'rows':
        wait = this.onRows(ev);
        break;
      case 'table-map':
        wait = this.o.registry.onTableMap(ev.event as unknown as TableMapMetadata);
        break;
      case 'ddl':
        wait = this.onDdl(ev);
        break;
      default:
    }
    if (wait) return wait.then(() => this.afterEvent(ev));
    return this.afterEvent(ev);
  }

  private afterEvent(ev: FramedEvent): void | Promise<void> {
    if (ev.boundary) this.onBoundary(ev);
    if (this.batcher.pendingBytes >= this.o.batchBytes) return this.cut();
    if (this.task && this.task.bytes >= this.taskBytes) {
      this.seal();
      if (this.tasksInFlight >= this.maxTasksInFlight) return this.tasksBelow(this.maxTasksInFlight);
      return;
    }
    if ((this.batcher.pendingRecords > 0 || this.pendingBoundaries.length > 0 || this.task) && !this.cutScheduled) {
      // Cut once the events already received are handled (setImmediate runs after the socket chunk that
      // carried them): low latency when the source is quiet, full batches during a catch-up.
      this.cutScheduled = true;
      setImmediate(() => {
        this.cutScheduled = false;
        if (!this.failure) {
          const p = this.cut();
          if (p) this.block(p);
          if (this.tasksInFlight >= this.maxTasksInFlight) this.block(this.tasksBelow(this.maxTasksInFlight));
        }
      });
    }
  }

  /** Step: a row event of a selected table → one record per row that passes the filter. */
  private onRows(ev: FramedEvent): void | Promise<void> {
    const e = ev.event as RawRowsEvent | RawRowsBytes;
    const entry = e.tableMap[e.tableId];
    if (!entry) return;
    const table = this.o.registry.get(entry.parentSchema, entry.tableName);
    if (!table) return;
    const names = rowColumnNames(e);
    if (names && !sameNames(names, table.columnNames)) return this.onColumnDrift(ev, table, names);
    this.emitRows(ev, e, table);
  }

  private emitRows(ev: FramedEvent, e: RawRowsEvent | RawRowsBytes, table: BinlogTable): void {
    if (isRowsBytes(e)) this.addToTask(ev, e, table);
    else this.encodeHere(ev, e, table);
  }

  /** Rows zongji decoded on this thread: encoded here, into the open batches. */
  private encodeHere(ev: FramedEvent, e: RawRowsEvent, table: BinlogTable): void {
    if (this.task) this.seal();
    const op = OPERATION[e.getTypeName()] as RowOperation;
    const header = rowsEventHeader(placeOf(ev), this.o.serverVersion, this.o.serverId);
    this.records += encodeRows(table, op, header, e.rows, this.reserveIds(e.rows.length), this.writer, this.batcher);
  }

  /** Ids for the `rows` rows of one event (every row takes one, filtered or not: state/record-ids.ts); returns the first. */
  private reserveIds(rows: number): number {
    const first = this.lastId + 1;
    this.lastId += rows;
    this.rows += rows;
    return first;
  }

  /** Rows as bytes: their ids are reserved here, a worker decodes and encodes them. */
  private addToTask(ev: FramedEvent, e: RawRowsBytes, table: BinlogTable): void {
    if (this.batcher.pendingRecords > 0) this.seal();
    const t: OpenTask = (this.task ??= { events: [], rows: 0, bodies: [], bytes: 0, tables: {}, entries: [], entryIndex: new Map() } satisfies OpenTask);
    const key = tableKey(table);
    t.tables[key] ??= table.spec;
    const live = e.tableMap[e.tableId] as LiveTableMapEntry;
    const columns = live.columns ?? live;
    let entry = t.entryIndex.get(columns);
    if (entry === undefined) {
      entry = t.entries.push(plainTableMapEntry(live)) - 1;
      t.entryIndex.set(columns, entry);
    }
    const firstId = this.reserveIds(e.rowCount);
    t.events.push({ ...placeOf(ev), table: key, entry, typeCode: e.typeCode, offset: t.bytes, length: e.body.length, firstId, rowCount: e.rowCount });
    t.bodies.push(e.body);
    t.bytes += e.body.length;
    t.rows += e.rowCount;
  }

  /**
   * The row's columns are not the tracked structure's. With FULL metadata the table map just described them,
   * so this cannot be a lag behind an ALTER: stop rather than guess. Without it the table changed by a DDL
   * the stream did not recognise: re-read the structure once; if the row still does not fit, stop rather
   * than mis-map values.
   */
  private async onColumnDrift(ev: FramedEvent, table: BinlogTable, names: readonly string[]): Promise<void> {
    const now = this.o.registry.fullMetadata ? table : await this.o.registry.reloadAfterDrift(table);
    if (!now) return;
    if (!sameNames(names, now.columnNames)) {
      throw new SourceError(
        `Rows of ${table.schema.db}.${table.schema.table} at ${ev.file}:${ev.endPos} have columns (${names.join(', ')}) that differ from the structure sluice tracked for them (${now.columnNames.join(', ')}): the table was altered in a way the binlog did not show (set binlog_row_metadata=FULL on the server so every table map names its columns), so move the state directory away and run again to re-snapshot.`,
      );
    }
    this.emitRows(ev, ev.event as RawRowsEvent | RawRowsBytes, now);
  }

  /**
   * Step: a DDL statement. Under `ddl: emit` its records go out first, routed by the tables as they were
   * before it (a table renamed out still gets the RENAME); then the tracked structures follow it.
   */
  private onDdl(ev: FramedEvent): void | Promise<void> {
    const q = ev.event as RawQuery;
    const stmt = parseDdl(q.query, q.schema);
    if (this.o.ddl === 'emit') this.emitDdl(ev, q, stmt);
    return this.o.registry.onDdl(stmt);
  }

  private emitDdl(ev: FramedEvent, q: RawQuery, stmt: ReturnType<typeof parseDdl>): void {
    const registry = this.o.registry;
    const routes = ddlRoutes(stmt, { ...this.o.ddlRouting, objectFor: (db, table) => registry.objectFor(db, table) });
    if (routes.length > 0 && this.task) this.seal();
    const tsMs = ev.timestampSec * 1000;
    for (const r of routes) {
      const id = ++this.lastId;
      const header = recordHeader(id, { ...placeOf(ev), threadId: ev.threadId || q.slaveProxyId }, this.o);
      const value = encodeRecord(buildDdlRecord(r.db, q.query, header, ev.gtid ?? undefined), this.writer);
      this.batcher.add(r.topic, r.partition, id, Buffer.from(r.key, 'utf8'), value, tsMs);
      this.records++;
    }
  }

  /** Step: a transaction ended → its position becomes a checkpoint candidate once its records are issued. */
  private onBoundary(ev: FramedEvent): void {
    this.o.gtids.committed(ev.gtid);
    this.transactions++;
    this.lastCommitMs = ev.timestampSec * 1000;
    const p: StreamPosition = { file: ev.file, pos: ev.endPos, gtidSet: this.o.gtids.value, lastId: this.lastId, tables: this.o.registry.state };
    if (this.batcher.pendingRecords === 0 && this.pendingBoundaries.length === 0 && !this.task && this.segments.length === 0) this.o.tracker.boundary(this.lastId, p);
    else this.pendingBoundaries.push(p);
  }

  /**
   * Seals the open batches and the open task, and hands every finished segment to the sink, then the
   * boundaries they complete to the tracker. Returns a promise when the sink is out of budget (the caller
   * waits: backpressure). Segments a worker is still encoding go out when it is done (flush waits for them).
   */
  cut(): void | Promise<void> {
    this.seal();
    return this.drain();
  }

  /** Everything read so far to the sink: seals, then waits until no segment is left and the sink took every batch. */
  async flush(): Promise<void> {
    this.seal();
    for (;;) {
      if (this.failure) throw this.failure;
      const p = this.drain();
      if (p) await p;
      if (this.segments.length === 0) return;
      await new Promise<void>((r) => this.drainWaiters.push(r));
    }
  }

  /** Turns what is open into a segment, with the boundaries seen since. */
  private seal(): void {
    if (this.task) this.dispatch(this.task);
    else if (this.batcher.pendingRecords > 0) this.segments.push({ done: true, batches: this.batcher.takeAll(this.endPosition()), boundaries: [] });
    if (this.pendingBoundaries.length === 0) return;
    const last = this.segments[this.segments.length - 1];
    if (last) last.boundaries.push(...this.pendingBoundaries);
    else for (const p of this.pendingBoundaries) this.o.tracker.boundary(p.lastId, p);
    this.pendingBoundaries = [];
  }

  private endPosition(): SourcePosition {
    const ev = this.lastEvent;
    return {
      kind: 'binlog',
      file: ev?.file ?? '',
      pos: ev?.endPos ?? 0,
      ...(this.o.gtids.value ? { gtid: this.o.gtids.value } : {}),
      txBoundary: ev?.boundary ?? false,
    };
  }

  private dispatch(t: OpenTask): void {
    this.task = null;
    const bytes = new Uint8Array(t.bytes);
    let at = 0;
    for (const b of t.bodies) {
      bytes.set(b, at);
      at += b.length;
    }
    const task: RowsTask = { kind: 'binlog-rows', serverVersion: this.o.serverVersion, serverId: this.o.serverId, tables: t.tables, entries: t.entries, bytes, events: t.events, end: this.endPosition() };
    const pool = this.o.rowsPool;
    if (!pool || t.rows < this.inlineRowsBelow) {
      let r: RowsTaskResult;
      try {
        r = runRowsTask(task);
      } catch (e) {
        throw rowsTaskError(t, e);
      }
      this.records += r.records;
      this.segments.push({ done: true, batches: r.batches, boundaries: [] });
      return;
    }
    const seg: Segment = { done: false, batches: [], boundaries: [] };
    this.segments.push(seg);
    this.tasksInFlight++;
    pool.run(task, [bytes.buffer]).then(
      (r) => {
        this.tasksInFlight--;
        seg.batches = r.batches;
        seg.done = true;
        this.records += r.records;
        if (this.failure) return;
        const p = this.drain();
        if (p) this.block(p);
      },
      (e: unknown) => {
        this.tasksInFlight--;
        this.failure ??= rowsTaskError(t, e);
        this.wakeDrainWaiters();
      },
    );
  }

  /** Hands the finished segments at the head of the queue to the sink, in order; a promise when it is out of budget. */
  private drain(): void | Promise<void> {
    const waits: Promise<void>[] = [];
    let drained = false;
    while (this.segments.length > 0 && (this.segments[0] as Segment).done) {
      const seg = this.segments.shift() as Segment;
      drained = true;
      for (const b of seg.batches) {
        this.o.tracker.issue(b);
        const w = this.o.sink.write(b);
        // A failed sink rejects at once and the promise may be dropped below (nothing waits for budget):
        // the job learns of the failure from the sink itself, so this must not crash it as unhandled.
        w.catch(() => undefined);
        waits.push(w);
      }
      for (const p of seg.boundaries) this.o.tracker.boundary(p.lastId, p);
    }
    if (drained) this.wakeDrainWaiters();
    // Admitted writes are already resolved; wait (pausing the stream) only when some are queued for budget.
    if (waits.length === 0 || this.o.sink.stats.waitingWrites === 0) return;
    return Promise.all(waits).then(() => undefined);
  }

  private wakeDrainWaiters(): void {
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const r of w) r();
  }

  /** Resolves once fewer than `max` tasks are in flight (or the stream failed). */
  private async tasksBelow(max: number): Promise<void> {
    while (this.tasksInFlight >= max && !this.failure) await new Promise<void>((r) => this.drainWaiters.push(r));
  }

  private block(p: Promise<void>): void {
    const prev = this.blocked;
    const b = (prev ? Promise.all([prev, p]) : p).then(
      () => {
        if (this.blocked === b) this.blocked = null;
      },
      (e: unknown) => {
        this.failure = e as Error;
        if (this.blocked === b) this.blocked = null;
      },
    );
    this.blocked = b;
  }

  /** The failure of a background cut (a sink that gave up), if any. */
  get error(): Error | null {
    return this.failure;
  }

  /** The last id assigned so far. */
  get currentLastId(): number {
    return this.lastId;
  }
}

function rowsTaskError(t: OpenTask, e: unknown): SourceError {
  const first = t.events[0];
  return new SourceError(
    `Decoding rows events at ${first ? `${first.file}:${first.endPos}` : 'the binlog'} failed: ${(e as Error).message}. sluice resumes from its checkpoint when run again; if this repeats, report it with the binlog file.`,
    { cause: e },
  );
}

/** Where an event sits, for its records' headers. */
function placeOf(ev: FramedEvent): RecordPlace {
  return { timestampSec: ev.timestampSec, file: ev.file, endPos: ev.endPos, txFile: ev.txStart.file, txPos: ev.txStart.pos, gtid: ev.gtid, threadId: ev.threadId };
}

/** The columns a rows event's images hold, in order: its table map's (bytes) or its first row's keys (decoded); null without rows. */
function rowColumnNames(e: RawRowsEvent | RawRowsBytes): string[] | null {
  if (isRowsBytes(e)) {
    const cols = e.tableMap[e.tableId]?.columns;
    return cols ? cols.map((c) => c.name) : null;
  }
  const first = e.rows[0];
  if (!first) return null;
  const image = (e.getTypeName() === EVENT.updateRows ? (first as { after: RawRowImage }).after : first) as RawRowImage;
  return Object.keys(image);
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether a zongji row object holds exactly the schema's columns, in order. */
export function sameColumns(row: RawRowImage, names: readonly string[]): boolean {
  let i = 0;
  for (const k in row) {
    if (names[i] !== k) return false;
    i++;
  }
  return i === names.length;
}
