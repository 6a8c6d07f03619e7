/**
 * The Debezium peer as the streaming workloads run it: the committed worker and connector files
 * (bench/peers/debezium) with snapshot.mode=no_data and every workload table in table.include.list.
 * prepare = start the worker, wait until the connector follows the binlog, stop it (Connect commits the
 * offsets on a graceful stop); start = the same run dir again, so Debezium resumes from those offsets.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Admin } from 'kafkajs';
import { repoRoot } from '../lib/results.js';
import { createObservedTopic } from '../lib/topic-observer.js';
import { KAFKA, MYSQL } from '../../test/support/services.js';
import { CONNECT_VERSION, DEBEZIUM_SETTINGS, DEBEZIUM_USER, DEBEZIUM_VERSION, freePort } from '../snapshot/peer-debezium.js';
import type { StreamingTool, ToolSession } from './tool.js';

const run = promisify(execFile);
const PARTITIONS = 3;
/** what the MySQL connector logs once its binlog client is connected (Debezium 3.x) */
const STREAMING = /Connected to binlog at|Starting streaming|Waiting for keepalive thread to start/;

const script = (): string => join(repoRoot(), 'bench', 'peers', 'debezium', 'connect.sh');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** after.committed_at of a create event (MicroTimestamp: µs since the epoch of the DATETIME read as UTC). */
function debeziumCommitTime(value: Buffer): number | null {
  const v = JSON.parse(value.toString('utf8')) as { op?: string; after?: { committed_at?: number } | null };
  return v.op === 'c' && typeof v.after?.committed_at === 'number' ? v.after.committed_at : null;
}

class DebeziumSession implements ToolSession {
  private readonly dir = mkdtempSync(join(tmpdir(), 'sluice-bench-dbz-stream-'));
  private readonly prefix = `sluice-bench-dbzs-${randomUUID().slice(0, 8)}`;
  private pid = 0;
  /** length of connect.log when the current start began (a restart appends to the same log) */
  private logFrom = 0;

  constructor(
    private readonly admin: Admin,
    private readonly db: string,
    private readonly tables: readonly string[],
  ) {}

  topic(table: string): string {
    return `${this.prefix}.${this.db}.${table}`;
  }

  private runDir(): string {
    return join(this.dir, 'run');
  }

  private async env(): Promise<NodeJS.ProcessEnv> {
    return {
      ...process.env,
      DBZ_PREFIX: this.prefix,
      DBZ_SERVER_ID: String(7000 + Math.floor(Math.random() * 1000)),
      DBZ_REST_PORT: String(await freePort()),
      DBZ_DB: this.db,
      DBZ_TABLES: this.tables.map((t) => `${this.db}.${t}`).join(','),
      DBZ_SNAPSHOT_MODE: 'no_data',
      DBZ_MYSQL_USER: DEBEZIUM_USER.user,
      DBZ_MYSQL_PASSWORD: DEBEZIUM_USER.password,
      SLUICE_MYSQL_PORT: String(MYSQL.port),
      SLUICE_KAFKA_PORT: KAFKA.plaintext.split(':')[1]!,
    };
  }

  private log(): string {
    try {
      return readFileSync(join(this.runDir(), 'connect.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async prepare(): Promise<void> {
    for (const t of this.tables) await createObservedTopic(this.admin, this.topic(t), PARTITIONS);
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: this.prefix, numPartitions: 1, replicationFactor: 1 },
        { topic: `${this.prefix}.schema-history`, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] },
      ],
    });
    await this.start();
    const deadline = Date.now() + 180_000;
    while (!this.following()) {
      if (/ERROR .*(Task threw|Failed to create connector)/.test(this.log())) throw new Error(`the Debezium connector failed at start:\n${this.logTail()}`);
      if (Date.now() > deadline) throw new Error(`the Debezium connector did not start following the binlog in 180 s:\n${this.logTail()}`);
      await sleep(200);
    }
    await this.stop();
    const offsets = join(this.runDir(), 'connect.offsets');
    if (!existsSync(offsets) || statSync(offsets).size === 0) throw new Error(`Connect kept no offsets in ${offsets} after a graceful stop: the restart would take a new snapshot position`);
  }

  async start(): Promise<number> {
    this.logFrom = this.log().length;
    const { stdout } = await run('bash', [script(), 'start', this.runDir()], { env: await this.env() });
    this.pid = Number(stdout.trim().split('\n').pop());
    if (!this.pid) throw new Error(`connect.sh start printed no pid: ${stdout}`);
    return this.pid;
  }

  following(): boolean {
    return STREAMING.test(this.log().slice(this.logFrom));
  }

  async stop(): Promise<void> {
    if (!this.pid) return;
    await run('bash', [script(), 'stop', this.runDir()], { env: await this.env() });
    this.pid = 0;
    if (/ERROR .*(Task threw|Failed to create connector)/.test(this.log())) throw new Error(`the Debezium connector logged a task failure:\n${this.logTail()}`);
  }

  async cleanup(): Promise<void> {
    await this.stop().catch(() => undefined);
    await this.admin.deleteTopics({ topics: [...this.tables.map((t) => this.topic(t)), this.prefix, `${this.prefix}.schema-history`] }).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  logTail(): string {
    return this.log().split('\n').slice(-30).join('\n');
  }
}

export function debeziumTool(admin: Admin): StreamingTool {
  return {
    name: 'debezium',
    session: (db, tables) => new DebeziumSession(admin, db, tables),
    commitTime: debeziumCommitTime,
    describe: () => ({
      versions: { debezium: DEBEZIUM_VERSION, 'kafka-connect': CONNECT_VERSION },
      settings: { ...DEBEZIUM_SETTINGS, snapshotMode: 'no_data (schema + binlog position), then streaming; a restart resumes from the offsets file', format: 'JSON without schemas' },
    }),
  };
}
