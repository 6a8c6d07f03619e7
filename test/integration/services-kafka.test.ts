// Checks the test Kafka broker started by scripts/kafka.sh: PLAINTEXT admin/produce/consume, SASL/SCRAM-SHA-256 and
// SCRAM-SHA-512 logins (and a wrong password refused), and the broker settings the other tests rely on.
// Needs the broker: `bash scripts/kafka.sh start`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Admin, KafkaConfig, SASLOptions } from 'kafkajs';
import { KAFKA } from '../support/services.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

function client(brokers: string, sasl?: SASLOptions): InstanceType<typeof Kafka> {
  const config: KafkaConfig = {
    clientId: 'sluice-services-test',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 2, initialRetryTime: 200 },
  };
  if (sasl) config.sasl = sasl;
  return new Kafka(config);
}

const topic = `sluice-services-${randomUUID()}`;
let admin: Admin;

before(async () => {
  admin = client(KAFKA.plaintext).admin();
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`no Kafka broker at ${KAFKA.plaintext} (start it with: bash scripts/kafka.sh start): ${String(err)}`);
  }
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  assert.equal(created, true);
});

after(async () => {
  if (!admin) return;
  try {
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
});

test('the broker is a single KRaft node with the settings tests rely on', async () => {
  const cluster = await admin.describeCluster();
  assert.equal(cluster.brokers.length, 1);
  assert.equal(cluster.brokers[0]!.host, '127.0.0.1');
  const id = String(cluster.brokers[0]!.nodeId);
  const res = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      {
        type: ConfigResourceTypes.BROKER,
        name: id,
        configNames: ['auto.create.topics.enable', 'message.max.bytes', 'num.partitions', 'offsets.topic.replication.factor'],
      },
    ],
  });
  const entries = new Map(res.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
  assert.equal(entries.get('auto.create.topics.enable'), 'false');
  assert.equal(entries.get('num.partitions'), '1');
  assert.equal(entries.get('offsets.topic.replication.factor'), '1');
  // Kafka's default, about 1 MB; sluice's own limits are tested against it.
  assert.equal(entries.get('message.max.bytes'), '1048588');

  const topics = await admin.listTopics();
  assert.ok(topics.includes(topic), `created topic ${topic} listed`);
});

test('a topic that does not exist is not auto-created', async () => {
  const missing = `sluice-missing-${randomUUID()}`;
  const producer = client(KAFKA.plaintext).producer({ allowAutoTopicCreation: true, retry: { retries: 1 } });
  await producer.connect();
  try {
    await assert.rejects(producer.send({ topic: missing, messages: [{ value: 'x' }] }));
  } finally {
    await producer.disconnect();
  }
  assert.ok(!(await admin.listTopics()).includes(missing));
});

test('produce and consume over PLAINTEXT', async () => {
  const kafka = client(KAFKA.plaintext);
  const producer = kafka.producer();
  await producer.connect();
  const value = `hello ${randomUUID()}`;
  const [meta] = await producer.send({ topic, messages: [{ key: 'k1', value }] });
  await producer.disconnect();
  assert.equal(meta!.errorCode, 0);

  const consumer = kafka.consumer({ groupId: `sluice-services-${randomUUID()}`, sessionTimeout: 10000, heartbeatInterval: 1000 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const got = await new Promise<{ key: string; value: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message consumed within 30 s')), 30000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolve({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
          },
        })
        .catch(reject);
    });
    assert.deepEqual(got, { key: 'k1', value });
  } finally {
    await consumer.disconnect();
  }
});

for (const user of [KAFKA.scram256, KAFKA.scram512]) {
  test(`SASL_PLAINTEXT with ${user.mechanism}: login, metadata, produce`, async () => {
    const kafka = client(KAFKA.sasl, { mechanism: user.mechanism, username: user.username, password: user.password });
    const saslAdmin = kafka.admin();
    await saslAdmin.connect();
    try {
      assert.ok((await saslAdmin.listTopics()).includes(topic));
    } finally {
      await saslAdmin.disconnect();
    }
    const producer = kafka.producer();
    await producer.connect();
    try {
      const [meta] = await producer.send({ topic, messages: [{ value: `via ${user.mechanism}` }] });
      assert.equal(meta!.errorCode, 0);
    } finally {
      await producer.disconnect();
    }
  });

  test(`SASL_PLAINTEXT with ${user.mechanism}: a wrong password is refused`, async () => {
    const kafka = client(KAFKA.sasl, { mechanism: user.mechanism, username: user.username, password: `${user.password}-wrong` });
    const bad = kafka.admin();
    await assert.rejects(bad.connect(), (err: Error) => {
      assert.equal(err.name, 'KafkaJSSASLAuthenticationError', `${err.name}: ${err.message}`);
      return true;
    });
    await bad.disconnect();
  });
}
