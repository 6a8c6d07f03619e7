/**
 * The phases of a job's life, in order (DESIGN §2): precheck → schema → snapshot → incremental, then
 * stopping (a stop signal: flush, checkpoint) → stopped, or failed from any phase before the end. A phase a
 * job does not need is passed over (no schema records, a snapshot already finished): only forward moves, and
 * nothing after stopped or failed.
 */
import type { Phase } from '../model/index.js';

export type { Phase };

export const PHASES: readonly Phase[] = ['precheck', 'schema', 'snapshot', 'incremental', 'stopping', 'stopped', 'failed'];

const ORDER: Readonly<Record<Phase, number>> = { precheck: 0, schema: 1, snapshot: 2, incremental: 3, stopping: 4, stopped: 5, failed: 5 };

export function isFinal(p: Phase): boolean {
  return p === 'stopped' || p === 'failed';
}

/** Whether a job in phase `from` may move to `to`. */
export function mayMove(from: Phase, to: Phase): boolean {
  if (isFinal(from)) return false;
  if (to === 'failed') return true;
  return ORDER[to] > ORDER[from];
}

/** What the job's status reads the phase from (the pipeline's JobLifecycle). */
export interface PhaseSource {
  readonly phase: Phase;
  /** when the phase began, ISO time */
  readonly since: string;
}
