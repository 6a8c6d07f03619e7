/**
 * Watches a long-running tool (sluice following the binlog, a Kafka Connect JVM) from the outside: every
 * 100 ms its CPU ticks (utime+stime of all threads, /proc/<pid>/stat) and VmRSS. A workload phase is the
 * interval between two marks; its CPU seconds and the peak RSS sampled inside it come from the samples,
 * so the same figures are taken the same way for both tools, and neither tool's own counters are used.
 */
import { readFileSync } from 'node:fs';
import { cpuTicks } from './measure-process.js';

const TICKS_PER_SEC = 100; // getconf CLK_TCK on Linux x86-64

export interface ProcessMark {
  atMs: number;
  cpuSec: number;
  /** VmHWM at the mark, MB (the process's peak since it started) */
  hwmMb: number;
}

export interface PhaseFigures {
  seconds: number;
  cpuSec: number;
  /** highest VmRSS sampled between the two marks, MB */
  peakRssMb: number;
}

function statusKb(pid: number, key: string): number | null {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export class ProcessWatch {
  private readonly samples: Array<{ atMs: number; rssMb: number }> = [];
  private readonly timer: NodeJS.Timeout;
  private lastTicks = 0;

  constructor(readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 100);
    this.sample();
  }

  private sample(): void {
    const rss = statusKb(this.pid, 'VmRSS');
    if (rss !== null) this.samples.push({ atMs: Date.now(), rssMb: rss / 1024 });
    const t = cpuTicks(this.pid);
    if (t !== null) this.lastTicks = t;
  }

  alive(): boolean {
    return cpuTicks(this.pid) !== null;
  }

  mark(): ProcessMark {
    this.sample();
    return { atMs: Date.now(), cpuSec: this.lastTicks / TICKS_PER_SEC, hwmMb: (statusKb(this.pid, 'VmHWM') ?? 0) / 1024 };
  }

  /** CPU and sampled peak RSS between two marks. */
  phase(from: ProcessMark, to: ProcessMark): PhaseFigures {
    let peak = 0;
    for (const s of this.samples) if (s.atMs >= from.atMs && s.atMs <= to.atMs) peak = Math.max(peak, s.rssMb);
    return { seconds: (to.atMs - from.atMs) / 1000, cpuSec: to.cpuSec - from.cpuSec, peakRssMb: peak };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
