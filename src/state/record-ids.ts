/**
 * Record ids on the binlog path (DESIGN §2: "a counter kept in the checkpoint and recomputed from the resume
 * position, so a replayed change gets the same id").
 *
 * The rule: starting from the checkpoint's `lastId` at its position, every row of every row event of a
 * selected table takes the next id — counted BEFORE the filter, so a row the filter drops still uses its id.
 * A replay from the same checkpoint therefore numbers the same rows the same way, and editing a filter
 * between runs does not shift the ids of other rows (ids then have gaps; DTS consumers only need them
 * increasing). Which tables are selected follows the stream (a table renamed or created into the objects
 * counts from its first row event), and under `ddl: emit` each DDL record takes the next id too, so a replay
 * numbers the same way; changing `objects` or `ddl` between runs shifts later ids.
 */
import { IDS_PER_CHUNK } from '../model/index.js';
import type { Checkpoint } from './checkpoint.js';

/**
 * The last id used before the first binlog record: the checkpoint's counter once the binlog phase has
 * saved a position; before that, the top of the ids the snapshot reserved — chunk k holds
 * [(k+1)·2^32, (k+2)·2^32) and schema records 1..n sit below the first chunk — so binlog ids start above
 * every snapshot id.
 */
export function lastIdBeforeBinlog(cp: Checkpoint): bigint {
  if (cp.binlog) return cp.lastId;
  const chunkSize = BigInt(IDS_PER_CHUNK);
  let top = chunkSize - 1n;
  for (const c of cp.snapshot?.chunks ?? []) if (c.firstId + chunkSize - 1n > top) top = c.firstId + chunkSize - 1n;
  return cp.lastId > top ? cp.lastId : top;
}

/** Where the binlog phase starts: the saved position, else the one captured before the snapshot. */
export function binlogStart(cp: Checkpoint): { file: string; pos: number; gtidSet: string | null } | null {
  return cp.binlog ?? cp.snapshot?.binlogStart ?? null;
}
