/**
 * Measures the catch-up rate of the incremental path (not a test: run `node dist/test/integration/binlog/catchup-measure.js
 * [mariadb|mysql] [rows]`): N row changes already in the binlog (INSERTs of 1000-row statements, then
 * UPDATEs of all of them), then runIncremental from before them until its checkpoint reaches the end;
 * beside it, a bare zongji (raw values, same tables) reading the same range, as the decode ceiling.
 * A first measurement for issue 6's catchup-1m; bench/streaming is where the real benchmark goes.
 */
import ZongJi from '@vlasky/zongji';
import { attachRawBinlogValues, type ZongjiLike } from '../../../src/source/binlog/zongji-raw.js';
import { runIncremental } from '../../../src/pipeline/job/run-incremental.js';
import { captureBinlogPosition } from '../../../src/source/binlog/capture-position.js';
import { MARIADB, MYSQL } from '../../support/services.js';
import { setUp, waitForCheckpoint } from './binlog-harness.js';

const svc = process.argv[2] === 'mysql' ? MYSQL : MARIADB;
const N = Number(process.argv[3] ?? 200_000);
const s = await setUp(svc, 'catch');
try {
  await s.root.query(`USE ${s.db}`);
  for (let i = 0; i < N / 2; i += 1000) {
    const rows = Array.from({ length: 1000 }, (_, k) => `(${i + k}, 'owner${k}', ${(i + k) / 100}, 1, 'some note text here', '2024-01-02 03:04:05.123456')`);
    await s.root.query(`INSERT INTO acct VALUES ${rows.join(',')}`);
  }
  await s.root.query(`UPDATE acct SET balance = balance + 1, flag = 2`);
  const end = await captureBinlogPosition(s.root, s.model.dialect);
  const start = s.checkpoint.snapshot!.binlogStart;

  // the ceiling: bare zongji over the same range
  const t0 = process.hrtime.bigint();
  let rawRows = 0;
  await new Promise<void>((resolve, reject) => {
    const z = new ZongJi({ host: svc.host, port: svc.port, user: svc.sluice.user, password: svc.sluice.password });
    attachRawBinlogValues(z as unknown as ZongjiLike);
    z.on('error', reject);
    z.on('binlog', (ev) => {
      const e = ev as unknown as { rows?: unknown[]; nextPosition: number };
      if (e.rows) rawRows += e.rows.length;
      if (ev.getTypeName() === 'Xid' && e.nextPosition >= end.pos) {
        z.stop();
        resolve();
      }
    });
    z.start({ serverId: 9931, filename: start.file, position: start.pos, includeEvents: ['tablemap', 'writerows', 'updaterows', 'deleterows', 'xid'], includeSchema: { [s.db]: true } });
  });
  const rawSec = Number(process.hrtime.bigint() - t0) / 1e9;

  const cpu0 = process.cpuUsage();
  const t1 = process.hrtime.bigint();
  const ac = new AbortController();
  const run = runIncremental({ job: s.job, model: s.model, partitions: s.partitions, checkpoint: s.checkpoint, store: s.store, log: () => undefined, signal: ac.signal });
  await waitForCheckpoint(s, 600_000);
  const sec = Number(process.hrtime.bigint() - t1) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  ac.abort();
  const sum = await run;
  console.log(
    JSON.stringify({
      server: svc.name,
      rowChanges: sum.rows,
      sluiceRowsPerSec: Math.round(sum.rows / sec),
      rawZongjiRowsPerSec: Math.round(rawRows / rawSec),
      ratio: +((sum.rows / sec) / (rawRows / rawSec)).toFixed(2),
      cpuSecondsPer1MRows: +(((cpu.user + cpu.system) / 1e6) * (1e6 / sum.rows)).toFixed(1),
      peakRssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    }),
  );
} finally {
  await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
  await s.root.end();
}
