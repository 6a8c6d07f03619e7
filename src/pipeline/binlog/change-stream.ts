/**
 * Turns framed binlog events into EncodedBatches (DESIGN §2), on the main thread for now: row events of
 * selected tables become INSERT/UPDATE/DELETE records (ids, filter, route, encode), packed per
 * (topic, partition); transaction boundaries go to the AckTracker once every record before them has been
 * handed to the sink. Named steps per event kind; the reader pauses the stream while a returned promise is
 * pending (sink backpressure, a schema re-read).
 */
import { AvroWriter, buildDdlRecord, buildRowRecord, dtsPosition, encodeRecord, encodeRecordView, type ChangeHeader, type DtsValue, type RowOperation } from '../../format/dts-avro/index.js';
import type { EncodedBatch } from '../../model/encoded-batch.js';
import { SourceError } from '../../errors.js';
import { EVENT, type RawQuery, type RawRowImage, type RawRowsEvent } from '../../source/binlog/binlog-event.js';
import { parseDdl } from '../../source/binlog/ddl-tables.js';
import type { TableMapMetadata } from '../../source/binlog/table-map-columns.js';
import type { FramedEvent } from '../../source/binlog/framer.js';
import type { GtidTracker } from '../../source/binlog/gtid-tracker.js';
import type { AckTracker } from '../../state/ack-tracker.js';
import type { BinlogTable } from './binlog-table.js';
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
}

const OPERATION: Record<string, RowOperation> = { [EVENT.writeRows]: 'INSERT', [EVENT.updateRows]: 'UPDATE', [EVENT.deleteRows]: 'DELETE' };

