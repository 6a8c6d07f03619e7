/**
 * Recursive-descent parser for the filter language (DESIGN §4), precedence as MySQL's: OR < AND < NOT <
 * comparison / IN / IS. Every refusal names the column where the problem starts.
 */
import type { ColumnRef, CompareOp, FilterExpr, Literal } from './ast.js';
import { FILTER_GRAMMAR_HINT, FilterError } from './errors.js';
import { tokenize, type Token } from './lexer.js';

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'TRUE', 'FALSE']);
/** SQL that users reach for and that filters do not take: named so the message says "not supported". */
const UNSUPPORTED = new Set([
  'LIKE', 'BETWEEN', 'REGEXP', 'RLIKE', 'XOR', 'DIV', 'MOD', 'EXISTS', 'SELECT', 'CASE', 'WHEN', 'SOUNDS',
  'COLLATE', 'BINARY', 'INTERVAL', 'ANY', 'ALL', 'SOME', 'ESCAPE', 'MATCH', 'AGAINST', 'UNION', 'DROP',
  'DELETE', 'UPDATE', 'INSERT', 'WHERE', 'FROM', 'UNKNOWN',
]);

const FLIP: Record<CompareOp, CompareOp> = { '=': '=', '<>': '<>', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

function show(t: Token): string {
  switch (t.kind) {
    case 'end': return 'end of filter';
    case 'string': return `'${t.value.replaceAll("'", "''")}'`;
    case 'quoted': return `\`${t.text}\``;
    case 'word': case 'number': case 'op': case 'punct': return `'${t.text}'`;
  }
}

type Operand = { kind: 'column'; ref: ColumnRef } | { kind: 'literal'; lit: Literal };

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[], private readonly text: string, private readonly where: string) {}

  private peek(): Token { return this.toks[this.i]!; }
  private next(): Token { return this.toks[this.i++]!; }
  private isWord(t: Token, upper: string): boolean { return t.kind === 'word' && t.upper === upper; }

  fail(t: Token, detail: string): never {
    throw new FilterError(this.where, this.text, t.pos, detail);
  }

  unexpected(t: Token, expected?: string): never {
    if (t.kind === 'word' && UNSUPPORTED.has(t.upper)) {
      this.fail(t, `${t.upper} at column ${t.pos} is not supported — ${FILTER_GRAMMAR_HINT}`);
    }
    if (t.kind === 'end') {
      this.fail(t, `the filter ends early at column ${t.pos}${expected ? ` (expected ${expected})` : ''} — ${FILTER_GRAMMAR_HINT}`);
    }
    this.fail(t, `unexpected ${show(t)} at column ${t.pos}${expected ? ` (expected ${expected})` : ''} — ${FILTER_GRAMMAR_HINT}`);
  }

  parse(): FilterExpr {
    if (this.peek().kind === 'end') this.fail(this.peek(), 'the filter is empty; remove it or write a condition such as `id` > 0');
    const e = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'end') this.unexpected(t, 'AND, OR or the end of the filter');
    return e;
  }

  private parseOr(): FilterExpr {
    let left = this.parseAnd();
    while (this.isWord(this.peek(), 'OR')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterExpr {
    let left = this.parseNot();
    while (this.isWord(this.peek(), 'AND')) {
      this.next();
      left = { kind: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): FilterExpr {
    if (this.isWord(this.peek(), 'NOT')) {
      this.next();
      return { kind: 'not', operand: this.parseNot() };
    }
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '(') {
      this.next();
      const e = this.parseOr();
      const close = this.next();
      if (!(close.kind === 'punct' && close.text === ')')) this.unexpected(close, "')'");
      return e;
    }
    return this.parsePredicate();
  }

  private parseOperand(expected: string): Operand {
    const t = this.next();
    if (t.kind === 'quoted') return { kind: 'column', ref: { name: t.text, pos: t.pos } };
    if (t.kind === 'word') {
      const after = this.peek();
      if (after.kind === 'punct' && after.text === '(' && !KEYWORDS.has(t.upper)) {
        this.fail(t, `function call ${t.text}( at column ${t.pos} is not supported — ${FILTER_GRAMMAR_HINT}`);
      }
      if (t.upper === 'NULL') return { kind: 'literal', lit: { kind: 'null', pos: t.pos } };
      if (t.upper === 'TRUE' || t.upper === 'FALSE') {
        // MySQL's TRUE and FALSE are the integers 1 and 0.
        return { kind: 'literal', lit: { kind: 'int', text: t.upper === 'TRUE' ? '1' : '0', pos: t.pos } };
      }
      if (KEYWORDS.has(t.upper) || UNSUPPORTED.has(t.upper)) {
        if (UNSUPPORTED.has(t.upper)) this.unexpected(t);
        this.fail(t, `${t.upper} at column ${t.pos} is a keyword where ${expected} belongs; write a column named ${t.text} as \`${t.text}\``);
      }
      return { kind: 'column', ref: { name: t.text, pos: t.pos } };
    }
    if (t.kind === 'string') return { kind: 'literal', lit: { kind: 'string', value: t.value, pos: t.pos } };
    if (t.kind === 'number') return { kind: 'literal', lit: { kind: t.numKind, text: t.text, pos: t.pos } };
    if (t.kind === 'punct' && (t.text === '-' || t.text === '+')) {
      const num = this.next();
      if (num.kind !== 'number') this.unexpected(num, `a number after '${t.text}'`);
      const text = t.text === '-' ? `-${num.text}` : num.text;
      return { kind: 'literal', lit: { kind: num.numKind, text, pos: t.pos } };
    }
    this.unexpected(t, expected);
  }

  private parseLiteral(): Literal {
    const o = this.parseOperand('a value');
    if (o.kind === 'column') {
      this.fail({ kind: 'end', pos: o.ref.pos }, `column ${o.ref.name} at column ${o.ref.pos} appears where a value belongs; IN lists hold quoted strings, numbers or NULL`);
    }
    return o.lit;
  }

  private parsePredicate(): FilterExpr {
    const first = this.peek();
    const left = this.parseOperand('a column name');
    const t = this.peek();
    if (t.kind === 'op') {
      this.next();
      const right = this.parseOperand('a value');
      if (left.kind === 'column' && right.kind === 'literal') {
        return { kind: 'compare', op: t.text, column: left.ref, literal: right.lit };
      }
      if (left.kind === 'literal' && right.kind === 'column') {
        return { kind: 'compare', op: FLIP[t.text], column: right.ref, literal: left.lit };
      }
      if (left.kind === 'column') {
        this.fail(first, `the comparison at column ${first.pos} compares two columns; filters compare a column with a literal value`);
      }
      this.fail(first, `the comparison at column ${first.pos} names no column; filters compare a column with a literal value`);
    }
    let negated = false;
    if (this.isWord(t, 'NOT')) {
      this.next();
      negated = true;
      const u = this.peek();
      if (!this.isWord(u, 'IN')) this.unexpected(u, 'IN after NOT');
    }
    const u = this.peek();
    if (this.isWord(u, 'IN')) {
      this.next();
      if (left.kind !== 'column') this.fail(first, `IN at column ${u.pos} must follow a column name`);
      const open = this.next();
      if (!(open.kind === 'punct' && open.text === '(')) this.unexpected(open, "'(' after IN");
      const list: Literal[] = [this.parseLiteral()];
      for (;;) {
        const sep = this.next();
        if (sep.kind === 'punct' && sep.text === ',') { list.push(this.parseLiteral()); continue; }
        if (sep.kind === 'punct' && sep.text === ')') break;
        this.unexpected(sep, "',' or ')' in the IN list");
      }
      return { kind: 'in', column: left.ref, list, negated };
    }
    if (this.isWord(u, 'IS')) {
      this.next();
      if (left.kind !== 'column') this.fail(first, `IS NULL at column ${u.pos} must follow a column name`);
      let neg = false;
      if (this.isWord(this.peek(), 'NOT')) { this.next(); neg = true; }
      const nul = this.next();
      if (!this.isWord(nul, 'NULL')) this.unexpected(nul, neg ? 'NULL after IS NOT' : 'NULL or NOT NULL after IS');
      return { kind: 'isNull', column: left.ref, negated: neg };
    }
    if (left.kind === 'column') this.unexpected(u, `a comparison, IN or IS NULL after ${left.ref.name}`);
    this.unexpected(u, 'a comparison');
  }
}

/**
 * Parses a filter. `where` names the table or pattern in messages ("filter for shop.orders: …").
 * Throws FilterError (a ConfigError) with one sentence and the position.
 */
export function parseFilter(text: string, where = 'this table'): FilterExpr {
  return new Parser(tokenize(text, where), text, where).parse();
}
