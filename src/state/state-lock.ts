import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FaultError, StateError } from '../errors.js';

export const LOCK_FILE = 'lock.json';
/** how often the holder renews its lease */
export const LOCK_RENEW_MS = 5_000;
/** a lease not renewed for this long belongs to a process that is gone or hung (six missed renewals) */
export const LOCK_STALE_MS = 30_000;
/** between a takeover's write and its re-read: long enough for a racing taker's rename to land first */
const CONFIRM_MS = 200;

/** What the lock file holds: who runs the job, never how it connects (no secret can reach it). */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the holder took the lock */
  since: string;
  /** ISO time of the last renewal */
  renewedAt: string;
  /** tells this holder's lock from a later one of the same pid (pids are reused) */
  token: string;
}

export interface AcquireOptions {
  /** `--break-lock`: take the lock whoever holds it */
  breakLock?: boolean;
  log?: (line: string) => void;
  /** called once when another process took the lock over: the job must stop */
  onLost?: (e: FaultError) => void;
  renewMs?: number;
  staleMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.since === 'string' && typeof v.renewedAt === 'string' && typeof v.token === 'string') return v as LockHolder;
  } catch {
    // unreadable: treated as stale below, by its age
  }
  return null;
}

/** Why a holder no longer holds the lock, or null while it does. */
function staleness(h: LockHolder, staleMs: number): string | null {
  if (h.host === hostname() && !alive(h.pid)) return `its process ${h.pid} on ${h.host} is gone`;
  const age = Date.now() - Date.parse(h.renewedAt);
  if (!(age <= staleMs)) return `it was last renewed ${Number.isFinite(age) ? `${Math.round(age / 1000)} s ago` : 'never'}`;
  return null;
}

function describe(h: LockHolder): string {
  return `pid ${h.pid} on host ${h.host}, since ${h.since}`;
}

/**
 * The job's ownership of its state directory (issue 15): one `sluice run` at a time. The lock file is a lease
 * renewed every few seconds; a second process refuses at once naming the holder, and takes over only a
 * lock whose process is gone on this host or whose lease ran out. Creation is atomic (a complete temp file
 * hard-linked into place, which fails if the lock exists); a takeover renames over the stale file and
 * re-reads it, so of two racing takers one wins and the other refuses; the holder re-reads before each
 * renewal and stops the job if someone else holds it now.
 */
function takenOverError(dir: string, now: LockHolder | null): FaultError {
  return new FaultError(`Another sluice run took over this job's state directory ${dir} (${now ? describe(now) : 'the lock file was removed'}): this one stopped; run only one sluice run per state directory.`);
}

export class StateLock {
  readonly path: string;
  private readonly dir: string;
  private holder: LockHolder;
  private timer: NodeJS.Timeout | null = null;
  private released = false;
  /** set once another run was found holding the lock (the fault told to onLost) */
  private lost: FaultError | null = null;
  private onLost: AcquireOptions['onLost'];

  private constructor(dir: string, holder: LockHolder) {
    this.dir = dir;
    this.path = join(dir, LOCK_FILE);
    this.holder = holder;
  }

