/**
 * bench/streaming, the backlog workloads (issues 6 and 9): row changes already in the binlog when the tool
 * starts.
 *
 *   txn-1m      one transaction inserting 1M rows (standard 8-column shape)
 *   catchup-1m  1M row changes (50 % inserts, 30 % updates, 20 % deletes; statements of 1,000–3,000 rows)
 *
 * Each tool gets one session per repetition, all prepared (positioned in the binlog, stopped) before the
 * changes are written once; then each session is started in turn and reads the same binlog range. The
 * transaction comes first in the binlog, the mixed changes after it, each table into its own topic.
 *
 * Figures, from outside the tool:
 * - txn-1m rows/s = 1M ÷ (the tool logs that it follows the binlog → broker append time of the last record),
 *   since a tool may hold a transaction until its commit, first→last of the records alone could hide the read;
 * - catchup-1m rows/s = records ÷ append-time span, the first 5 % of the records left out (warm-up);
 * - CPU s per 1M rows: utime+stime of the tool's process over the workload's phase (following → txn done;
 *   txn done → catch-up done), from /proc every 100 ms; peak RSS = highest VmRSS sampled in the phase.
 * - ceiling: bare zongji decoding the same range in the same run (rows ÷ first→last row event per table).
 */
import type { Admin } from 'kafkajs';
import { KAFKA, MYSQL } from '../../test/support/services.js';
import { rootConnection } from '../snapshot/load-tables.js';
import { observeTopic, steadyRate, type TopicFigures } from '../lib/topic-observer.js';
import { ProcessWatch, type ProcessMark } from '../lib/tool-process.js';
import { spreadOf, type Ceiling, type ToolFigures } from '../lib/suite-figures.js';
import { binlogEnd, createStreamTables, MIXED_TABLE, STREAM_DB, TXN_TABLE, writeMixedChanges, writeOneTransaction } from './binlog-workloads.js';
import { measureDecodeCeiling, type DecodeCeiling } from './zongji-ceiling.js';
import type { StreamingTool, ToolSession } from './tool.js';

export const WARMUP_FRACTION = 0.05;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface BacklogOptions {
  admin: Admin;
  tools: readonly StreamingTool[];
  repetitions: number;
  txnRows: number;
  mixedChanges: number;
  /** which of the two to write and measure */
  txn: boolean;
  mixed: boolean;
  log: (s: string) => void;
  /** the avsc encode ceiling of the standard shape, measured by the suite */
  avscCeiling: Ceiling | null;
}

interface SessionRun {
  txn?: { fig: TopicFigures; rowsPerSec: number; firstToLastRowsPerSec: number; cpuSec: number; peakRssMb: number; seconds: number };
  mixed?: { fig: TopicFigures; rowsPerSec: number; firstToLastRowsPerSec: number; cpuSec: number; peakRssMb: number };
  followAfterSec: number;
}

async function offsetsOf(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
}

function countSince(now: Map<number, bigint>, base: Map<number, bigint>): number {
  let n = 0;
  for (const [p, h] of now) n += Number(h - (base.get(p) ?? 0n));
  return n;
}

