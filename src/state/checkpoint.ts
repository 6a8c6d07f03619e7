import { z } from 'zod';
import type { TableSchema } from '../model/table.js';
import type { TopicWrites } from '../model/topic-writes.js';

/**
 * The job's checkpoint (DESIGN §2): a small immutable value with explicit (de)serialisation, written and read
 * by state/ alone. It holds positions and plans, never connection settings, so no secret can reach a state
 * file: serialisation names every field it writes instead of spreading objects.
 */
export const CHECKPOINT_VERSION = 1;

/** A binlog position at a transaction boundary, where a restart may resume. */
export interface BinlogCheckpoint {
  readonly file: string;
  readonly pos: number;
  /** GTID set (MySQL) or GTID position (MariaDB) at that boundary; null when GTID is off */
  readonly gtidSet: string | null;
}

/** One planned snapshot chunk with the record ids reserved for it (DESIGN §2: ids below the first binlog id). */
export interface ChunkPlan {
  /** `db.table#index`, as EncodedBatch's snapshot position names it */
  readonly chunk: string;
  /** `db.table` */
  readonly table: string;
  /** key-range bounds rendered as strings by the planner (null: open end); lower inclusive, upper exclusive */
  readonly lower: readonly (string | null)[] | null;
  readonly upper: readonly (string | null)[] | null;
  /** first record id reserved for the chunk */
  readonly firstId: bigint;
}

export interface SnapshotCheckpoint {
  /** where the binlog phase starts: captured before the first row was read */
  readonly binlogStart: BinlogCheckpoint;
  readonly chunks: readonly ChunkPlan[];
  /** chunks whose every record Kafka acknowledged */
  readonly done: readonly string[];
  /** true once every chunk is done */
  readonly finished: boolean;
}

export interface Checkpoint {
  readonly version: typeof CHECKPOINT_VERSION;
  /** the job's name, to catch a state directory shared by two jobs */
  readonly job: string;
  /** ISO time of the save */
  readonly savedAt: string;
  /** null until the binlog phase has a safe position */
  readonly binlog: BinlogCheckpoint | null;
  /** the last record id assigned at `binlog`, so a replayed change gets the same id */
  readonly lastId: bigint;
  /** null when the job has no snapshot (init.data off) */
  readonly snapshot: SnapshotCheckpoint | null;
  /** `db.table` → schema version in force at `binlog` (the last one given, for tables dropped since) */
  readonly schemaVersions: Readonly<Record<string, number>>;
  /**
   * `db.table` → the structure sluice tracked for each selected table at `binlog` (issue 7): a restart reads
   * the rows after the checkpoint with the structure in force when they were written, not information_schema's.
   */
  readonly schemas?: Readonly<Record<string, TableSchema>>;
  /**
   * topic → partition → the end offset of the last batch Kafka acknowledged there (issue 15): what sluice
   * knows it wrote. A topic listed here that is gone, or whose end offsets are behind, was deleted or
   * recreated under the job, and the job stops instead of recreating it or counting its records as delivered.
   */
  readonly topics?: TopicWrites;
}

export type { TopicWrites };

/** The later of two records of what was written (offsets only grow while a topic lives). */
export function mergeTopicWrites(a: TopicWrites | undefined, b: TopicWrites | undefined): TopicWrites | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: Record<string, Record<string, bigint>> = {};
  for (const src of [a, b]) {
    for (const [topic, parts] of Object.entries(src)) {
      const t = (out[topic] ??= {});
      for (const [p, end] of Object.entries(parts)) if ((t[p] ?? -1n) < end) t[p] = end;
    }
  }
  return out;
}

function freezeDeep<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) freezeDeep(x);
  }
  return v;
}

export function emptyCheckpoint(job: string): Checkpoint {
  return freezeDeep({ version: CHECKPOINT_VERSION, job, savedAt: new Date(0).toISOString(), binlog: null, lastId: 0n, snapshot: null, schemaVersions: {} });
}

/** A copy with some fields replaced (the value itself never changes). */
export function updateCheckpoint(cp: Checkpoint, change: Partial<Omit<Checkpoint, 'version' | 'job'>>): Checkpoint {
  return freezeDeep({ ...cp, ...change });
}

/** Marks snapshot chunks done (and the snapshot finished when none is left). */
export function withChunksDone(cp: Checkpoint, chunks: readonly string[]): Checkpoint {
  if (!cp.snapshot || chunks.length === 0) return cp;
  const done = new Set(cp.snapshot.done);
  for (const c of chunks) done.add(c);
  const finished = cp.snapshot.chunks.every((c) => done.has(c.chunk));
  return updateCheckpoint(cp, { snapshot: { ...cp.snapshot, done: [...done], finished } });
}

function binlogJson(b: BinlogCheckpoint): Record<string, unknown> {
  return { file: b.file, pos: b.pos, gtidSet: b.gtidSet };
}