  static async acquire(dir: string, opts: AcquireOptions = {}): Promise<StateLock> {
    const staleMs = opts.staleMs ?? LOCK_STALE_MS;
    const now = new Date().toISOString();
    const lock = new StateLock(dir, { pid: process.pid, host: hostname(), since: now, renewedAt: now, token: randomUUID() });
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      throw new StateError(`The state directory ${dir} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check its path and permissions.`, { cause: e });
    }
    for (let attempt = 0; ; attempt++) {
      if (await lock.create()) break;
      const text = await readFile(lock.path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
      if (text === null) continue; // released meanwhile: create again
      const other = parseHolder(text);
      // A file being written is never seen half-done (link), so an unreadable one is damage: give it the stale age.
      const why = other ? staleness(other, staleMs) : attempt >= 1 ? 'it is unreadable' : null;
      if (!other && !why) {
        await sleep(CONFIRM_MS);
        continue;
      }
      if (!opts.breakLock && !why && other) {
        throw new FaultError(
          `The state directory ${dir} is in use by another sluice run (${describe(other)}): stop that process first, or if it is gone for good, run again with --break-lock.`,
        );
      }
      const whose = other ? describe(other) : 'unknown holder';
      opts.log?.(opts.breakLock && !why ? `--break-lock: taking over the lock on ${dir} from ${whose}` : `taking over the stale lock on ${dir} (${whose}): ${why}`);
      await lock.writeOver();
      await sleep(CONFIRM_MS);
      const now2 = parseHolder(await readFile(lock.path, 'utf8').catch(() => ''));
      if (now2?.token !== lock.holder.token) {
        // The holder we replaced renewed its lease at the same moment (its read came before our write, its write
        // after): look again — it is alive, so the lock is refused, or taken over again under --break-lock.
        if (other && now2?.token === other.token && attempt < 5) continue;
        throw new FaultError(`Another sluice run took over the lock on ${dir} at the same moment (${now2 ? describe(now2) : 'unknown holder'}): stop it first, or run again with --break-lock.`);
      }
      break;
    }
    lock.startRenewing(opts.renewMs ?? LOCK_RENEW_MS, opts.onLost);
    return lock;
  }

  /** Who holds the lock in `dir` right now, or null (for `sluice status` and tests). */
  static async holderOf(dir: string): Promise<LockHolder | null> {
    return parseHolder(await readFile(join(dir, LOCK_FILE), 'utf8').catch(() => ''));
  }

  /**
   * The fault to report when another run holds the lock now (it took it over), or null while it is ours. Read
   * when the job failed: a takeover may have ended its work before the lease renewal noticed.
   */
  async takenOver(): Promise<FaultError | null> {
    if (this.lost) return this.lost;
    if (this.released) return null;
    const text = await readFile(this.path, 'utf8').catch(() => null);
    if (text === null) return null;
    const now = parseHolder(text);
    return now && now.token !== this.holder.token ? takenOverError(this.dir, now) : null;
  }

  /** Removes the lock if it is still ours; stops renewing. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearTimeout(this.timer);
    const now = parseHolder(await readFile(this.path, 'utf8').catch(() => ''));
    if (now?.token === this.holder.token) await unlink(this.path).catch(() => undefined);
  }

  private text(): string {
    return `${JSON.stringify(this.holder, null, 1)}\n`;
  }

  private tempPath(): string {
    return join(this.dir, `${LOCK_FILE}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`);
  }

  /** true when the lock did not exist and is ours now */
  private async create(): Promise<boolean> {
    const temp = this.tempPath();
    await writeFile(temp, this.text(), { mode: 0o644 });
    try {
      await link(temp, this.path);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new StateError(`The lock file ${this.path} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check the state directory's permissions.`, { cause: e });
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  private async writeOver(): Promise<void> {
    const temp = this.tempPath();
    await writeFile(temp, this.text(), { mode: 0o644 });
    await rename(temp, this.path);
  }

  /**
   * Renews the lease now (the holder does it every renewMs by itself). Returns null when the lease is renewed
   * (or the lock was released), the fault when another run holds the lock now: onLost is told of it once.
   * A failed write (disk briefly full) is thrown; six missed renewals in a row make the lease stale.
   */
  async renew(): Promise<FaultError | null> {
    if (this.lost) return this.lost;
    if (this.released) return null;
    const text = await readFile(this.path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
    const now = parseHolder(text);
    if (now?.token !== this.holder.token) {
      this.released = true;
      this.lost = takenOverError(this.dir, now);
      this.onLost?.(this.lost);
      return this.lost;
    }
    this.holder = { ...this.holder, renewedAt: new Date().toISOString() };
    await this.writeOver();
    return null;
  }

  private startRenewing(everyMs: number, onLost: AcquireOptions['onLost']): void {
    this.onLost = onLost;
    const tick = async (): Promise<void> => {
      if (this.released) return;
      try {
        await this.renew();
      } catch {
        // a missed renewal (disk briefly full): the next one tries again; six in a row make the lease stale
      }
      if (!this.released) this.timer = setTimeout(() => void tick(), everyMs).unref();
    };
    this.timer = setTimeout(() => void tick(), everyMs).unref();
  }
}
