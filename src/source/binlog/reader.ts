/**
 * The job's one binlog reader (DESIGN §2): a @vlasky/zongji stream as the sync account, from a file/position
 * or a GTID set (zongji 0.9 sends MySQL's COM_BINLOG_DUMP_GTID, and MariaDB's @slave_connect_state before a
 * plain dump), with raw column values (attachRawBinlogValues) and a gate that decodes or refuses what zongji
 * would drop (event-gate.ts). A thin loop over named steps: frame the event, stop on an event whose rows
 * sluice cannot read, hand it on, and pause the stream while the consumer is busy (backpressure).
 */
import ZongJi from '@vlasky/zongji';
import type { SourceConfig } from '../../config/index.js';
import { attachRawBinlogValues, type ZongjiLike } from './zongji-raw.js';
// corrects zongji's TABLE_MAP parse on MariaDB (GEOMETRY in the charset list) before any event is parsed
import './zongji-table-map.js';
import { connectionOptions } from '../mysql/connect.js';
import { INCLUDED_EVENTS, type RawEventBase } from './binlog-event.js';
import { BinlogFramer, type BinlogPoint, type FramedEvent } from './framer.js';
import { explainBinlogError, refusalError, TransientSourceError } from './reader-errors.js';
import { attachEventGate, type GatedZongji } from './event-gate.js';
import { refusalOf, type SelectsTable } from './refusals.js';
import { SourceError } from '../../errors.js';
import { registerAsReplica, type RegisteringZongji } from './register-replica.js';
import { filterTableMaps } from './zongji-internals.js';

export interface BinlogReaderOptions {
  source: SourceConfig;
  start: BinlogPoint;
  /**
   * Resume by GTID: the server sends every transaction not in this MySQL GTID set / after this MariaDB GTID
   * position, from whichever file holds it (a failover target or renamed files included). `start` then only
   * seeds the framer until the server's first Rotate names the real file.
   */
  startGtid?: string;
  /**
   * Which tables' table maps and row events are decoded (zongji skips the rest before decoding): a fixed
   * `db → table names` map, or a predicate asked for every table map — so a table created or renamed into
   * the job's objects later in the stream is decoded from its first table map on.
   */
  tables: Record<string, string[]> | ((db: string, table: string) => boolean);
  /** named in the purged-binlog sentence */
  stateDir: string;
  /** the Host the binlog connection registers with (SHOW REPLICAS), e.g. `sluice:<job name>` */
  reportHost?: string;
  /**
   * Deliver rows events of selected tables undecoded (RawRowsBytes) where rows-layout.ts can count their rows:
   * the consumer decodes them in its workers (rows-decode.ts).
   */
  rowsAsBytes?: boolean;
  /**
   * Have MariaDB send its Annotate_rows events. Without them the dump has holes, harmless while every event
   * names its own end offset, but on a server that writes end_log_pos 0 inside transactions (Dialect
   * bodyEventsUnpositioned) the offsets are counted from event lengths and a hole would shift them.
   */
  everyEvent?: boolean;
  /**
   * Called with every framed event in stream order. A returned promise pauses the stream (and queues the
   * events already received) until it settles; a rejection stops the reader with that error.
   */
  onEvent: (ev: FramedEvent) => void | Promise<void>;
  /** Called once when the stream fails (a SourceError to stop on, or a TransientSourceError to retry). */
  onError: (e: Error) => void;
}

/** zongji's instance, as far as the reader touches it (index.d.ts types the connection loosely). */
interface ZongjiInstance extends ZongjiLike {
  connection: { pause(): void; resume(): void; threadId?: number; stream?: { once(event: 'close', listener: () => void): unknown } } | null;
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  start(options: Record<string, unknown>): void;
  stop(): void;
}

export class BinlogReader {
  private readonly zongji: ZongjiInstance;
  private readonly framer: BinlogFramer;
  private readonly opts: BinlogReaderOptions;
  /** the tables whose changes the job reads (a statement-logged change to others does not stop it) */
  private readonly selects: SelectsTable;
  private readonly detachRaw: () => void;
  private readonly detachGate: () => void;
  private queue: FramedEvent[] = [];
  private busy = false;
  private paused = false;
  private failed = false;
  private stopped = false;
  /** events framed, for metrics */
  events = 0;

  private constructor(opts: BinlogReaderOptions) {
    this.opts = opts;
    this.zongji = new ZongJi(connectionOptions(opts.source, { charset: 'utf8mb4' }) as never) as unknown as ZongjiInstance;
    // zongji's event size leaves out the CRC32 trailer as well as the header when the server checksums events
    const zongjiChecksum = this.zongji as unknown as { useChecksum?: boolean };
    this.framer = new BinlogFramer(opts.start, 0, () => (zongjiChecksum.useChecksum ? 4 : 0));
    // VECTOR columns the gate hides from zongji's parser, by table id (zongji-raw.ts retypeVectorColumns)
    const vectorColumns = new Map<number, number[]>();
    this.detachRaw = attachRawBinlogValues(this.zongji, vectorColumns);
    registerAsReplica(this.zongji as unknown as RegisteringZongji, { serverId: opts.source.serverId, reportHost: opts.reportHost ?? 'sluice' });
    this.detachGate = attachEventGate(this.zongji as unknown as GatedZongji, {
      vectorColumns,
      ...(opts.rowsAsBytes ? { rowsAsBytes: true } : {}),
      emit: (ev) => this.onRaw(ev),
      fail: (e) => this.fail(new SourceError(`Reading the binlog at ${this.framer.position.file}:${this.framer.position.pos} failed: ${e.message}. sluice resumes from its checkpoint when run again; if this repeats, report it with the binlog file.`, { cause: e })),
    });
    const include = opts.tables;
    this.selects = typeof include === 'function' ? include : (db, table) => include[db]?.includes(table) ?? false;
    // zongji's includeSchema is a fixed map; its per-table-map check is replaced on this instance instead.
    if (typeof include === 'function') filterTableMaps(this.zongji, include);
  }

