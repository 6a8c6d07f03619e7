/**
 * `sluice run`, phase 2 (DESIGN §2, issue 6): follow the binlog from the checkpoint (or from the position
 * captured before the snapshot) into Kafka until the signal aborts. Checkpoints only at transaction
 * boundaries whose every record Kafka acknowledged, at most every CHECKPOINT_EVERY_MS. At-least-once: after
 * a crash the changes after the checkpoint are sent again, with the same ids.
 *
 * Resume: by GTID when the position carries a GTID state and the server streams by GTID (MySQL gtid_mode=ON;
 * MariaDB always), so a failover to another server of the topology, or binlog files renamed, still resumes
 * after the last checkpointed transaction; by file/position otherwise.
 *
 * One attempt = one binlog connection. A lost connection ends the attempt: what was read is flushed and
 * checkpointed, and the next attempt resumes from the checkpoint after a backoff. Kafka outages are retried
 * inside KafkaSink; a sink that gives up, and every SourceError, stop the job.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { setTimeout as delay } from 'node:timers/promises';
import type { JobConfig } from '../../config/index.js';
import type { IncrementalHooks } from './incremental-status.js';
import { LagClock, serverPositionProbe } from './lag-clock.js';
import { SourceError, StateError } from '../../errors.js';
import type { EncodedBatch } from '../../model/encoded-batch.js';
import type { TableSchema } from '../../model/table.js';
import { KafkaSink } from '../../sink/kafka/kafka-sink.js';
import { BinlogReader } from '../../source/binlog/index.js';
import { TransientSourceError } from '../../source/binlog/index.js';
import { GtidTracker } from '../../source/binlog/index.js';
import { openConnection } from '../../source/mysql/connect.js';
import { readRowMetadataFacts } from '../../source/mysql/row-metadata.js';
import { loadTableSchemas } from '../../source/mysql/table-schema.js';
import { AckTracker } from '../../state/ack-tracker.js';
import { updateCheckpoint, type Checkpoint } from '../../state/checkpoint.js';
import type { CheckpointPart } from '../../state/index.js';
import { vanishedTopicError } from '../../sink/kafka/topic-history.js';
import { filterDialectFor } from '../../transform/index.js';
import { ChangeStream, type StreamPosition } from '../binlog/change-stream.js';
import { binlogStart, lastIdBeforeBinlog } from '../../state/index.js';
import { TableRegistry } from '../binlog/table-registry.js';
import { HeartbeatWriter } from './heartbeat-records.js';
import { binlogWorkers } from './worker-pool.js';
import type { SourceModel } from './source-model.js';

export interface IncrementalArgs {
  job: JobConfig;
  model: SourceModel;
  /** topic → partition count (ensureTopics' answer) */
  partitions: Map<string, number>;
  checkpoint: Checkpoint;
  store: CheckpointPart;
  log: (line: string) => void;
  /** a WARN line (an outage and its end); default: log */
  warn?: (line: string) => void;
  /** aborted on SIGINT/SIGTERM: stop reading, flush, checkpoint, return */
  signal?: AbortSignal;
  /** reconnect backoff (tests shorten it) */
  retry?: { initialMs?: number; maxMs?: number };
  /** told of every checkpoint saved (status reporting) */
  onCheckpoint?: (cp: Checkpoint) => void;
  /** status reporting: told of every event read, batch issued and batch acknowledged */
  status?: IncrementalHooks;
}

/** What the last run of runIncremental did, for tests and benchmarks (also returned). */
export interface IncrementalSummary {
  rows: number;
  records: number;
  transactions: number;
  reconnects: number;
  checkpoint: Checkpoint;
}

const CHECKPOINT_EVERY_MS = 200;
const STATUS_EVERY_MS = 10_000;

/** Waits `ms`, or less if `signal` aborts first (never rejects: the caller looks at the signal). */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);

/** A control connection for schema re-reads, reopened after it breaks. */
function schemaLoader(job: JobConfig): { load: (db: string, table: string) => Promise<TableSchema | null>; close: () => void } {
  let conn: Promise<Connection> | null = null;
  const get = (): Promise<Connection> => (conn ??= openConnection(job.source));
  return {
    async load(db, table) {
      for (let attempt = 0; ; attempt++) {
        try {
          const [s] = await loadTableSchemas(await get(), [{ db, table }]);
          return s ?? null;
        } catch (e) {
          if (e instanceof SourceError && /does not exist/.test(e.message)) return null;
          if (e instanceof SourceError && !/Cannot connect|did not answer|refused the connection/.test(e.message) && attempt > 0) throw e;
          const c = conn;
          conn = null;
          void c?.then((x) => x.destroy()).catch(() => undefined);
          if (attempt >= 5) throw e;
          await sleep(200 * 2 ** attempt);
        }
      }
    },
    close() {
      void conn?.then((x) => x.destroy()).catch(() => undefined);
      conn = null;
    },
  };
}

