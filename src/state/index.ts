/**
 * state/'s face (issue 16): the state store (checkpoint, lock, status) and what its users name. The other
 * state/ files are still imported directly where the import-graph allowlist records it.
 */
export { openLocalStateStore, openStateStore, type CheckpointPart, type HeldLock, type LockPart, type StateStore, type StateStoreKind, type StatusPart } from './state-store.js';
export { LOCK_FILE, LOCK_RENEW_MS, LOCK_STALE_MS, type AcquireOptions, type LockHolder } from './state-lock.js';
export { CHECKPOINT_FILE } from './checkpoint-store.js';
export { STATUS_FILE } from './status-file.js';
export type { StatusView } from '../model/index.js';
export { fromChunkPlan, toChunkPlan } from './chunk-plan.js';
export { binlogStart, lastIdBeforeBinlog } from './record-ids.js';