  /** Connects and starts streaming from `opts.start`; resolves once the dump has been requested. */
  static async start(opts: BinlogReaderOptions): Promise<BinlogReader> {
    const r = new BinlogReader(opts);
    await r.open();
    return r;
  }

  /** The end of the last event framed (not necessarily a transaction boundary). */
  get position(): BinlogPoint {
    return this.framer.position;
  }

  private open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      this.zongji.on('error', ((e: Error) => {
        const err = explainBinlogError(e, this.framer.position, this.opts.stateDir, this.opts.startGtid ?? null, this.opts.source.serverId);
        if (!ready) {
          ready = true;
          this.stopQuietly();
          reject(err);
        } else this.fail(err);
      }) as never);
      this.zongji.on('binlog', ((ev: RawEventBase) => this.onRaw(ev)) as never);
      this.zongji.once('ready', (() => {
        ready = true;
        this.watchConnection();
        resolve();
      }) as never);
      this.zongji.start({
        serverId: this.opts.source.serverId,
        ...(this.opts.startGtid ? { gtidSet: this.opts.startGtid } : { filename: this.opts.start.file, position: this.opts.start.pos }),
        includeEvents: [...INCLUDED_EVENTS],
        ...(this.opts.everyEvent ? { requestAnnotateRows: true } : {}),
        ...(typeof this.opts.tables === 'function' ? {} : { includeSchema: this.opts.tables }),
      });
    });
  }

  /**
   * A binlog connection the server ends (KILL of the dump thread, a restart) may close without an error
   * event reaching zongji (seen on MySQL 9.7: the stream simply stopped): a close sluice did not ask for is
   * a lost connection.
   */
  private watchConnection(): void {
    this.zongji.connection?.stream?.once('close', () => {
      if (!this.stopped && !this.failed) this.fail(new TransientSourceError('binlog connection closed by the server'));
    });
  }

  /** The server thread id of the binlog connection (for tests and status). */
  get threadId(): number | undefined {
    return this.zongji.connection?.threadId;
  }

  /** Step 1: frame; step 2: refuse what would be dropped (refusals.ts); step 3: deliver or queue. */
  private onRaw(raw: RawEventBase): void {
    if (this.failed || this.stopped) return;
    const ev = this.framer.frame(raw);
    this.events++;
    const refusal = refusalOf(ev, this.selects);
    if (refusal) {
      this.fail(refusalError(refusal, { file: ev.file, pos: ev.endPos }, ev.txStart));
      return;
    }
    if (this.busy || this.queue.length > 0) {
      this.queue.push(ev);
      this.pause();
      return;
    }
    this.deliver(ev);
  }

  private deliver(ev: FramedEvent): void {
    let p: void | Promise<void>;
    try {
      p = this.opts.onEvent(ev);
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    if (p) this.wait(p);
  }

  /** The consumer is busy: hold the stream until it is done, then drain what arrived meanwhile. */
  private wait(p: Promise<void>): void {
    this.busy = true;
    this.pause();
    p.then(
      () => this.drain(),
      (e: unknown) => this.fail(e as Error),
    );
  }

  private drain(): void {
    this.busy = false;
    while (this.queue.length > 0 && !this.failed && !this.stopped) {
      const ev = this.queue.shift() as FramedEvent;
      let p: void | Promise<void>;
      try {
        p = this.opts.onEvent(ev);
      } catch (e) {
        this.fail(e as Error);
        return;
      }
      if (p) {
        this.wait(p);
        return;
      }
    }
    this.resume();
  }

  // zongji pauses and resumes the same connection around its own table-metadata lookups; an event that
  // arrives while sluice is busy is queued and pauses the stream again, so the two cannot lose events.
  private pause(): void {
    this.paused = true;
    this.zongji.connection?.pause();
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.zongji.connection?.resume();
  }

  private fail(e: Error): void {
    if (this.failed || this.stopped) return;
    this.failed = true;
    this.queue = [];
    this.stopQuietly();
    this.opts.onError(e);
  }

  private stopQuietly(): void {
    this.detachRaw();
    this.detachGate();
    try {
      this.zongji.stop();
    } catch {
      // already stopped
    }
  }

  /** Stops reading: no event is delivered after this resolves. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.queue = [];
    if (this.failed) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      this.zongji.once('stopped', (() => {
        clearTimeout(t);
        resolve();
      }) as never);
      this.stopQuietly();
    });
  }
}
