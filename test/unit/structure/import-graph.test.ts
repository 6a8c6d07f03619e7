/**
 * The layout rules of DESIGN §6 over src/'s real import graph (issue 16): no cycle between folders, no stage
 * importing a stage above it, and source/binlog entered from outside source/ only through its index. The other
 * folders' imports of non-index files from outside their stage are frozen below: the list may only shrink.
 * The graph code itself is tested first on small in-memory trees, so the real-tree tests cannot pass vacuously.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { buildGraph, folderCycles, nonIndexImports, readSources, stageOf, upwardImports, type ImportEdge } from './import-graph.js';

/**
 * The stages by level, lowest first; a stage may import itself and the stages of lower levels, not a peer of its
 * own level. errors.ts and model/ are what every stage shares; config/ is read by the source and the sink;
 * format/, transform/, source/, state/, sink/ and metrics/ are the stages the pipeline joins, none importing
 * another (DESIGN §6: "cli → pipeline → source/transform/format/sink → config"); precheck/ checks them;
 * pipeline/ runs them; worker.ts (and its CommonJS entry) load pipeline/ in the worker threads; cli/ is on top.
 * A new stage, or a peer that must import another (a state store kept in Kafka: state → sink), changes this list
 * on purpose, in review.
 */
const STAGE_ORDER = [['errors', 'model'], 'config', ['format', 'transform', 'source', 'state', 'sink', 'metrics'], 'precheck', 'pipeline', 'worker', 'worker-entry', 'cli'] as const;
const showOrder = STAGE_ORDER.map((l) => (typeof l === 'string' ? l : `{${l.join(', ')}}`)).join(' → ');

/** Folders whose non-index files may not be imported from outside their stage at all (the issue's "Done when"). */
const STRICT_FOLDERS = ['source/binlog'];

/**
 * Imports of a folder's non-index file from outside that folder's stage, as they stand (issue 16). Frozen: a new
 * one fails the test (import the folder's index, or give the folder one), and so does a listed one that is gone
 * (delete its line), so the list stays exact and only shrinks.
 */
