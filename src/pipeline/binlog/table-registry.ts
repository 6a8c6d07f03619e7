/**
 * The selected tables as the binlog path sees them, kept current across DDL: a DDL that may touch one
 * re-reads its structure from information_schema and compiles it again (metaVersion + 1 when it changed);
 * a table that no longer exists stops syncing (as DTS does when a table is renamed out of the selection).
 *
 * Known limit until issue 7: information_schema shows the structure *now*, so rows written before an ALTER
 * that the stream reaches only after it would be read with the new structure; the stream notices a row
 * whose columns differ from the schema and stops rather than mis-map it.
 */
import type { TableSchema } from '../../model/table.js';
import { tablesTouchedByDdl } from '../../source/binlog/ddl-tables.js';
import type { SyncedTable } from '../job/source-model.js';
import { compileBinlogTable, type BinlogTable, type BinlogTableOptions } from './binlog-table.js';

export interface RegistryOptions extends Omit<BinlogTableOptions, 'partitions'> {
  /** topic → partition count */
  partitions: ReadonlyMap<string, number>;
  /** reads one table's structure; resolves null when the table no longer exists */
  loadSchema: (db: string, table: string) => Promise<TableSchema | null>;
  log: (line: string) => void;
}

function sameStructure(a: TableSchema, b: TableSchema): boolean {
  const strip = (s: TableSchema) => JSON.stringify({ c: s.columns, p: s.primaryKey, u: s.uniqueKeys });
  return strip(a) === strip(b);
}

export class TableRegistry {
  private readonly byName = new Map<string, BinlogTable>();
  private readonly opts: RegistryOptions;

  constructor(tables: readonly SyncedTable[], opts: RegistryOptions, versions: Readonly<Record<string, number>> = {}) {
    this.opts = opts;
    for (const t of tables) {
      const name = `${t.schema.db}.${t.schema.table}`;
      const schema = { ...t.schema, version: Math.max(t.schema.version, versions[name] ?? 0) };
      this.byName.set(name, this.compile(t, schema));
    }
  }

  private compile(t: SyncedTable, schema: TableSchema): BinlogTable {
    return compileBinlogTable(t, schema, { ...this.opts, partitions: this.opts.partitions.get(t.object.topic) ?? 1 });
  }

  get(db: string, table: string): BinlogTable | undefined {
    return this.byName.get(`${db}.${table}`);
  }

  get tables(): BinlogTable[] {
    return [...this.byName.values()];
  }

  /** zongji's includeSchema: the tables whose row events to decode */
  includeSchema(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const t of this.byName.values()) (out[t.schema.db] ??= []).push(t.schema.table);
    return out;
  }

  /** `db.table` → schema version, for the checkpoint */
  schemaVersions(): Record<string, number> {
    return Object.fromEntries([...this.byName.entries()].map(([k, t]) => [k, t.schema.version]));
  }

  /** The selected tables a DDL statement may touch. */
  touchedBy(query: string, defaultDb: string): BinlogTable[] {
    return tablesTouchedByDdl(query, defaultDb, this.tables.map((t) => ({ db: t.schema.db, table: t.schema.table, t }))).map((x) => x.t);
  }

  /** Re-reads the tables' structure; returns those that changed. */
  async reload(tables: readonly BinlogTable[]): Promise<BinlogTable[]> {
    const changed: BinlogTable[] = [];
    for (const old of tables) {
      const name = `${old.schema.db}.${old.schema.table}`;
      const fresh = await this.opts.loadSchema(old.schema.db, old.schema.table);
      if (!fresh) {
        this.byName.delete(name);
        this.opts.log(`${name} no longer exists on the source: it stops syncing`);
        continue;
      }
      if (sameStructure(fresh, old.schema)) continue;
      const next = this.compile(old.synced, { ...fresh, version: old.schema.version + 1 });
      this.byName.set(name, next);
      changed.push(next);
      this.opts.log(`${name} changed structure: schema version ${next.schema.version}`);
    }
    return changed;
  }
}
