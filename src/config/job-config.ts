import type { Secret } from './secret.js';

/** The validated, resolved job: what every stage receives. Secrets are wrapped, TLS files already read. */
export interface TlsConfig {
  ca?: string;
  cert?: string;
  key?: string;
  verify: boolean;
}

export interface SourceConfig {
  host: string;
  port: number;
  user: string;
  password: Secret;
  tls?: TlsConfig;
  /** source.serverId, or the one derived from the job's name (job-name.ts) */
  serverId: number;
  connectTimeoutMs: number;
}

export type SaslMechanism = 'scram-sha-256' | 'scram-sha-512' | 'plain';

export interface TargetConfig {
  brokers: string[];
  clientId: string;
  topic: string;
  tls?: TlsConfig;
  sasl?: { mechanism: SaslMechanism; username: string; password: Secret };
  createTopics: boolean;
  connectTimeoutMs: number;
}

/** One `objects` entry: `db` and `table` may hold `*`/`?` globs. */
export interface ObjectRule {
  db: string;
  table: string;
  topic?: string;
  filter?: string;
  partitionKey?: string[];
  partitions?: number;
}

export type Partitioning = 'partition0' | 'table-hash' | 'key-hash';

export interface JobConfig {
  /** the job file's path, for messages */
  file: string;
  /**
   * the job's name (`name`, default the file's base name): status, logs, the report host sluice registers
   * as, and the server id when source.serverId is omitted
   */
  name: string;
  source: SourceConfig;
  target: TargetConfig;
  objects: ObjectRule[];
  partitioning: Partitioning;
  init: { schema: boolean; data: boolean };
  ddl: 'ignore' | 'emit';
  /** how records are filled where DTS consumers differ (see README "Type mapping") */
  format: { charsetNames: 'dts' | 'legacy' };
  /** absolute path of the state directory */
  state: { dir: string };
  snapshot: { parallelism: number; chunkRows: number; maxRowsPerSecond: number };
  workers: { threads: number };
  producer: { batchBytes: number; lingerMs: number; compression: 'lz4' | 'gzip' | 'none'; maxInFlight: number };
  /**
   * intervalMs: how often the server's binlog end is probed for the lag (0: never); records: also write a
   * HEARTBEAT record to partition 0 of every topic while sluice is caught up and the topic is quiet
   */
  heartbeat: { intervalMs: number; records: boolean };
  /** how long a stop signal waits for Kafka's acknowledgements (ms) */
  shutdown: { timeoutMs: number };
}
