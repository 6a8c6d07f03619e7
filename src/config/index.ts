export { loadJob, buildJob } from './load-job.js';
export { Secret } from './secret.js';
export type { JobConfig, SourceConfig, TargetConfig, TlsConfig, ObjectRule, Partitioning, SaslMechanism } from './job-config.js';