export class ChangeStream {
  private readonly o: ChangeStreamOptions;
  private readonly batcher = new PartitionBatcher();
  private readonly writer = new AvroWriter();
  private lastId: number;
  /** boundaries whose records still sit in open batches */
  private pendingBoundaries: StreamPosition[] = [];
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
    if ((this.batcher.pendingRecords > 0 || this.pendingBoundaries.length > 0) && !this.cutScheduled) {
      // Cut once the events already received are handled (setImmediate runs after the socket chunk that
      // carried them): low latency when the source is quiet, full batches during a catch-up.
      this.cutScheduled = true;
      setImmediate(() => {
        this.cutScheduled = false;
        if (!this.failure) {
          const p = this.cut();
          if (p) this.block(p);
        }
      });
    }
  }

  /** Step: a row event of a selected table → one record per row that passes the filter. */
  private onRows(ev: FramedEvent): void | Promise<void> {
    const e = ev.event as RawRowsEvent;
    const entry = e.tableMap[e.tableId];
    if (!entry) return;
    const table = this.o.registry.get(entry.parentSchema, entry.tableName);
    if (!table) return;
    const first = e.rows[0];
    if (first) {
      const image = (e.getTypeName() === EVENT.updateRows ? (first as { after: RawRowImage }).after : first) as RawRowImage;
      if (!sameColumns(image, table.columnNames)) return this.onColumnDrift(ev, table, image);
    }
    this.encodeRows(ev, e, table);
  }

  private encodeRows(ev: FramedEvent, e: RawRowsEvent, table: BinlogTable): void {
    const op = OPERATION[e.getTypeName()] as RowOperation;
    // one header per event, its id set per row (encoded at once, so no record keeps it)
    const header: { -readonly [K in keyof ChangeHeader]: ChangeHeader[K] } = {
      id: 0,
      sourceTimestamp: ev.timestampSec,
      sourcePosition: dtsPosition(ev.file, ev.endPos),
      safeSourcePosition: dtsPosition(ev.txStart.file, ev.txStart.pos),
      sourceTxid: ev.gtid ?? '0',
      serverVersion: this.o.serverVersion,
      threadId: ev.threadId,
      serverId: this.o.serverId,
      readerThroughoutTime: Math.max(0, Date.now() - ev.timestampSec * 1000),
    };
    const tsMs = ev.timestampSec * 1000;
    const { mapper, filter, router } = table;
    for (const row of e.rows) {
      // every row takes an id, filtered or not (record-ids.ts)
      const id = ++this.lastId;
      this.rows++;
      let before: DtsValue[] | null = null;
      let after: DtsValue[] | null = null;
      if (op === 'UPDATE') {
        const r = row as { before: RawRowImage; after: RawRowImage };
        before = mapper.binlogImage(r.before);
        after = mapper.binlogImage(r.after);
        if (filter && !filter.passesUpdate(table.filterText(before), table.filterText(after))) continue;
      } else {
        const image = mapper.binlogImage(row as RawRowImage);
        if (op === 'INSERT') after = image;
        else before = image;
        if (filter && !filter.passes(table.filterText(image))) continue;
      }
      // an UPDATE that changes the key goes by its after image (DESIGN §4)
      const route = router.routeRow(table.keyText((after ?? before) as DtsValue[]));
      header.id = id;
      // a view of the writer's bytes: the batcher copies it before the writer is used again
      const value = encodeRecordView(buildRowRecord(mapper, op, header, before, after), this.writer, mapper.fieldsBytes);
      this.batcher.add(table.topic, route.partition, id, route.key === null ? null : Buffer.from(route.key, 'utf8'), value, tsMs);
      this.records++;
    }
  }

  /**
   * The row's columns are not the tracked structure's. With FULL metadata the table map just described them,
   * so this cannot be a lag behind an ALTER: stop rather than guess. Without it the table changed by a DDL
   * the stream did not recognise: re-read the structure once; if the row still does not fit, stop rather
   * than mis-map values.
   */
  private async onColumnDrift(ev: FramedEvent, table: BinlogTable, image: RawRowImage): Promise<void> {
    const now = this.o.registry.fullMetadata ? table : await this.o.registry.reloadAfterDrift(table);
    if (!now) return;
    if (!sameColumns(image, now.columnNames)) {
      throw new SourceError(
        `Rows of ${table.schema.db}.${table.schema.table} at ${ev.file}:${ev.endPos} have columns (${Object.keys(image).join(', ')}) that differ from the structure sluice tracked for them (${now.columnNames.join(', ')}): the table was altered in a way the binlog did not show (set binlog_row_metadata=FULL on the server so every table map names its columns), so move the state directory away and run again to re-snapshot.`,
      );
    }
    this.encodeRows(ev, ev.event as RawRowsEvent, now);
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
    const tsMs = ev.timestampSec * 1000;
    for (const r of routes) {
      const id = ++this.lastId;
      const header: ChangeHeader = {
        id,
        sourceTimestamp: ev.timestampSec,
        sourcePosition: dtsPosition(ev.file, ev.endPos),
        safeSourcePosition: dtsPosition(ev.txStart.file, ev.txStart.pos),
        sourceTxid: ev.gtid ?? '0',
        serverVersion: this.o.serverVersion,
        threadId: ev.threadId || q.slaveProxyId,
        serverId: this.o.serverId,
        readerThroughoutTime: Math.max(0, Date.now() - tsMs),
      };
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
    if (this.batcher.pendingRecords === 0 && this.pendingBoundaries.length === 0) this.o.tracker.boundary(this.lastId, p);
    else this.pendingBoundaries.push(p);
  }

  /**
   * Hands every open batch to the sink, then the boundaries they complete to the tracker. Returns a promise
   * when the sink is out of budget (the caller waits: backpressure).
   */
  cut(): void | Promise<void> {
    const ev = this.lastEvent;
    const batches = ev
      ? this.batcher.takeAll({
          kind: 'binlog',
          file: ev.file,
          pos: ev.endPos,
          ...(this.o.gtids.value ? { gtid: this.o.gtids.value } : {}),
          txBoundary: ev.boundary,
        })
      : [];
    const waits: Promise<void>[] = [];
    for (const b of batches) {
      this.o.tracker.issue(b);
      const w = this.o.sink.write(b);
      waits.push(w);
    }
    for (const p of this.pendingBoundaries) this.o.tracker.boundary(p.lastId, p);
    this.pendingBoundaries = [];
    // Admitted writes are already resolved; wait (pausing the stream) only when some are queued for budget.
    if (waits.length === 0 || this.o.sink.stats.waitingWrites === 0) return;
    return Promise.all(waits).then(() => undefined);
  }

  private block(p: Promise<void>): void {
    const b = p.then(
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

/** Whether a zongji row object holds exactly the schema's columns, in order. */
export function sameColumns(row: RawRowImage, names: readonly string[]): boolean {
  let i = 0;
  for (const k in row) {
    if (names[i] !== k) return false;
    i++;
  }
  return i === names.length;
}
