/**
 * Issue 5, "Done when" (1): on MariaDB and on MySQL, three tables — SLUICE_SNAPSHOT_ROWS (default 200k) rows of
 * the standard 8-column shape, a composite-key table and a table without any key — go through
 * `sluice run <job> --snapshot-only` (spawned, as the DTS-grant user) into a 3-partition topic. The topic is
 * read back and every decoded record must equal the server's own rendering of the source row, in count and in
 * content, with the job's filter applied by the server itself; each record's partition and key are what
 * DESIGN §4 says. Two jobs per server: key-hash (filter on the big table) and table-hash (filter on the
 * composite-key table).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql, { type Connection } from 'mysql2/promise';
import { DATABASES, type DbService } from '../../support/services.js';
import { compositeShape, loadTable, noKeyShape, recreateDatabase, serverRows, showCreateTable, standardShape, type TableShape } from '../../support/snapshot-tables.js';
import { partitionCount, readCheckpoint, readWholeTopic, runSnapshotCli, uniqueTopic, removeJobFiles, writeJobFile } from '../../support/sluice-cli.js';
import { decodeAll, verifySnapshotTopic, type ExpectedTable } from '../../support/snapshot-verify.js';
import { requireService } from '../../support/db.js';

const ROWS = Number(process.env.SLUICE_SNAPSHOT_ROWS ?? 200_000);
const COMPOSITE_ROWS = 50_000;
const NOKEY_ROWS = 5_000;
/** small enough that every keyed table is split into several chunks */
const CHUNK_ROWS = 20_000;
const PARTITIONS = 3;

const BIG_FILTER = `qty >= 100 AND (amount < 5000 OR name IS NULL)`;
const COMPOSITE_FILTER = `tenant IN (1, 3, 5) AND code >= 'beta'`;

/** a hang (a stuck run, an unreachable broker) fails the test instead of stalling the suite */
const TEST_TIMEOUT_MS = 300_000;


for (const svc of DATABASES) {
  describe(`${svc.name}: snapshot of three tables into Kafka`, async () => {
    await requireService(svc);
    const db = `snap_content_${svc.name}`;
    const shapes = { big: standardShape('orders'), composite: compositeShape('tenant_codes'), nokey: noKeyShape('events') };
    let root: Connection;

    before(async () => {
      root = await mysql.createConnection({ host: svc.host, port: svc.port, user: svc.root.user, password: svc.root.password, charset: 'utf8mb4' });
      const started = Date.now();
      await recreateDatabase(root, db);
      await loadTable(root, db, shapes.big, ROWS);
      await loadTable(root, db, shapes.composite, COMPOSITE_ROWS);
      await loadTable(root, db, shapes.nokey, NOKEY_ROWS);
      if (process.env.SNAP_DEBUG) console.log(`${svc.name}: loaded in ${Date.now() - started} ms`);
    });

    after(async () => {
      removeJobFiles();
      await root.query(`SET SESSION sql_log_bin = 0`);
      await root.query(`DROP DATABASE IF EXISTS ${db}`);
      await root.end();
    });

    async function expected(shape: TableShape, filter: string | null): Promise<ExpectedTable> {
      return { db, shape, rows: await serverRows(root, db, shape, filter), createTable: await showCreateTable(root, db, shape.table) };
    }

    async function snapshotMatches(partitioning: 'key-hash' | 'table-hash', filters: { big: string | null; composite: string | null }): Promise<void> {
      const topic = uniqueTopic(`snap-${svc.name}-${partitioning}`);
      const object = (shape: TableShape, filter: string | null): Record<string, unknown> => ({ name: `${db}.${shape.table}`, partitions: PARTITIONS, ...(filter ? { filter } : {}) });
      const job = writeJobFile({
        svc,
        topic,
        partitioning,
        objects: [object(shapes.big, filters.big), object(shapes.composite, filters.composite), object(shapes.nokey, null)],
        snapshot: { chunkRows: CHUNK_ROWS, parallelism: 2 },
      });
      const t0 = Date.now();
      const run = await runSnapshotCli(job);
      const t1 = Date.now();
      assert.match(run.stderr, /snapshot finished/);
      assert.equal(await partitionCount(topic), PARTITIONS, 'sluice created the topic with the configured partition count');
      const cp = readCheckpoint(job.stateDir);
      assert.ok(cp, 'a checkpoint was saved');
      const tables = [await expected(shapes.big, filters.big), await expected(shapes.composite, filters.composite), await expected(shapes.nokey, null)];
      // the filters must select a real subset, or they prove nothing
      if (filters.big) assert.ok(tables[0]!.rows.length > 0 && tables[0]!.rows.length < ROWS, 'the filter selects some rows of the big table');
      if (filters.composite) assert.ok(tables[1]!.rows.length > 0 && tables[1]!.rows.length < COMPOSITE_ROWS, 'the filter selects some composite-key rows');
      const chunksOf = (s: TableShape): number => cp.snapshot!.chunks.filter((c) => c.table === `${db}.${s.table}`).length;
      assert.ok(chunksOf(shapes.big) > 1 || ROWS < CHUNK_ROWS * 2, 'the big table is read in several chunks');
      assert.ok(chunksOf(shapes.composite) > 1, 'the composite-key table is read in several chunks');
      assert.equal(chunksOf(shapes.nokey), 1, 'the table without a key is one sequential chunk');

      const records = await readWholeTopic(topic);
      const t2 = Date.now();
      verifySnapshotTopic(decodeAll(records, tables), { partitioning, partitions: PARTITIONS, tables, checkpoint: cp });
      if (process.env.SNAP_DEBUG) console.log(`${svc.name} ${partitioning}: run ${t1 - t0} ms, read ${records.length} records ${t2 - t1} ms, verify ${Date.now() - t2} ms`);
    }

    test('key-hash, filter on the 8-column table: records equal SELECT of the source, partitioned by key', { timeout: TEST_TIMEOUT_MS }, async () => {
      await snapshotMatches('key-hash', { big: BIG_FILTER, composite: null });
    });

    test('table-hash, filter on the composite-key table: records equal SELECT of the source, partitioned by table', { timeout: TEST_TIMEOUT_MS }, async () => {
      await snapshotMatches('table-hash', { big: null, composite: COMPOSITE_FILTER });
    });
  });
}
