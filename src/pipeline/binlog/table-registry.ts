/**
 * The selected tables as the binlog path sees them, kept in step with the binlog itself (DESIGN §2, issue 7):
 * each row is named and typed by the structure in force when it was written, not by information_schema now.
 *
 * - Which tables sync: a table whose name the job's object rules select. A table renamed out of the rules
 *   stops syncing, one renamed or created into them starts (as DTS), because membership follows the name.
 * - Their structure, with binlog_row_metadata=FULL: every TABLE_MAP states it (table-map-columns.ts); it is
 *   merged with what was known before (table-structure.ts) and a change makes a new version. DDL only keeps
 *   the bookkeeping (a renamed table carries its known structure to the new name, a created one is described
 *   by information_schema until its first table map, a dropped one is forgotten).
 * - Without FULL (no names in the table map): the structure is re-read from information_schema at each DDL
 *   that touches the table, as the DDL passes in the stream (precheck warns about the ALTER-during-lag race).
 *
 * The tracked structures and versions are a copy-on-write value (`state`), so each transaction boundary can
 * keep the one in force there and the checkpoint saves exactly that: a replay from the checkpoint then
 * numbers versions (metaVersion) and record ids the same way.
 */
import type { TableSchema } from '../../model/table.js';
import { objectName } from '../../model/table.js';
import { ConfigError, SourceError } from '../../errors.js';
import type { DdlStatement, DdlTableName } from '../../source/binlog/index.js';
import { sameTableMapShape, structureFromTableMap, tableMapShape, type CollationTable, type TableMapMetadata, type TableMapShape } from '../../source/binlog/index.js';
import { mergeTableMap, sameStructure } from '../../source/binlog/index.js';
import { compileFilter, resolveObject, type ObjectRule, type SelectedObject } from '../../transform/index.js';
import type { SyncedTable } from '../synced-table.js';
import { compileBinlogTable, type BinlogTable, type BinlogTableOptions } from './binlog-table.js';

/** The structures in force at one point of the stream: what a checkpoint saves. */
export interface TrackedState {
  /** `db.table` → structure (with its version) of every selected table whose structure is known */
  readonly schemas: Readonly<Record<string, TableSchema>>;
  /** `db.table` → the last version given to that name (kept after a drop, so a re-created table moves on) */
  readonly versions: Readonly<Record<string, number>>;
}

export interface RegistryOptions extends Omit<BinlogTableOptions, 'partitions'> {
  /** topic → partition count */
  partitions: ReadonlyMap<string, number>;
  /** the job's object rules and default topic: which tables sync, and where */
  rules: readonly ObjectRule[];
  jobTopic: string;
  /** the server writes binlog_row_metadata=FULL */
  fullMetadata: boolean;
  collations: CollationTable;
  /** reads one table's structure now; resolves null when the table does not exist */
  loadSchema: (db: string, table: string) => Promise<TableSchema | null>;
  log: (line: string) => void;
}

export interface RegistryStart {
  /** the selected tables as information_schema described them when the job started */
  tables: readonly SyncedTable[];
  /** the checkpoint's tracked structures, when the binlog phase saved a position */
  saved: TrackedState | null;
  /** the checkpoint's versions before the binlog phase (the snapshot's) */
  versions: Readonly<Record<string, number>>;
}

const SYSTEM_SCHEMAS = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);
const key = (db: string, table: string): string => `${db}.${table}`;

export class TableRegistry {
  private readonly opts: RegistryOptions;
  private readonly compiled = new Map<string, BinlogTable>();
  /** what is known of a selected table not (or no longer) tracked: the description its next table map refines */
  private readonly hints = new Map<string, TableSchema>();
  private readonly objects = new Map<string, SelectedObject | null>();
  /** per table: the last table map read and the structure it left, so an unchanged map costs one comparison */
  private readonly lastMap = new Map<string, { shape: TableMapShape; schema: TableSchema }>();
  private current: TrackedState;

  constructor(opts: RegistryOptions, start: RegistryStart) {
    this.opts = opts;
    const schemas: Record<string, TableSchema> = {};
    const versions: Record<string, number> = { ...start.versions, ...(start.saved?.versions ?? {}) };
    for (const [name, s] of Object.entries(start.saved?.schemas ?? {})) if (this.objectFor(s.db, s.table)) schemas[name] = s;
    for (const t of start.tables) {
      const name = key(t.schema.db, t.schema.table);
      if (schemas[name]) continue;
      if (start.saved && opts.fullMetadata) {
        // Resuming: the table's first table map decides its structure, as it did in the run that saved the
        // checkpoint; information_schema only describes what the map cannot say.
        this.hints.set(name, t.schema);
        continue;
      }
      schemas[name] = { ...t.schema, version: Math.max(t.schema.version, versions[name] ?? 0) };
    }
    for (const [name, s] of Object.entries(schemas)) versions[name] = Math.max(versions[name] ?? 0, s.version);
    this.current = Object.freeze({ schemas: Object.freeze(schemas), versions: Object.freeze(versions) });
  }

