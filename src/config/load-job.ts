import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from '../errors.js';
import { describeIssue } from './describe-issue.js';
import { interpolateEnv } from './interpolate-env.js';
import { derivedServerId, jobName } from './job-name.js';
import type { JobConfig, ObjectRule, TlsConfig } from './job-config.js';
import { jobFileSchema, type JobFile, type SecretInput, type TlsInput } from './job-schema.js';
import { Secret } from './secret.js';

function readText(path: string, what: string, baseDir: string): string {
  const full = resolve(baseDir, path);
  try {
    return readFileSync(full, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : `cannot be read (${code})`;
    throw new ConfigError(`${what} names the file ${full}, which ${why}: fix the path or the file's permissions.`);
  }
}

function resolveSecret(input: SecretInput, at: string, env: NodeJS.ProcessEnv, baseDir: string): Secret {
  if (typeof input === 'string') return new Secret(input);
  if ('env' in input) {
    const value = env[input.env];
    if (value === undefined) {
      throw new ConfigError(`${at} reads the environment variable ${input.env}, which is not set: export it before running sluice.`);
    }
    return new Secret(value);
  }
  // A secret file conventionally ends with a newline that is not part of the secret.
  return new Secret(readText(input.file, at, baseDir).replace(/\r?\n$/, ''));
}

function resolveTls(input: TlsInput | undefined, at: string, baseDir: string): TlsConfig | undefined {
  if (!input || !input.enabled) return undefined;
  const tls: TlsConfig = { verify: input.verify };
  if (input.ca) tls.ca = readText(input.ca, `${at}.ca`, baseDir);
  if (input.cert) tls.cert = readText(input.cert, `${at}.cert`, baseDir);
  if (input.key) tls.key = readText(input.key, `${at}.key`, baseDir);
  return tls;
}

function toRule(o: JobFile['objects'][number]): ObjectRule {
  const [db, table] = o.name ? (o.name.split('.') as [string, string]) : [o.db as string, o.table as string];
  const rule: ObjectRule = { db, table };
  if (o.topic !== undefined) rule.topic = o.topic;
  if (o.filter !== undefined) rule.filter = o.filter;
  if (o.partitionKey !== undefined) rule.partitionKey = o.partitionKey;
  if (o.partitions !== undefined) rule.partitions = o.partitions;
  return rule;
}

/** Validates an already-parsed job document. `file` is used for messages and to resolve relative paths. */
export function buildJob(doc: unknown, file: string, env: NodeJS.ProcessEnv = process.env): JobConfig {
  const baseDir = dirname(resolve(file));
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`${file} must be a YAML mapping with source, target and objects: see the job file example in README.md.`);
  }
  const interpolated = interpolateEnv(doc, env);
  const parsed = jobFileSchema.safeParse(interpolated);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const more = parsed.error.issues.length - 1;
    const line = first ? describeIssue(first, interpolated) : 'invalid job file.';
    throw new ConfigError(`${file}: ${line}${more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''})` : ''}`);
  }
  const j = parsed.data;
  const name = jobName(j.name, file);
  const sasl = j.target.sasl
    ? {
        mechanism: j.target.sasl.mechanism,
        username: j.target.sasl.username,
        password: resolveSecret(j.target.sasl.password, 'target.sasl.password', env, baseDir),
      }
    : undefined;
  const sourceTls = resolveTls(j.source.tls, 'source.tls', baseDir);
  const targetTls = resolveTls(j.target.tls, 'target.tls', baseDir);
  return {
    file,
    name,
    source: {
      host: j.source.host,
      port: j.source.port,
      user: j.source.user,
      password: resolveSecret(j.source.password, 'source.password', env, baseDir),
      ...(sourceTls ? { tls: sourceTls } : {}),
      serverId: j.source.serverId ?? derivedServerId(name),
      connectTimeoutMs: j.source.connectTimeoutMs,
    },
    target: {
      brokers: j.target.brokers,
      clientId: j.target.clientId,
      topic: j.target.topic,
      ...(targetTls ? { tls: targetTls } : {}),
      ...(sasl ? { sasl } : {}),
      createTopics: j.target.createTopics,
      connectTimeoutMs: j.target.connectTimeoutMs,
    },
    objects: j.objects.map(toRule),
    partitioning: j.partitioning,
    init: j.init,
    ddl: j.ddl,
    format: j.format,
    state: { dir: resolve(baseDir, j.state.dir) },
    snapshot: j.snapshot,
    workers: j.workers,
    producer: j.producer,
    heartbeat: j.heartbeat,
    shutdown: j.shutdown,
  };
}

/** Reads, parses and validates a job file. Every problem is a ConfigError with one sentence. */
export function loadJob(file: string, env: NodeJS.ProcessEnv = process.env): JobConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? `The job file ${file} does not exist: check the path.` : `The job file ${file} cannot be read (${code}): check its permissions.`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const pos = e.linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      const what = e.message.split('\n')[0]?.replace(/ at line \d+, column \d+.*$/, '') ?? 'invalid YAML';
      throw new ConfigError(`${file} is not valid YAML${where}: ${what}.`);
    }
    throw e;
  }
  return buildJob(doc, file, env);
}
