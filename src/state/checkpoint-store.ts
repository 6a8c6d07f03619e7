import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StateError } from '../errors.js';
import { mergeTopicWrites, parseCheckpoint, serializeCheckpoint, updateCheckpoint, type Checkpoint, type TopicWrites } from './checkpoint.js';

export const CHECKPOINT_FILE = 'checkpoint.json';

function unreadable(path: string, e: unknown): StateError {
  return new StateError(`The checkpoint file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check the state directory's permissions.`, { cause: e });
}

function unusable(path: string, reason: string): StateError {
  return new StateError(`The checkpoint file ${path} is unusable (${reason}): restore it from a backup, or move it away to start the job from scratch (a full snapshot again).`);
}

/**
 * The checkpoint in `dir`, read without touching anything (precheck, or a reader while the job writes, must not
 * create, move or remove a file): null when there is none yet, a StateError when it is unusable.
 */
export async function peekCheckpoint(dir: string): Promise<Checkpoint | null> {
  const path = join(dir, CHECKPOINT_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw unreadable(path, e);
  }
  const r = parseCheckpoint(text);
  if (!r.ok) {
    throw unusable(path, r.reason);
  }
  return r.checkpoint;
}

const TEMP_PREFIX = `${CHECKPOINT_FILE}.tmp-`;

/**
 * Reads and writes the checkpoint file in the job's state directory. A save is atomic: the new text goes
 * to a temporary file that is fsynced and then renamed over the old one, and the directory is fsynced so
 * the rename itself survives a power cut. A crash at any point leaves either the old or the new file whole.
 * Two fsyncs per save cost about a millisecond on a local disk, so saving every 100 ms–1 s is cheap;
 * concurrent saves are coalesced (the newest wins).
 */
export class CheckpointStore {
  readonly dir: string;
  readonly path: string;
  private writing: Promise<void> | null = null;
  private next: { cp: Checkpoint; waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> } | null = null;
  private seq = 0;
  /** topic → partition → end offset Kafka acknowledged, merged into every save (see Checkpoint.topics) */
  private readonly written = new Map<string, Map<number, bigint>>();

  constructor(dir: string) {
    this.dir = dir;
    this.path = join(dir, CHECKPOINT_FILE);
  }

  /** The saved checkpoint, or null when the job has none yet. Removes temp files a crash left behind. */
  async load(): Promise<Checkpoint | null> {
    await this.removeStrayTemps();
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw unreadable(this.path, e);
    }
    const r = parseCheckpoint(text);
    if (!r.ok) {
      throw unusable(this.path, r.reason);
    }
    for (const [topic, parts] of Object.entries(r.checkpoint.topics ?? {})) for (const [p, end] of Object.entries(parts)) this.noteWritten(topic, Number(p), end);
    return r.checkpoint;
  }

  /** The saved checkpoint, read without touching anything (no stray temp removed, nothing noted), or null. */
  peek(): Promise<Checkpoint | null> {
    return peekCheckpoint(this.dir);
  }

  /**
   * Kafka acknowledged a batch on the partition ending before offset `end`. Every save from now on records
   * it, whichever checkpoint value the caller saves, so no phase can forget a topic it wrote to.
   */
  noteWritten(topic: string, partition: number, end: bigint): void {
    let t = this.written.get(topic);
    if (!t) this.written.set(topic, (t = new Map()));
    if ((t.get(partition) ?? -1n) < end) t.set(partition, end);
  }

  /** What the job knows it wrote, as saved with the next checkpoint. */
  writtenTopics(): TopicWrites {
    return Object.fromEntries([...this.written].map(([topic, parts]) => [topic, Object.fromEntries([...parts].map(([p, end]) => [String(p), end]))]));
  }

  /**
   * `sluice run --resnapshot`: the checkpoint is moved aside (not deleted, so a mistaken re-snapshot can be
   * undone by moving it back) and the job starts from scratch. Returns where the old file went, or null.
   */
  async discard(): Promise<string | null> {
    this.written.clear();
    const aside = `${this.path}.discarded-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(this.path, aside);
      return aside;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StateError(`The checkpoint file ${this.path} cannot be moved aside (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check the state directory's permissions.`, { cause: e });
    }
  }

  /** Writes the checkpoint atomically (stamping savedAt). Resolves once it is durable. */
  save(cp: Checkpoint): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.next) {
        this.next.cp = cp;
        this.next.waiters.push({ resolve, reject });
      } else {
        this.next = { cp, waiters: [{ resolve, reject }] };
      }
      if (!this.writing) this.writing = this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.next) {
        const { cp, waiters } = this.next;
        this.next = null;
        try {
          const topics = mergeTopicWrites(cp.topics, this.written.size ? this.writtenTopics() : undefined);
          await this.write(updateCheckpoint(cp, { savedAt: new Date().toISOString(), ...(topics ? { topics } : {}) }));
          for (const w of waiters) w.resolve();
        } catch (e) {
          for (const w of waiters) w.reject(e);
        }
      }
    } finally {
      this.writing = null;
    }
  }

  private async write(cp: Checkpoint): Promise<void> {
    const temp = join(this.dir, `${TEMP_PREFIX}${process.pid}-${++this.seq}`);
    try {
      await mkdir(this.dir, { recursive: true });
      const fh = await open(temp, 'w', 0o600);
      try {
        await fh.writeFile(serializeCheckpoint(cp));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(temp, this.path);
      const dh = await open(this.dir, 'r');
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw new StateError(`Saving the checkpoint to ${this.path} failed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check free space and permissions of the state directory.`, { cause: e });
    }
  }

  private async removeStrayTemps(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    await Promise.all(names.filter((n) => n.startsWith(TEMP_PREFIX)).map((n) => unlink(join(this.dir, n)).catch(() => undefined)));
  }
}

/** Shorthand: the checkpoint in `dir`, or null. */
export function loadCheckpoint(dir: string): Promise<Checkpoint | null> {
  return new CheckpointStore(dir).load();
}
