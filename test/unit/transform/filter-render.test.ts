import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, parseFilter, renderFilterSql, type FilterExpr } from '../../../src/transform/index.js';
import { ORDERS, table } from './fixtures.js';

test('identifiers are backquoted, literals quoted, every node parenthesised', () => {
  const f = compileFilter("ID > 5 AND (status IN ('paid', 'it''s') OR note IS NOT NULL) AND NOT amount <= -1.5e3", ORDERS);
  assert.equal(f.sql, "(((`id` > 5) AND ((`status` IN ('paid', 'it''s')) OR (`note` IS NOT NULL))) AND (NOT (`amount` <= -1.5e3)))");
  assert.deepEqual([...f.columns].sort(), ['amount', 'id', 'note', 'status']);
});

test('literal on the left is flipped, != becomes <>, TRUE is 1', () => {
  assert.equal(compileFilter('5 < id AND id != 7 AND id = TRUE', ORDERS).sql, '(((`id` > 5) AND (`id` <> 7)) AND (`id` = 1))');
});

test('a backquote inside a column name is doubled and cannot close the identifier', () => {
  const t = table('x', 'y', [{ name: 'we`ird; DROP', dataType: 'int' }]);
  assert.equal(compileFilter('`we``ird; DROP` = 1', t).sql, '(`we``ird; DROP` = 1)');
});

test('strings with backslashes or control characters are written as hex, independent of sql_mode', () => {
  const t = table('x', 'y', [{ name: 's', dataType: 'varchar' }]);
  // eslint-disable-next-line no-control-regex
  assert.equal(compileFilter("s = 'a' OR s = 'b\u0000'", t).sql, "((`s` = 'a') OR (`s` = _utf8mb4 X'6200'))");
});

test('the renderer refuses an AST that did not come from the parser', () => {
  const evil = { kind: 'compare', op: '=', column: { name: 'id', pos: 1 }, literal: { kind: 'int', text: '1); DROP TABLE t; --', pos: 1 } } as FilterExpr;
  assert.throws(() => renderFilterSql(evil), /not a number literal/);
  const evilOp = { kind: 'compare', op: '= 1 OR 1', column: { name: 'id', pos: 1 }, literal: { kind: 'int', text: '1', pos: 1 } } as unknown as FilterExpr;
  assert.throws(() => renderFilterSql(evilOp), /not a comparison operator/);
});

test('precedence: NOT binds tighter than AND, AND tighter than OR', () => {
  const e = parseFilter('NOT id = 1 OR id = 2 AND id = 3');
  assert.equal(renderFilterSql(e), '((NOT (`id` = 1)) OR ((`id` = 2) AND (`id` = 3)))');
});
