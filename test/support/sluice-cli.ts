/**
 * Running sluice the way a user does: a job YAML in a temporary folder and `node bin/sluice.js <command>` as a
 * child process. Also reads a whole topic back (every partition up to its end offset) for comparison.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { stringify } from 'yaml';
import { registerLz4Codec } from '../../src/sink/kafka/lz4-codec.js';
import { parseCheckpoint, type Checkpoint } from '../../src/state/checkpoint.js';
import { KAFKA, type DbService } from './services.js';

export const SLUICE_BIN = new URL('../../../bin/sluice.js', import.meta.url).pathname;

export interface JobFileOptions {
  svc: DbService;
  topic: string;
  objects: Array<Record<string, unknown>>;
  partitioning: 'partition0' | 'table-hash' | 'key-hash';
  /** snapshot: parallelism, chunkRows, maxRowsPerSecond */
  snapshot?: Record<string, number>;
  extra?: Record<string, unknown>;
}

export interface JobFile {
  dir: string;
  path: string;
  stateDir: string;
}

/** Writes a job file (sluice as the DTS-grant user, createTopics on) and a state folder in a new temp dir. */
export function writeJobFile(o: JobFileOptions): JobFile {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-snap-'));
  written.push(dir);
  const stateDir = join(dir, 'state');
  const job = {
    source: { host: o.svc.host, port: o.svc.port, user: o.svc.sluice.user, password: o.svc.sluice.password, serverId: 6000 + Math.floor(Math.random() * 1000), connectTimeoutMs: 5000 },
    target: { brokers: [KAFKA.plaintext], topic: o.topic, createTopics: true, connectTimeoutMs: 5000 },
    objects: o.objects,
    partitioning: o.partitioning,
    state: { dir: stateDir },
    ...(o.snapshot ? { snapshot: o.snapshot } : {}),
    ...o.extra,
  };
  const path = join(dir, 'job.yaml');
  writeFileSync(path, stringify(job));
  return { dir, path, stateDir };
}

/** Temp folders of the job files written by this test process, removed by removeJobFiles. */
const written: string[] = [];

/** Removes the temp folders (job files and state) of every job file written so far. */
export function removeJobFiles(): void {
  for (const dir of written.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `sluice <args>`; `done` resolves when it exits (any way). */
export function spawnSluice(args: string[]): { child: ChildProcess; done: Promise<RunResult> } {
  const child = spawn(process.execPath, [SLUICE_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<RunResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/**
 * Runs `sluice run <job> --snapshot-only` to the end and returns its output; rejects on a non-zero exit, and
 * kills it and rejects when it runs longer than `timeoutMs` (a hang fails the test instead of stalling it).
 */
export async function runSnapshotCli(job: JobFile, timeoutMs = 180_000): Promise<RunResult> {
  const { child, done } = spawnSluice(['run', job.path, '--snapshot-only']);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const r = await done.finally(() => clearTimeout(timer));
  if (r.code !== 0) throw new Error(`sluice run ${r.signal === 'SIGKILL' ? `did not finish within ${timeoutMs} ms` : `exited ${r.code ?? r.signal}`}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The job's checkpoint file, or null while there is none (or it cannot be read at this instant). */
export function readCheckpoint(stateDir: string): Checkpoint | null {
  let text: string;
  try {
    text = readFileSync(join(stateDir, 'checkpoint.json'), 'utf8');
  } catch {
    return null;
  }
  const r = parseCheckpoint(text);
  return r.ok ? r.checkpoint : null;
}

export interface TopicRecord {
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer;
}

export function kafkaClient(): kafkajs.Kafka {
  registerLz4Codec();
  return new kafkajs.Kafka({ brokers: [KAFKA.plaintext], clientId: `snapshot-test-${randomUUID().slice(0, 6)}`, logLevel: kafkajs.logLevel.NOTHING });
}

/** A unique topic name for one run. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The number of partitions of a topic. */
export async function partitionCount(topic: string): Promise<number> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    return md.topics[0]?.partitions.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every record of `topic`, read from the beginning up to each partition's end offset as it is when called
 * (the writer has finished), in partition order. Fails if the end is not reached within `timeoutMs`.
 */
export async function readWholeTopic(topic: string, timeoutMs = 120_000): Promise<TopicRecord[]> {
  const kafka = kafkaClient();
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  const out: TopicRecord[] = [];
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  if (remaining.size === 0) return out;
  const consumer = kafka.consumer({ groupId: `snapshot-test-${randomUUID()}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 16 << 20, maxBytes: 64 << 20 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const high = ends.get(batch.partition) ?? 0n;
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset >= high) break;
          out.push({ partition: batch.partition, offset, key: m.key, value: m.value as Buffer });
          if (offset === high - 1n) remaining.delete(batch.partition);
        }
        if (remaining.size === 0) finish();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reading ${topic}: partitions ${[...remaining].join(',')} not read to their end within ${timeoutMs} ms (${out.length} records so far)`)), timeoutMs);
    });
    try {
      await Promise.race([finished, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** How many records the topic holds (the sum over partitions of end minus start offsets). */
export async function topicSize(topic: string): Promise<number> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(BigInt(o.high) - BigInt(o.low)), 0);
  } finally {
    await admin.disconnect();
  }
}
