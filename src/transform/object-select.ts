/**
 * Which server tables a job syncs, and with what topic, filter and partition-key columns (DESIGN §4).
 * Pure functions over plain data: source/ lists the tables, precheck reports unmatched rules, and the binlog
 * path asks `resolveObject` when a table is created or renamed later.
 */
import { ConfigError } from '../errors.js';
import { objectName } from '../model/table.js';
import { compileNamePattern, type NamePattern } from './glob.js';

/**
 * One entry of the job's `objects`. Either `db` + `table` (each exact or a glob with `*` and `?`), or the
 * shorthand `name: 'db.table'`, split at its first '.' (use db + table for a database name containing a dot).
 */
export interface ObjectRule {
  db?: string;
  table?: string;
  name?: string;
  topic?: string;
  filter?: string;
  partitionKey?: readonly string[];
  partitions?: number;
}

/** A table as the server lists it (information_schema.TABLES). */
export interface ServerTable {
  db: string;
  table: string;
  /** TABLE_TYPE: 'BASE TABLE', 'VIEW', 'SYSTEM VIEW', MariaDB's 'SYSTEM VERSIONED' and 'SEQUENCE' */
  type: string;
}

export interface SelectedObject {
  db: string;
  table: string;
  topic: string;
  /** the WHERE filter text, or null when the rule has none */
  filter: string | null;
  /** configured partition-key columns, or null (then key-hash uses the primary / first NOT NULL unique key) */
  partitionKey: readonly string[] | null;
  /** partition count used only when sluice creates the topic */
  partitions: number | null;
  /** index of the rule in the job's `objects` list */
  ruleIndex: number;
}

export interface UnmatchedRule {
  rule: ObjectRule;
  ruleIndex: number;
  /** how the rule reads in messages: `shop.orders` or `shop.order_*` */
  pattern: string;
  /** true when the rule holds no glob, so precheck can say "table does not exist" */
  exact: boolean;
  /** views the rule named: they are never synced, and precheck can say so instead of "does not exist" */
  views: readonly string[];
}

export interface ObjectSelection {
  objects: SelectedObject[];
  unmatched: UnmatchedRule[];
}

interface CompiledRule {
  rule: ObjectRule;
  index: number;
  db: NamePattern;
  table: NamePattern;
  pattern: string;
}

// MariaDB lists system-versioned tables as 'SYSTEM VERSIONED'; they are base tables with history rows.
const BASE_TYPES = new Set(['BASE TABLE', 'SYSTEM VERSIONED']);

function compileRule(rule: ObjectRule, index: number): CompiledRule {
  let db = rule.db;
  let table = rule.table;
  if (rule.name !== undefined) {
    if (db !== undefined || table !== undefined) {
      throw new ConfigError(`objects[${index}] gives both name and db/table; use one form.`);
    }
    const dot = rule.name.indexOf('.');
    if (dot <= 0 || dot === rule.name.length - 1) {
      throw new ConfigError(`objects[${index}].name '${rule.name}' is not 'db.table'; write it as db.table or give db and table.`);
    }
    db = rule.name.slice(0, dot);
    table = rule.name.slice(dot + 1);
  }
  if (!db || !table) {
    throw new ConfigError(`objects[${index}] needs db and table (or name: 'db.table').`);
  }
  return { rule, index, db: compileNamePattern(db), table: compileNamePattern(table), pattern: `${db}.${table}` };
}

function compileRules(rules: readonly ObjectRule[]): CompiledRule[] {
  return rules.map(compileRule);
}

function toSelected(c: CompiledRule, db: string, table: string, jobTopic: string): SelectedObject {
  return {
    db,
    table,
    topic: c.rule.topic ?? jobTopic,
    filter: c.rule.filter ?? null,
    partitionKey: c.rule.partitionKey ?? null,
    partitions: c.rule.partitions ?? null,
    ruleIndex: c.index,
  };
}

function matchOne(compiled: readonly CompiledRule[], db: string, table: string): CompiledRule | null {
  let hit: CompiledRule | null = null;
  for (const c of compiled) {
    if (!c.db.matches(db) || !c.table.matches(table)) continue;
    if (hit) {
      throw new ConfigError(
        `${objectName(db, table)} is matched by two object entries (objects[${hit.index}] '${hit.pattern}' and objects[${c.index}] '${c.pattern}'); narrow one pattern so each table is listed once.`,
      );
    }
    hit = c;
  }
  return hit;
}

/** The base tables the rules select from the server's list, and the rules that selected nothing. */
export function selectObjects(
  rules: readonly ObjectRule[],
  tables: readonly ServerTable[],
  jobTopic: string,
): ObjectSelection {
  const compiled = compileRules(rules);
  const used = new Set<number>();
  const views = new Map<number, string[]>();
  const objects: SelectedObject[] = [];
  for (const t of tables) {
    if (!BASE_TYPES.has(t.type)) {
      for (const c of compiled) {
        if (c.db.matches(t.db) && c.table.matches(t.table)) {
          const list = views.get(c.index) ?? [];
          list.push(objectName(t.db, t.table));
          views.set(c.index, list);
        }
      }
      continue;
    }
    const hit = matchOne(compiled, t.db, t.table);
    if (!hit) continue;
    used.add(hit.index);
    objects.push(toSelected(hit, t.db, t.table, jobTopic));
  }
  const unmatched = compiled
    .filter((c) => !used.has(c.index))
    .map((c) => ({
      rule: c.rule,
      ruleIndex: c.index,
      pattern: c.pattern,
      exact: !c.db.isGlob && !c.table.isGlob,
      views: views.get(c.index) ?? [],
    }));
  return { objects, unmatched };
}

/**
 * For a base table that appears later in the binlog (CREATE TABLE, RENAME TABLE): its object, or null when
 * no rule selects it. The caller checks that it is a base table (a CREATE VIEW never reaches here).
 */
export function resolveObject(
  rules: readonly ObjectRule[],
  db: string,
  table: string,
  jobTopic: string,
): SelectedObject | null {
  const compiled = compileRules(rules);
  const hit = matchOne(compiled, db, table);
  return hit ? toSelected(hit, db, table, jobTopic) : null;
}

/** Whether any rule selects `db.table` (throws ConfigError when two do). */
export function matchesObject(rules: readonly ObjectRule[], db: string, table: string): boolean {
  return matchOne(compileRules(rules), db, table) !== null;
}