  /** The structures in force now (an immutable value). */
  get state(): TrackedState {
    return this.current;
  }

  /** the server writes column names in every table map */
  get fullMetadata(): boolean {
    return this.opts.fullMetadata;
  }

  /** `db.table` → version, for the checkpoint */
  schemaVersions(): Record<string, number> {
    return { ...this.current.versions };
  }

  /** Whether the object rules select a table of this name (the reader decodes only these table maps). */
  selects(db: string, table: string): boolean {
    try {
      return this.objectFor(db, table) !== null;
    } catch {
      return true; // two rules match: the table map reaches onTableMap, which reports it
    }
  }

  /** The object rule's view of a table (topic, filter, key), or null when no rule selects it. */
  objectFor(db: string, table: string): SelectedObject | null {
    const name = key(db, table);
    let o = this.objects.get(name);
    if (o === undefined) {
      o = SYSTEM_SCHEMAS.has(db.toLowerCase()) ? null : resolveObject(this.opts.rules, db, table, this.opts.jobTopic);
      this.objects.set(name, o);
    }
    return o;
  }

  /** The compiled table for rows of `db.table`, or undefined when it does not sync (or is not known yet). */
  get(db: string, table: string): BinlogTable | undefined {
    const name = key(db, table);
    const schema = this.current.schemas[name];
    if (!schema) return undefined;
    let t = this.compiled.get(name);
    if (t?.schema !== schema) {
      t = this.compile(schema);
      this.compiled.set(name, t);
    }
    return t;
  }

  /** Every table tracked now. */
  get tables(): BinlogTable[] {
    return Object.values(this.current.schemas).map((s) => this.get(s.db, s.table) as BinlogTable);
  }

  private compile(schema: TableSchema): BinlogTable {
    const object = this.objectFor(schema.db, schema.table);
    if (!object) throw new Error(`${key(schema.db, schema.table)} is tracked but no object rule selects it`);
    let filterSql: string | null = null;
    try {
      filterSql = object.filter ? compileFilter(object.filter, schema).sql : null;
      return compileBinlogTable({ object, schema, filterSql }, schema, { ...this.opts, partitions: this.opts.partitions.get(object.topic) ?? 1 });
    } catch (e) {
      // a filter or partitionKey naming a column the new structure lacks; a type sluice cannot encode keeps its own sentence
      if (e instanceof ConfigError) {
        throw new SourceError(
          `The structure of ${objectName(schema.db, schema.table)} changed in the binlog (version ${schema.version}: ${schema.columns.map((c) => c.name).join(', ')}) and its object rule no longer fits it — ${e.message.replace(/\.$/, '')}; change the rule's filter or partitionKey to the new columns and run again.`,
          { cause: e },
        );
      }
      throw e;
    }
  }

  private update(change: (schemas: Record<string, TableSchema>, versions: Record<string, number>) => void): void {
    const schemas = { ...this.current.schemas };
    const versions = { ...this.current.versions };
    change(schemas, versions);
    this.current = Object.freeze({ schemas: Object.freeze(schemas), versions: Object.freeze(versions) });
  }

  private nextVersion(name: string): number {
    return (this.current.versions[name] ?? 0) + 1;
  }

  private track(schema: Omit<TableSchema, 'version'>, why: string): void {
    const name = key(schema.db, schema.table);
    const version = this.nextVersion(name);
    const next: TableSchema = { ...schema, version };
    this.compile(next); // refuses now (with the position) a structure the object rule cannot use
    this.update((schemas, versions) => {
      schemas[name] = next;
      versions[name] = version;
    });
    this.hints.delete(name);
    this.opts.log(`${name}: ${why}, schema version ${version} (${next.columns.map((c) => c.name).join(', ')})`);
  }

  private forget(name: string): void {
    if (!this.current.schemas[name]) return;
    this.update((schemas) => {
      delete schemas[name];
    });
  }

