/**
 * Which selected tables a DDL statement from the binlog may touch. Deliberately generous (a name mentioned
 * anywhere counts): a false hit costs one information_schema read, a miss would leave a stale schema.
 * Full DDL tracking (parsing, renames into the selection, tables created later) is issue 7.
 */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function mentions(query: string, name: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_$\\u0080-\\uffff])${escapeRegExp(name)}($|[^A-Za-z0-9_$\\u0080-\\uffff])`, 'i').test(query);
}

/** The tables of `candidates` that `query` (run with default database `defaultDb`) may change. */
export function tablesTouchedByDdl<T extends { db: string; table: string }>(query: string, defaultDb: string, candidates: readonly T[]): T[] {
  return candidates.filter((t) => mentions(query, t.table) && (t.db.toLowerCase() === defaultDb.toLowerCase() || mentions(query, t.db)));
}

/** A table named by a DDL statement, its database resolved against the statement's default database. */
export interface DdlTableName {
  db: string;
  table: string;
}

/**
 * What a DDL statement from the binlog does to tables, as far as sluice's structure tracking and object
 * selection care. Everything else (views, routines, grants, indexes on other objects) is `other`.
 */
export type DdlStatement =
  | { kind: 'create-table'; table: DdlTableName }
  | { kind: 'drop-table'; tables: DdlTableName[] }
  | { kind: 'rename-table'; renames: Array<{ from: DdlTableName; to: DdlTableName }> }
  /** ALTER TABLE (RENAME TO inside it as renameTo), CREATE/DROP INDEX … ON */
  | { kind: 'alter-table'; table: DdlTableName; renameTo: DdlTableName | null }
  | { kind: 'truncate-table'; table: DdlTableName }
  | { kind: 'database'; op: 'create' | 'drop' | 'alter'; db: string }
  | { kind: 'other' };

export type Token = { t: 'id'; v: string; quoted: boolean } | { t: 'punct'; v: string } | { t: 'str'; v: string };

const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Tokens of a statement: identifiers (backquoted or bare), strings and punctuation. Comments are dropped,
 * except the executable kinds the server itself writes (`/*!50100 …*\/`, MariaDB's `/*M!100100 …*\/`),
 * whose body counts as text.
 */
export function tokenizeSql(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const exec = /^\/\*M?!\d*/.exec(sql.slice(i, i + 12));
      if (exec) {
        i += exec[0].length; // the body is tokenized; its closing */ is skipped below
      } else {
        const end = sql.indexOf('*/', i + 2);
        i = end < 0 ? n : end + 2;
      }
    } else if (c === '*' && sql[i + 1] === '/') {
      i += 2;
    } else if (c === '#' || (c === '-' && sql[i + 1] === '-' && (i + 2 >= n || /\s/.test(sql[i + 2] as string)))) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '`') {
      let v = '';
      i++;
      while (i < n) {
        if (sql[i] === '`') {
          if (sql[i + 1] === '`') {
            v += '`';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += sql[i];
        i++;
      }
      out.push({ t: 'id', v, quoted: true });
    } else if (c === "'" || c === '"') {
      let v = '';
      i++;
      while (i < n && sql[i] !== c) {
        if (sql[i] === '\\') i++;
        v += sql[i] ?? '';
        i++;
      }
      i++;
      out.push({ t: 'str', v });
    } else if (WORD.test(c)) {
      let j = i;
      while (j < n && WORD.test(sql[j] as string)) j++;
      out.push({ t: 'id', v: sql.slice(i, j), quoted: false });
      i = j;
    } else {
      out.push({ t: 'punct', v: c });
      i++;
    }
  }
  return out;
}

class Cursor {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly defaultDb: string,
  ) {}

  /** the next token is the bare keyword `word` (case-insensitive); consumes it */
  kw(...words: string[]): boolean {
    const t = this.toks[this.i];
    if (t?.t === 'id' && !t.quoted && words.some((w) => w.toUpperCase() === t.v.toUpperCase())) {
      this.i++;
      return true;
    }
    return false;
  }

  /** consumes a sequence of keywords, or nothing */
  kws(...words: string[]): boolean {
    const start = this.i;
    for (const w of words) {
      if (!this.kw(w)) {
        this.i = start;
        return false;
      }
    }
    return true;
  }

  punct(p: string): boolean {
    const t = this.toks[this.i];
    if (t?.t === 'punct' && t.v === p) {
      this.i++;
      return true;
    }
    return false;
  }

  ident(): string | null {
    const t = this.toks[this.i];
    if (t?.t !== 'id') return null;
    this.i++;
    return t.v;
  }

  /** `db.table` or `table` (default database) */
  tableName(): DdlTableName | null {
    const first = this.ident();
    if (first === null) return null;
    if (this.punct('.')) {
      const second = this.ident();
      return second === null ? null : { db: first, table: second };
    }
    return { db: this.defaultDb, table: first };
  }

  get done(): boolean {
    return this.i >= this.toks.length || (this.toks[this.i]?.t === 'punct' && this.toks[this.i]?.v === ';');
  }

  /** Moves on to the next top-level (outside parentheses) occurrence of the bare keyword; false at the end. */
  seekTopLevel(word: string): boolean {
    let depth = 0;
    for (; this.i < this.toks.length; this.i++) {
      const t = this.toks[this.i] as Token;
      if (t.t === 'punct' && t.v === '(') depth++;
      else if (t.t === 'punct' && t.v === ')') depth--;
      else if (depth === 0 && t.t === 'id' && !t.quoted && t.v.toUpperCase() === word) return true;
    }
    return false;
  }

  next(): void {
    this.i++;
  }
}

