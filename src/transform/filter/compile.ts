/**
 * Compiles a filter once per table into a closure over MySQL text rows. Every comparison is resolved here —
 * column ordinal, the comparison MySQL would choose for (column type, literal type), the prepared literal —
 * so evaluating a row runs only the chosen comparators: no AST walk, no type dispatch, no allocation on the
 * common paths.
 *
 * The comparison chosen (MySQL's rules; evidence in mysql-number.ts, temporal.ts, collation.ts):
 *   integer column   vs integer/DECIMAL literal → exact decimal; vs DOUBLE literal → exact integer-vs-double;
 *                    vs string → exact if the string is a plain integer (MySQL converts such a constant to
 *                    an integer), else as doubles with the string read by my_strtod
 *   DECIMAL column   vs integer/DECIMAL literal → exact decimal; vs DOUBLE or string → doubles
 *   FLOAT/DOUBLE     vs anything → doubles (FLOAT is approximate: the server compares the float32 value)
 *   string column    vs string → the column's collation; vs number → doubles (the value read by my_strtod)
 *   ENUM             vs string → collation on the member text; vs number → the member's index
 *   DATE/DATETIME/TIMESTAMP vs a date literal → temporally (a DATE meets a time part as midnight)
 *   TIME             vs a time literal → as signed durations
 *   NULL on either side → UNKNOWN; AND/OR/NOT/IN follow SQL's three-valued logic; a row passes only on TRUE.
 */
import type { ColumnMeta, TableSchema } from '../../model/table.js';
import { objectName } from '../../model/table.js';
import type { CompareOp, FilterExpr, Literal } from './ast.js';
import { collationFor, type StringCollation } from './collation.js';
import { columnClass, type ColumnClass } from './column-class.js';
import { MYSQL_DIALECT, type FilterDialect } from './dialect.js';
import { FilterError } from './errors.js';
import {
  compareDecimalText,
  compareDecimals,
  stringToDecimal,
  compareIntegerTextToDouble,
  compareNumbers,
  integerConstant,
  integerRange,
  mysqlStringToDouble,
  parseDecimal,
} from './mysql-number.js';
import { parseFilter } from './parser.js';
import { renderFilterSql } from './render-sql.js';
import { compareDateTimeText, parseDateTimeLiteral, parseTimeLiteral, timeTextMicros } from './temporal.js';

/** A row as MySQL text values indexed by column ordinal; NULL as null. */
export type TextRow = ReadonlyArray<string | null>;

export interface CompiledFilter {
  /** the filter as the user wrote it */
  readonly text: string;
  /** the WHERE condition for the snapshot (columns as the table spells them, literals safely quoted) */
  readonly sql: string;
  /** the columns it reads */
  readonly columns: readonly string[];
  /** what precheck should WARN about: approximate collations/types, strings read as numbers */
  readonly warnings: readonly string[];
  passes(row: TextRow): boolean;
  /** DESIGN §4: an UPDATE is sent when its before or its after image passes, so rows can leave the set */
  passesUpdate(before: TextRow, after: TextRow): boolean;
}

const TRUE = 1, FALSE = 0, UNKNOWN = -1;
type Tri = 1 | 0 | -1;
type Pred = (row: TextRow) => Tri;
/** -1/0/1 of a non-NULL row value against one literal */
type Cmp = (v: string) => number;

function editDistance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

function nearNames(name: string, columns: readonly ColumnMeta[]): string[] {
  const lower = name.toLowerCase();
  const scored = columns.map((c) => ({ c: c.name, d: editDistance(lower, c.name.toLowerCase()) }));
  const close = scored.filter((x) => x.d <= Math.max(2, Math.floor(lower.length / 3))).sort((a, b) => a.d - b.d);
  // A typo first; only when none is close, names that contain the word (`customer` → `customer_id`).
  const picked = close.length > 0
    ? close.filter((x) => x.d === close[0]!.d)
    : scored.filter((x) => lower.length >= 3 && x.c.toLowerCase().includes(lower));
  return picked.slice(0, 3).map((x) => x.c);
}

function typeName(c: ColumnMeta): string {
  return c.dataType.toUpperCase();
}

function showLiteral(l: Literal): string {
  switch (l.kind) {
    case 'string': return `'${l.value.replaceAll("'", "''")}'`;
    case 'null': return 'NULL';
    default: return l.text;
  }
}

class Compiler {
  readonly columns = new Set<string>();
  readonly warnings: string[] = [];
  private readonly collations = new Map<number, StringCollation>();

  constructor(
    private readonly schema: TableSchema,
    private readonly text: string,
    private readonly where: string,
    private readonly dialect: FilterDialect,
  ) {}

