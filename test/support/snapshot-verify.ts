/**
 * Checks a snapshot topic against the source: the decoded INIT records of each table equal the server's own
 * rendering of its rows (value by value, in count and content, the filter applied by the server), every
 * record sits in the partition DESIGN §4 names with the key it names, and schema init wrote one DDL record
 * per table holding its SHOW CREATE TABLE.
 */
import assert from 'node:assert/strict';
import { decodeRecord, dtsPosition, type DecodedRecord } from '../../src/format/dts-avro/index.js';
import type { Checkpoint } from '../../src/state/checkpoint.js';
import { javaStringHashCode, partitionFor } from '../../src/transform/index.js';
import type { ServerRow, TableShape } from './snapshot-tables.js';
import type { TopicRecord } from './sluice-cli.js';

export interface ExpectedTable {
  db: string;
  shape: TableShape;
  /** the source rows (the filter applied by the server) */
  rows: ServerRow[];
  /** SHOW CREATE TABLE */
  createTable: string;
}

export interface VerifyOptions {
  partitioning: 'partition0' | 'table-hash' | 'key-hash';
  partitions: number;
  tables: ExpectedTable[];
  checkpoint: Checkpoint;
}

export interface DecodedMessage {
  record: TopicRecord;
  decoded: DecodedRecord;
}

export const IDS_PER_CHUNK = 2 ** 32;

export function decodeAll(records: readonly TopicRecord[], tables: readonly ExpectedTable[]): DecodedMessage[] {
  const fsp: Record<string, number> = {};
  for (const t of tables) Object.assign(fsp, t.shape.fsp);
  return records.map((record) => ({ record, decoded: decodeRecord(record.value, { fsp }) }));
}

function partitionOf(s: string, n: number): number {
  return partitionFor(javaStringHashCode(s), n);
}

/** One row's values as a comparable string (DOUBLE columns as numbers). */
function canonical(shape: TableShape, values: readonly (string | null)[]): string {
  return JSON.stringify(values.map((v, i) => (v !== null && shape.doubles.includes(shape.columns[i] as string) ? Number(v) : v)));
}

/**
 * A key column's DTS image text (DESIGN §4) from the server's rendering: what the server prints, except that
 * temporal fractions lose their trailing zeros (the image text does not know the column's precision).
 */
