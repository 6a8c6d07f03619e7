/**
 * Positions are real on every source (issue 14): MariaDB ≥ 11.4 writes the events inside a transaction with
 * end_log_pos 0 (binlog_legacy_event_pos=OFF, its default), so a position taken from their headers would be
 * 0 or stale. On each server, sluice follows a workload; then, against the server's own SHOW BINLOG EVENTS:
 * every record's sourcePosition is the end of a rows event (each of a transaction's rows events its own),
 * its safeSourcePosition the start of the transaction's GTID event, and the checkpoint the end of a commit.
 * A second run resumes from that checkpoint by file:position alone (its GTID state dropped, so the server
 * must accept the offset itself), and the topic replayed by key equals the source with no change twice.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { decodeRecord } from '../../../src/format/dts-avro/index.js';
import { readTopic } from '../../../src/sink/kafka/read-topic.js';
import { updateCheckpoint } from '../../../src/state/checkpoint.js';
import { MARIADB, MARIADB118, MYSQL, MYSQL_MINIMAL, type DbService } from '../../support/services.js';
import { requireService } from '../../support/db.js';
import { differences, followUntilCheckpoint, replayTopic, setUp, sourceState, workload, type Setup } from './binlog-harness.js';

interface BinlogEventRow { file: string; start: number; end: number; type: string; info: string }

/**
 * Every event from `first` on (other tests write to the same servers, so the listing starts there, not at the
 * file's start), with its real end: the next event's start, or the file's size.
 */
async function serverEvents(s: Setup, first: { file: string; pos: number }): Promise<BinlogEventRow[]> {
  const [logs] = await s.root.query<RowDataPacket[]>('SHOW BINARY LOGS');
  const out: BinlogEventRow[] = [];
  for (const l of logs) {
    const file = String(l.Log_name);
    if (file < first.file) continue;
    const [evs] = await s.root.query<RowDataPacket[]>(`SHOW BINLOG EVENTS IN '${file}'${file === first.file ? ` FROM ${first.pos}` : ''}`);
    evs.forEach((e, i) => {
      const next = evs[i + 1];
      out.push({ file, start: Number(e.Pos), end: next ? Number(next.Pos) : Number(l.File_size), type: String(e.Event_type), info: String(e.Info ?? '') });
    });
  }
  return out;
}

function fileNumber(file: string): number {
  return Number(/(\d+)$/.exec(file)?.[1] ?? 0);
}

async function positions(t: TestContext, svc: DbService): Promise<void> {
  await requireService(svc);
  const s = await setUp(svc, 'pos', [], { db: 'svc_', topic: 'svc-' });
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  try {
    const start = s.checkpoint.snapshot!.binlogStart;
    await followUntilCheckpoint(s, s.checkpoint, log, () => workload(s.root, s.db, 14, 120), 500);
    const cp1 = await s.store.load();
    assert.ok(cp1?.binlog, 'run 1 saved a binlog checkpoint');

    // while sluice is down, then run 2 from the checkpoint's file:position only
    await workload(s.root, s.db, 15, 80);
    const byOffset = updateCheckpoint(cp1, { binlog: { ...cp1.binlog, gtidSet: null } });
    await followUntilCheckpoint(s, byOffset, log, () => workload(s.root, s.db, 16, 80));
    const cp2 = await s.store.load();

    const events = await serverEvents(s, start);
    const endingAt = new Map(events.map((e) => [`${e.end}@${fileNumber(e.file)}`, e]));
    const startingAt = new Map(events.map((e) => [`${e.start}@${fileNumber(e.file)}`, e]));

    const recs: { id: number; op: string; pos: string; safe: string }[] = [];
    await readTopic(s.job.target, { topic: s.topic, from: 'earliest', idleMs: 3000 }, (m) => {
      if (!m.value) return;
      const d = decodeRecord(m.value);
      if (['INSERT', 'UPDATE', 'DELETE'].includes(d.operation)) recs.push({ id: d.id, op: d.operation, pos: d.sourcePosition, safe: d.safeSourcePosition });
    });
    assert.ok(recs.length > 100, `the workload gave row records (${recs.length})`);
    const bad: string[] = [];
    for (const r of recs) {
      const ev = endingAt.get(r.pos);
      if (!ev || !/^(Write|Update|Delete)_rows/.test(ev.type)) bad.push(`id ${r.id} ${r.op}: sourcePosition ${r.pos} ends ${ev ? ev.type : 'no event'}`);
      const tx = startingAt.get(r.safe);
      if (!tx || !/Gtid/i.test(tx.type) || tx.type === 'Gtid_list') bad.push(`id ${r.id}: safeSourcePosition ${r.safe} starts ${tx ? tx.type : 'no event'}`);
    }
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} record position(s) are not where the server has the event`);
    // one rows event, one position: a transaction of several rows events has several distinct positions
    const perSafe = new Map<string, Set<string>>();
    for (const r of recs) perSafe.set(r.safe, (perSafe.get(r.safe) ?? new Set()).add(r.pos));
    assert.ok([...perSafe.values()].some((p) => p.size > 1), 'some transaction has rows events at distinct positions');

    for (const [name, cp] of [['run 1', cp1], ['run 2', cp2]] as const) {
      const b = cp!.binlog!;
      const ev = endingAt.get(`${b.pos}@${fileNumber(b.file)}`);
      assert.ok(ev && (ev.type === 'Xid' || ev.type === 'Query'), `${name} checkpoint ${b.file}:${b.pos} is the end of a commit (${ev?.type ?? 'no event'})`);
      // the server itself accepts the offset as an event boundary
      await s.root.query(`SHOW BINLOG EVENTS IN '${b.file}' FROM ${b.pos} LIMIT 1`);
    }

    const replayed = await replayTopic(s);
    const source = await sourceState(s);
    t.diagnostic(`${svc.name}: ${recs.length} row records, ${perSafe.size} transactions, checkpoint ${cp2!.binlog!.file}:${cp2!.binlog!.pos}`);
    assert.equal(replayed.duplicates, 0, 'the resume from the checkpoint sent no change twice');
    assert.deepEqual(replayed.orderViolations, [], 'ids increase within each partition');
    const diffs = differences(replayed, source);
    assert.deepEqual(diffs.slice(0, 20), [], `replaying the topic reproduces the source (${diffs.length} difference(s))`);
  } catch (e) {
    t.diagnostic(lines.join('\n'));
    throw e;
  } finally {
    await s.root.query(`DROP DATABASE IF EXISTS ${s.db}`).catch(() => undefined);
    await s.root.end();
  }
}

for (const svc of [MARIADB118, MARIADB, MYSQL, MYSQL_MINIMAL]) {
  test(`${svc.name}: every record's sourcePosition ends its rows event, the checkpoint ends a commit, and a resume from it by offset loses and repeats nothing`, { timeout: 180_000 }, (t) => positions(t, svc));
}