  fail(pos: number, detail: string): never {
    throw new FilterError(this.where, this.text, pos, detail);
  }

  column(name: string, pos: number): ColumnMeta {
    const cols = this.schema.columns;
    // MySQL column names are case-insensitive.
    const c = cols.find((x) => x.name === name) ?? cols.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!c) {
      const near = nearNames(name, cols);
      const list = cols.length <= 20 ? cols.map((x) => x.name).join(', ') : `${cols.slice(0, 20).map((x) => x.name).join(', ')}, …`;
      this.fail(pos, `unknown column \`${name}\` at column ${pos}${near.length ? `; did you mean ${near.map((x) => `\`${x}\``).join(' or ')}?` : ''} (the table has: ${list})`);
    }
    this.columns.add(c.name);
    return c;
  }

  collation(c: ColumnMeta): StringCollation {
    let coll = this.collations.get(c.ordinal);
    if (!coll) {
      coll = collationFor(c.collation);
      if (!coll.exact) this.warnings.push(`column \`${c.name}\` uses ${c.collation ?? 'no collation'}, which sluice ${coll.rule}`);
      this.collations.set(c.ordinal, coll);
    }
    return coll;
  }

  /** The comparator of one (column, non-NULL literal) pair. */
  comparator(c: ColumnMeta, cls: ColumnClass, lit: Exclude<Literal, { kind: 'null' }>, plainDouble = false): Cmp {
    const numericLiteral = lit.kind !== 'string';
    switch (cls) {
      case 'int': {
        if (lit.kind === 'int' || lit.kind === 'decimal') {
          const d = parseDecimal(lit.text)!;
          return (v) => compareDecimalText(v, d);
        }
        if (lit.kind === 'string') this.noteStringAsNumber(c, lit);
        if (lit.kind === 'string' && this.dialect.stringVsExact === 'decimal') {
          const d = stringToDecimal(lit.value);
          return (v) => compareDecimalText(v, d);
        }
        const x = lit.kind === 'double' ? Number(lit.text) : mysqlStringToDouble(lit.value);
        if (plainDouble) return (v) => compareNumbers(+v, x);
        // The server stores the constant into the column's type when that is lossless and compares
        // integers (integerConstant); otherwise it compares with the double (see dialect.ts).
        const asInt = integerConstant(lit.kind === 'double' ? x : lit.value, integerRange(c.dataType, c.unsigned));
        if (asInt !== null) {
          const d = parseDecimal(asInt.toString())!;
          return (v) => compareDecimalText(v, d);
        }
        if (this.dialect.integerVsDouble === 'double') return (v) => compareNumbers(+v, x);
        return (v) => compareIntegerTextToDouble(v, x);
      }
      case 'decimal': {
        if (lit.kind === 'int' || lit.kind === 'decimal') {
          const d = parseDecimal(lit.text)!;
          return (v) => compareDecimalText(v, d);
        }
        if (lit.kind === 'string') this.noteStringAsNumber(c, lit);
        const x = lit.kind === 'double' ? Number(lit.text) : mysqlStringToDouble(lit.value);
        return (v) => compareNumbers(+v, x);
      }
      case 'real': {
        if (c.dataType.toLowerCase() === 'float') {
          this.warnOnce(`column \`${c.name}\` is FLOAT: sluice compares the printed value, the server the exact float32 value, which can differ in the last digits`);
        }
        if (lit.kind === 'string') this.noteStringAsNumber(c, lit);
        const x = lit.kind === 'string' ? mysqlStringToDouble(lit.value) : Number(lit.text);
        return (v) => compareNumbers(+v, x);
      }
      case 'string':
      case 'set': {
        if (numericLiteral) {
          if (cls === 'set') this.fail(lit.pos, `SET column \`${c.name}\` is compared with the number ${lit.text} at column ${lit.pos}; compare SET columns with quoted strings`);
          if (lit.kind !== 'double' && this.dialect.stringVsExact === 'decimal') {
            const d = parseDecimal(lit.text)!;
            return (v) => compareDecimals(stringToDecimal(v), d);
          }
          const x = Number(lit.text);
          return (v) => compareNumbers(mysqlStringToDouble(v), x);
        }
        const coll = this.collation(c);
        const p = coll.prepare(lit.value);
        const w = coll.weigher();
        return (v) => { w.load(v); return w.compare(p); };
      }
      case 'enum': {
        if (numericLiteral) {
          // MySQL compares an ENUM with a number by the member's 1-based index ('' and unknown → 0).
          const members = c.members ?? [];
          const x = Number(lit.text);
          return (v) => compareNumbers(members.indexOf(v) + 1, x);
        }
        const coll = this.collation(c);
        const p = coll.prepare(lit.value);
        const w = coll.weigher();
        return (v) => { w.load(v); return w.compare(p); };
      }
      case 'date':
      case 'datetime': {
        if (numericLiteral) {
          this.fail(lit.pos, `${typeName(c)} column \`${c.name}\` is compared with the number ${lit.text} at column ${lit.pos}; write the date as a quoted string like '2024-01-02' or '2024-01-02 03:04:05'`);
        }
        const t = parseDateTimeLiteral(lit.value);
        if (!t) this.fail(lit.pos, `${showLiteral(lit)} at column ${lit.pos} is not a valid date for ${typeName(c)} column \`${c.name}\`; write 'YYYY-MM-DD' or 'YYYY-MM-DD hh:mm:ss[.ffffff]'`);
        return (v) => compareDateTimeText(v, t);
      }
      case 'time': {
        const t = lit.kind === 'string' ? parseTimeLiteral(lit.value) : null;
        if (t === null) this.fail(lit.pos, `${showLiteral(lit)} at column ${lit.pos} is not a valid time for TIME column \`${c.name}\`; write 'hh:mm:ss[.ffffff]' (may be negative)`);
        return (v) => compareNumbers(timeTextMicros(v), t);
      }
      case 'other':
        this.fail(lit.pos, `${typeName(c)} column \`${c.name}\` cannot be compared in a filter (near column ${lit.pos}); filters can only test it with IS NULL or IS NOT NULL`);
    }
  }

  warnOnce(w: string): void {
    if (!this.warnings.includes(w)) this.warnings.push(w);
  }

  private noteStringAsNumber(c: ColumnMeta, lit: { value: string; pos: number }): void {
    const s = lit.value;
    if (/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(s)) return;
    this.warnOnce(`'${s}' at column ${lit.pos} is compared with numeric column \`${c.name}\`, so MySQL reads it as the number ${mysqlStringToDouble(s)}`);
  }

  compile(e: FilterExpr): Pred {
    switch (e.kind) {
      case 'and': {
        const a = this.compile(e.left), b = this.compile(e.right);
        return (row) => {
          const x = a(row);
          if (x === FALSE) return FALSE;
          const y = b(row);
          if (y === FALSE) return FALSE;
          return x === TRUE && y === TRUE ? TRUE : UNKNOWN;
        };
      }
      case 'or': {
        const a = this.compile(e.left), b = this.compile(e.right);
        return (row) => {
          const x = a(row);
          if (x === TRUE) return TRUE;
          const y = b(row);
          if (y === TRUE) return TRUE;
          return x === FALSE && y === FALSE ? FALSE : UNKNOWN;
        };
      }
      case 'not': {
        const a = this.compile(e.operand);
        return (row) => {
          const x = a(row);
          return x === UNKNOWN ? UNKNOWN : x === TRUE ? FALSE : TRUE;
        };
      }
      case 'isNull': {
        const o = this.column(e.column.name, e.column.pos).ordinal;
        return e.negated ? (row) => (row[o] == null ? FALSE : TRUE) : (row) => (row[o] == null ? TRUE : FALSE);
      }
      case 'compare': {
        const c = this.column(e.column.name, e.column.pos);
        const lit = e.literal;
        if (lit.kind === 'null') {
          this.warnOnce(`\`${c.name}\` ${e.op} NULL at column ${lit.pos} is never true (NULL compares as unknown); write IS NULL or IS NOT NULL`);
          return () => UNKNOWN;
        }
        return compareNode(c.ordinal, e.op, this.comparator(c, columnClass(c), lit));
      }
      case 'in': {
        const c = this.column(e.column.name, e.column.pos);
        const cls = columnClass(c);
        let hasNull = false;
        const cmps: Cmp[] = [];
        // Which IN items an integer column meets as plain doubles differs by server (dialect.ts). MySQL 9.7
        // converts strings and doubles only when every item converts (integerConstant): `bigint_col IN
        // ('9007199254740993', 'x')` is exact, while with an integer, a DECIMAL, a NULL, '1.5' or 1e30 in the
        // list they compare as plain doubles (`IN ('9007199254740993', NULL)` matches 9007199254740992).
        const range = integerRange(c.dataType, c.unsigned);
        // Both servers treat a one-item list as `=` (`ubi IN (1.8446744073709552e19)` is exact on MySQL like
        // `ubi = 1.8446744073709552e19`, while a two-item list with it compares as doubles).
        const plainDouble = cls === 'int' && e.list.length > 1 && (this.dialect.inListConversion === 'all'
          ? !e.list.every((l) =>
              (l.kind === 'string' && integerConstant(l.value, range) !== null) ||
              (l.kind === 'double' && integerConstant(Number(l.text), range) !== null))
          : !e.list.every((l) => l.kind === 'null' || (l.kind === 'double' && integerConstant(Number(l.text), range) !== null)));
        for (const lit of e.list) {
          if (lit.kind === 'null') hasNull = true;
          else cmps.push(this.comparator(c, cls, lit, plainDouble));
        }
        const o = c.ordinal;
        // MySQL evaluates IN as the OR of `col = item` (mixed-type lists compare pair by pair), so NULL in the
        // list turns a miss into UNKNOWN — and NOT IN over such a list is never TRUE.
        const inPred: Pred = (row) => {
          const v = row[o];
          if (v == null) return UNKNOWN;
          for (let k = 0; k < cmps.length; k++) if (cmps[k]!(v) === 0) return TRUE;
          return hasNull ? UNKNOWN : FALSE;
        };
        if (!e.negated) return inPred;
        return (row) => {
          const x = inPred(row);
          return x === UNKNOWN ? UNKNOWN : x === TRUE ? FALSE : TRUE;
        };
      }
    }
  }

  /** The AST with column names as the table spells them, for the SQL renderer. */
  canonical(e: FilterExpr): FilterExpr {
    switch (e.kind) {
      case 'and': case 'or': return { ...e, left: this.canonical(e.left), right: this.canonical(e.right) };
      case 'not': return { ...e, operand: this.canonical(e.operand) };
      default: return { ...e, column: { ...e.column, name: this.column(e.column.name, e.column.pos).name } };
    }
  }
}