  /** Step: a TABLE_MAP of a selected table — the structure its rows were written with. */
  onTableMap(ev: TableMapMetadata): void | Promise<void> {
    const { schemaName: db, tableName: table } = ev;
    if (!this.objectFor(db, table)) return;
    const name = key(db, table);
    const cur = this.current.schemas[name] ?? null;
    const last = this.lastMap.get(name);
    if (cur && last?.schema === cur && sameTableMapShape(last.shape, ev)) return;
    const known = cur ?? this.hints.get(name) ?? null;
    const stated = structureFromTableMap(ev, this.opts.collations, new Set(known?.columns.filter((c) => c.dataType === 'vector').map((c) => c.name)));
    if (stated) {
      const merged = mergeTableMap(db, table, stated, known);
      if (!cur || !sameStructure(merged, cur)) this.track(merged, cur ? 'the table map shows a new structure' : 'first table map');
      this.lastMap.set(name, { shape: tableMapShape(ev), schema: this.current.schemas[name] as TableSchema });
      return;
    }
    // No column names in the map: the structure comes from information_schema, read when the table appears.
    if (cur) return;
    const hint = this.hints.get(name);
    if (hint) {
      this.track(hint, 'known from information_schema');
      return;
    }
    return this.opts.loadSchema(db, table).then((s) => {
      if (s) this.track(s, 'read from information_schema');
    });
  }

  /** Step: a DDL statement passes in the stream. */
  onDdl(stmt: DdlStatement): void | Promise<void> {
    const loads: DdlTableName[] = [];
    switch (stmt.kind) {
      case 'create-table':
        this.forget(key(stmt.table.db, stmt.table.table));
        if (this.objectFor(stmt.table.db, stmt.table.table)) loads.push(stmt.table);
        break;
      case 'drop-table':
        for (const t of stmt.tables) {
          this.forget(key(t.db, t.table));
          this.hints.delete(key(t.db, t.table));
        }
        break;
      case 'rename-table':
        for (const r of stmt.renames) this.rename(r.from, r.to, loads);
        break;
      case 'alter-table':
        if (!this.opts.fullMetadata && this.current.schemas[key(stmt.table.db, stmt.table.table)]) loads.push(stmt.table);
        if (stmt.renameTo) this.rename(stmt.table, stmt.renameTo, loads);
        break;
      case 'database':
        if (stmt.op === 'drop') {
          for (const s of Object.values(this.current.schemas)) if (s.db === stmt.db) this.forget(key(s.db, s.table));
          for (const [name, s] of [...this.hints]) if (s.db === stmt.db) this.hints.delete(name);
        }
        break;
      default:
    }
    if (loads.length === 0) return;
    return this.reload(loads);
  }

  /** A rename carries the known structure to the new name when that name is selected too. */
  private rename(from: DdlTableName, to: DdlTableName, loads: DdlTableName[]): void {
    const fromName = key(from.db, from.table);
    const known = this.current.schemas[fromName] ?? this.hints.get(fromName) ?? null;
    this.forget(fromName);
    this.hints.delete(fromName);
    const toName = key(to.db, to.table);
    this.forget(toName);
    if (!this.objectFor(to.db, to.table)) {
      if (known) this.opts.log(`${fromName} was renamed to ${toName}, which no object rule selects: it stops syncing`);
      return;
    }
    if (known) {
      const moved: TableSchema = { ...known, db: to.db, table: to.table };
      if (this.opts.fullMetadata) this.hints.set(toName, moved);
      else this.track(moved, `renamed from ${fromName}`);
    } else {
      loads.push(to);
    }
  }

  /**
   * Reads tables from information_schema at the DDL point: with FULL metadata as the description their next
   * table map refines, without it as their structure from here on.
   */
  private async reload(tables: readonly DdlTableName[]): Promise<void> {
    for (const t of tables) {
      const name = key(t.db, t.table);
      const fresh = await this.opts.loadSchema(t.db, t.table);
      if (!fresh) {
        this.forget(name);
        this.hints.delete(name);
        continue;
      }
      if (this.opts.fullMetadata) {
        this.hints.set(name, fresh);
        continue;
      }
      const cur = this.current.schemas[name];
      if (cur && sameStructure(fresh, cur)) continue;
      this.track(fresh, 'changed by a DDL');
    }
  }

  /**
   * Without FULL metadata, rows whose columns do not match the tracked structure (a DDL sluice did not
   * recognise): re-read once. Returns the table as re-read, or undefined when it no longer exists.
   */
  async reloadAfterDrift(table: BinlogTable): Promise<BinlogTable | undefined> {
    const { db, table: name } = table.schema;
    const fresh = await this.opts.loadSchema(db, name);
    if (!fresh) {
      this.forget(key(db, name));
      return undefined;
    }
    if (!sameStructure(fresh, table.schema)) this.track(fresh, 'rows no longer match the tracked structure');
    return this.get(db, name);
  }
}
