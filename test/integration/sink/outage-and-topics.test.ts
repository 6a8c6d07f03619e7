// Kafka going away under load, and topics: the sink rides out a broker it cannot reach (simulated at the
// socket, so the shared test broker keeps serving other tests) without losing or reordering a record;
// ensureTopics refuses or creates topics as target.createTopics says; a partition-count change is noticed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import kafkajs, { type Admin, type ISocketFactory } from 'kafkajs';
import { KafkaSink } from '../../../src/sink/kafka/kafka-sink.js';
import { ensureTopics, checkPartitionCounts, watchPartitionCounts } from '../../../src/sink/kafka/topics.js';
import { TargetError } from '../../../src/errors.js';
import { KAFKA } from '../../support/services.js';
import { batchOf, client, consumeAll, createTopic, plaintextTarget, topicName } from './kafka-helpers.js';

const { Kafka, logLevel } = kafkajs;
let admin: Admin;
const created: string[] = [];

before(async () => {
  admin = client().admin();
  await admin.connect();
});

after(async () => {
  if (created.length) await admin.deleteTopics({ topics: created }).catch(() => undefined);
  await admin.disconnect();
});

/** A socket factory with a switch: while `down`, live sockets are cut and new ones go nowhere. */
function faultySockets(): { factory: ISocketFactory; setDown(down: boolean): void } {
  const live = new Set<Socket>();
  let down = false;
  const factory: ISocketFactory = ({ host, port, onConnect }) => {
    // port 1 on loopback: nothing listens, so the connect is refused at once, as with a stopped broker
    const s = down ? connect({ host: '127.0.0.1', port: 1 }, onConnect) : connect({ host, port }, onConnect);
    live.add(s);
    s.on('close', () => live.delete(s));
    return s;
  };
  return {
    factory,
    setDown(d: boolean) {
      down = d;
      if (d) for (const s of live) s.destroy(new Error('connect ECONNREFUSED (simulated outage)'));
    },
  };
}

test('the broker unreachable for 3 s under load: every record arrives, in order per partition, after the outage', async () => {
  const t = topicName('outage');
  await createTopic(admin, t, 3);
  created.push(t);
  const net = faultySockets();
  const kafka = new Kafka({ clientId: 'sluice-sink-outage', brokers: [KAFKA.plaintext], logLevel: logLevel.NOTHING, connectionTimeout: 1000, requestTimeout: 5000, socketFactory: net.factory, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 } });
  const sink = await KafkaSink.connect(plaintextTarget(), {
    producer: { batchBytes: 64 * 1024, lingerMs: 2, compression: 'lz4', maxInFlight: 5 },
    client: kafka,
    retry: { initialMs: 100, maxMs: 500 },
  });
  let seq = 0;
  const write = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      await sink.write(batchOf(t, i % 3, seq, 200));
      seq += 200;
    }
  };
  await write(15);
  net.setDown(true);
  const downAt = Date.now();
  await write(15); // queued while the broker is away
  await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (Date.now() - downAt))));
  assert.ok(sink.stats.retries > 0, 'sends failed and were retried during the outage');
  assert.ok(sink.stats.recordsAcked < seq, 'not everything could be acknowledged while down');
  net.setDown(false);
  await write(15);
  await sink.flush();
  assert.equal(sink.stats.recordsAcked, seq);
  await sink.close();

  const got = await consumeAll(t, seq);
  const seen = new Set<number>();
  const last = [-1, -1, -1];
  for (const r of got) {
    const s = Number(/^\["(\d+)"\]$/.exec(r.key!.toString())![1]);
    if (seen.has(s)) continue; // at-least-once allows a resend; order of first arrivals is what must hold
    seen.add(s);
    assert.ok(s > last[r.partition]!, `record ${s} after ${last[r.partition]} in partition ${r.partition}`);
    last[r.partition] = s;
  }
  assert.equal(seen.size, seq, 'no record lost');
  assert.equal(got.length, seq, 'the idempotent producer deduplicated the resends');
});

test('ensureTopics: a missing topic without createTopics is the one-sentence TargetError; with it, the topic is created', async () => {
  const existing = topicName('exists');
  await createTopic(admin, existing, 2);
  created.push(existing);
  const missing = topicName('create-me');
  await assert.rejects(ensureTopics(admin, new Map([[existing, 1], [missing, 4]]), false), (e: unknown) => {
    assert.ok(e instanceof TargetError);
    assert.equal(e.message, `Kafka topic '${missing}' does not exist and auto-creation is off: create it or set target.createTopics: true.`);
    return true;
  });
  const counts = await ensureTopics(admin, new Map([[existing, 1], [missing, 4]]), true);
  created.push(missing);
  assert.equal(counts.get(existing), 2, 'an existing topic keeps its own count');
  assert.equal(counts.get(missing), 4, 'a created topic gets the configured count');
});

test('a partition count changed under a running job is detected', async () => {
  const t = topicName('grow');
  await createTopic(admin, t, 2);
  created.push(t);
  const expected = await ensureTopics(admin, new Map([[t, 2]]), false);
  assert.deepEqual(await checkPartitionCounts(admin, expected), []);
  const seen = new Promise<TargetError>((resolve) => {
    const stop = watchPartitionCounts(admin, expected, (e) => {
      stop();
      resolve(e);
    }, 200);
  });
  await admin.createPartitions({ topicPartitions: [{ topic: t, count: 3 }] });
  const e = await seen;
  assert.match(e.message, new RegExp(`topic '${t}' changed from 2 to 3 partitions`));
});
