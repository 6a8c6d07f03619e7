/**
 * A job's name and the server id derived from it. Two jobs reading one source must not share a server id
 * (the server drops the older dump), so a job without `source.serverId` gets one hashed from its name: the
 * same name always gives the same id (a restart keeps it), different names almost never collide.
 */
import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import { ConfigError } from '../errors.js';

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Derived ids lie in 2^31 .. 2^32-1: real servers are usually numbered from 1 upwards in the low thousands,
 * so the upper half of the 32-bit range keeps a derived id away from them.
 */
export const DERIVED_SERVER_ID_MIN = 2 ** 31;
export const DERIVED_SERVER_ID_MAX = 2 ** 32 - 1;

/** The first 4 bytes of SHA-256(name), folded into the derived range. */
export function derivedServerId(name: string): number {
  const h = createHash('sha256').update(name, 'utf8').digest().readUInt32BE(0);
  return DERIVED_SERVER_ID_MIN + (h % 2 ** 31);
}

/** The job's name: `name` from the job file, else the file's base name without its extension. */
export function jobName(given: string | undefined, file: string): string {
  const name = given ?? basename(file, extname(file));
  if (NAME.test(name)) return name;
  const what = given === undefined ? `the job's name defaults to the file's base name "${name}", which` : `name "${name}"`;
  throw new ConfigError(`${file}: ${what} is not 1 to 64 letters, digits, ".", "_" or "-": set name: to such a name (it must differ between jobs reading one source).`);
}
