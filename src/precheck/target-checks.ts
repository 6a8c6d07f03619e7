import type { JobConfig } from '../config/index.js';
import type { TopicWrites } from '../model/topic-writes.js';
import type { ClusterFacts } from '../sink/kafka/cluster-facts.js';
import { writtenTopicFault } from '../sink/kafka/topic-history.js';
import { fail, pass, skip, warn, type CheckResult } from './check.js';

/** The topic every rule writes to, and the partition count asked for it (for creation). */
export function plannedTopics(job: JobConfig): Map<string, number> {
  const topics = new Map<string, number>();
  for (const r of job.objects) {
    const t = r.topic ?? job.target.topic;
    topics.set(t, Math.max(topics.get(t) ?? 1, r.partitions ?? 1));
  }
  return topics;
}

/**
 * `written`: what the job's checkpoint records as acknowledged per topic. A topic the job wrote to that is
 * gone, or whose partitions end before what Kafka acknowledged (deleted and created again), FAILs with the
 * sentence `sluice run` stops with: precheck must not promise to create a topic run will refuse to recreate.
 */
export function targetChecks(job: JobConfig, facts: ClusterFacts, written: TopicWrites = {}): CheckResult[] {
  const planned = plannedTopics(job);
  const auth = job.target.sasl ? ` as ${job.target.sasl.username} (${job.target.sasl.mechanism.toUpperCase()})` : '';
  if (!facts.ok) {
    return [
      fail('target.connect', `Connect to Kafka${auth}`, facts.error.message, 'See the detail; precheck skipped the other Kafka checks.'),
      skip('target.idempotence', 'Broker supports idempotent producer', 'not checked: Kafka unreachable'),
      skip('target.topics', 'Topics exist', 'not checked: Kafka unreachable'),
    ];
  }
  const out: CheckResult[] = [
    pass('target.connect', `Connect to Kafka${auth}`, `${facts.brokers} broker(s), controller ${facts.controller ?? 'unknown'}`),
  ];
  if (facts.idempotence === true) {
    out.push(pass('target.idempotence', 'Broker supports idempotent producer', 'InitProducerId and Produce v3+ (Kafka 0.11 or later)'));
  } else if (facts.idempotence === false) {
    out.push(fail('target.idempotence', 'Broker supports idempotent producer', 'the broker predates Kafka 0.11 (no InitProducerId)', 'Upgrade the Kafka cluster to 0.11 or later; sluice writes with the idempotent producer so retries never duplicate or reorder.'));
  } else {
    out.push(warn('target.idempotence', 'Broker supports idempotent producer', `could not ask the broker its API versions (${facts.apiVersionsError ?? 'no answer'})`, 'Make sure the brokers run Kafka 0.11 or later.'));
  }
  for (const t of facts.topics) {
    const want = planned.get(t.name) ?? 1;
    const title = `Topic ${t.name}`;
    const acked = written[t.name];
    const fault = acked ? writtenTopicFault(t.name, acked, t.exists ? (t.ends ?? new Map()) : null, job.state.dir) : null;
    if (fault) {
      out.push(fail(`target.topic.${t.name}`, title, fault.message, "Restore the topic, or run 'sluice run <job> --resnapshot' to start the job over into a new topic."));
      continue;
    }
    // a topic only the checkpoint names (the job file no longer does) is reported only when it is wrong
    if (!planned.has(t.name)) continue;
    if (!t.exists) {
      out.push(
        job.target.createTopics
          ? pass(`target.topic.${t.name}`, title, `missing; sluice will create it with ${want} partition(s) (target.createTopics: true)`)
          : fail(`target.topic.${t.name}`, title, `topic ${t.name} does not exist and target.createTopics is false`, `Create it (kafka-topics.sh --create --topic ${t.name} --partitions ${want}) or set target.createTopics: true.`),
      );
      continue;
    }
    const asked = job.objects.some((r) => (r.topic ?? job.target.topic) === t.name && r.partitions !== undefined && r.partitions !== t.partitions);
    out.push(
      asked
        ? warn(`target.topic.${t.name}`, title, `exists with ${t.partitions} partition(s); objects ask for ${want}, which applies only when sluice creates the topic`, 'Remove partitions from the object, or change the topic yourself before the first run (changing it later moves keys).')
        : pass(`target.topic.${t.name}`, title, `exists with ${t.partitions} partition(s)${t.maxMessageBytes ? `, max message ${t.maxMessageBytes} bytes` : ''}`),
    );
  }
  return out;
}
