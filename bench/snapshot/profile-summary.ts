/**
 * Summarises V8 .cpuprofile files (node --cpu-prof, one per thread): self time per function and per stage
 * (mysql2 read, DTS mapper/encoder, kafkajs, lz4, piscina/structured clone, GC, idle), so a run shows which
 * stage bounds the rate. Run on its own: node dist/bench/snapshot/profile-summary.js <dir>
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export function stageOf(f: CallFrame): string {
  const u = f.url;
  const n = f.functionName;
  if (n === '(idle)') return 'idle';
  if (n === '(garbage collector)') return 'GC';
  if (n === '(program)') return 'program (native, unattributed)';
  if (u.includes('node_modules/mysql2')) return 'mysql2 (read, parse)';
  if (u.includes('node_modules/kafkajs')) return 'kafkajs (request encode, network)';
  if (u.includes('node_modules/lz4')) return 'lz4';
  if (u.includes('node_modules/piscina')) return 'piscina';
  if (u.includes('/src/format/')) return 'sluice format (mapper, Avro encode)';
  if (u.includes('/src/sink/')) return 'sluice sink';
  if (u.includes('/src/source/')) return 'sluice source (chunk reader)';
  if (u.includes('/src/transform/')) return 'sluice transform (route, key)';
  if (u.includes('/src/model/')) return 'sluice model (batch builder)';
  if (u.includes('/src/pipeline/')) return 'sluice pipeline';
  if (u.includes('/src/')) return 'sluice other';
  if (u.startsWith('node:') || u === '') return n.startsWith('(') ? n : 'node core / builtins';
  if (u.includes('node_modules')) return 'other modules';
  return 'other';
}

export interface ThreadSummary {
  file: string;
  totalMs: number;
  busyMs: number;
  stages: Array<[string, number]>;
  top: Array<[string, number]>;
}

export function summarizeProfile(path: string): ThreadSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const fn = new Map<string, number>();
  const stage = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    total += us;
    const s = stageOf(f);
    if (s === 'idle') idle += us;
    stage.set(s, (stage.get(s) ?? 0) + us);
    const short = f.url.replace(/^.*\/(node_modules\/|src\/|dist\/)/, '$1');
    const key = `${f.functionName || '(anonymous)'} ${short}${f.url ? ':' + (f.lineNumber + 1) : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
  }
  const sort = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / 1000]);
  return { file: path, totalMs: total / 1000, busyMs: (total - idle) / 1000, stages: sort(stage), top: sort(fn).filter(([k]) => !k.startsWith('(idle)')).slice(0, 25) };
}

export function summarizeProfiles(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const out: string[] = [];
  for (const f of files) {
    const s = summarizeProfile(join(dir, f));
    if (s.totalMs < 50) continue;
    out.push(`\n== ${f}: ${(s.totalMs / 1000).toFixed(2)} s profiled, ${(s.busyMs / 1000).toFixed(2)} s busy (${((s.busyMs / s.totalMs) * 100).toFixed(0)} %)`);
    out.push('  stages (self time, % of busy):');
    for (const [k, ms] of s.stages) if (k !== 'idle') out.push(`    ${(ms / 1000).toFixed(2).padStart(7)} s  ${((ms / s.busyMs) * 100).toFixed(1).padStart(5)} %  ${k}`);
    out.push('  top functions (self):');
    for (const [k, ms] of s.top) out.push(`    ${(ms / 1000).toFixed(2).padStart(7)} s  ${((ms / s.busyMs) * 100).toFixed(1).padStart(5)} %  ${k}`);
  }
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(summarizeProfiles(process.argv[2] ?? '.'));
}
