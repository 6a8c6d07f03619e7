/**
 * The offered load of the steady workloads: `txPerSec` transactions a second, each one INSERT of `rowsPerTx`
 * rows whose committed_at is NOW(6) in a UTC session (the statement's start, a few µs before its commit),
 * for `seconds`. Runs in its own worker thread so the latency observer's decoding on the main thread cannot
 * delay the writes. Transactions are due on a fixed schedule (t0 + i / rate) over 4 connections; one that
 * finds no free connection waits and counts as late — the achieved rate and the worst lateness are reported,
 * so an overloaded MySQL shows instead of silently offering less.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

export interface SteadyLoadSpec {
  connection: { host: string; port: number; user: string; password: string };
  db: string;
  table: string;
  txPerSec: number;
  rowsPerTx: number;
  seconds: number;
}

export interface SteadyLoadResult {
  transactions: number;
  rows: number;
  startMs: number;
  endMs: number;
  achievedTxPerSec: number;
  /** how far behind its schedule the latest transaction started, ms */
  maxLateMs: number;
}

const CONNECTIONS = 4;

async function offer(spec: SteadyLoadSpec): Promise<SteadyLoadResult> {
  const conns = await Promise.all(Array.from({ length: CONNECTIONS }, () => mysql.createConnection({ ...spec.connection, database: spec.db })));
  for (const c of conns) await c.query("SET SESSION time_zone = '+00:00'");
  const total = Math.round(spec.txPerSec * spec.seconds);
  const values = (i: number): string =>
    Array.from({ length: spec.rowsPerTx }, (_, k) => `(${(i * 31 + k) % 100000}, ${((i * 7 + k) % 100000) / 100}, 'steady ${i}-${k}', NOW(6))`).join(', ');
  const free = [...conns];
  let issued = 0;
  let done = 0;
  let maxLateMs = 0;
  const t0 = Date.now();
  await new Promise<void>((resolve, reject) => {
    // one 1 ms ticker; a finished transaction also pumps, so a free connection is used at once
    const timer = setInterval(() => pump(), 1);
    const finish = (e?: Error): void => {
      clearInterval(timer);
      if (e) reject(e);
      else resolve();
    };
    const pump = (): void => {
      const now = Date.now();
      const due = Math.min(total, Math.floor(((now - t0) * spec.txPerSec) / 1000) + 1);
      while (issued < due && free.length) {
        const i = issued++;
        maxLateMs = Math.max(maxLateMs, now - (t0 + (i * 1000) / spec.txPerSec));
        const c = free.pop()!;
        c.query(`INSERT INTO \`${spec.table}\` (account, amount, note, committed_at) VALUES ${values(i)}`).then(
          () => {
            free.push(c);
            if (++done === total) finish();
            else pump();
          },
          (e: Error) => finish(e),
        );
      }
    };
    pump();
  });
  const endMs = Date.now();
  await Promise.all(conns.map((c) => c.end()));
  return { transactions: total, rows: total * spec.rowsPerTx, startMs: t0, endMs, achievedTxPerSec: total / ((endMs - t0) / 1000), maxLateMs: Math.round(maxLateMs) };
}

if (!isMainThread && (workerData as { steadyLoad?: SteadyLoadSpec })?.steadyLoad) {
  offer((workerData as { steadyLoad: SteadyLoadSpec }).steadyLoad).then(
    (r) => parentPort!.postMessage({ ok: r }),
    (e: unknown) => parentPort!.postMessage({ error: String(e) }),
  );
}

export function runSteadyLoad(spec: SteadyLoadSpec): Promise<SteadyLoadResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: { steadyLoad: spec } });
    w.once('message', (m: { ok?: SteadyLoadResult; error?: string }) => {
      void w.terminate();
      if (m.ok) resolve(m.ok);
      else reject(new Error(`the steady load on ${spec.table} failed: ${m.error}`));
    });
    w.once('error', reject);
  });
}
