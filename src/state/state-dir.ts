/**
 * The job's state directory must exist (or be creatable) and take writes before any work starts: a
 * directory where mkdir kept failing made `sluice run` spin at high CPU, deaf to SIGTERM: Node's own
 * mkdir({ recursive: true }) loops forever on a path like /proc/x, where the parent exists and mkdir answers
 * ENOENT. So the folders are made one level at a time here, each level tried once.
 */

/** mkdir -p, one level at a time (each level tried once). */
async function makeDirs(dir: string, depth = 0): Promise<void> {
  try {
    await mkdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (!(await stat(dir)).isDirectory()) throw e;
      return;
    }
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir || depth > 64) throw e;
    await makeDirs(parent, depth + 1);
    await mkdir(dir); // once more, now that the parent exists; a second ENOENT is the answer
  }
}
import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StateError } from '../errors.js';

export async function ensureWritableStateDir(dir: string): Promise<void> {
  const probe = join(dir, `.sluice-write-test-${process.pid}`);
  try {
    await makeDirs(dir);
    await writeFile(probe, '', { mode: 0o600 });
    await unlink(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new StateError(`The state directory ${dir} cannot be created or written (${code}): set state.dir to a directory sluice can write, or fix its permissions.`, { cause: e });
  }
}
