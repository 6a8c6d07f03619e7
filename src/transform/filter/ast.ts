/** The parsed filter. Plain data (it can cross to a worker as JSON); compiled per table by compile.ts. */

export type CompareOp = '=' | '<>' | '<' | '>' | '<=' | '>=';

/**
 * A literal keeps its MySQL type, because MySQL chooses the comparison by it: `1` is an integer, `1.5` a
 * DECIMAL, `1e1` a DOUBLE, `'x'` a string. Numbers hold their validated text (sign and digits only).
 */
export type Literal =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'int'; text: string; pos: number }
  | { kind: 'decimal'; text: string; pos: number }
  | { kind: 'double'; text: string; pos: number }
  | { kind: 'null'; pos: number };

export interface ColumnRef {
  name: string;
  pos: number;
}

export type FilterExpr =
  | { kind: 'and'; left: FilterExpr; right: FilterExpr }
  | { kind: 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; operand: FilterExpr }
  | { kind: 'compare'; op: CompareOp; column: ColumnRef; literal: Literal }
  | { kind: 'in'; column: ColumnRef; list: readonly Literal[]; negated: boolean }
  | { kind: 'isNull'; column: ColumnRef; negated: boolean };
