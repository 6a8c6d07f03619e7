/**
 * Runs a command as a child under /usr/bin/time and measures it from the outside: wall time, user+sys CPU
 * seconds (all threads, from the kernel's rusage, so nothing is lost at exit), peak RSS (ru_maxrss, which
 * counts worker threads since they share the process) and a VmRSS sample every 100 ms (the memory curve).
 * Also samples the CPU ticks of other named processes (mysqld, the Kafka broker) over the same interval,
 * so a report can say where the machine's cores went.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TICKS_PER_SEC = 100; // getconf CLK_TCK on Linux x86-64

export interface ProcessFigures {
  exitCode: number | null;
  wallMs: number;
  userSec: number;
  sysSec: number;
  /** ru_maxrss of the child, MB */
  maxRssMb: number;
  /** highest VmRSS seen by the 100 ms sampler, MB */
  sampledPeakRssMb: number;
  /** last VmHWM read before exit, MB */
  hwmMb: number;
  /** [msSinceStart, rssMb] every 100 ms */
  rssCurve: Array<[number, number]>;
  /** CPU seconds used by each watched process during the run */
  othersCpuSec: Record<string, number>;
  stdout: string;
  stderr: string;
}

/** CPU ticks (utime+stime) of a pid, or null when it is gone. */
export function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function statusKb(pid: number, key: string): number | null {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Pids whose command line contains every one of `parts` (read-only lookup, e.g. ['mysqld', '13307']). */
export function findPids(parts: readonly string[]): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (parts.every((p) => cmd.includes(p))) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** processes to account CPU for, by name */
  watch?: Record<string, number[]>;
  /** forward the child's stderr lines to ours as they come */
  echo?: boolean;
}

export async function measureProcess(cmd: string, args: readonly string[], o: MeasureOptions = {}): Promise<ProcessFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-time-'));
  const timeFile = join(dir, 'time.txt');
  const watch = o.watch ?? {};
  const before: Record<string, number> = {};
  for (const [name, pids] of Object.entries(watch)) before[name] = pids.reduce((s, p) => s + (cpuTicks(p) ?? 0), 0);
  const t0 = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%e %U %S %M', cmd, ...args], {
    cwd: o.cwd,
    env: o.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (o.echo) process.stderr.write(d);
  });
  const curve: Array<[number, number]> = [];
  let sampledPeak = 0;
  let hwm = 0;
  let target = 0;
  const sample = (): void => {
    if (!target && child.pid) target = childrenOf(child.pid)[0] ?? 0;
    if (!target) return;
    const rss = statusKb(target, 'VmRSS');
    const h = statusKb(target, 'VmHWM');
    if (rss !== null) {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      curve.push([Math.round(ms), Math.round(rss / 1024)]);
      sampledPeak = Math.max(sampledPeak, rss);
    }
    if (h !== null) hwm = Math.max(hwm, h);
  };
  const timer = setInterval(sample, 100);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  clearInterval(timer);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const othersCpuSec: Record<string, number> = {};
  for (const [name, pids] of Object.entries(watch)) othersCpuSec[name] = (pids.reduce((s, p) => s + (cpuTicks(p) ?? 0), 0) - (before[name] ?? 0)) / TICKS_PER_SEC;
  const line = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
  rmSync(dir, { recursive: true, force: true });
  const [, user, sys, maxKb] = line.split(' ').map(Number);
  return {
    exitCode,
    wallMs,
    userSec: user ?? NaN,
    sysSec: sys ?? NaN,
    maxRssMb: (maxKb ?? NaN) / 1024,
    sampledPeakRssMb: sampledPeak / 1024,
    hwmMb: hwm / 1024,
    rssCurve: curve,
    othersCpuSec,
    stdout,
    stderr,
  };
}
