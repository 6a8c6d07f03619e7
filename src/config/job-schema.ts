import { z } from 'zod';

/**
 * The job file's shape (DESIGN §1). Every object is strict, so an unknown key is an error naming it;
 * defaults are filled in here so the rest of sluice never guesses.
 */

/** A secret may be inline, `${ENV}` (interpolated before validation), `{ env: NAME }` or `{ file: path }`. */
const secretInput = z.union([
  z.string(),
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
export type SecretInput = z.infer<typeof secretInput>;

const tlsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** PEM files; a CA is needed to verify a private CA's certificate */
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    /** verify the server certificate (default true; turn off only for a self-signed test server) */
    verify: z.boolean().default(true),
  })
  .strict();
export type TlsInput = z.infer<typeof tlsSchema>;

const port = z.number().int().min(1).max(65535);

const sourceSchema = z
  .object({
    host: z.string().min(1),
    port: port.default(3306),
    user: z.string().min(1),
    password: secretInput,
    tls: tlsSchema.optional(),
    /** the replication client's server id: unique among the source's replicas; derived from the job's name when omitted (job-name.ts) */
    serverId: z.number().int().min(1).max(4294967295).optional(),
    connectTimeoutMs: z.number().int().positive().default(10000),
  })
  .strict();

const saslSchema = z
  .object({
    mechanism: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']),
    username: z.string().min(1),
    password: secretInput,
  })
  .strict();

/**
 * A name Kafka accepts for a topic (its Topic.validate: 1–249 characters of ASCII letters, digits, '.', '_'
 * and '-', and not '.' or '..'): a name it rejects used to pass precheck and make run blame CREATE permission.
 */
export const topicName = z
  .string()
  .min(1)
  .max(249, 'a Kafka topic name of at most 249 characters')
  .regex(/^[a-zA-Z0-9._-]+$/, "a Kafka topic name of letters, digits, '.', '_' and '-' only")
  .refine((t) => t !== '.' && t !== '..', { message: "a Kafka topic name other than '.' or '..'" });

const targetSchema = z
  .object({
    brokers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'host:port')).min(1),
    clientId: z.string().min(1).default('sluice'),
    /** the job's default topic; an object may name its own */
    topic: topicName,
    tls: tlsSchema.optional(),
    sasl: saslSchema.optional(),
    /** DTS requires the topic to exist; sluice creates missing topics only when this is true */
    createTopics: z.boolean().default(false),
    connectTimeoutMs: z.number().int().positive().default(10000),
  })
  .strict();

const objectSchema = z
  .object({
    /** `db.table`, globs `*` and `?` allowed in either part; or give `db` and `table` */
    name: z.string().regex(/^[^.]+\.[^.]+$/, 'db.table').optional(),
    db: z.string().min(1).optional(),
    table: z.string().min(1).optional(),
    topic: topicName.optional(),
    filter: z.string().min(1).optional(),
    partitionKey: z.array(z.string().min(1)).min(1).optional(),
    /** partition count, used only when sluice creates the topic */
    partitions: z.number().int().min(1).max(10000).optional(),
  })
  .strict()
  .refine((o) => (o.name !== undefined) !== (o.db !== undefined && o.table !== undefined), {
    message: 'give either name: db.table or both db and table',
  });

export const jobFileSchema = z
  .object({
    /** the job's name (default: the job file's base name); its derived server id and report host come from it */
    name: z.string().optional(),
    source: sourceSchema,
    target: targetSchema,
    objects: z.array(objectSchema).min(1),
    partitioning: z.enum(['partition0', 'table-hash', 'key-hash']).default('table-hash'),
    init: z
      .object({ schema: z.boolean().default(true), data: z.boolean().default(true) })
      .strict()
      .default({ schema: true, data: true }),
    ddl: z.enum(['ignore', 'emit']).default('ignore'),
    /** charsetNames: `dts` names utf8mb3 columns utf8mb3 as DTS does; `legacy` writes utf8 for the old DTS demo */
    format: z
      .object({ charsetNames: z.enum(['dts', 'legacy']).default('dts') })
      .strict()
      .default({ charsetNames: 'dts' }),
    state: z.object({ dir: z.string().min(1).default('.sluice-state') }).strict().default({ dir: '.sluice-state' }),
    snapshot: z
      .object({
        parallelism: z.number().int().min(1).max(64).default(2),
        chunkRows: z.number().int().min(100).default(50000),
        /** 0 = full speed */
        maxRowsPerSecond: z.number().int().min(0).default(0),
      })
      .strict()
      .default({ parallelism: 2, chunkRows: 50000, maxRowsPerSecond: 0 }),
    workers: z
      .object({ threads: z.number().int().min(1).max(64).default(2) })
      .strict()
      .default({ threads: 2 }),
    producer: z
      .object({
        batchBytes: z.number().int().min(1024).default(1048576),
        lingerMs: z.number().int().min(0).default(5),
        compression: z.enum(['lz4', 'gzip', 'none']).default('lz4'),
        maxInFlight: z.number().int().min(1).max(5).default(5),
      })
      .strict()
      .default({ batchBytes: 1048576, lingerMs: 5, compression: 'lz4', maxInFlight: 5 }),
    heartbeat: z
      .object({
        /** how often the server's binlog end is probed, so the lag is known on an idle source (0: never) */
        intervalMs: z.number().int().min(0).default(1000),
        /** DTS writes HEARTBEAT records only where the job asks for them (DESIGN §3) */
        records: z.boolean().default(false),
      })
      .strict()
      .refine((h) => !h.records || h.intervalMs > 0, { message: 'records: true needs intervalMs above 0 (a HEARTBEAT record follows a probe)', path: ['records'] })
      .default({ intervalMs: 1000, records: false }),
    shutdown: z
      .object({
        /**
         * how long SIGINT/SIGTERM waits for Kafka to acknowledge what was sent before sluice exits anyway (exit 1,
         * the checkpoint left at the last acknowledged change, so nothing is lost: the rest is sent again)
         */
        timeoutMs: z.number().int().min(1000).max(3_600_000).default(30_000),
      })
      .strict()
      .default({ timeoutMs: 30_000 }),
  })
  .strict();

export type JobFile = z.infer<typeof jobFileSchema>;
