/**
 * Issue 7, "every binlog event decoded or refused": events a session can write whose rows sluice cannot know
 * stop the job with one sentence naming the kind, the position and the fix, instead of being skipped — on
 * MariaDB and MySQL, with real server events: a row change logged as a statement (SET SESSION
 * binlog_format=STATEMENT) and row images without every column (SET SESSION binlog_row_image=MINIMAL). The
 * checkpoint stays before the refused transaction, so nothing after it counts as delivered.
 * (Event type codes no server defines are refused by the gate: test/unit/binlog/event-gate.test.ts.)
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { runIncremental } from '../../../src/pipeline/job/run-incremental.js';
import { SourceError } from '../../../src/errors.js';
import { DATABASES, MYSQL, type DbService } from '../../support/services.js';
import { requireService } from '../../support/db.js';
import { readRecords, setUp, type ExtraTable } from './binlog-harness.js';
import { captureBinlogPosition } from '../../../src/source/binlog/capture-position.js';

const DOC: ExtraTable = { ddl: 'CREATE TABLE doc (id INT PRIMARY KEY, j JSON)', object: { table: 'doc' } };

async function refused(t: TestContext, svc: DbService, name: string, sessionSql: string, statement: string, expect: RegExp): Promise<void> {
  await requireService(svc);
  const s = await setUp(svc, name, svc.flavor === 'mysql' ? [DOC] : []);
  // stops the job when the test ends early (a failed assertion, a lost server), so the file cannot hang
  const ac = new AbortController();
  try {
    const run = runIncremental({ job: s.job, model: s.model, partitions: s.partitions, checkpoint: s.checkpoint, store: s.store, log: () => undefined, signal: ac.signal });
    await s.root.query(`USE ${s.db}`);
    await s.root.query("INSERT INTO acct VALUES (1, 'before', 1.00, 1, 'kept', NULL)");
    if (svc.flavor === 'mysql') await s.root.query(`INSERT INTO doc VALUES (1, '{"a": [1, 2, 3], "b": "${'x'.repeat(200)}"}')`);
    const at = await captureBinlogPosition(s.root, s.model.dialect);
    await s.root.query(sessionSql);
    await s.root.query(`BEGIN; ${statement}; COMMIT`);
    const err = await Promise.race([
      run.then(
        () => null,
        (e: unknown) => e,
      ),
      new Promise<Error>((r) => setTimeout(() => r(new Error('the job did not stop within 45 s')), 45_000).unref()),
    ]);
    assert.ok(err instanceof SourceError, `the job stopped with a SourceError (got ${String(err)})`);
    t.diagnostic(err.message);
    assert.match(err.message, expect);
    const where = /ending at (\S+):(\d+) \(transaction from (\S+):(\d+)\)/.exec(err.message);
    assert.ok(where, 'the sentence names the position');
    assert.equal(where[3], at.file);
    assert.equal(Number(where[4]), at.pos, 'the refused transaction starts where the server was before it');
    const cp = await s.store.load();
    assert.ok(cp?.binlog && (cp.binlog.file < at.file || (cp.binlog.file === at.file && cp.binlog.pos <= at.pos)), `checkpoint ${cp?.binlog?.file}:${cp?.binlog?.pos} stays before the refused transaction`);
    const recs = await readRecords(s);
    assert.deepEqual(recs.filter((r) => r.table === 'acct').map((r) => `${r.op} ${r.after?.owner ?? r.before?.owner}`), ['INSERT before'], 'only the changes before it reached Kafka');
    assert.ok(recs.every((r) => r.op === 'INSERT'), 'nothing of the refused transaction reached Kafka');
  } finally {
    ac.abort();
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

for (const svc of DATABASES) {
  test(`binlog on ${svc.name}: a row change logged as a statement (session binlog_format=STATEMENT) stops the job naming it, its position and the fix`, { timeout: 60_000 }, (t) =>
    refused(t, svc, 'evt_stmt', "SET SESSION binlog_format = 'STATEMENT'", "UPDATE acct SET owner = 'stmt' WHERE id = 1", /logged as a statement \(UPDATE acct.*binlog_format=ROW/),
  );
  test(`binlog on ${svc.name}: rows without every column (session binlog_row_image=MINIMAL) stop the job instead of writing NULLs`, { timeout: 60_000 }, (t) =>
    refused(t, svc, 'evt_minimal', "SET SESSION binlog_row_image = 'MINIMAL'", "UPDATE acct SET owner = 'minimal' WHERE id = 1", /leave columns out.*binlog_row_image=FULL/),
  );
}

test('binlog on mysql: a partial JSON update without the document in its before image (session binlog_row_image=MINIMAL, PARTIAL_JSON) stops the job naming the row image setting', { timeout: 60_000 }, (t) =>
  refused(t, MYSQL, 'evt_pjmin', "SET SESSION binlog_row_image = 'MINIMAL', SESSION binlog_row_value_options = 'PARTIAL_JSON'", "UPDATE doc SET j = JSON_SET(j, '$.a[1]', 42) WHERE id = 1", /rows of bl_evt_pjmin_mysql\.doc .*leave columns out.*binlog_row_image=FULL/),
);
