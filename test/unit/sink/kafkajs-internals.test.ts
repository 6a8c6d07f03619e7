import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { createCluster, decodeProduceResponse, errorFromCode, PRODUCE_API_KEY } from '../../../src/sink/kafka/kafkajs-internals.js';

// The sink depends on these kafkajs internals; an upgrade that moves one must fail here, not in production.
test('the kafkajs internals the sink uses are where it expects them', async () => {
  const kafka = new kafkajs.Kafka({ brokers: ['127.0.0.1:1'], logLevel: kafkajs.logLevel.NOTHING });
  const cluster = createCluster(kafka, { maxInFlightRequests: null });
  for (const m of ['connect', 'disconnect', 'refreshMetadata', 'refreshMetadataIfNecessary', 'addMultipleTargetTopics', 'removeBroker', 'findLeaderForPartitions', 'findBroker', 'findControllerBroker', 'isConnected'] as const) {
    assert.equal(typeof cluster[m], 'function', m);
  }
  assert.equal(PRODUCE_API_KEY, 0);
  assert.equal(errorFromCode(46).type, 'DUPLICATE_SEQUENCE_NUMBER');
  assert.equal(errorFromCode(10).type, 'MESSAGE_TOO_LARGE');
  // A Produce v7 response: one topic, one partition, error 0, base offset 42, log append time -1, log start offset 0, throttle 0.
  const raw = Buffer.alloc(4 + 2 + 1 + 4 + 4 + 2 + 8 + 8 + 8 + 4);
  let at = raw.writeInt32BE(1, 0);
  at = raw.writeInt16BE(1, at);
  at += raw.write('t', at);
  at = raw.writeInt32BE(1, at);
  at = raw.writeInt32BE(2, at);
  at = raw.writeInt16BE(0, at);
  at = raw.writeBigInt64BE(42n, at);
  at = raw.writeBigInt64BE(-1n, at);
  at = raw.writeBigInt64BE(0n, at);
  raw.writeInt32BE(0, at);
  const res = await decodeProduceResponse(raw);
  assert.deepEqual(res.topics.map((t) => [t.topicName, t.partitions.map((p) => [p.partition, p.errorCode, p.baseOffset])]), [['t', [[2, 0, '42']]]]);
});
