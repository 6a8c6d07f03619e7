import { ConfigError } from '../../errors.js';

/** The hint every syntax error ends with: what a filter may contain. */
export const FILTER_GRAMMAR_HINT =
  'filters accept only comparisons, IN, IS NULL, AND/OR/NOT and parentheses';

/**
 * A filter the user wrote that sluice refuses: one sentence naming the table (or pattern), the problem and
 * its 1-based column in the filter text.
 */
export class FilterError extends ConfigError {
  readonly where: string;
  readonly filter: string;
  /** 1-based column of the offending text (UTF-16 units) */
  readonly column: number;
  constructor(where: string, filter: string, column: number, detail: string) {
    super(`filter for ${where}: ${detail}`);
    this.where = where;
    this.filter = filter;
    this.column = column;
  }
}
