import type { Argv } from 'yargs';
import { loadJob } from '../config/index.js';
import { openStateStore, type StatusView } from '../state/index.js';

function duration(s: number | null): string {
  if (s === null) return '--';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function renderStatus(v: StatusView): string {
  const s = v.status;
  if (!s) return v.note ?? 'no status';
  const lines: string[] = [];
  lines.push(`job ${s.job}: ${v.running ? `${s.phase} since ${s.phaseSince} (pid ${s.pid})` : v.note}`);
  if (s.snapshot.length) {
    lines.push('snapshot:');
    for (const t of s.snapshot) {
      lines.push(`  ${t.table.padEnd(32)} ${String(t.rows).padStart(10)} rows  ${String(t.chunksDone).padStart(4)}/${t.chunksTotal} chunks  ${String(t.rowsPerSec).padStart(8)} rows/s  ${t.done ? 'done' : `ETA ${duration(t.etaSec)}`}`);
    }
  }
  if (s.binlog) lines.push(`binlog: ${s.binlog.file}:${s.binlog.pos}${s.binlog.gtid ? ` GTID ${s.binlog.gtid}` : ''}  lag ${s.binlog.lagSeconds === null ? '--' : `${s.binlog.lagSeconds}s`}`);
  lines.push(`checkpoint: ${s.checkpoint.binlog ?? 'no binlog position yet'}; snapshot chunks ${s.checkpoint.snapshotChunksDone}/${s.checkpoint.snapshotChunksTotal}${s.checkpoint.savedAt ? `, saved ${s.checkpoint.savedAt}` : ''}`);
  lines.push(`rows: in ${s.rates.rowsInPerSec}/s, out ${s.rates.rowsOutPerSec}/s; totals in ${s.totals.rowsIn}, acknowledged ${s.totals.recordsAcked}`);
  if (s.binlogRows?.length) lines.push(`binlog rows: ${s.binlogRows.map((r) => `${r.table} ${r.op} ${r.rows}`).join(', ')}`);
  if (s.latencyMs) {
    const l = s.latencyMs;
    const r = l.reader ? `; received→acked p50 ${l.reader.p50} ms, p99 ${l.reader.p99} ms, p999 ${l.reader.p999} ms` : '';
    lines.push(`latency${l.fromEventTime ? ' (from binlog event time, whole seconds)' : ''}: p50 ${l.p50} ms, p99 ${l.p99} ms, p999 ${l.p999} ms${r}`);
  }
  if (s.sink) lines.push(`buffer: ${(s.sink.queuedBytes / 1048576).toFixed(1)} MiB${s.sink.bufferBytes ? ` of ${(s.sink.bufferBytes / 1048576).toFixed(0)} MiB` : ''}, ${s.sink.requestsInFlight} request(s) in flight, ${s.sink.retries} retries`);
  if (s.lastError) lines.push(`last error (${s.lastError.at}): ${s.lastError.message}`);
  return lines.join('\n');
}

export function statusCommand(y: Argv): Argv {
  return y.command(
    'status <job>',
    'phase, snapshot progress, binlog position and lag, rates, latency, buffer and errors of a job',
    (a) =>
      a
        .positional('job', { type: 'string', demandOption: true })
        .option('json', { type: 'boolean', default: false, describe: 'print the status as JSON' })
        .option('watch', { type: 'boolean', default: false, describe: 'refresh every second' }),
    async (args) => {
      const job = loadJob(args.job as string);
      const once = async (): Promise<string> => {
        const v = await openStateStore(job).status.read();
        return args.json ? JSON.stringify({ running: v.running, note: v.note, ...(v.status ?? {}) }, null, 2) : renderStatus(v);
      };
      if (!args.watch) {
        process.stdout.write((await once()) + '\n');
        return;
      }
      let drawn = 0;
      for (;;) {
        const text = await once();
        const lines = text.split('\n');
        process.stdout.write((drawn ? `\x1b[${drawn}A` : '') + lines.map((l) => `\x1b[2K${l}\n`).join(''));
        drawn = lines.length;
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
  );
}
