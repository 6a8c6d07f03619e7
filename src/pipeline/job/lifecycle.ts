import { isFinal, mayMove, type Phase, type PhaseSource } from '../../metrics/job-phase.js';

export type { Phase } from '../../metrics/job-phase.js';

/**
 * The job's lifecycle, owned by the run (the CLI creates it before precheck, runJob moves it through its
 * phases): the one place a phase changes. The status file and the metrics read it; listeners hear each move.
 * A move the order forbids (backwards, or after the end) is a bug and throws; a repeated move is a no-op, so
 * a stop signal may arrive while the job already stops.
 */
export class JobLifecycle implements PhaseSource {
  private current: Phase = 'precheck';
  private at = new Date().toISOString();
  private readonly listeners: Array<(p: Phase) => void> = [];

  get phase(): Phase {
    return this.current;
  }

  get since(): string {
    return this.at;
  }

  get ended(): boolean {
    return isFinal(this.current);
  }

  onChange(listener: (p: Phase) => void): void {
    this.listeners.push(listener);
  }

  to(next: Phase): void {
    if (next === this.current) return;
    if (!mayMove(this.current, next)) throw new Error(`job lifecycle: no move from ${this.current} to ${next}`);
    this.current = next;
    this.at = new Date().toISOString();
    for (const l of this.listeners) l(next);
  }

  /**
   * The job's work reaches `phase` (schema, snapshot, incremental). Ignored once a stop was asked for: a job
   * winding down finishes what it does without entering a new phase.
   */
  enter(phase: 'schema' | 'snapshot' | 'incremental'): void {
    if (this.current === 'stopping' || this.ended) return;
    this.to(phase);
  }

  /** A stop was asked for (a signal): stopping, unless the job has already ended or is stopping. */
  stopping(): void {
    if (!this.ended) this.to('stopping');
  }

  /** The run is over: stopped after a clean end, failed after an error (whatever phase it was in). */
  end(failed: boolean): void {
    if (!this.ended) this.to(failed ? 'failed' : 'stopped');
  }
}