/** Whether the server can be asked for a stream by GTID (gtid_mode=ON on MySQL; MariaDB always can). */
async function serverStreamsByGtid(job: JobConfig, model: SourceModel): Promise<boolean> {
  const conn = await openConnection(job.source);
  try {
    const [rows] = await conn.query<RowDataPacket[]>(model.dialect.gtidModeSql);
    return Number(rows[0]?.gtidOn ?? 0) === 1;
  } finally {
    conn.destroy();
  }
}

export async function runIncremental(args: IncrementalArgs): Promise<IncrementalSummary> {
  const { job, model, log, signal } = args;
  let cp = args.checkpoint;
  if (!binlogStart(cp)) {
    throw new StateError(`The checkpoint in ${job.state.dir} holds no binlog position to follow from: run the snapshot phase first (sluice run), or move the state directory away to start over.`);
  }
  const isMaria = model.dialect.version.flavor === 'mariadb';
  const byGtid = await serverStreamsByGtid(job, model);
  const loader = schemaLoader(job);
  const facts = await openConnection(job.source).then(async (c) => {
    try {
      return await readRowMetadataFacts(c, model.dialect);
    } finally {
      c.destroy();
    }
  });
  const tracking = { rules: job.objects, jobTopic: job.target.topic, partitioning: job.partitioning, partitions: args.partitions, format: job.format };
  const registry = new TableRegistry(
    { ...tracking, filterDialect: filterDialectFor(model.dialect.version.text), fullMetadata: facts.full, collations: facts.collations, loadSchema: loader.load, log },
    { tables: model.tables, saved: cp.binlog && cp.schemas ? { schemas: cp.schemas, versions: cp.schemaVersions } : null, versions: cp.schemaVersions },
  );
  // Each attempt has its own tracker; an ack goes to the tracker that issued the batch, so a late ack from an
  // attempt that ended (lost connection) can never reach the next attempt's tracker.
  const issuedBy = new WeakMap<EncodedBatch, AckTracker<StreamPosition>>();
  // The lag, also on an idle source (lag-clock.ts); HEARTBEAT records follow its probes when the job asks.
  const probe = serverPositionProbe(job.source, model.dialect);
  const clock = new LagClock(probe.probe);
  clock.start(job.heartbeat.intervalMs);
  args.status?.useLagClock(clock);
  let sink: KafkaSink;
  try {
    sink = await KafkaSink.connect(job.target, {
      producer: job.producer,
      onWritten: (topic, partition, end) => args.store.noteWritten(topic, partition, end),
      written: args.store.writtenTopics(),
      // runJob checked every topic at start, so a missing one was deleted under the job
      missingTopicError: vanishedTopicError,
      warn: args.warn ?? args.log,
      onAck: (b) => {
        if (heartbeats.owns(b)) return;
        issuedBy.get(b)?.ack(b);
        clock.acked(b);
        args.status?.acked(b);
      },
    });
  } catch (e) {
    clock.close();
    probe.close();
    loader.close();
    throw e;
  }
  args.status?.useSink(sink);
  const heartbeats = new HeartbeatWriter({
    enabled: job.heartbeat.records,
    everyMs: job.heartbeat.intervalMs,
    topics: [...args.partitions.keys()],
    serverVersion: model.dialect.version.text,
    serverId: model.serverId,
    clock,
    write: (b) => sink.write(b),
  });
  const summary: IncrementalSummary = { rows: 0, records: 0, transactions: 0, reconnects: 0, checkpoint: cp };
  // rows events are decoded and encoded in these workers (DESIGN §2); the main thread sequences and sends
  const workers = binlogWorkers(job.workers.threads);
  let saving: Promise<void> = Promise.resolve();
  const save = (p: StreamPosition): Promise<void> => {
    cp = updateCheckpoint(cp, {
      binlog: { file: p.file, pos: p.pos, gtidSet: p.gtidSet },
      lastId: BigInt(p.lastId),
      schemaVersions: p.tables.versions,
      schemas: p.tables.schemas,
    });
    summary.checkpoint = cp;
    const saved = cp;
    return (saving = saving.then(() => args.store.save(saved)).then(() => args.onCheckpoint?.(saved)));
  };

  const initialMs = args.retry?.initialMs ?? 500;
  const maxMs = args.retry?.maxMs ?? 30_000;
  let backoff = initialMs;
  try {
    while (!signal?.aborted) {
      const start = binlogStart(cp) as NonNullable<ReturnType<typeof binlogStart>>;
      const attemptStarted = Date.now();
      const t = new AckTracker<StreamPosition>();
      const gtids = new GtidTracker(start.gtidSet, isMaria);
      args.status?.useGtidState(gtids);
      const stream = new ChangeStream({
        registry,
        sink: {
          write: (b) => {
            issuedBy.set(b, t);
            heartbeats.recordsIssued();
            clock.issued(b);
            args.status?.issued(b);
            return sink.write(b);
          },
          stats: sink.stats,
        },
        tracker: t,
        gtids,
        lastId: Number(lastIdBeforeBinlog(cp)),
        serverVersion: model.dialect.version.text,
        serverId: model.serverId,
        ddl: job.ddl,
        ddlRouting: tracking,
        batchBytes: Math.min(job.producer.batchBytes, 256 << 10),
        log,
        rowsPool: workers,
      });
      let failure: Error | null = null;
      let wake: () => void = () => undefined;
      const stopped = new Promise<void>((resolve) => {
        wake = resolve;
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      const fail = (e: Error): void => {
        failure ??= e;
        wake();
      };
      let reader: BinlogReader | null = null;
      try {
        const startGtid = byGtid && start.gtidSet ? start.gtidSet : null;
        reader = await BinlogReader.start({
          source: job.source,
          start,
          ...(startGtid ? { startGtid } : {}),
          tables: (db, table) => registry.selects(db, table),
          stateDir: job.state.dir,
          reportHost: `sluice:${job.name}`,
          rowsAsBytes: true,
          everyEvent: model.dialect.bodyEventsUnpositioned,
          onEvent: (ev) => (clock.read(ev), args.status?.event(ev), stream.onEvent(ev)),
          onError: fail,
        });
        const from = startGtid ? `after GTID ${startGtid} (checkpoint at ${start.file}:${start.pos})` : `${start.file}:${start.pos}`;
        if (summary.reconnects) (args.warn ?? log)(`MySQL is reachable again: following the binlog from ${from} (reconnect ${summary.reconnects})`);
        else log(`following the binlog from ${from}`);
      } catch (e) {
        fail(e as Error);
      }
      let lastStatus = Date.now();
      let lastRows = 0;
      const timer = setInterval(() => {
        const err = sink.error ?? stream.error;
        if (err) fail(err);
        const p = t.takeIfMoved();
        if (p) save(p).catch((e: unknown) => fail(e as Error));
        const now = Date.now();
        heartbeats.tick(now, cp.binlog?.gtidSet ?? null, fail);
        if (now - lastStatus >= STATUS_EVERY_MS) {
          const rate = ((stream.rows - lastRows) * 1000) / (now - lastStatus);
          const lagMs = clock.lagMs();
          log(`binlog: ${stream.rows} row change(s), ${Math.round(rate)} rows/s, checkpoint ${cp.binlog ? `${cp.binlog.file}:${cp.binlog.pos}` : '-'}${lagMs === null ? '' : `, lag ${Math.floor(lagMs / 1000)} s`}`);
          lastStatus = now;
          lastRows = stream.rows;
        }
      }, CHECKPOINT_EVERY_MS);
      try {
        await stopped;
      } finally {
        clearInterval(timer);
      }
      // End of the attempt: no more events, everything read goes out, the checkpoint catches up.
      if (reader) await reader.stop();
      try {
        await stream.flush();
        await sink.flush();
      } catch (e) {
        failure ??= e as Error;
      }
      const last = t.takeIfMoved();
      if (last) await save(last);
      await saving;
      summary.rows += stream.rows;
      summary.records += stream.records;
      summary.transactions += stream.transactions;
      const err = failure as Error | null;
      if (!err || signal?.aborted) break;
      if (!(err instanceof TransientSourceError)) throw err;
      if (Date.now() - attemptStarted > 60_000) backoff = initialMs;
      summary.reconnects++;
      (args.warn ?? log)(`MySQL unreachable: ${err.message}; reconnecting in ${backoff} ms from ${cp.binlog ? `${cp.binlog.file}:${cp.binlog.pos}` : `${start.file}:${start.pos}`}`);
      await sleep(backoff, signal);
      backoff = Math.min(maxMs, backoff * 2);
    }
  } finally {
    await workers.destroy().catch(() => undefined);
    clock.close();
    probe.close();
    loader.close();
    await sink.close().catch(() => undefined);
    await saving.catch(() => undefined);
  }
  return summary;
}
