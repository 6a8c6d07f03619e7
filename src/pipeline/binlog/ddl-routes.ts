/**
 * Where a DDL record goes under `ddl: emit` (DESIGN §3, §4): one record per (topic, partition) of the selected
 * tables the statement names — before or after it (a table renamed out of the objects gets the RENAME as
 * its last record, one renamed in as its first) — routed as §4 routes DDL: under table-hash to the table's
 * partition (so it stays in order with the table's rows), otherwise to partition 0; the key is the database.
 * A database statement (CREATE/ALTER/DROP DATABASE) goes to partition 0 of every topic whose rules name that
 * database. Statements naming no selected table or database are not emitted.
 */
import type { Partitioning } from '../../config/index.js';
import type { DdlStatement } from '../../source/binlog/index.js';
import { tablesNamedBy } from '../../source/binlog/index.js';
import { compileNamePattern, routeDdl, type ObjectRule, type SelectedObject } from '../../transform/index.js';

export interface DdlRoute {
  topic: string;
  partition: number;
  /** the message key: the database name */
  key: string;
  /** the record's objectName: the database the statement acts on */
  db: string;
}

export interface DdlRouteOptions {
  partitioning: Partitioning;
  partitions: ReadonlyMap<string, number>;
  rules: readonly ObjectRule[];
  jobTopic: string;
  objectFor: (db: string, table: string) => SelectedObject | null;
}

function ruleDb(rule: ObjectRule): string | null {
  if (rule.db !== undefined) return rule.db;
  if (rule.name !== undefined) {
    const dot = rule.name.indexOf('.');
    return dot > 0 ? rule.name.slice(0, dot) : null;
  }
  return null;
}

export function ddlRoutes(stmt: DdlStatement, o: DdlRouteOptions): DdlRoute[] {
  const out = new Map<string, DdlRoute>();
  const add = (r: DdlRoute): void => {
    const k = `${r.partition}\u0000${r.topic}`;
    if (!out.has(k)) out.set(k, r);
  };
  if (stmt.kind === 'database') {
    for (const rule of o.rules) {
      const db = ruleDb(rule);
      if (db === null || !compileNamePattern(db).matches(stmt.db)) continue;
      add({ topic: rule.topic ?? o.jobTopic, partition: 0, key: stmt.db, db: stmt.db });
    }
    return [...out.values()];
  }
  for (const t of tablesNamedBy(stmt)) {
    const object = o.objectFor(t.db, t.table);
    if (!object) continue;
    const route = routeDdl(o.partitioning, o.partitions.get(object.topic) ?? 1, t.db, t.table);
    add({ topic: object.topic, partition: route.partition, key: route.key ?? t.db, db: t.db });
  }
  return [...out.values()];
}