function compareNode(o: number, op: CompareOp, cmp: Cmp): Pred {
  switch (op) {
    case '=': return (row) => { const v = row[o]; return v == null ? UNKNOWN : cmp(v) === 0 ? TRUE : FALSE; };
    case '<>': return (row) => { const v = row[o]; return v == null ? UNKNOWN : cmp(v) !== 0 ? TRUE : FALSE; };
    case '<': return (row) => { const v = row[o]; return v == null ? UNKNOWN : cmp(v) < 0 ? TRUE : FALSE; };
    case '>': return (row) => { const v = row[o]; return v == null ? UNKNOWN : cmp(v) > 0 ? TRUE : FALSE; };
    case '<=': return (row) => { const v = row[o]; return v == null ? UNKNOWN : cmp(v) <= 0 ? TRUE : FALSE; };
    case '>=': return (row) => { const v = row[o]; return v == null ? UNKNOWN : cmp(v) >= 0 ? TRUE : FALSE; };
  }
}

export interface CompileFilterOptions {
  /** how messages name the table; default its objectName (`shop.orders`) */
  where?: string;
  /** the source's comparison rules where MySQL and MariaDB differ; default MySQL (filterDialectFor(VERSION())) */
  dialect?: FilterDialect;
}

/**
 * Parses (when given text) and compiles a filter against a table's columns. Throws FilterError — a
 * ConfigError with one sentence and the position — for syntax errors, unknown columns and comparisons that
 * cannot mean what the user wants (a DATE against 'abc', a JSON column against a value).
 */
