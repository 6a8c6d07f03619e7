/**
 * model/'s face for what is imported through it: the job status document. (The other model/ files are still
 * imported directly, as test/unit/structure/import-graph.test.ts's allowlist records.)
 */
export type { JobStatus, Phase, StatusSink, StatusView } from './job-status.js';
export type { ChunkSpec, KeyValue } from './chunk-spec.js';
export { IDS_PER_CHUNK } from './record-id-space.js';