/** The tables of a `name [, name …]` list. */
function nameList(c: Cursor): DdlTableName[] {
  const out: DdlTableName[] = [];
  for (;;) {
    const t = c.tableName();
    if (!t) break;
    out.push(t);
    if (!c.punct(',')) break;
  }
  return out;
}

/** The statement's effect on tables; `defaultDb` is the Query event's schema (the session's USE). */
export function parseDdl(query: string, defaultDb: string): DdlStatement {
  const c = new Cursor(tokenizeSql(query), defaultDb);
  const other: DdlStatement = { kind: 'other' };
  if (c.kw('CREATE')) {
    c.kws('OR', 'REPLACE');
    c.kw('DEFINER'); // CREATE DEFINER=… VIEW/TRIGGER: not a table
    if (c.kw('DATABASE', 'SCHEMA')) {
      c.kws('IF', 'NOT', 'EXISTS');
      const db = c.ident();
      return db === null ? other : { kind: 'database', op: 'create', db };
    }
    if (c.kw('TEMPORARY')) return other; // never replicated as rows under binlog_format=ROW
    if (c.kw('TABLE')) {
      c.kws('IF', 'NOT', 'EXISTS');
      const table = c.tableName();
      return table ? { kind: 'create-table', table } : other;
    }
    c.kw('ONLINE', 'OFFLINE');
    c.kw('UNIQUE', 'FULLTEXT', 'SPATIAL');
    if (c.kw('INDEX')) {
      if (!c.seekTopLevel('ON')) return other;
      c.next();
      const table = c.tableName();
      return table ? { kind: 'alter-table', table, renameTo: null } : other;
    }
    return other;
  }
  if (c.kw('DROP')) {
    if (c.kw('DATABASE', 'SCHEMA')) {
      c.kws('IF', 'EXISTS');
      const db = c.ident();
      return db === null ? other : { kind: 'database', op: 'drop', db };
    }
    if (c.kw('TEMPORARY')) return other;
    if (c.kw('TABLE')) {
      c.kws('IF', 'EXISTS');
      const tables = nameList(c);
      return tables.length ? { kind: 'drop-table', tables } : other;
    }
    c.kw('ONLINE', 'OFFLINE');
    if (c.kw('INDEX')) {
      if (!c.seekTopLevel('ON')) return other;
      c.next();
      const table = c.tableName();
      return table ? { kind: 'alter-table', table, renameTo: null } : other;
    }
    return other;
  }
  if (c.kw('RENAME')) {
    if (!c.kw('TABLE', 'TABLES')) return other;
    const renames: Array<{ from: DdlTableName; to: DdlTableName }> = [];
    for (;;) {
      const from = c.tableName();
      if (!from || !c.kw('TO')) break;
      const to = c.tableName();
      if (!to) break;
      renames.push({ from, to });
      if (!c.punct(',')) break;
    }
    return renames.length ? { kind: 'rename-table', renames } : other;
  }
  if (c.kw('TRUNCATE')) {
    c.kw('TABLE');
    const table = c.tableName();
    return table ? { kind: 'truncate-table', table } : other;
  }
  if (c.kw('ALTER')) {
    c.kw('ONLINE', 'OFFLINE');
    c.kw('IGNORE');
    if (c.kw('DATABASE', 'SCHEMA')) {
      const db = c.ident();
      return { kind: 'database', op: 'alter', db: db === null || db.toUpperCase() === 'DEFAULT' || db.toUpperCase() === 'CHARACTER' ? defaultDb : db };
    }
    if (!c.kw('TABLE')) return other;
    c.kws('IF', 'EXISTS');
    const table = c.tableName();
    if (!table) return other;
    // ALTER TABLE t …, RENAME [TO|AS] u (not RENAME COLUMN/INDEX/KEY)
    while (c.seekTopLevel('RENAME')) {
      c.next();
      if (c.kw('COLUMN', 'INDEX', 'KEY')) continue;
      c.kw('TO', 'AS');
      const to = c.tableName();
      if (to) return { kind: 'alter-table', table, renameTo: to };
    }
    return { kind: 'alter-table', table, renameTo: null };
  }
  return other;
}

/** Every table a parsed statement names (for a rename: both sides). */
export function tablesNamedBy(s: DdlStatement): DdlTableName[] {
  switch (s.kind) {
    case 'create-table':
    case 'truncate-table':
      return [s.table];
    case 'drop-table':
      return s.tables;
    case 'rename-table':
      return s.renames.flatMap((r) => [r.from, r.to]);
    case 'alter-table':
      return s.renameTo ? [s.table, s.renameTo] : [s.table];
    default:
      return [];
  }
}
