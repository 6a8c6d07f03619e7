/**
 * bench/format/writer-fix: what the fix of AvroWriter.string() (issue 14: a short non-ASCII string of 64–126
 * UTF-8 bytes got a one-byte length) costs the hot path. The pre-fix writer (pre-fix-writer.ts) and the
 * current one encode the same INSERT records of the 8-column row, interleaved in one process (alternating
 * which goes first), REPS repetitions each; the JSON column holds strings of 20–130 UTF-8 bytes, 30 % of them
 * non-ASCII (2-, 3- and 4-byte characters). Target: the new median ≥ 95 % of the old and ≥ 300k records/s.
 * Run: npx tsc -p tsconfig.json && node dist/bench/format/writer-fix.bench.js [--records N] [--reps N] [--no-write]
 */
import { loadavg } from 'node:os';
import { writeRecord } from '../../src/format/dts-avro/encode-record.js';
import { compileTableMapper } from '../../src/format/dts-avro/table-mapper.js';
import type { AvroWriter } from '../../src/format/dts-avro/avro-writer.js';
import type { DtsRecord, DtsValue } from '../../src/format/dts-avro/types.js';
import { BENCH_TABLE } from '../../test/support/dts-fixtures.js';
import { Gen, rng } from '../../test/support/fuzz.js';
import { appendResult, machine, median, versions } from '../lib/results.js';
import { buildRecord, makeRows } from './encode-block.js';
import { CurrentWriter, PreFixWriter } from './pre-fix-writer.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || dflt : dflt;
};
const RECORDS = arg('--records', 300_000);
const REPS = Math.max(5, arg('--reps', 7));
const WRITE = !args.includes('--no-write');

/** A string of `bytes` UTF-8 bytes (about): ASCII, or (30 %) mixed 2-, 3- and 4-byte characters. */
function benchString(g: Gen): string {
  const bytes = g.int(20, 130);
  if (g.r() >= 0.3) {
    let s = '';
    while (s.length < bytes) s += String.fromCharCode(g.int(0x20, 0x7e));
    return s;
  }
  let s = '';
  let n = 0;
  while (n < bytes) {
    const w = g.int(1, 4);
    const cp = w === 1 ? g.int(0x61, 0x7a) : w === 2 ? g.int(0xe0, 0x7ff) : w === 3 ? g.int(0x4e00, 0x9fff) : g.int(0x1f300, 0x1f64f);
    if (n + w > bytes) break;
    s += String.fromCodePoint(cp);
    n += w;
  }
  return s;
}

function records(n: number): DtsRecord[] {
  const m = compileTableMapper(BENCH_TABLE);
  const rows = makeRows(n);
  const g = new Gen(rng(14));
  const jsonAt = BENCH_TABLE.columns.findIndex((c) => c.dataType === 'json');
  return Array.from({ length: n }, (_, k) => {
    const r = buildRecord(m, 'insert', rows, k, k);
    const after = [...(r.afterImages as readonly DtsValue[])];
    after[jsonAt] = { kind: 'TextObject', type: 'JSON', value: JSON.stringify(benchString(g)) };
    return { ...r, afterImages: after };
  });
}

function rate(w: AvroWriter, recs: readonly DtsRecord[], fieldsBytes: Uint8Array, n: number): number {
  const t0 = process.hrtime.bigint();
  let bytes = 0;
  for (let k = 0; k < n; k++) {
    w.reset();
    writeRecord(w, recs[k % recs.length] as DtsRecord, fieldsBytes);
    bytes += w.pos;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (bytes === 0) throw new Error('nothing written');
  return n / s;
}

const recs = records(4096);
const fieldsBytes = compileTableMapper(BENCH_TABLE).fieldsBytes;
const writers = { old: new PreFixWriter(1 << 16), new: new CurrentWriter(1 << 16) };
for (const w of Object.values(writers)) rate(w, recs, fieldsBytes, 100_000); // warm-up: JIT both
const runs: Record<'old' | 'new', number[]> = { old: [], new: [] };
for (let r = 0; r < REPS; r++) {
  const order = r % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const);
  for (const k of order) runs[k].push(rate(writers[k], recs, fieldsBytes, RECORDS));
}
const oldMedian = median(runs.old);
const newMedian = median(runs.new);
const ratio = newMedian / oldMedian;
const pass = ratio >= 0.95 && newMedian >= 300_000;
console.log(`writer fix: new ${Math.round(newMedian)} records/s vs old ${Math.round(oldMedian)} (median of ${REPS}, interleaved): ${(ratio * 100).toFixed(1)} % — ${pass ? 'meets' : 'MISSES'} the target (≥ 95 % and ≥ 300k/s)`);
console.log(`  old runs ${runs.old.map(Math.round).join(', ')}\n  new runs ${runs.new.map(Math.round).join(', ')}`);
if (WRITE) {
  const file = appendResult({
    workload: 'format-writer-fix',
    tool: 'sluice',
    at: new Date().toISOString(),
    machine: machine(),
    versions: versions(['avsc']),
    settings: { threads: 1, records: RECORDS, reps: REPS, input: '8-column INSERT records, JSON of 20-130 UTF-8 bytes, 30% non-ASCII', interleaved: true },
    rowsPerSec: Math.round(newMedian),
    runs: runs.new.map(Math.round),
    old: { rowsPerSec: Math.round(oldMedian), runs: runs.old.map(Math.round) },
    ratio: Number(ratio.toFixed(4)),
    loadAvg1m: Number((loadavg()[0] ?? 0).toFixed(2)),
  });
  console.log(`  written to ${file}`);
}
