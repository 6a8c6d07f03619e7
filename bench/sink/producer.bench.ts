/**
 * bench/sink: messages/s of sluice's Kafka sink for ~200-byte values with lz4, into a 1- and a 3-partition
 * topic on the local test broker (bash scripts/kafka.sh start). Batches are built before the clock starts,
 * so the figure is the sink alone: queueing, record batch building (record-batch.ts), lz4, the broker round trip, acks.
 * Run: npx tsc -p tsconfig.json && node dist/bench/sink/producer.bench.js [--records N] [--no-write]
 */
import { loadavg } from 'node:os';
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { appendResult, machine, median, versions, type BenchResult } from '../lib/results.js';
import { EncodedBatchBuilder, type EncodedBatch } from '../../src/model/encoded-batch.js';
import { KafkaSink, type ProducerSettings } from '../../src/sink/kafka/kafka-sink.js';
import { registerLz4Codec } from '../../src/sink/kafka/lz4-codec.js';
import type { TargetConfig } from '../../src/config/index.js';
import { KAFKA } from '../../test/support/services.js';

const { Kafka, logLevel } = kafkajs;
const args = process.argv.slice(2);
const RECORDS = Number(args[args.indexOf('--records') + 1] || 0) || 300_000;
const WRITE = !args.includes('--no-write');
const REPS = 3;
const PER_BATCH = 1000;
const VALUE_BYTES = 200;
const settings: ProducerSettings = { batchBytes: 1 << 20, lingerMs: 5, compression: 'lz4', maxInFlight: 5 };
const target: TargetConfig = { brokers: [KAFKA.plaintext], clientId: 'sluice-bench', topic: 'unused', createTopics: false, connectTimeoutMs: 5000 };

/** A value shaped like a DTS Avro record: some names and numbers, a little repetition (lz4 gets ~2-3x). */
function value(seq: number): Uint8Array {
  const b = Buffer.alloc(VALUE_BYTES);
  b.write(`\u0000\u0002${seq}shop.orders\u0006INSERT${(seq * 2654435761) % 1000003}customer-${seq % 5000}utf8mb4 2026-11-${(seq % 28) + 1} ${(seq * 7919) % 100000}.${seq % 100} PRIMARY id status=${['NEW', 'PAID', 'SHIPPED'][seq % 3]} `, 0);
  for (let i = 120; i < VALUE_BYTES; i++) b[i] = (seq * 31 + i * 17) & 0xff;
  return b;
}

function makeBatches(topic: string, partitions: number): EncodedBatch[] {
  const out: EncodedBatch[] = [];
  const builder = new EncodedBatchBuilder(PER_BATCH * (VALUE_BYTES + 16), PER_BATCH);
  for (let seq = 0, n = 0; seq < RECORDS; n++) {
    const count = Math.min(PER_BATCH, RECORDS - seq);
    const first = seq;
    for (let i = 0; i < count; i++, seq++) builder.add(Buffer.from(`["${seq}"]`), value(seq), 1_760_000_000_000 + seq);
    out.push({ topic, partition: n % partitions, firstSeq: first, lastSeq: seq - 1, ...builder.take(), endPosition: { kind: 'binlog', file: 'mysql-bin.000001', pos: seq, txBoundary: true } });
  }
  return out;
}

async function run(topic: string, batches: EncodedBatch[]): Promise<{ rate: number; mb: number; cpu: number; requests: number }> {
  let acked = 0;
  const sink = await KafkaSink.connect(target, { producer: settings, onAck: (b) => (acked += b.count) });
  const bytes = batches.reduce((s, b) => s + b.bytes.byteLength, 0);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await sink.writeMany(batches);
  await sink.flush();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  if (acked !== RECORDS) throw new Error(`acked ${acked} of ${RECORDS}`);
  const requests = sink.stats.requests;
  await sink.close();
  void topic;
  return { rate: RECORDS / s, mb: bytes / s / 1e6, cpu: (cpu.user + cpu.system) / 1e6 / (RECORDS / 1e6), requests };
}

async function main(): Promise<void> {
  registerLz4Codec();
  const admin = new Kafka({ clientId: 'sluice-bench', brokers: [KAFKA.plaintext], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics: string[] = [];
  try {
    for (const partitions of [1, 3]) {
      const runs: number[] = [];
      const mbs: number[] = [];
      const cpus: number[] = [];
      let requests = 0;
      for (let rep = 0; rep <= REPS; rep++) {
        // a fresh topic per run so each run appends to an empty log; run 0 warms up the JIT and connections
        const topic = `sluice-bench-sink-${partitions}p-${randomUUID().slice(0, 8)}`;
        topics.push(topic);
        await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
        const batches = makeBatches(topic, partitions);
        const r = await run(topic, batches);
        if (rep === 0) continue;
        runs.push(Math.round(r.rate));
        mbs.push(r.mb);
        cpus.push(r.cpu);
        requests = r.requests;
        console.log(`  ${partitions} partition(s) run ${rep}: ${Math.round(r.rate)} msgs/s, ${r.mb.toFixed(1)} MB/s, ${r.cpu.toFixed(2)} CPU s per 1M, ${r.requests} requests`);
      }
      const result: BenchResult = {
        workload: 'sink-produce',
        tool: 'sluice',
        at: new Date().toISOString(),
        machine: machine(),
        versions: versions(['kafkajs', 'lz4']),
        settings: { ...settings, partitions, records: RECORDS, valueBytes: VALUE_BYTES, recordsPerBatch: PER_BATCH, broker: 'local single-node KRaft 4.4.0', loadavg1m: Number(loadavg()[0]?.toFixed(2)), requestsPerRun: requests },
        rowsPerSec: median(runs),
        mbPerSec: Number(median(mbs).toFixed(1)),
        cpuSecondsPer1MRows: Number(median(cpus).toFixed(2)),
        runs,
      };
      console.log(`sink-produce ${partitions}p: ${result.rowsPerSec} msgs/s (median of ${REPS}), ${result.mbPerSec} MB/s of values+keys, ${result.cpuSecondsPer1MRows} CPU s per 1M`);
      if (WRITE) console.log(`  appended to ${appendResult(result)}`);
    }
  } finally {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  }
}

await main();
