/**
 * sluice as the streaming workloads run it: a job file with one object (and one topic) per table, job
 * defaults otherwise (lz4, 2 worker threads, producer batchBytes 1 MiB, linger 5 ms, table-hash partitioning).
 * prepare = `sluice run job.yaml --snapshot-only` over the still empty tables (schema records + the binlog
 * position in the checkpoint); start = `sluice run job.yaml --skip-precheck`, which resumes from that
 * checkpoint and follows the binlog until SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { parseRecord } from '../../src/format/dts-avro/decode.js';
import type { DtsDateTime } from '../../src/format/dts-avro/types.js';
import { repoRoot, versions } from '../lib/results.js';
import { createObservedTopic } from '../lib/topic-observer.js';
import { KAFKA, MYSQL } from '../../test/support/services.js';
import type { StreamingTool, ToolSession } from './tool.js';

const PARTITIONS = 3;

/** committed_at of an INSERT's after image (DTS DateTime, micros in `millis` as DTS fills it), epoch µs. */
function dtsCommitTime(value: Buffer): number | null {
  const r = parseRecord(value);
  if (r.operation !== 'INSERT' || !Array.isArray(r.afterImages) || !Array.isArray(r.fields)) return null;
  const i = r.fields.findIndex((f) => f.name === 'committed_at');
  const v = r.afterImages[i] as DtsDateTime | undefined;
  if (!v || v.kind !== 'DateTime') return null;
  return Date.UTC(v.year!, v.month! - 1, v.day!, v.hour!, v.minute!, v.second!) * 1000 + (v.millis ?? 0);
}

class SluiceSession implements ToolSession {
  private readonly dir = mkdtempSync(join(tmpdir(), 'sluice-bench-stream-'));
  private readonly id = randomUUID().slice(0, 8);
  private child: ChildProcess | null = null;
  private stderr = '';

  constructor(
    private readonly admin: Admin,
    private readonly sluiceDir: string,
    private readonly db: string,
    private readonly tables: readonly string[],
  ) {}

  topic(table: string): string {
    return `sluice-bench-stream-${table}-${this.id}`;
  }

  private jobFile(): string {
    return join(this.dir, 'job.yaml');
  }

  async prepare(): Promise<void> {
    for (const t of this.tables) await createObservedTopic(this.admin, this.topic(t), PARTITIONS);
    const job = {
      source: { host: MYSQL.host, port: MYSQL.port, user: MYSQL.sluice.user, password: MYSQL.sluice.password, serverId: 6100 + Math.floor(Math.random() * 800) },
      target: { brokers: [KAFKA.plaintext], topic: this.topic(this.tables[0]!), clientId: 'sluice-bench' },
      objects: this.tables.map((t) => ({ name: `${this.db}.${t}`, topic: this.topic(t), partitions: PARTITIONS })),
      state: { dir: join(this.dir, 'state') },
      producer: { compression: 'lz4' },
    };
    // JSON is YAML
    writeFileSync(this.jobFile(), JSON.stringify(job, null, 2));
    await this.runToExit(['--snapshot-only', '--skip-precheck']);
  }

  private runToExit(flags: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const c = spawn(process.execPath, [join(this.sluiceDir, 'bin', 'sluice.js'), 'run', this.jobFile(), ...flags], { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      c.on('error', reject);
      c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`sluice run ${flags.join(' ')} exited with ${code}:\n${err.slice(-3000)}`))));
    });
  }

  async start(): Promise<number> {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const c = spawn(process.execPath, [join(this.sluiceDir, 'bin', 'sluice.js'), 'run', this.jobFile(), '--skip-precheck'], { cwd: this.dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = c;
    this.stderr = '';
    c.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-20_000);
    });
    if (!c.pid) throw new Error('sluice did not start');
    return c.pid;
  }

  following(): boolean {
    return this.stderr.includes('following the binlog from');
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<number | null>((r) => c.once('close', (code) => r(code)));
    c.kill('SIGTERM');
    const kill = setTimeout(() => c.kill('SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(kill);
    this.child = null;
    if (code !== 0) throw new Error(`sluice exited with ${code} after SIGTERM:\n${this.stderr.slice(-3000)}`);
  }

  async cleanup(): Promise<void> {
    await this.stop().catch(() => undefined);
    await this.admin.deleteTopics({ topics: this.tables.map((t) => this.topic(t)) }).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  logTail(): string {
    return this.stderr.slice(-3000);
  }
}

export function sluiceTool(admin: Admin, sluiceDir: string, commit: string): StreamingTool {
  return {
    name: 'sluice',
    session: (db, tables) => new SluiceSession(admin, sluiceDir, db, tables),
    commitTime: dtsCommitTime,
    describe: () => ({
      versions: { ...versions(['@vlasky/zongji', 'kafkajs', 'lz4', 'piscina', 'avsc']), commit, sluiceDir: sluiceDir === repoRoot() ? 'this checkout' : `clean export of ${commit} in ${sluiceDir}` },
      settings: {
        job: 'one object and topic per table; job defaults: workers.threads 2, producer batchBytes 1 MiB, linger 5 ms, maxInFlight 5, lz4, partitioning table-hash (all of a table on one partition, as DTS does), heartbeat 1 s',
        command: 'sluice run job.yaml --snapshot-only (empty tables: position + schema), then sluice run job.yaml --skip-precheck until SIGTERM',
        format: 'DTS Avro',
      },
    }),
  };
}
