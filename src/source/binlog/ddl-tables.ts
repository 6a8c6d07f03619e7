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