export function compileFilter(filter: string | FilterExpr, schema: TableSchema, options: CompileFilterOptions = {}): CompiledFilter {
  const where = options.where ?? objectName(schema.db, schema.table);
  const text = typeof filter === 'string' ? filter : renderFilterSql(filter);
  const ast = typeof filter === 'string' ? parseFilter(filter, where) : filter;
  const compiler = new Compiler(schema, text, where, options.dialect ?? MYSQL_DIALECT);
  const pred = compiler.compile(ast);
  const sql = renderFilterSql(compiler.canonical(ast));
  return {
    text,
    sql,
    columns: [...compiler.columns],
    warnings: compiler.warnings,
    passes: (row) => pred(row) === TRUE,
    passesUpdate: (before, after) => pred(before) === TRUE || pred(after) === TRUE,
  };
}

/** For precheck: the filter's refusal (FilterError) or its warnings, without throwing. */
export function checkFilter(
  text: string,
  schema: TableSchema,
  options: CompileFilterOptions = {},
): { ok: true; warnings: readonly string[]; sql: string } | { ok: false; error: FilterError } {
  try {
    const f = compileFilter(text, schema, options);
    return { ok: true, warnings: f.warnings, sql: f.sql };
  } catch (e) {
    if (e instanceof FilterError) return { ok: false, error: e };
    throw e;
  }
}
