import type { TableSchema } from '../model/table.js';
import { checkFilter } from '../transform/filter/compile.js';
import { FILTER_GRAMMAR_HINT } from '../transform/filter/errors.js';
import type { ObjectSelection } from '../transform/object-select.js';
import { fail, pass, warn, type CheckResult } from './check.js';

/** Each object's filter, parsed and compiled against its table's real columns. */
export function filterChecks(sel: ObjectSelection, schemas: readonly TableSchema[]): CheckResult[] {
  const out: CheckResult[] = [];
  for (const o of sel.objects) {
    if (!o.filter) continue;
    const schema = schemas.find((s) => s.db === o.db && s.table === o.table);
    if (!schema) continue;
    const id = `objects.filter.${o.db}.${o.table}`;
    const title = `Filter on ${o.db}.${o.table}`;
    const r = checkFilter(o.filter, schema);
    if (!r.ok) out.push(fail(id, title, r.error.message, `Fix objects[${o.ruleIndex}].filter. ${FILTER_GRAMMAR_HINT}`));
    else if (r.warnings.length) out.push(warn(id, title, `${o.filter} — ${r.warnings.join('; ')}`, 'The snapshot applies it in MySQL exactly; the binlog path approximates it as described.'));
    else out.push(pass(id, title, `WHERE ${r.sql}`));
  }
  return out;
}
