import type { Admin } from 'kafkajs';
import { TargetError } from '../../errors.js';

/** The sentence for a topic that is not there and may not be created (DTS requires topics to exist). */
export function missingTopicError(topic: string, cause?: unknown): TargetError {
  return new TargetError(
    `Kafka topic '${topic}' does not exist and auto-creation is off: create it or set target.createTopics: true.`,
    cause === undefined ? undefined : { cause },
  );
}

async function partitionCounts(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (topics.length === 0) return out;
  const meta = await admin.fetchTopicMetadata({ topics: [...topics] });
  for (const t of meta.topics) out.set(t.name, t.partitions.length);
  return out;
}

/**
 * Makes sure every topic the job writes exists (DESIGN §4). `topics` maps a topic to the partition count to
 * create it with; that count is used only when sluice creates the topic. Returns each topic's actual
 * partition count, which is what routing must use (an existing topic keeps the count it has).
 */
export async function ensureTopics(admin: Admin, topics: ReadonlyMap<string, number>, createTopics: boolean): Promise<Map<string, number>> {
  const existing = new Set(await admin.listTopics());
  const missing = [...topics.keys()].filter((t) => !existing.has(t));
  if (missing.length > 0) {
    if (!createTopics) throw missingTopicError(missing[0] as string);
    try {
      await admin.createTopics({
        waitForLeaders: true,
        // replicationFactor -1: the broker's default.replication.factor, so a single-node test cluster and a
        // three-node production cluster both get what their operator configured.
        topics: missing.map((topic) => ({ topic, numPartitions: topics.get(topic) ?? 1, replicationFactor: -1 })),
      });
    } catch (e) {
      // Another sluice (or a person) may have created it between listTopics and createTopics.
      if ((e as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS' && !/already exists/i.test(String((e as Error).message))) {
        throw new TargetError(`Creating Kafka topic(s) ${missing.join(', ')} failed: ${(e as Error).message}; check the user's CREATE permission or create them by hand.`, { cause: e });
      }
    }
  }
  return missing.length > 0 ? settledPartitionCounts(admin, [...topics.keys()]) : partitionCounts(admin, [...topics.keys()]);
}

/** Metadata errors a broker answers for a few moments after it created a topic. */
const JUST_CREATED = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * The partition counts of topics just created: a broker may still answer "does not host this
 * topic-partition" for a moment after createTopics returned, so ask again for up to ~5 s.
 */
async function settledPartitionCounts(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await partitionCounts(admin, topics);
    } catch (e) {
      if (attempt >= 10 || !JUST_CREATED.has((e as { type?: string }).type ?? '')) throw e;
      await new Promise((r) => setTimeout(r, 100 * Math.min(attempt + 1, 8)));
    }
  }
}

/** A topic whose partition count is no longer what the job started with. */
export interface PartitionCountChange {
  topic: string;
  was: number;
  now: number;
}

/**
 * Re-reads the partition counts and reports the topics whose count changed. Routing hashes over the count
 * the job started with, so a change would silently move keys to other partitions and break per-key order:
 * the job stops instead (as DTS warns).
 */
export async function checkPartitionCounts(admin: Admin, expected: ReadonlyMap<string, number>): Promise<PartitionCountChange[]> {
  const now = await partitionCounts(admin, [...expected.keys()]);
  const changes: PartitionCountChange[] = [];
  for (const [topic, was] of expected) {
    const n = now.get(topic) ?? 0;
    if (n !== was) changes.push({ topic, was, now: n });
  }
  return changes;
}

export function partitionCountChangedError(c: PartitionCountChange): TargetError {
  return new TargetError(
    `Kafka topic '${c.topic}' changed from ${c.was} to ${c.now} partitions while the job ran, which would move keys to other partitions: restart the job (it re-reads the count) after deciding whether consumers can accept the re-partitioning.`,
  );
}

/**
 * Checks the partition counts every `intervalMs` and calls `onChange` with a TargetError once a count
 * changes (then stops checking). A failed check (broker briefly away) is skipped: the producer reports
 * outages itself. Returns a function that stops the watch.
 */
export function watchPartitionCounts(
  admin: Admin,
  expected: ReadonlyMap<string, number>,
  onChange: (error: TargetError, changes: PartitionCountChange[]) => void,
  intervalMs = 30_000,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    try {
      const changes = await checkPartitionCounts(admin, expected);
      if (stopped) return;
      if (changes.length > 0) {
        stopped = true;
        onChange(partitionCountChangedError(changes[0] as PartitionCountChange), changes);
        return;
      }
    } catch {
      // transient: try again next interval
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs).unref();
  };
  timer = setTimeout(() => void tick(), intervalMs).unref();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
