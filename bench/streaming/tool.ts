/**
 * What the streaming workloads need from a tool under test (sluice or the Debezium peer): a session per
 * repetition with its own target topics (fresh, 3 partitions, LogAppendTime, created by the suite),
 * positioned in the binlog and stopped (`prepare`), then started as a user runs it (`start`) and stopped
 * again (`stop`). The suite measures everything from the outside: topics, /proc of the tool's process.
 */
import type { CommitTimeReader } from '../lib/latency-observer.js';

export interface ToolSession {
  /** the target topic of a source table */
  topic(table: string): string;
  /**
   * Creates the topics and takes the binlog position: after prepare the tool is stopped and, once started,
   * delivers every change committed after prepare returned (and none of the rows that were there before).
   */
  prepare(): Promise<void>;
  /** Starts the tool; returns its pid (the process whose CPU and memory are measured). */
  start(): Promise<number>;
  /** true once the started tool says it reads the binlog (its own log line: the moment start-up ends) */
  following(): boolean;
  /** Stops it gracefully (SIGTERM), waits for the exit. */
  stop(): Promise<void>;
  /** Deletes its topics and temp files. */
  cleanup(): Promise<void>;
  /** the last lines of the tool's log, for an error message */
  logTail(): string;
}

export interface StreamingTool {
  name: 'sluice' | 'debezium';
  /** a session capturing `tables` of `db` */
  session(db: string, tables: readonly string[]): ToolSession;
  /** reads the steady workloads' committed_at from one of this tool's record values */
  commitTime: CommitTimeReader;
  /** what goes into the JSON line: versions and settings */
  describe(): { versions: Record<string, string>; settings: Record<string, unknown> };
}
