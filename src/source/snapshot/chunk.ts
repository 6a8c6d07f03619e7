/** A snapshot chunk (the type lives in model/, since the checkpoint's chunk plan in state/ stores it too). */
export type { ChunkSpec, KeyValue } from '../../model/index.js';

/** Ids reserved per chunk: the rule is model/record-id-space.ts, shared with the binlog path's record ids. */
export { IDS_PER_CHUNK } from '../../model/record-id-space.js';
