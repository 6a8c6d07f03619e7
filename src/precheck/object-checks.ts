import type { JobConfig } from '../config/index.js';
import type { TableSchema } from '../model/table.js';
import type { ClusterFacts } from '../sink/kafka/cluster-facts.js';
import { maxRowBytes } from '../source/mysql/row-size.js';
import type { ObjectSelection } from '../transform/object-select.js';
import { fail, pass, warn, type CheckResult } from './check.js';

/** Room a DTS record needs beyond its row images (header, fields list, tags), generously rounded. */
const RECORD_OVERHEAD_BYTES = 4096;

function existenceChecks(sel: ObjectSelection): CheckResult[] {
  const out: CheckResult[] = [];
  for (const u of sel.unmatched) {
    const id = `objects.exist.${u.ruleIndex}`;
    const title = `objects[${u.ruleIndex}] ${u.pattern}`;
    if (u.views.length) {
      out.push(fail(id, title, `${u.views.join(', ')} ${u.views.length > 1 ? 'are views' : 'is a view'}; views are never synced`, 'Sync the base tables behind the view instead.'));
    } else if (u.exact) {
      out.push(fail(id, title, `table ${u.pattern} does not exist (or the account cannot see it)`, 'Fix the name in objects, create the table, or GRANT SELECT on it.'));
    } else {
      out.push(warn(id, title, `pattern ${u.pattern} matches no table now`, 'Tables created later that match it will be synced from their CREATE; fix the pattern if that is not intended.'));
    }
  }
  if (sel.unmatched.length === 0) out.push(pass('objects.exist', 'Tables exist', `${sel.objects.length} table(s) selected`));
  return out;
}

function keyChecks(schemas: readonly TableSchema[]): CheckResult {
  const keyless = schemas.filter((s) => s.primaryKey.length === 0 && s.uniqueKeys.length === 0).map((s) => `${s.db}.${s.table}`);
  if (keyless.length === 0) return pass('objects.keys', 'Primary or unique key', 'every table has one');
  return warn('objects.keys', 'Primary or unique key', `no primary or unique key: ${keyless.join(', ')}; its snapshot is one sequential read and a replay after a failure may duplicate rows`, 'Add a primary key if consumers need exactly one copy of each row.');
}

function partitionKeyChecks(job: JobConfig, sel: ObjectSelection, schemas: ReadonlyMap<string, TableSchema>): CheckResult[] {
  const out: CheckResult[] = [];
  for (const o of sel.objects) {
    if (!o.partitionKey) continue;
    const s = schemas.get(`${o.db}.${o.table}`);
    if (!s) continue;
    const names = new Set(s.columns.map((c) => c.name.toLowerCase()));
    const missing = o.partitionKey.filter((k) => !names.has(k.toLowerCase()));
    const id = `objects.partition_key.${o.db}.${o.table}`;
    const title = `Partition key of ${o.db}.${o.table}`;
    if (missing.length) {
      out.push(fail(id, title, `column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not in ${o.db}.${o.table} (columns: ${s.columns.map((c) => c.name).join(', ')})`, `Fix objects[${o.ruleIndex}].partitionKey.`));
    } else if (job.partitioning !== 'key-hash') {
      out.push(warn(id, title, `partitionKey is set but partitioning is ${job.partitioning}, so it is not used`, 'Set partitioning: key-hash or remove partitionKey.'));
    } else {
      out.push(pass(id, title, o.partitionKey.join(', ')));
    }
  }
  return out;
}

function rowSizeChecks(schemas: readonly TableSchema[], sel: ObjectSelection, cluster: ClusterFacts | null, maxAllowedPacket: number): CheckResult[] {
  if (!cluster?.ok) return [];
  const out: CheckResult[] = [];
  const byTopic = new Map(cluster.topics.map((t) => [t.name, t.maxMessageBytes ?? cluster.brokerMaxMessageBytes]));
  for (const s of schemas) {
    const topic = sel.objects.find((o) => o.db === s.db && o.table === s.table)?.topic;
    const limit = topic ? byTopic.get(topic) ?? cluster.brokerMaxMessageBytes : cluster.brokerMaxMessageBytes;
    if (!limit) continue;
    const { bytes, widest } = maxRowBytes(s);
    // No row can exceed max_allowed_packet; an UPDATE record carries the row twice (before and after images).
    const worst = 2 * Math.min(bytes, maxAllowedPacket) + RECORD_OVERHEAD_BYTES;
    if (worst > limit) {
      out.push(warn(`objects.row_size.${s.db}.${s.table}`, `Largest row of ${s.db}.${s.table}`, `column ${widest} allows rows so large that an UPDATE record could exceed the ${limit} bytes topic ${topic ?? ''} accepts; such a record stops the job`, `If rows that large exist, raise max.message.bytes on the topic (and the broker's message.max.bytes).`));
    }
  }
  if (out.length === 0 && schemas.length) out.push(pass('objects.row_size', 'Largest row vs max message size', 'every table\'s largest possible record fits'));
  return out;
}

export function objectChecks(
  job: JobConfig,
  sel: ObjectSelection,
  schemas: readonly TableSchema[],
  cluster: ClusterFacts | null,
  filterChecks: CheckResult[],
  maxAllowedPacket = 64 << 20,
): CheckResult[] {
  const bySchema = new Map(schemas.map((s) => [`${s.db}.${s.table}`, s]));
  return [
    ...existenceChecks(sel),
    ...(schemas.length ? [keyChecks(schemas)] : []),
    ...filterChecks,
    ...partitionKeyChecks(job, sel, bySchema),
    ...rowSizeChecks(schemas, sel, cluster, maxAllowedPacket),
  ];
}