function keyText(shape: TableShape, ordinal: number, v: string | null): string | null {
  if (v === null || !((shape.columns[ordinal] as string) in shape.fsp)) return v;
  return v.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

function assertRowEqual(shape: TableShape, got: readonly (string | null)[], want: ServerRow, what: string): void {
  shape.columns.forEach((c, i) => {
    const g = got[i] ?? null;
    const w = want[i] ?? null;
    if (g !== null && w !== null && shape.doubles.includes(c)) assert.equal(Number(g), Number(w), `${what} ${c}: ${g} vs ${w}`);
    else assert.equal(g, w, `${what} ${c}`);
  });
}

/** The id ranges of the checkpoint's chunk plan, per `db.table`. */
export function chunkRanges(cp: Checkpoint): Map<string, Array<{ chunk: string; first: number; end: number }>> {
  const out = new Map<string, Array<{ chunk: string; first: number; end: number }>>();
  for (const c of cp.snapshot?.chunks ?? []) {
    const list = out.get(c.table) ?? [];
    list.push({ chunk: c.chunk, first: Number(c.firstId), end: Number(c.firstId) + IDS_PER_CHUNK });
    out.set(c.table, list);
  }
  return out;
}

/** The chunk whose reserved id range holds `id`, or null. */
export function chunkOfId(ranges: ReadonlyMap<string, Array<{ chunk: string; first: number; end: number }>>, table: string, id: number): string | null {
  for (const r of ranges.get(table) ?? []) if (id >= r.first && id < r.end) return r.chunk;
  return null;
}

export function verifySnapshotTopic(messages: readonly DecodedMessage[], o: VerifyOptions): void {
  const cp = o.checkpoint;
  assert.ok(cp.snapshot, 'the checkpoint holds a snapshot');
  assert.equal(cp.snapshot.finished, true, 'the checkpoint says the snapshot finished');
  const position = dtsPosition(cp.snapshot.binlogStart.file, cp.snapshot.binlogStart.pos);
  const ranges = chunkRanges(cp);
  const ids = new Set<number>();

  // schema init: one DDL record per table, text = SHOW CREATE TABLE, routed as DDL is (DESIGN §4)
  const ddl = messages.filter((m) => m.decoded.operation === 'DDL');
  assert.equal(ddl.length, o.tables.length, 'one DDL record per table');
  for (const t of o.tables) {
    const found = ddl.filter((m) => m.decoded.ddl === t.createTable);
    assert.equal(found.length, 1, `one DDL record with SHOW CREATE TABLE of ${t.db}.${t.shape.table}`);
    const m = found[0] as DecodedMessage;
    assert.equal(m.decoded.objectName, t.db, 'a DDL record names the database');
    assert.equal(m.decoded.fields, null);
    assert.equal(m.record.key?.toString('utf8'), t.db, 'a DDL record is keyed by its database');
    const want = o.partitioning === 'table-hash' ? partitionOf(`${t.db}.${t.shape.table}`, o.partitions) : 0;
    assert.equal(m.record.partition, want, `partition of the DDL record of ${t.shape.table}`);
    assert.equal(m.decoded.sourcePosition, position);
    ids.add(m.decoded.id);
  }

  const byTable = new Map<string, DecodedMessage[]>();
  for (const m of messages) {
    if (m.decoded.operation === 'DDL') continue;
    assert.equal(m.decoded.operation, 'INIT', 'full-data records are INIT');
    const list = byTable.get(m.decoded.objectName ?? '') ?? [];
    list.push(m);
    byTable.set(m.decoded.objectName ?? '', list);
  }
  assert.deepEqual([...byTable.keys()].sort(), o.tables.filter((t) => t.rows.length > 0).map((t) => `${t.db}.${t.shape.table}`).sort(), 'INIT records of exactly the synced tables');

  for (const t of o.tables) {
    const name = `${t.db}.${t.shape.table}`;
    const got = byTable.get(name) ?? [];
    const shape = t.shape;
    assert.equal(got.length, t.rows.length, `${name}: as many INIT records as source rows`);
    const tablePartition = partitionOf(name, o.partitions);
    const keyOrdinals = shape.key.map((k) => shape.columns.indexOf(k));
    const expectedByKey = new Map<string, ServerRow>();
    if (shape.key.length) for (const r of t.rows) expectedByKey.set(JSON.stringify(keyOrdinals.map((i) => r[i] ?? null)), r);
    const unkeyed = new Map<string, number>();
    if (!shape.key.length) for (const r of t.rows) unkeyed.set(canonical(shape, r), (unkeyed.get(canonical(shape, r)) ?? 0) + 1);

    for (const m of got) {
      const d = m.decoded;
      assert.deepEqual(d.fields?.map((f) => f.name), shape.columns, `${name}: fields`);
      assert.equal(d.sourcePosition, position, `${name}: INIT records carry the position captured before the snapshot`);
      assert.ok(!ids.has(d.id), `${name}: record id ${d.id} is unique`);
      ids.add(d.id);
      assert.ok(chunkOfId(ranges, name, d.id) !== null, `${name}: id ${d.id} lies in one of the table's reserved chunk ranges`);
      const after = d.after;
      assert.ok(after, `${name}: INIT carries an after image`);
      assert.equal(d.before, null);
      const values = shape.columns.map((c) => after[c] ?? null);
      if (shape.key.length) {
        const key = JSON.stringify(keyOrdinals.map((i) => values[i] ?? null));
        const want = expectedByKey.get(key);
        assert.ok(want, `${name}: record with key ${key} is a source row (and appears once)`);
        expectedByKey.delete(key);
        assertRowEqual(shape, values, want, `${name} ${key}`);
        const messageKey = JSON.stringify(keyOrdinals.map((i) => keyText(shape, i, want[i] ?? null)));
        assert.equal(m.record.key?.toString('utf8'), messageKey, `${name}: message key`);
        const partition = o.partitioning === 'key-hash' ? partitionOf(messageKey, o.partitions) : o.partitioning === 'table-hash' ? tablePartition : 0;
        assert.equal(m.record.partition, partition, `${name} ${key}: partition`);
      } else {
        const c = canonical(shape, values);
        const left = unkeyed.get(c) ?? 0;
        assert.ok(left > 0, `${name}: row ${c} is a source row (no more copies than the source holds)`);
        unkeyed.set(c, left - 1);
        assert.equal(m.record.key, null, `${name}: a table without a key has no message key`);
        assert.equal(m.record.partition, o.partitioning === 'table-hash' ? tablePartition : 0, `${name}: partition`);
      }
    }
    if (shape.key.length) assert.equal(expectedByKey.size, 0, `${name}: every source row arrived`);
  }
}
