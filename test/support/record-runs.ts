import type { RecordRun } from '../../src/sink/kafka/record-batch.js';

export interface RunRecord {
  key: Buffer | null;
  value: Buffer;
  /** the record's timestamp (ms) */
  timestamp: number;
}

/** The records runs of EncodedBatches cover, in order, as views over the batch bytes. */
export function recordsOfRuns(runs: readonly RecordRun[]): RunRecord[] {
  const out: RunRecord[] = [];
  for (const r of runs) {
    const { bytes, index, timestamps } = r.batch;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = r.from; i < r.from + r.count; i++) {
      const kl = index[i * 4 + 1]!;
      out.push({
        key: kl < 0 ? null : buf.subarray(index[i * 4]!, index[i * 4]! + kl),
        value: buf.subarray(index[i * 4 + 2]!, index[i * 4 + 2]! + index[i * 4 + 3]!),
        timestamp: timestamps.length === 1 ? timestamps[0]! : timestamps[i]!,
      });
    }
  }
  return out;
}