const NON_INDEX_ALLOWLIST: readonly string[] = [
  'cli/precheck.ts → precheck/render-report.ts',
  'cli/precheck.ts → precheck/run-precheck.ts',
  'cli/run.ts → metrics/job-status.ts',
  'cli/run.ts → metrics/logger.ts',
  'cli/run.ts → metrics/prometheus.ts',
  'cli/run.ts → pipeline/job/lifecycle.ts',
  'cli/run.ts → pipeline/job/run-job.ts',
  'cli/run.ts → precheck/render-report.ts',
  'cli/run.ts → precheck/run-precheck.ts',
  'cli/tail.ts → sink/kafka/read-topic.ts',
  'format/dts-avro/column-codec.ts → model/partial-json.ts',
  'format/dts-avro/column-codec.ts → model/table.ts',
  'format/dts-avro/record.ts → model/table.ts',
  'format/dts-avro/table-mapper.ts → model/table.ts',
  'pipeline/binlog/binlog-table.ts → model/table.ts',
  'pipeline/binlog/change-stream.ts → model/encoded-batch.ts',
  'pipeline/binlog/change-stream.ts → state/ack-tracker.ts',
  'pipeline/binlog/partition-batcher.ts → model/encoded-batch.ts',
  'pipeline/binlog/rows-task.ts → model/encoded-batch.ts',
  'pipeline/binlog/table-registry.ts → model/table.ts',
  'pipeline/job/heartbeat-records.ts → model/encoded-batch.ts',
  'pipeline/job/incremental-status.ts → metrics/job-status.ts',
  'pipeline/job/incremental-status.ts → model/encoded-batch.ts',
  'pipeline/job/job-start.ts → sink/kafka/client.ts',
  'pipeline/job/job-start.ts → sink/kafka/explain-error.ts',
  'pipeline/job/job-start.ts → sink/kafka/topic-history.ts',
  'pipeline/job/job-start.ts → sink/kafka/topics.ts',
  'pipeline/job/job-start.ts → source/mysql/connect.ts',
  'pipeline/job/job-start.ts → source/snapshot/chunk.ts',
  'pipeline/job/job-start.ts → source/snapshot/plan-chunks.ts',
  'pipeline/job/job-start.ts → state/checkpoint.ts',
  'pipeline/job/lag-clock.ts → model/encoded-batch.ts',
  'pipeline/job/lag-clock.ts → source/mysql/connect.ts',
  'pipeline/job/lag-clock.ts → source/mysql/dialect.ts',
  'pipeline/job/lifecycle.ts → metrics/job-phase.ts',
  'pipeline/job/run-incremental.ts → model/encoded-batch.ts',
  'pipeline/job/run-incremental.ts → model/table.ts',
  'pipeline/job/run-incremental.ts → sink/kafka/kafka-sink.ts',
  'pipeline/job/run-incremental.ts → sink/kafka/topic-history.ts',
  'pipeline/job/run-incremental.ts → source/mysql/connect.ts',
  'pipeline/job/run-incremental.ts → source/mysql/row-metadata.ts',
  'pipeline/job/run-incremental.ts → source/mysql/table-schema.ts',
  'pipeline/job/run-incremental.ts → state/ack-tracker.ts',
  'pipeline/job/run-incremental.ts → state/checkpoint.ts',
  'pipeline/job/run-job.ts → metrics/job-status.ts',
  'pipeline/job/schema-init.ts → model/encoded-batch.ts',
  'pipeline/job/schema-init.ts → model/table.ts',
  'pipeline/job/snapshot-phase.ts → metrics/job-status.ts',
  'pipeline/job/snapshot-phase.ts → metrics/snapshot-progress.ts',
  'pipeline/job/snapshot-phase.ts → model/encoded-batch.ts',
  'pipeline/job/snapshot-phase.ts → sink/kafka/kafka-sink.ts',
  'pipeline/job/snapshot-phase.ts → sink/kafka/topic-history.ts',
  'pipeline/job/snapshot-phase.ts → source/snapshot/chunk.ts',
  'pipeline/job/snapshot-phase.ts → source/snapshot/plan-chunks.ts',
  'pipeline/job/snapshot-phase.ts → source/snapshot/read-chunk.ts',
  'pipeline/job/snapshot-phase.ts → state/ack-tracker.ts',
  'pipeline/job/snapshot-phase.ts → state/checkpoint.ts',
  'pipeline/job/source-model.ts → model/table.ts',
  'pipeline/job/source-model.ts → source/mysql/server-facts.ts',
  'pipeline/job/source-model.ts → source/mysql/table-schema.ts',
  'pipeline/snapshot/chunk-task.ts → model/encoded-batch.ts',
  'pipeline/snapshot/chunk-task.ts → model/table.ts',
  'pipeline/snapshot/chunk-task.ts → source/mysql/connection-loss.ts',
  'pipeline/snapshot/chunk-task.ts → source/snapshot/chunk.ts',
  'pipeline/snapshot/chunk-task.ts → source/snapshot/read-chunk.ts',
  'pipeline/snapshot/run-snapshot.ts → model/encoded-batch.ts',
  'pipeline/snapshot/run-snapshot.ts → source/snapshot/chunk.ts',
  'pipeline/synced-table.ts → model/table.ts',
  'pipeline/synced-table.ts → source/mysql/dialect.ts',
  'precheck/filter-checks.ts → model/table.ts',
  'precheck/filter-checks.ts → transform/filter/compile.ts',
  'precheck/filter-checks.ts → transform/filter/errors.ts',
  'precheck/filter-checks.ts → transform/object-select.ts',
  'precheck/object-checks.ts → model/table.ts',
  'precheck/object-checks.ts → sink/kafka/cluster-facts.ts',
  'precheck/object-checks.ts → source/mysql/row-size.ts',
  'precheck/object-checks.ts → transform/object-select.ts',
  'precheck/run-precheck.ts → model/table.ts',
  'precheck/run-precheck.ts → model/topic-writes.ts',
  'precheck/run-precheck.ts → sink/kafka/cluster-facts.ts',
  'precheck/run-precheck.ts → source/mysql/connect.ts',
  'precheck/run-precheck.ts → source/mysql/replica-list.ts',
  'precheck/run-precheck.ts → source/mysql/server-facts.ts',
  'precheck/run-precheck.ts → source/mysql/table-schema.ts',
  'precheck/run-precheck.ts → transform/object-select.ts',
  'precheck/server-id-check.ts → source/mysql/replica-list.ts',
  'precheck/source-checks.ts → source/mysql/grants.ts',
  'precheck/source-checks.ts → source/mysql/server-facts.ts',
  'precheck/target-checks.ts → model/topic-writes.ts',
  'precheck/target-checks.ts → sink/kafka/cluster-facts.ts',
  'precheck/target-checks.ts → sink/kafka/topic-history.ts',
  'sink/kafka/partition-queue.ts → model/encoded-batch.ts',
  'sink/kafka/kafka-sink.ts → model/encoded-batch.ts',
  'sink/kafka/kafka-sink.ts → model/topic-writes.ts',
  'sink/kafka/record-batch.ts → model/encoded-batch.ts',
  'sink/kafka/topic-history.ts → model/topic-writes.ts',
  'source/binlog/partial-update-rows.ts → model/partial-json.ts',
  'source/binlog/table-map-columns.ts → model/table.ts',
  'source/binlog/table-structure.ts → model/table.ts',
  'source/mysql/row-size.ts → model/table.ts',
  'source/mysql/table-schema.ts → model/table.ts',
  'source/snapshot/chunk.ts → model/record-id-space.ts',
  'source/snapshot/plan-chunks.ts → model/table.ts',
  'source/snapshot/range-sql.ts → model/table.ts',
  'source/snapshot/read-chunk.ts → model/table.ts',
  'state/checkpoint.ts → model/table.ts',
  'state/checkpoint.ts → model/topic-writes.ts',
  'transform/filter/column-class.ts → model/table.ts',
  'transform/filter/compile.ts → model/table.ts',
  'transform/filter/render-sql.ts → model/table.ts',
  'transform/key-columns.ts → model/table.ts',
  'transform/object-select.ts → model/table.ts',
  'transform/router.ts → model/table.ts',
  'worker.ts → model/encoded-batch.ts',
  'worker.ts → pipeline/binlog/rows-task.ts',
  'worker.ts → pipeline/snapshot/chunk-task.ts',
  'worker.ts → pipeline/snapshot/debug-memory.ts',
];