async function runSession(admin: Admin, s: ToolSession, o: BacklogOptions): Promise<SessionRun> {
  const txnTopic = s.topic(TXN_TABLE);
  const mixedTopic = s.topic(MIXED_TABLE);
  const base = { txn: await offsetsOf(admin, txnTopic), mixed: await offsetsOf(admin, mixedTopic) };
  const t0 = Date.now();
  const pid = await s.start();
  const watch = new ProcessWatch(pid);
  try {
    const deadline = t0 + 20 * 60_000;
    while (!s.following()) {
      if (!watch.alive()) throw new Error(`the tool exited before following the binlog:\n${s.logTail()}`);
      if (Date.now() > deadline) throw new Error(`the tool did not follow the binlog in 20 minutes:\n${s.logTail()}`);
      await sleep(50);
    }
    const ready = watch.mark();
    let txnDone: ProcessMark | null = o.txn ? null : ready;
    let mixedDone: ProcessMark | null = o.mixed ? null : ready;
    while (!txnDone || !mixedDone) {
      if (!watch.alive()) throw new Error(`the tool exited during the backlog:\n${s.logTail()}`);
      if (Date.now() > deadline) throw new Error(`the backlog was not in Kafka after 20 minutes:\n${s.logTail()}`);
      if (!txnDone && countSince(await offsetsOf(admin, txnTopic), base.txn) >= o.txnRows) txnDone = watch.mark();
      if (!mixedDone && countSince(await offsetsOf(admin, mixedTopic), base.mixed) >= o.mixedChanges) mixedDone = watch.mark();
      await sleep(100);
    }
    watch.stop();
    await s.stop();
    const out: SessionRun = { followAfterSec: Number(((ready.atMs - t0) / 1000).toFixed(2)) };
    if (o.txn) {
      const fig = await observeTopic([KAFKA.plaintext], txnTopic, { times: true, fromOffsets: base.txn });
      if (fig.records !== o.txnRows) throw new Error(`${txnTopic} holds ${fig.records} records of the transaction, expected ${o.txnRows}`);
      const ph = watch.phase(ready, txnDone);
      const seconds = (fig.lastMs - ready.atMs) / 1000;
      out.txn = { fig, rowsPerSec: fig.records / seconds, firstToLastRowsPerSec: fig.records / Math.max((fig.lastMs - fig.firstMs) / 1000, 0.001), cpuSec: ph.cpuSec, peakRssMb: ph.peakRssMb, seconds };
    }
    if (o.mixed) {
      const fig = await observeTopic([KAFKA.plaintext], mixedTopic, { times: true, fromOffsets: base.mixed });
      if (fig.records !== o.mixedChanges) throw new Error(`${mixedTopic} holds ${fig.records} records, expected ${o.mixedChanges}`);
      const ph = watch.phase(txnDone, mixedDone);
      out.mixed = { fig, rowsPerSec: steadyRate(fig, WARMUP_FRACTION), firstToLastRowsPerSec: fig.records / Math.max((fig.lastMs - fig.firstMs) / 1000, 0.001), cpuSec: ph.cpuSec, peakRssMb: ph.peakRssMb };
    }
    return out;
  } finally {
    watch.stop();
    await s.stop().catch(() => undefined);
  }
}

function zongjiCeiling(c: DecodeCeiling[], table: string, rows: number): DecodeCeiling {
  const t = c.find((x) => x.table === table);
  if (!t || t.rows !== rows) throw new Error(`the zongji ceiling decoded ${t?.rows ?? 0} row changes of ${table}, expected ${rows}`);
  return t;
}

