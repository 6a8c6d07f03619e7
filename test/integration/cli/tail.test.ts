// `sluice tail` reads DTS Avro records written by a test producer to the real Kafka service, over the
// PLAINTEXT listener and over SASL/SCRAM, and prints them as JSON lines.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { buildRowRecord, compileTableMapper, encodeRecord, type DtsValue } from '../../../src/format/dts-avro/index.js';
import type { TableSchema } from '../../../src/model/table.js';
import { registerLz4Codec } from '../../../src/sink/kafka/lz4-codec.js';
import { KAFKA } from '../../support/services.js';

const topic = `sluice-tail-${randomUUID().slice(0, 8)}`;
const bin = new URL('../../../../bin/sluice.js', import.meta.url).pathname;

const schema: TableSchema = {
  db: 'shop',
  table: 'orders',
  version: 1,
  primaryKey: ['id'],
  uniqueKeys: [],
  columns: [
    { name: 'id', ordinal: 0, typeCode: 8, dataType: 'bigint', columnType: 'bigint', unsigned: false, nullable: false, precision: 19, scale: 0, charset: null, collation: null },
    { name: 'note', ordinal: 1, typeCode: 15, dataType: 'varchar', columnType: 'varchar(20)', unsigned: false, nullable: true, precision: null, scale: null, charset: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci' },
  ],
};

function record(id: number, note: string | null): Buffer {
  const mapper = compileTableMapper(schema);
  const after: DtsValue[] = [
    { kind: 'Integer', precision: 8, value: String(id) },
    note === null ? null : { kind: 'Character', charset: 'utf8mb4', value: Buffer.from(note) },
  ];
  return encodeRecord(
    buildRowRecord(mapper, 'INSERT', { id, sourceTimestamp: 1700000000, sourcePosition: '100@3', safeSourcePosition: '50@3', sourceTxid: '0', serverVersion: '9.5.0', threadId: 7, serverId: 12, readerThroughoutTime: 0 }, null, after),
  );
}

before(async () => {
  registerLz4Codec();
  const kafka = new kafkajs.Kafka({ brokers: [KAFKA.plaintext], logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic,
    compression: kafkajs.CompressionTypes.LZ4,
    messages: [
      { partition: 0, key: '["1"]', value: record(1, 'first 😀') },
      { partition: 1, key: '["2"]', value: record(2, null) },
      { partition: 0, key: '["3"]', value: record(3, 'third') },
    ],
  });
  await producer.disconnect();
});

async function tail(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Array<Record<string, unknown>>> {
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'tail', '--topic', topic, '--from-beginning', '--idle', '8', ...args], { env: { ...process.env, ...env } });
  return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('tail prints each record decoded, as JSON lines', async () => {
  const lines = await tail(['--brokers', KAFKA.plaintext, '--max', '3']);
  assert.equal(lines.length, 3);
  const byId = new Map(lines.map((l) => [String(l.id), l]));
  const first = byId.get('1')!;
  assert.equal(first.operation, 'INSERT');
  assert.equal(first.objectName, 'shop.orders');
  assert.equal(first.key, '["1"]');
  assert.equal(first.sourcePosition, '100@3');
  assert.deepEqual(first.after, { id: '1', note: 'first 😀' });
  assert.deepEqual(byId.get('2')!.after, { id: '2', note: null });
});

test('tail --partition reads one partition, --raw prints the union form', async () => {
  const lines = await tail(['--brokers', KAFKA.plaintext, '--partition', '0', '--max', '2', '--raw']);
  assert.deepEqual(lines.map((l) => l.partition), [0, 0]);
  assert.deepEqual(lines.map((l) => String(l.id)), ['1', '3']);
  assert.match(JSON.stringify(lines[0]), /Integer|Character/);
});

test('tail over SASL/SCRAM-SHA-256 and SHA-512 with the password from the environment', async () => {
  for (const user of [KAFKA.scram256, KAFKA.scram512]) {
    const lines = await tail(['--brokers', KAFKA.sasl, '--sasl', user.mechanism, '--username', user.username, '--password-env', 'TAIL_PW', '--max', '3'], { TAIL_PW: user.password });
    assert.equal(lines.length, 3, user.mechanism);
  }
});

test('tail of a missing topic says so in one line and exits 1', async () => {
  await assert.rejects(
    promisify(execFile)(process.execPath, [bin, 'tail', '--brokers', KAFKA.plaintext, '--topic', 'sluice-no-such-topic-x', '--max', '1']),
    (e: { code: number; stderr: string }) => e.code === 1 && /topic 'sluice-no-such-topic-x' does not exist/.test(e.stderr) && e.stderr.trim().split('\n').length === 1,
  );
});

test('tail --idle without --from-beginning ends on an idle topic (it waited forever)', async () => {
  const started = Date.now();
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'tail', '--topic', topic, '--brokers', KAFKA.plaintext, '--idle', '2'], { timeout: 60_000 });
  assert.equal(stdout.trim(), '', 'no new record was written, so nothing is printed');
  assert.ok(Date.now() - started < 30_000, `it ended after ${Date.now() - started} ms`);
});
