import type { JobConfig } from '../config/index.js';
import type { FaultError } from '../errors.js';
import type { JobStatus, StatusSink, StatusView } from '../model/index.js';
import type { Checkpoint, TopicWrites } from './checkpoint.js';
import { CheckpointStore } from './checkpoint-store.js';
import { ensureWritableStateDir } from './state-dir.js';
import { StateLock, type AcquireOptions, type LockHolder } from './state-lock.js';
import { StatusFile } from './status-file.js';

/**
 * One job's state (issue 16), in three parts: its checkpoint, the lock that makes one `sluice run` its only
 * writer, and the status `sluice status` reads. The local directory (state.dir) is one implementation; the
 * issue "Job state in Kafka and exactly-once delivery" (18) adds a compacted topic keyed by job name behind the
 * same interface and the same contract tests (test/unit/state/state-store-contract.ts).
 *
 * No part is given or keeps a connection setting: what it stores is a checkpoint (named fields only), a lock
 * holder (pid, host, times, token) and a status document, so no secret of the job config can reach the state.
 */
export interface StateStore {
  readonly kind: StateStoreKind;
  /** where the state lives, as the sentences name it (the state directory) */
  readonly location: string;
  /** Makes sure the state can be written before any work starts (local: the directory exists and takes writes). */
  prepare(): Promise<void>;
  readonly checkpoint: CheckpointPart;
  readonly lock: LockPart;
  readonly status: StatusPart;
}

/** The job's checkpoint: loaded once at the start, saved at each safe point, set aside by --resnapshot. */
export interface CheckpointPart {
  /**
   * The saved checkpoint, or null when the job has none yet; a StateError naming the place and the fix when it
   * cannot be read or is unusable (torn, not JSON, a newer version). Cleans up what a crashed save left behind.
   */
  load(): Promise<Checkpoint | null>;
  /** The saved checkpoint read without changing anything (precheck; a reader while the job saves), as load. */
  peek(): Promise<Checkpoint | null>;
  /**
   * Saves atomically (stamping savedAt, merging the offsets noted with noteWritten): a reader sees the old
   * checkpoint or the new one whole, never part of one. Resolves once durable; concurrent saves coalesce.
   */
  save(cp: Checkpoint): Promise<void>;
  /**
   * `sluice run --resnapshot`: sets the checkpoint aside (recoverable, not deleted) and forgets the noted
   * offsets. Returns where it went, or null when there was none.
   */
  discard(): Promise<string | null>;
  /** Kafka acknowledged a batch on the partition ending before offset `end`; every later save records it (offsets only grow). */
  noteWritten(topic: string, partition: number, end: bigint): void;
  /** What the job knows it wrote, as saved with the next checkpoint. */
  writtenTopics(): TopicWrites;
}

/**
 * One `sluice run` per job: a lease its holder renews. A second acquire refuses with one sentence naming the
 * holder (pid, host, since), a holder that is gone (dead pid on this host) or whose lease ran out is taken
 * over, and `breakLock` takes it whoever holds it.
 */
export interface LockPart {
  acquire(opts?: AcquireOptions): Promise<HeldLock>;
  /** who holds the lock now, or null */
  holder(): Promise<LockHolder | null>;
}

export interface HeldLock {
  /** Renews the lease now (it renews itself every renewMs): null while it is ours, the fault once another run took it over. */
  renew(): Promise<FaultError | null>;
  /** The fault to report when another run holds the lock now (it took it over), or null while it is ours. */
  takenOver(): Promise<FaultError | null>;
  /** Gives the lock up if it is still ours; stops renewing. */
  release(): Promise<void>;
}

/** The job's status: published by the running job (a StatusPublisher's sink), read by `sluice status`. */
export interface StatusPart extends StatusSink {
  /** Takes the document as it is now (serialised before this returns); publishes land in call order, never torn. */
  publish(status: JobStatus): Promise<void>;
  /**
   * The last published status and whether its job is running: not when it stopped or failed, nor when its
   * process is gone or it has not published for `staleAfterMs` (then the note says it ended without stopping
   * cleanly); a note saying the job has not run yet when there is none.
   */
  read(staleAfterMs?: number): Promise<StatusView>;
}

/**
 * Where each kind of store keeps the state. The seam for issue 18: a `state: { kafka: { topic } }` key in the job
 * config (config/job-schema.ts) adds `'kafka'` here and a branch in openStateStore that opens the topic store
 * (it lives beside the sink, so the stage order's state ↔ sink peer rule changes with it, on purpose).
 */
export type StateStoreKind = 'local';

/** The state store the job config names (today always the local directory, state.dir). */
export function openStateStore(job: Pick<JobConfig, 'state'>): StateStore {
  return openLocalStateStore(job.state.dir);
}

/** The state in a local directory: checkpoint.json, lock.json and status.json (today's files, unchanged). */
export function openLocalStateStore(dir: string): StateStore {
  const checkpoints = new CheckpointStore(dir);
  const status = new StatusFile(dir);
  return {
    kind: 'local',
    location: dir,
    prepare: () => ensureWritableStateDir(dir),
    checkpoint: {
      load: () => checkpoints.load(),
      peek: () => checkpoints.peek(),
      save: (cp) => checkpoints.save(cp),
      discard: () => checkpoints.discard(),
      noteWritten: (topic, partition, end) => checkpoints.noteWritten(topic, partition, end),
      writtenTopics: () => checkpoints.writtenTopics(),
    },
    lock: {
      acquire: (opts) => StateLock.acquire(dir, opts),
      holder: () => StateLock.holderOf(dir),
    },
    status: {
      publish: (s) => status.publish(s),
      read: (staleAfterMs) => status.read(staleAfterMs),
    },
  };
}