export async function runBacklogWorkloads(o: BacklogOptions): Promise<ToolFigures[]> {
  const root = await rootConnection(MYSQL);
  const sessions = new Map<StreamingTool, ToolSession[]>();
  try {
    await createStreamTables(root, []);
    for (const tool of o.tools) {
      const list: ToolSession[] = [];
      sessions.set(tool, list);
      for (let r = 0; r < o.repetitions; r++) {
        const s = tool.session(STREAM_DB, [TXN_TABLE, MIXED_TABLE]);
        list.push(s);
        const t = Date.now();
        await s.prepare();
        o.log(`  ${tool.name} session ${r + 1}: positioned in the binlog and stopped (${((Date.now() - t) / 1000).toFixed(1)} s)`);
      }
    }
    const from = await binlogEnd(root);
    let t = Date.now();
    if (o.txn) {
      await writeOneTransaction(root, o.txnRows);
      o.log(`  wrote one ${o.txnRows}-row transaction in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    t = Date.now();
    const mix = o.mixed ? await writeMixedChanges(root, o.mixedChanges, o.log) : null;
    if (mix) o.log(`  wrote ${o.mixedChanges} row changes (${mix.inserts} inserts, ${mix.updates} updates, ${mix.deletes} deletes) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const to = await binlogEnd(root);
    const ceilings: DecodeCeiling[][] = [];
    const runs = new Map<StreamingTool, SessionRun[]>();
    for (let r = 0; r < o.repetitions; r++) {
      const c = await measureDecodeCeiling({ host: MYSQL.host, port: MYSQL.port, user: MYSQL.sluice.user, password: MYSQL.sluice.password }, STREAM_DB, from, to, 9400 + r);
      ceilings.push(c);
      o.log(`  ceiling ${r + 1}: raw zongji decode ${c.map((x) => `${x.table} ${Math.round(x.rowsPerSec)} rows/s`).join(', ')}`);
      for (const tool of o.tools) {
        const run = await runSession(o.admin, sessions.get(tool)![r]!, o);
        runs.set(tool, [...(runs.get(tool) ?? []), run]);
        o.log(
          `  ${tool.name} run ${r + 1}: following the binlog ${run.followAfterSec} s after start; ` +
            (run.txn ? `txn-1m ${Math.round(run.txn.rowsPerSec)} rows/s (first→last ${Math.round(run.txn.firstToLastRowsPerSec)}), CPU ${run.txn.cpuSec.toFixed(1)} s, peak RSS ${Math.round(run.txn.peakRssMb)} MB; ` : '') +
            (run.mixed ? `catchup-1m ${Math.round(run.mixed.rowsPerSec)} rows/s (first→last ${Math.round(run.mixed.firstToLastRowsPerSec)}), CPU ${run.mixed.cpuSec.toFixed(1)} s, peak RSS ${Math.round(run.mixed.peakRssMb)} MB` : ''),
        );
      }
    }
    const out: ToolFigures[] = [];
    for (const tool of o.tools) {
      const rs = runs.get(tool)!;
      const common = { ...tool.describe(), binlogRange: { from, to }, followAfterStartSec: rs.map((r) => r.followAfterSec) };
      if (o.txn) {
        const zc = ceilings.map((c) => zongjiCeiling(c, TXN_TABLE, o.txnRows).rowsPerSec);
        out.push({
          workload: 'txn-1m',
          tool: tool.name,
          rowsPerSec: spreadOf(rs.map((r) => r.txn!.rowsPerSec)),
          mbPerSec: spreadOf(rs.map((r) => r.txn!.fig.valueBytes / 1e6 / r.txn!.seconds), 1),
          cpuSecPer1MRows: spreadOf(rs.map((r) => (r.txn!.cpuSec / o.txnRows) * 1e6), 2),
          peakRssMb: spreadOf(rs.map((r) => r.txn!.peakRssMb)),
          ceilings: [{ name: 'zongji-decode', rowsPerSec: spreadOf(zc) }, ...(o.avscCeiling ? [o.avscCeiling] : [])],
          method: `rows ÷ (tool follows the binlog → last record appended); CPU/RSS over the same phase; the tool's start-up before it follows the binlog is excluded`,
          detail: { ...common, rows: o.txnRows, firstToLastRowsPerSec: rs.map((r) => Math.round(r.txn!.firstToLastRowsPerSec)), valueBytesPerRow: Number((rs[0]!.txn!.fig.valueBytes / o.txnRows).toFixed(1)), perPartition: rs.map((r) => r.txn!.fig.perPartition) },
        });
      }
      if (o.mixed) {
        const zc = ceilings.map((c) => zongjiCeiling(c, MIXED_TABLE, o.mixedChanges).rowsPerSec);
        out.push({
          workload: 'catchup-1m',
          tool: tool.name,
          rowsPerSec: spreadOf(rs.map((r) => r.mixed!.rowsPerSec)),
          mbPerSec: spreadOf(rs.map((r) => r.mixed!.fig.valueBytes / 1e6 / ((r.mixed!.fig.lastMs - r.mixed!.fig.firstMs) / 1000)), 1),
          cpuSecPer1MRows: spreadOf(rs.map((r) => (r.mixed!.cpuSec / o.mixedChanges) * 1e6), 2),
          peakRssMb: spreadOf(rs.map((r) => r.mixed!.peakRssMb)),
          ceilings: [{ name: 'zongji-decode', rowsPerSec: spreadOf(zc) }, ...(o.avscCeiling ? [o.avscCeiling] : [])],
          method: `records ÷ append-time span with the first ${WARMUP_FRACTION * 100} % of the records left out (warm-up); CPU/RSS from the end of txn-1m to the last catch-up record`,
          detail: { ...common, changes: o.mixedChanges, mix: '50 % INSERT, 30 % UPDATE, 20 % DELETE', firstToLastRowsPerSec: rs.map((r) => Math.round(r.mixed!.firstToLastRowsPerSec)), valueBytesPerRow: Number((rs[0]!.mixed!.fig.valueBytes / o.mixedChanges).toFixed(1)), perPartition: rs.map((r) => r.mixed!.fig.perPartition) },
        });
      }
    }
    return out;
  } finally {
    for (const list of sessions.values()) for (const s of list) await s.cleanup().catch(() => undefined);
    await root.end();
  }
}
