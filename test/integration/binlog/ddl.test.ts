/**
 * Issue 6 (first step of issue 7): an ALTER TABLE on a selected table while sluice follows the binlog —
 * rows written after it carry the new column and the next metaVersion; rows before it keep the old structure.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecord } from '../../../src/format/dts-avro/index.js';
import { runIncremental } from '../../../src/pipeline/job/run-incremental.js';
import { readTopic } from '../../../src/sink/kafka/read-topic.js';
import { DATABASES, type DbService } from '../../support/services.js';
import { setUp, waitForCheckpoint } from './binlog-harness.js';
import { requireService } from '../../support/db.js';

async function alterMidStream(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const s = await setUp(svc, 'ddl');
  const ac = new AbortController();
  try {
    const run = runIncremental({ job: s.job, model: s.model, partitions: s.partitions, checkpoint: s.checkpoint, store: s.store, log: () => undefined, signal: ac.signal });
    await s.root.query(`USE ${s.db}; INSERT INTO acct VALUES (1, 'a', 1.00, 1, NULL, NULL)`);
    await s.root.query(`ALTER TABLE acct ADD COLUMN extra INT NULL DEFAULT 7`);
    await s.root.query(`INSERT INTO acct (id, owner, balance) VALUES (2, 'b', 2.00); UPDATE acct SET extra = 8 WHERE id = 1`);
    await waitForCheckpoint(s);
    ac.abort();
    await run;
    const recs: Array<{ op: string; meta: string | undefined; after: Record<string, string | null> | null }> = [];
    await readTopic(s.job.target, { topic: s.topic, from: 'earliest', idleMs: 2000 }, (m) => {
      if (!m.value) return;
      const d = decodeRecord(m.value);
      if (d.objectName?.endsWith('.acct')) recs.push({ op: d.operation, meta: d.tags.metaVersion, after: d.after });
    });
    recs.sort((a, b) => Number(a.after?.id) - Number(b.after?.id) || (a.op < b.op ? -1 : 1));
    const first = recs.find((r) => r.op === 'INSERT' && r.after?.id === '1');
    const second = recs.find((r) => r.op === 'INSERT' && r.after?.id === '2');
    const update = recs.find((r) => r.op === 'UPDATE');
    assert.ok(first && second && update, JSON.stringify(recs));
    assert.equal('extra' in (first.after ?? {}), false, 'a row written before the ALTER has the old columns');
    assert.equal(first.meta, '1');
    assert.equal(second.after?.extra, '7');
    assert.equal(second.meta, '2');
    assert.equal(update.after?.extra, '8');
  } finally {
    ac.abort();
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

for (const svc of DATABASES) {
  test(`binlog on ${svc.name}: rows after an ALTER TABLE carry the new column and the next metaVersion`, { timeout: 60_000 }, (t) => alterMidStream(t, svc));
}