/** JSON text with a fixed field order; bigints as decimal strings. */
export function serializeCheckpoint(cp: Checkpoint): string {
  const out = {
    version: CHECKPOINT_VERSION,
    job: cp.job,
    savedAt: cp.savedAt,
    binlog: cp.binlog ? binlogJson(cp.binlog) : null,
    lastId: cp.lastId.toString(),
    snapshot: cp.snapshot
      ? {
          binlogStart: binlogJson(cp.snapshot.binlogStart),
          chunks: cp.snapshot.chunks.map((c) => ({ chunk: c.chunk, table: c.table, lower: c.lower, upper: c.upper, firstId: c.firstId.toString() })),
          done: [...cp.snapshot.done],
          finished: cp.snapshot.finished,
        }
      : null,
    schemaVersions: Object.fromEntries(Object.entries(cp.schemaVersions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    ...(cp.schemas ? { schemas: Object.fromEntries(Object.entries(cp.schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, t]) => [k, tableJson(t)])) } : {}),
    ...(cp.topics
      ? {
          topics: Object.fromEntries(
            Object.entries(cp.topics)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([t, parts]) => [t, Object.fromEntries(Object.entries(parts).sort(([a], [b]) => Number(a) - Number(b)).map(([p, end]) => [p, end.toString()]))]),
          ),
        }
      : {}),
  };
  return `${JSON.stringify(out, null, 1)}\n`;
}

/** A tracked structure, field by field (TableSchema is plain data; no field is spread from elsewhere). */
function tableJson(t: TableSchema): Record<string, unknown> {
  return {
    db: t.db,
    table: t.table,
    version: t.version,
    columns: t.columns.map((c) => ({
      name: c.name,
      ordinal: c.ordinal,
      typeCode: c.typeCode,
      dataType: c.dataType,
      columnType: c.columnType,
      unsigned: c.unsigned,
      nullable: c.nullable,
      precision: c.precision,
      scale: c.scale,
      charset: c.charset,
      collation: c.collation,
      ...(c.members ? { members: c.members } : {}),
    })),
    primaryKey: t.primaryKey,
    uniqueKeys: t.uniqueKeys.map((u) => ({ name: u.name, columns: u.columns, unique: u.unique })),
  };
}

const columnSchema = z
  .object({
    name: z.string(),
    ordinal: z.number().int(),
    typeCode: z.number().int(),
    dataType: z.string(),
    columnType: z.string(),
    unsigned: z.boolean(),
    nullable: z.boolean(),
    precision: z.number().int().nullable(),
    scale: z.number().int().nullable(),
    charset: z.string().nullable(),
    collation: z.string().nullable(),
    members: z.array(z.string()).optional(),
  })
  .strict();
const tableSchemaSchema = z
  .object({
    db: z.string(),
    table: z.string(),
    version: z.number().int(),
    columns: z.array(columnSchema),
    primaryKey: z.array(z.string()),
    uniqueKeys: z.array(z.object({ name: z.string(), columns: z.array(z.string()), unique: z.boolean() }).strict()),
  })
  .strict();

const decimal = z.string().regex(/^-?\d+$/, 'a decimal integer');
const binlogSchema = z.object({ file: z.string().min(1), pos: z.number().int().nonnegative(), gtidSet: z.string().nullable() }).strict();
const boundSchema = z.array(z.string().nullable()).nullable();
const fileSchema = z
  .object({
    version: z.literal(CHECKPOINT_VERSION),
    job: z.string(),
    savedAt: z.string(),
    binlog: binlogSchema.nullable(),
    lastId: decimal,
    snapshot: z
      .object({
        binlogStart: binlogSchema,
        chunks: z.array(z.object({ chunk: z.string(), table: z.string(), lower: boundSchema, upper: boundSchema, firstId: decimal }).strict()),
        done: z.array(z.string()),
        finished: z.boolean(),
      })
      .strict()
      .nullable(),
    schemaVersions: z.record(z.string(), z.number().int()),
    schemas: z.record(z.string(), tableSchemaSchema).optional(),
    topics: z.record(z.string(), z.record(z.string().regex(/^\d+$/, 'a partition number'), decimal)).optional(),
  })
  .strict();

/** A checkpoint, or why the text is not one this sluice can use (a short phrase for the StateError). */
export type ParseResult = { ok: true; checkpoint: Checkpoint } | { ok: false; reason: string };

export function parseCheckpoint(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not valid JSON (${(e as Error).message})` };
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > CHECKPOINT_VERSION) {
    return { ok: false, reason: `written by a newer sluice (checkpoint version ${version}, this one reads ${CHECKPOINT_VERSION})` };
  }
  const r = fileSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, reason: `field '${issue?.path.join('.') || '(root)'}' ${issue?.message ?? 'is invalid'}` };
  }
  const v = r.data;
  return {
    ok: true,
    checkpoint: freezeDeep({
      version: CHECKPOINT_VERSION,
      job: v.job,
      savedAt: v.savedAt,
      binlog: v.binlog,
      lastId: BigInt(v.lastId),
      snapshot: v.snapshot
        ? {
            binlogStart: v.snapshot.binlogStart,
            chunks: v.snapshot.chunks.map((c) => ({ ...c, firstId: BigInt(c.firstId) })),
            done: v.snapshot.done,
            finished: v.snapshot.finished,
          }
        : null,
      schemaVersions: v.schemaVersions,
      ...(v.schemas ? { schemas: v.schemas } : {}),
      ...(v.topics ? { topics: Object.fromEntries(Object.entries(v.topics).map(([t, parts]) => [t, Object.fromEntries(Object.entries(parts).map(([p, end]) => [p, BigInt(end)]))])) } : {}),
    }),
  };
}
