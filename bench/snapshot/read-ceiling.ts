/**
 * The stage ceiling for the snapshot: the raw mysql2 read rate of the same table with sluice's own
 * connection options (SNAPSHOT_CONNECTION_OPTIONS, SNAPSHOT_SESSION_SQL), the mapper's select list and
 * sluice's connection count (snapshot.parallelism). As in sluice, each connection lives in its own worker
 * thread; each streams an equal share of the key range (one query, no chunking) and discards the rows.
 * No mapping, no encoding, no Kafka: what mysql2 + the server can deliver on this machine right now.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Connection, ConnectionOptions } from 'mysql2';
import { SNAPSHOT_CONNECTION_OPTIONS, SNAPSHOT_SESSION_SQL } from '../../src/format/dts-avro/index.js';
import { openStreamingConnection } from '../../src/source/snapshot/read-chunk.js';

interface ReadTask {
  connection: ConnectionOptions;
  sql: string;
  from: number;
  to: number;
}

export interface CeilingResult {
  rows: number;
  seconds: number;
  rowsPerSec: number;
  bytes: number;
}

async function readRange(t: ReadTask, conn: Connection): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    conn
      .query({ sql: t.sql, values: [t.from, t.to], rowsAsArray: true, typeCast: false })
      .on('result', (row) => {
        rows++;
        // touch the values (as a consumer must) without copying them
        for (const v of row as unknown as (Buffer | null)[]) if (v) bytes += v.length;
      })
      .on('error', reject)
      .on('end', () => resolve());
  });
  conn.destroy();
  return { rows, bytes };
}

if (!isMainThread && (workerData as { ceiling?: boolean })?.ceiling) {
  const task = (workerData as { task: ReadTask }).task;
  // connect first, then wait for the go signal: connection setup is outside the timing (sluice's workers
  // keep their connections across chunks too)
  const conn = await openStreamingConnection({ ...task.connection, ...SNAPSHOT_CONNECTION_OPTIONS }, SNAPSHOT_SESSION_SQL);
  parentPort!.once('message', () => {
    void readRange(task, conn).then((r) => parentPort!.postMessage(r), (e: unknown) => parentPort!.postMessage({ error: String(e) }));
  });
  parentPort!.postMessage('ready');
}

/**
 * Reads ids [minId, maxId] of `db.table` split evenly over `connections` worker threads.
 */
export async function measureReadCeiling(connection: ConnectionOptions, db: string, table: string, selectList: string, minId: number, maxId: number, connections: number): Promise<CeilingResult> {
  const sql = `SELECT ${selectList} FROM \`${db}\`.\`${table}\` WHERE \`id\` >= ? AND \`id\` <= ?`;
  const span = maxId - minId + 1;
  const per = Math.ceil(span / connections);
  const file = fileURLToPath(import.meta.url);
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < connections; i++) {
    const from = minId + i * per;
    const to = Math.min(maxId, from + per - 1);
    const w = new Worker(file, { workerData: { ceiling: true, task: { connection, sql, from, to } satisfies ReadTask } });
    workers.push(w);
    ready.push(
      new Promise((r, j) => {
        w.once('message', () => r());
        w.once('error', j);
      }),
    );
  }
  await Promise.all(ready);
  const t0 = process.hrtime.bigint();
  const results = await Promise.all(
    workers.map(
      (w) =>
        new Promise<{ rows: number; bytes: number }>((resolve, reject) => {
          w.once('message', (m: { rows: number; bytes: number } | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
          w.postMessage('go');
        }),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await Promise.all(workers.map((w) => w.terminate()));
  const rows = results.reduce((s, r) => s + r.rows, 0);
  return { rows, seconds, rowsPerSec: rows / seconds, bytes: results.reduce((s, r) => s + r.bytes, 0) };
}
