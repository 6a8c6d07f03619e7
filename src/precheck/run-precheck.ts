import type { JobConfig } from '../config/index.js';
import { isUserError, TargetError } from '../errors.js';
import type { TableSchema } from '../model/table.js';
import type { TopicWrites } from '../model/topic-writes.js';
import { readClusterFacts, type ClusterFacts } from '../sink/kafka/cluster-facts.js';
import { openStateStore } from '../state/index.js';
import { openConnection } from '../source/mysql/connect.js';
import { readReplicas, type ReplicaListing } from '../source/mysql/replica-list.js';
import { readServerFacts, type ServerFacts } from '../source/mysql/server-facts.js';
import { listTables, loadTableSchemas } from '../source/mysql/table-schema.js';
import { selectObjects, type ObjectSelection } from '../transform/object-select.js';
import { fail, pass, skip, withTimeout, type CheckResult } from './check.js';
import { filterChecks } from './filter-checks.js';
import { objectChecks } from './object-checks.js';
import { serverIdCheck } from './server-id-check.js';
import { sourceChecks } from './source-checks.js';
import { plannedTopics, targetChecks } from './target-checks.js';

export interface PrecheckReport {
  job: string;
  checks: CheckResult[];
  /** true when nothing FAILed */
  ok: boolean;
  elapsedMs: number;
}

type SourceStage =
  | { ok: true; facts: ServerFacts; replicas: ReplicaListing; selection: ObjectSelection; schemas: TableSchema[] }
  | { ok: false; check: CheckResult };

function message(e: unknown): string {
  return isUserError(e) ? e.message : e instanceof Error ? e.message : String(e);
}

async function sourceStage(job: JobConfig, timeoutMs: number): Promise<SourceStage> {
  const title = `Connect to MySQL as ${job.source.user}`;
  let conn;
  try {
    conn = await withTimeout(openConnection(job.source), timeoutMs, `connecting to ${job.source.host}:${job.source.port}`);
  } catch (e) {
    return { ok: false, check: fail('source.connect', title, message(e), 'See the detail; precheck skipped the other source checks.') };
  }
  try {
    const [facts, tables] = await withTimeout(Promise.all([readServerFacts(conn), listTables(conn)]), timeoutMs, 'reading the source server settings');
    const replicas = await withTimeout(readReplicas(conn, facts.dialect.version), timeoutMs, 'listing the source\'s replicas');
    const selection = selectObjects(job.objects, tables, job.target.topic);
    const schemas = await withTimeout(loadTableSchemas(conn, selection.objects), timeoutMs, 'reading the table structures');
    return { ok: true, facts, replicas, selection, schemas };
  } catch (e) {
    if (isUserError(e) && e.kind === 'config') throw e;
    return { ok: false, check: fail('source.read', 'Read the source server settings', message(e), 'Check the account\'s grants and the server log.') };
  } finally {
    conn.destroy();
  }
}

async function targetStage(job: JobConfig, timeoutMs: number, written: TopicWrites): Promise<ClusterFacts> {
  const names = [...new Set([...plannedTopics(job).keys(), ...Object.keys(written)])];
  try {
    return await withTimeout(readClusterFacts(job.target, names, Object.keys(written)), timeoutMs, `talking to Kafka at ${job.target.brokers.join(',')}`);
  } catch (e) {
    return { ok: false, error: new TargetError(`Kafka at ${job.target.brokers.join(',')} did not answer within ${timeoutMs} ms: check target.brokers and the listener's security settings (target.tls, target.sasl).`, { cause: e }) };
  }
}

/**
 * What the job's checkpoint says it wrote to Kafka, read only (precheck creates nothing, not even the state
 * directory); `resnapshot`: `sluice run --resnapshot` is about to set the checkpoint aside, so nothing counts.
 */
async function stateStage(job: JobConfig, resnapshot: boolean): Promise<{ written: TopicWrites; check?: CheckResult }> {
  if (resnapshot) return { written: {} };
  try {
    return { written: (await openStateStore(job).checkpoint.peek())?.topics ?? {} };
  } catch (e) {
    return { written: {}, check: fail('state.checkpoint', 'Read the job\'s checkpoint', message(e), 'See the detail.') };
  }
}

/** Runs every check of DESIGN §5; the source and target sides run concurrently, each bounded in time. */
export async function runPrecheck(job: JobConfig, opts: { timeoutMs?: number; resnapshot?: boolean } = {}): Promise<PrecheckReport> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? Math.max(job.source.connectTimeoutMs, job.target.connectTimeoutMs) + 5000;
  const state = await stateStage(job, opts.resnapshot === true);
  const [src, cluster] = await Promise.all([sourceStage(job, timeoutMs), targetStage(job, timeoutMs, state.written)]);
  const checks: CheckResult[] = [];
  if (state.check) checks.push(state.check);
  if (src.ok) {
    checks.push(pass('source.connect', `Connect to MySQL as ${job.source.user}`, `${job.source.host}:${job.source.port}${job.source.tls ? ' over TLS' : ''}`));
    checks.push(...sourceChecks(src.facts, src.selection.objects));
    const grantHint = src.facts.dialect.version.flavor === 'mariadb' ? 'GRANT REPLICATION MASTER ADMIN ON *.* TO the sync account' : 'GRANT REPLICATION SLAVE ON *.* TO the sync account';
    checks.push(serverIdCheck(job.source.serverId, src.replicas, grantHint));
    checks.push(...objectChecks(job, src.selection, src.schemas, cluster, filterChecks(src.selection, src.schemas), Number(src.facts.variables.get('max_allowed_packet') ?? 64 << 20)));
  } else {
    checks.push(src.check, skip('source.settings', 'Binlog settings, privileges, tables', 'not checked: the source is unreachable'));
  }
  checks.push(...targetChecks(job, cluster, state.written));
  return { job: job.file, checks, ok: !checks.some((c) => c.status === 'FAIL'), elapsedMs: Date.now() - started };
}
