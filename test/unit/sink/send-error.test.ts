import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifySendError } from '../../../src/sink/kafka/send-error.js';

function kafkaError(name: string, props: Record<string, unknown> = {}, originalError?: unknown): Error {
  return Object.assign(new Error(String(props.message ?? name)), { name, originalError, ...props });
}

test('protocol errors map to what the sink does about them', () => {
  assert.equal(classifySendError(kafkaError('KafkaJSProtocolError', { type: 'MESSAGE_TOO_LARGE', retriable: false })), 'too-large');
  assert.equal(classifySendError(kafkaError('KafkaJSProtocolError', { type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true })), 'unknown-topic');
  assert.equal(classifySendError(kafkaError('KafkaJSProtocolError', { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER', retriable: false })), 'reset');
  assert.equal(classifySendError(kafkaError('KafkaJSProtocolError', { type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false })), 'permanent');
  assert.equal(classifySendError(kafkaError('KafkaJSProtocolError', { type: 'NOT_LEADER_OR_FOLLOWER', retriable: true })), 'transient');
  assert.equal(classifySendError(kafkaError('KafkaJSSASLAuthenticationError')), 'permanent');
});

test('a broker that is down is transient, also when wrapped by kafkajs\' retrier', () => {
  const refused = kafkaError('KafkaJSConnectionError', { message: 'Connection error: connect ECONNREFUSED 127.0.0.1:19092', code: 'ECONNREFUSED' });
  assert.equal(classifySendError(refused), 'transient');
  assert.equal(classifySendError(kafkaError('KafkaJSNumberOfRetriesAttempted', { retriable: false }, refused)), 'transient');
  assert.equal(classifySendError(kafkaError('KafkaJSNumberOfRetriesAttempted', {}, kafkaError('KafkaJSProtocolError', { type: 'MESSAGE_TOO_LARGE' }))), 'too-large');
  assert.equal(classifySendError(kafkaError('KafkaJSRequestTimeoutError')), 'transient');
});

test('an unknown non-retriable error stops the sink rather than looping', () => {
  assert.equal(classifySendError(new Error('something odd')), 'permanent');
  assert.equal(classifySendError('a string'), 'permanent');
});
