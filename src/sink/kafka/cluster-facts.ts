import kafkajs, { type Admin } from 'kafkajs';
import type { TargetConfig } from '../../config/index.js';
import { fetchApiVersions, supportsIdempotence } from './api-versions.js';
import { kafkaClient } from './client.js';
import { explainKafkaError } from './explain-error.js';
import type { TargetError } from '../../errors.js';

// kafkajs is CommonJS: its enums come through the default export under Node's ESM loader.
const { ConfigResourceTypes } = kafkajs;

export interface TopicFacts {
  name: string;
  exists: boolean;
  partitions: number;
  /** the topic's max.message.bytes (falls back to the broker's message.max.bytes) */
  maxMessageBytes?: number;
  /** each partition's end offset, read only for the topics asked for with `withEnds` */
  ends?: Map<number, bigint>;
}

export type ClusterFacts =
  | { ok: false; error: TargetError }
  | {
      ok: true;
      brokers: number;
      controller: number | null;
      idempotence: boolean | 'unknown';
      apiVersionsError?: string;
      brokerMaxMessageBytes?: number;
      topics: TopicFacts[];
    };

async function brokerMaxMessageBytes(admin: Admin, nodeId: number): Promise<number | undefined> {
  const res = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.BROKER, name: String(nodeId), configNames: ['message.max.bytes'] }],
  });
  const v = res.resources[0]?.configEntries.find((c) => c.configName === 'message.max.bytes')?.configValue;
  return v ? Number(v) : undefined;
}

async function topicMaxMessageBytes(admin: Admin, topics: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (topics.length === 0) return out;
  const res = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['max.message.bytes'] })),
  });
  for (const r of res.resources) {
    const v = r.configEntries.find((c) => c.configName === 'max.message.bytes')?.configValue;
    if (v) out.set(r.resourceName, Number(v));
  }
  return out;
}

/**
 * Connects to the target, checks authentication, and reads what precheck needs about the named topics (and
 * the end offsets of those in `withEnds` that exist: the topics a job's checkpoint says it wrote to).
 */
export async function readClusterFacts(cfg: TargetConfig, topicNames: readonly string[], withEnds: readonly string[] = []): Promise<ClusterFacts> {
  const admin = kafkaClient(cfg, { retries: 1, requestTimeoutMs: cfg.connectTimeoutMs, clientIdSuffix: 'precheck' }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    let idempotence: boolean | 'unknown' = 'unknown';
    let apiVersionsError: string | undefined;
    try {
      idempotence = supportsIdempotence(await fetchApiVersions(cfg.brokers[0] as string, cfg.tls, cfg.connectTimeoutMs));
    } catch (e) {
      apiVersionsError = (e as Error).message;
    }
    const existing = new Set(await admin.listTopics());
    const present = topicNames.filter((t) => existing.has(t));
    const meta = present.length ? await admin.fetchTopicMetadata({ topics: present }) : { topics: [] };
    const partitions = new Map(meta.topics.map((t) => [t.name, t.partitions.length]));
    const firstBroker = cluster.brokers[0]?.nodeId;
    const [brokerMax, topicMax, ends] = await Promise.all([
      firstBroker === undefined ? Promise.resolve(undefined) : brokerMaxMessageBytes(admin, firstBroker).catch(() => undefined),
      topicMaxMessageBytes(admin, present).catch(() => new Map<string, number>()),
      Promise.all(
        withEnds.filter((t) => existing.has(t)).map(async (t) => [t, new Map((await admin.fetchTopicOffsets(t)).map((o) => [o.partition, BigInt(o.high)]))] as const),
      ).then((pairs) => new Map(pairs)),
    ]);
    const facts: ClusterFacts = {
      ok: true,
      brokers: cluster.brokers.length,
      controller: cluster.controller,
      idempotence,
      topics: topicNames.map((name) => {
        const t: TopicFacts = { name, exists: existing.has(name), partitions: partitions.get(name) ?? 0 };
        const max = topicMax.get(name) ?? brokerMax;
        if (max !== undefined) t.maxMessageBytes = max;
        const e = ends.get(name);
        if (e) t.ends = e;
        return t;
      }),
    };
    if (apiVersionsError !== undefined) facts.apiVersionsError = apiVersionsError;
    if (brokerMax !== undefined) facts.brokerMaxMessageBytes = brokerMax;
    return facts;
  } catch (e) {
    return { ok: false, error: explainKafkaError(cfg, e) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
