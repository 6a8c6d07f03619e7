import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChunkSpec } from '../../../src/source/snapshot/chunk.js';
import { chunkSql } from '../../../src/source/snapshot/read-chunk.js';
import { quoteIdent } from '../../../src/model/table.js';
import { chunkWhere } from '../../../src/source/snapshot/range-sql.js';
import { fromChunkPlan, toChunkPlan } from '../../../src/state/chunk-plan.js';
import { RowPacer } from '../../../src/source/snapshot/read-chunk.js';

const base: ChunkSpec = { id: 'shop.t#1', db: 'shop', table: 't', index: 1, keyColumns: ['a', 'b'], lower: null, upper: null, idBase: 2 ** 33, estimatedRows: 10 };

test('identifiers are backquoted with inner backquotes doubled', () => {
  assert.equal(quoteIdent('we`ird'), '`we``ird`');
});

test('a composite range expands to OR/AND terms with parameters in order', () => {
  const { where, params } = chunkWhere({ ...base, lower: [{ text: '1' }, { text: 'x' }], upper: [{ text: '5' }, { hex: '00ff' }] }, null);
  assert.equal(where, '((`a` > ?) OR (`a` = ? AND `b` >= ?)) AND ((`a` < ?) OR (`a` = ? AND `b` < ?))');
  assert.deepEqual(params.slice(0, 3), ['1', '1', 'x']);
  assert.deepEqual(params[5], Buffer.from([0, 255]));
});

test('a single-column range and a pushed-down filter', () => {
  const { where, params } = chunkWhere({ ...base, keyColumns: ['id'], lower: [{ text: '100' }], upper: [{ text: '200' }] }, "`status` = 'paid'");
  assert.equal(where, "(`id` >= ?) AND (`id` < ?) AND (`status` = 'paid')");
  assert.deepEqual(params, ['100', '200']);
  const open = chunkWhere({ ...base, keyColumns: [] }, null);
  assert.equal(open.where, '1=1');
  assert.equal(chunkSql({ chunk: { ...base, keyColumns: [] }, selectList: '`a`', filterSql: null }).sql, 'SELECT `a` FROM `shop`.`t` WHERE 1=1');
});

test('chunk specs survive the checkpoint round trip, binary bounds included', () => {
  const spec: ChunkSpec = { ...base, lower: [{ text: 't:odd' }, { hex: 'beef' }], upper: null };
  const back = fromChunkPlan(toChunkPlan(spec), 'shop', 't', ['a', 'b']);
  assert.deepEqual(back, { ...spec, estimatedRows: 0 });
});

test('the pacer asks for a pause only when ahead of the rate', () => {
  const free = new RowPacer(0);
  assert.equal(free.delayAfter(1_000_000), 0);
  const slow = new RowPacer(1000);
  const d = slow.delayAfter(500);
  assert.ok(d > 400 && d <= 500, String(d));
});
