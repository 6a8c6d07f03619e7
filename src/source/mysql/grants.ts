/**
 * The privileges a `SHOW GRANTS` listing gives, by scope. Parsing the listing (rather than probing) is
 * what lets precheck name the exact missing privilege, as DTS's precheck does.
 */
export interface Grants {
  global: Set<string>;
  /** db name (as written, may hold `%`/`_` wildcards) → privileges */
  database: Map<string, Set<string>>;
  /** `db.table` → privileges */
  table: Map<string, Set<string>>;
}

const GRANT_LINE = /^GRANT\s+(.+?)\s+ON\s+(?:(?:TABLE|FUNCTION|PROCEDURE)\s+)?(\S+)\s+TO\s/i;

function unquote(id: string): string {
  return id.replace(/^`(.*)`$/, '$1').replace(/``/g, '`');
}

/** Splits a privilege list on commas outside parentheses (column grants: `SELECT (a, b)`). */
function splitPrivileges(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of list) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  // Column-level grants do not allow reading whole rows, so they count as nothing here.
  return out.map((p) => p.trim().toUpperCase()).filter((p) => p && !p.includes('('));
}

export function parseGrants(lines: readonly string[]): Grants {
  const grants: Grants = { global: new Set(), database: new Map(), table: new Map() };
  for (const line of lines) {
    const m = GRANT_LINE.exec(line);
    if (!m) continue; // role grants ("GRANT `r`@`%` TO ...") and PROXY lines carry no object privileges
    const privileges = splitPrivileges(m[1] as string);
    const target = m[2] as string;
    const dot = target.match(/^(`(?:[^`]|``)*`|[^.]+)\.(`(?:[^`]|``)*`|[^.]+)$/);
    if (!dot) continue;
    const db = unquote(dot[1] as string);
    const tbl = unquote(dot[2] as string);
    const bucket = db === '*' ? grants.global : tbl === '*' ? getOrAdd(grants.database, db) : getOrAdd(grants.table, `${db}.${tbl}`);
    for (const p of privileges) {
      if (p === 'ALL' || p === 'ALL PRIVILEGES') bucket.add('ALL PRIVILEGES');
      else bucket.add(p);
    }
  }
  return grants;
}

function getOrAdd(map: Map<string, Set<string>>, key: string): Set<string> {
  let s = map.get(key);
  if (!s) map.set(key, (s = new Set()));
  return s;
}

function has(set: Set<string> | undefined, privilege: string): boolean {
  return !!set && (set.has(privilege) || set.has('ALL PRIVILEGES'));
}

/** MySQL's database-level grant names may use `%` and `_` wildcards (and `\_` for a literal underscore). */
function dbPatternMatches(pattern: string, db: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && i + 1 < pattern.length) re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(db);
}

export function hasGlobal(g: Grants, privilege: string): boolean {
  return has(g.global, privilege);
}

/** Whether `privilege` applies to db.table through any scope. */
export function hasOnTable(g: Grants, privilege: string, db: string, table: string): boolean {
  if (has(g.global, privilege)) return true;
  for (const [pattern, set] of g.database) if (dbPatternMatches(pattern, db) && has(set, privilege)) return true;
  return has(g.table.get(`${db}.${table}`), privilege);
}
