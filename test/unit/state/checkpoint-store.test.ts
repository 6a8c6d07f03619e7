import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore, CHECKPOINT_FILE, loadCheckpoint } from '../../../src/state/checkpoint-store.js';
import { emptyCheckpoint, parseCheckpoint, serializeCheckpoint, updateCheckpoint, withChunksDone, type Checkpoint } from '../../../src/state/checkpoint.js';
import { StateError } from '../../../src/errors.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sluice-state-'));
}

function sample(): Checkpoint {
  return updateCheckpoint(emptyCheckpoint('orders-job'), {
    binlog: { file: 'mysql-bin.000078', pos: 72469, gtidSet: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5' },
    lastId: 18446744073709551615n,
    snapshot: {
      binlogStart: { file: 'mysql-bin.000077', pos: 4, gtidSet: null },
      chunks: [
        { chunk: 'shop.orders#0', table: 'shop.orders', lower: null, upper: ['1000'], firstId: 1n },
        { chunk: 'shop.orders#1', table: 'shop.orders', lower: ['1000'], upper: null, firstId: 1001n },
      ],
      done: [],
      finished: false,
    },
    schemaVersions: { 'shop.orders': 3, 'shop.customers': 1 },
  });
}

test('a checkpoint round-trips through save and load, 64-bit ids intact', async () => {
  const dir = await tempDir();
  const store = new CheckpointStore(dir);
  assert.equal(await store.load(), null, 'no checkpoint yet');
  const cp = sample();
  await store.save(cp);
  const back = await store.load();
  assert.ok(back);
  assert.deepEqual({ ...back, savedAt: '' }, { ...cp, savedAt: '' });
  assert.equal(back.lastId, 18446744073709551615n);
  assert.ok(Date.parse(back.savedAt) > 0, 'save stamps the time');
  await rm(dir, { recursive: true });
});

test('checkpoints are immutable values; updates return new ones', () => {
  const cp = sample();
  assert.throws(() => {
    (cp as { lastId: bigint }).lastId = 1n;
  }, TypeError);
  const next = withChunksDone(cp, ['shop.orders#0']);
  assert.deepEqual(cp.snapshot!.done, []);
  assert.deepEqual(next.snapshot!.done, ['shop.orders#0']);
  assert.equal(next.snapshot!.finished, false);
  assert.equal(withChunksDone(next, ['shop.orders#1']).snapshot!.finished, true);
});

test('a crash mid-write (a stray temp file) leaves the old checkpoint intact, and load cleans the temp up', async () => {
  const dir = await tempDir();
  const store = new CheckpointStore(dir);
  await store.save(sample());
  // What a crash between writing the temp file and renaming it leaves behind: a half-written temp file.
  await writeFile(join(dir, `${CHECKPOINT_FILE}.tmp-99999-1`), '{"version":1,"job":"orders-jo');
  const back = await new CheckpointStore(dir).load();
  assert.equal(back?.binlog?.pos, 72469);
  assert.deepEqual(await readdir(dir), [CHECKPOINT_FILE]);
  await rm(dir, { recursive: true });
});

test('a save replaces the file whole: no temp files remain and the content is the newest save', async () => {
  const dir = await tempDir();
  const store = new CheckpointStore(dir);
  const cp = sample();
  // many concurrent saves are coalesced; the last one wins
  await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(updateCheckpoint(cp, { lastId: BigInt(i) }))));
  assert.equal((await store.load())?.lastId, 19n);
  assert.deepEqual(await readdir(dir), [CHECKPOINT_FILE]);
  await rm(dir, { recursive: true });
});

test('a corrupt file is a StateError naming the file and the fix', async () => {
  const dir = await tempDir();
  const path = join(dir, CHECKPOINT_FILE);
  for (const [text, reason] of [
    ['{"version":1,"job":"x"', /not valid JSON/],
    ['{"version":1,"job":"x","savedAt":"t","binlog":null,"lastId":"12x","snapshot":null,"schemaVersions":{}}', /field 'lastId'/],
    ['{"version":7}', /newer sluice/],
    ['', /not valid JSON/],
  ] as const) {
    await writeFile(path, text);
    await assert.rejects(loadCheckpoint(dir), (e: unknown) => {
      assert.ok(e instanceof StateError);
      assert.ok(e.message.includes(path), e.message);
      assert.match(e.message, reason);
      assert.match(e.message, /restore it from a backup, or move it away/);
      return true;
    });
  }
  await rm(dir, { recursive: true });
});

test('secrets never reach the state file: only named fields are written', async () => {
  const dir = await tempDir();
  const leaky = { ...sample(), password: 'hunter2', target: { sasl: { password: 'hunter2' } } } as unknown as Checkpoint;
  await new CheckpointStore(dir).save(leaky);
  const text = await readFile(join(dir, CHECKPOINT_FILE), 'utf8');
  assert.ok(!text.includes('hunter2'));
  assert.ok(parseCheckpoint(serializeCheckpoint(leaky)).ok);
  await rm(dir, { recursive: true });
});

test('a failed save is a StateError naming the file', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'not-a-dir'), 'x');
  const store = new CheckpointStore(join(dir, 'not-a-dir'));
  await assert.rejects(store.save(sample()), (e: unknown) => e instanceof StateError && e.message.includes('not-a-dir'));
  await rm(dir, { recursive: true });
});

test('saving is cheap enough to do every 100 ms (well under 100 ms a save)', async () => {
  const dir = await tempDir();
  const store = new CheckpointStore(dir);
  const cp = sample();
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) await store.save(updateCheckpoint(cp, { lastId: BigInt(i) }));
  const per = (performance.now() - t0) / 20;
  console.log(`checkpoint save: ${per.toFixed(2)} ms`);
  assert.ok(per < 100, `${per.toFixed(2)} ms per save`);
  await rm(dir, { recursive: true });
});

test('what Kafka acknowledged per topic partition is saved with every checkpoint, kept on load, and only grows', async () => {
  const dir = await tempDir();
  const store = new CheckpointStore(dir);
  store.noteWritten('t1', 0, 500n);
  store.noteWritten('t1', 1, 20n);
  store.noteWritten('t1', 0, 300n); // an older ack arriving late does not move the mark back
  await store.save(sample()); // a checkpoint value that knows nothing of topics
  const text = await readFile(join(dir, CHECKPOINT_FILE), 'utf8');
  assert.deepEqual((JSON.parse(text) as { topics: unknown }).topics, { t1: { 0: '500', 1: '20' } });
  const again = new CheckpointStore(dir);
  const cp = await again.load();
  assert.deepEqual(cp?.topics, { t1: { 0: 500n, 1: 20n } });
  again.noteWritten('t2', 0, 7n);
  await again.save(sample());
  assert.deepEqual((await loadCheckpoint(dir))?.topics, { t1: { 0: 500n, 1: 20n }, t2: { 0: 7n } });

  const aside = await again.discard();
  assert.ok(aside && (await readdir(dir)).includes(aside.slice(dir.length + 1)));
  assert.equal(await loadCheckpoint(dir), null, '--resnapshot starts from no checkpoint');
  await again.save(sample());
  assert.equal((await loadCheckpoint(dir))?.topics, undefined, 'and forgets the old topics');
  await rm(dir, { recursive: true, force: true });
});
