/**
 * Renders a parsed filter as SQL for the snapshot's WHERE clause. Built from the AST only: identifiers are
 * always backquoted (a ` inside doubled), numbers are re-emitted from validated digits, strings are quoted
 * with ' doubled, and every node is parenthesised, so the output cannot leave the expression whatever the
 * input held. Meant for a utf8mb4 connection (sluice's own); strings holding a backslash or a control
 * character are written as `_utf8mb4 X'…'`, whose meaning does not depend on NO_BACKSLASH_ESCAPES.
 */
import type { FilterExpr, Literal } from './ast.js';
import { quoteIdent } from '../../model/table.js';



const NUMBER_TEXT = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function renderLiteral(lit: Literal): string {
  switch (lit.kind) {
    case 'null':
      return 'NULL';
    case 'string':
      // eslint-disable-next-line no-control-regex
      if (/[\\\u0000-\u001f\u007f]/.test(lit.value)) {
        return `_utf8mb4 X'${Buffer.from(lit.value, 'utf8').toString('hex')}'`;
      }
      return `'${lit.value.replaceAll("'", "''")}'`;
    case 'int':
    case 'decimal':
    case 'double':
      // The lexer produced this text, but the check is repeated here: the renderer's safety must not
      // depend on who built the AST (a worker may receive it as JSON).
      if (!NUMBER_TEXT.test(lit.text)) throw new Error(`not a number literal: ${JSON.stringify(lit.text)}`);
      return lit.text;
  }
}

const OPS = new Set(['=', '<>', '<', '>', '<=', '>=']);

export function renderFilterSql(e: FilterExpr): string {
  switch (e.kind) {
    case 'and':
      return `(${renderFilterSql(e.left)} AND ${renderFilterSql(e.right)})`;
    case 'or':
      return `(${renderFilterSql(e.left)} OR ${renderFilterSql(e.right)})`;
    case 'not':
      return `(NOT ${renderFilterSql(e.operand)})`;
    case 'compare':
      if (!OPS.has(e.op)) throw new Error(`not a comparison operator: ${JSON.stringify(e.op)}`);
      return `(${quoteIdent(e.column.name)} ${e.op} ${renderLiteral(e.literal)})`;
    case 'in':
      return `(${quoteIdent(e.column.name)} ${e.negated ? 'NOT IN' : 'IN'} (${e.list.map(renderLiteral).join(', ')}))`;
    case 'isNull':
      return `(${quoteIdent(e.column.name)} IS ${e.negated ? 'NOT NULL' : 'NULL'})`;
  }
}