const SRC = fileURLToPath(new URL('../../../../src/', import.meta.url));

function edges(files: Record<string, string>): ImportEdge[] {
  return buildGraph(new Map(Object.entries(files)));
}

// ---- the graph code, on small trees ----

test('graph: relative specifiers resolve .js → .ts and .cjs → .cts; type-only imports, re-exports, import() and require() all count; packages do not', () => {
  const e = edges({
    'a/one.ts': "import type { T } from '../b/two.js';\nexport { x } from './three.js';\nimport 'node:fs';\nimport z from 'zod';\n",
    'a/three.ts': "const m = await import('../c/four.js');\n",
    'b/two.ts': 'export type T = 1;\n',
    'c/four.ts': "const r = require('../d/five.cjs');\n",
    'd/five.cts': '',
  });
  assert.deepEqual(
    e.map((x) => `${x.from}:${x.line} → ${x.to}`).sort(),
    ['a/one.ts:1 → b/two.ts', 'a/one.ts:2 → a/three.ts', 'a/three.ts:1 → c/four.ts', 'c/four.ts:1 → d/five.cts'],
  );
});

test('graph: a relative import that names no file is an error, not a missing edge', () => {
  assert.throws(() => edges({ 'a/one.ts': "import { x } from './gone.js';\n" }), /a\/one\.ts: import '\.\/gone\.js' names no file under src\//);
});

test('cycles: two folders importing each other are found, with every import inside the cycle named', () => {
  const e = edges({
    'source/mysql/meta.ts': "import type { C } from '../binlog/columns.js';\n",
    'source/binlog/columns.ts': "import { code } from '../mysql/code.js';\n",
    'source/mysql/code.ts': '',
    'pipeline/job/run.ts': "import '../../source/binlog/columns.js';\n",
  });
  assert.deepEqual(folderCycles(e), [
    { folders: ['source/binlog', 'source/mysql'], imports: ['source/binlog/columns.ts:1 → source/mysql/code.ts', 'source/mysql/meta.ts:1 → source/binlog/columns.ts'] },
  ]);
});

test('cycles: a chain of three folders closing on itself is one cycle; a one-way chain and imports within a folder are none', () => {
  const ring = edges({ 'a/x.ts': "import '../b/y.js';\n", 'b/y.ts': "import '../c/z.js';\n", 'c/z.ts': "import '../a/x.js';\n" });
  assert.deepEqual(folderCycles(ring).map((c) => c.folders), [['a', 'b', 'c']]);
  const chain = edges({ 'a/x.ts': "import '../b/y.js';\nimport './w.js';\n", 'a/w.ts': "import './x.js';\n", 'b/y.ts': "import '../c/z.js';\n", 'c/z.ts': '' });
  assert.deepEqual(folderCycles(chain), []);
});

test('cycles: the files at the top of src/ are folders of their own, so errors.ts (lowest) and worker.ts (highest) make no false cycle', () => {
  const e = edges({ 'errors.ts': '', 'worker.ts': "import './pipeline/job/run.js';\n", 'pipeline/job/run.ts': "import '../../errors.js';\n" });
  assert.deepEqual(folderCycles(e), []);
  assert.equal(stageOf('worker-entry.cts'), 'worker-entry');
  assert.equal(stageOf('source/binlog/reader.ts'), 'source');
});

test('upward imports: a lower stage importing a higher one is found; downward and same-stage imports are not', () => {
  const e = edges({
    'sink/kafka/producer.ts': "import '../../pipeline/job/run.js';\nimport '../../config/index.js';\nimport './topics.js';\n",
    'sink/kafka/topics.ts': '',
    'pipeline/job/run.ts': "import '../../sink/kafka/producer.js';\n",
    'config/index.ts': '',
  });
  assert.deepEqual(upwardImports(e, ['config', 'sink', 'pipeline']), ['sink/kafka/producer.ts:1 → pipeline/job/run.ts (sink is below pipeline)']);
});

test('upward imports: peers of one level may import the levels below, not each other', () => {
  const e = edges({ 'state/store.ts': "import '../sink/put.js';\nimport '../model/t.js';\n", 'sink/put.ts': "import '../model/t.js';\n", 'model/t.ts': '' });
  assert.deepEqual(upwardImports(e, ['model', ['state', 'sink']]), ['state/store.ts:1 → sink/put.ts (state and sink are peers: neither may import the other)']);
});

test('upward imports: a stage missing from the order is reported, so a new top-level folder must be placed', () => {
  const e = edges({ 'backfill/run.ts': "import '../sink/put.js';\n", 'sink/put.ts': '' });
  assert.deepEqual(upwardImports(e, ['sink']), ["backfill/run.ts:1 → sink/put.ts (stage 'backfill' has no place in the stage order)"]);
});

test('non-index imports: an index import from outside is allowed, a non-index one is named, and imports within a stage are not counted', () => {
  const e = edges({
    'pipeline/binlog/stream.ts': "import { a } from '../../source/binlog/index.js';\nimport { b } from '../../source/binlog/framer.js';\n",
    'source/binlog/index.ts': "export { b } from './framer.js';\n",
    'source/binlog/framer.ts': "import '../mysql/connect.js';\n",
    'source/mysql/connect.ts': '',
    'worker.ts': "import './errors.js';\n",
    'errors.ts': '',
  });
  assert.deepEqual(nonIndexImports(e), ['pipeline/binlog/stream.ts → source/binlog/framer.ts']);
});

// ---- the rules, on src/ ----

const graph = buildGraph(readSources(SRC));

test('src/: the graph is read (not vacuous): every stage of the order has files, and the known faces are imported', () => {
  assert.ok(graph.length > 300, `only ${graph.length} imports read under ${SRC}`);
  const stages = new Set(graph.flatMap((e) => [stageOf(e.from), stageOf(e.to)]));
  for (const s of STAGE_ORDER.flat()) assert.ok(stages.has(s), `stage '${s}' of STAGE_ORDER has no import edge: drop it from the order or check the graph`);
  assert.ok(graph.some((e) => e.to === 'source/binlog/index.ts' && stageOf(e.from) === 'pipeline'), 'pipeline/ imports source/binlog/index.ts');
});

test('src/: no cycle between folders (DESIGN §6)', () => {
  const cycles = folderCycles(graph);
  assert.deepEqual(
    cycles,
    [],
    `folders that import each other (move what both need to the lower one, or beside both):\n${cycles.map((c) => `  ${c.folders.join(' ↔ ')}:\n${c.imports.map((i) => `    ${i}`).join('\n')}`).join('\n')}`,
  );
});

test(`src/: no stage imports a stage above it or a peer (levels, lowest first: ${showOrder})`, () => {
  const up = upwardImports(graph, STAGE_ORDER);
  assert.deepEqual(up, [], `upward imports (a stage depends only on the stages below it, DESIGN §6):\n${up.map((u) => `  ${u}`).join('\n')}`);
});

test(`src/: ${STRICT_FOLDERS.join(', ')} is imported from outside its stage only through its index`, () => {
  const bad = nonIndexImports(graph).filter((i) => STRICT_FOLDERS.some((f) => i.split(' → ')[1]!.startsWith(`${f}/`)));
  assert.deepEqual(bad, [], `imports of a non-index file (import from the folder's index.ts, exporting there what is needed):\n${bad.map((b) => `  ${b}`).join('\n')}`);
});

test('src/: the other non-index imports from outside a stage are exactly the frozen allowlist (it may only shrink)', () => {
  const found = nonIndexImports(graph).filter((i) => !STRICT_FOLDERS.some((f) => i.split(' → ')[1]!.startsWith(`${f}/`)));
  const allowed = new Set(NON_INDEX_ALLOWLIST);
  const added = found.filter((i) => !allowed.has(i));
  const gone = NON_INDEX_ALLOWLIST.filter((i) => !found.includes(i));
  assert.deepEqual(added, [], `new imports of a non-index file from outside its stage (import the folder's index.ts instead; do not add them to NON_INDEX_ALLOWLIST):\n${added.map((a) => `  ${a}`).join('\n')}`);
  assert.deepEqual(gone, [], `NON_INDEX_ALLOWLIST lists imports that no longer exist: delete these lines from it:\n${gone.map((g) => `  ${g}`).join('\n')}`);
  assert.equal(new Set(NON_INDEX_ALLOWLIST).size, NON_INDEX_ALLOWLIST.length, 'NON_INDEX_ALLOWLIST has a line twice');
});
