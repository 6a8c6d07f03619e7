import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { loadJob, Secret, type TargetConfig } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { decodeRecord, decodeRecordRaw } from '../format/dts-avro/index.js';
import { readTopic } from '../sink/kafka/read-topic.js';
import { FLAG_RULES, numericFlag } from './numeric-flags.js';

interface TailArgs {
  job?: string;
  brokers?: string;
  topic?: string;
  'from-beginning'?: boolean;
  'from-timestamp'?: string;
  max?: number;
  partition?: number;
  idle?: number;
  raw: boolean;
  binary: 'hex' | 'base64';
  sasl?: 'scram-sha-256' | 'scram-sha-512' | 'plain';
  username?: string;
  'password-env'?: string;
  'password-file'?: string;
  tls: boolean;
  'tls-ca'?: string;
  'tls-no-verify': boolean;
}

function targetFromFlags(a: TailArgs): TargetConfig {
  if (!a.brokers) throw new ConfigError('sluice tail needs --brokers host:port (or a job file): name the Kafka cluster to read.');
  const cfg: TargetConfig = { brokers: a.brokers.split(','), clientId: 'sluice', topic: a.topic ?? '', createTopics: false, connectTimeoutMs: 10000 };
  if (a.sasl) {
    if (!a.username) throw new ConfigError('--sasl needs --username and --password-env or --password-file.');
    let password: string | undefined;
    if (a['password-env']) {
      password = process.env[a['password-env']];
      if (password === undefined) throw new ConfigError(`--password-env ${a['password-env']} names an environment variable that is not set: set it to the SASL password, or use --password-file.`);
    }
    else if (a['password-file']) {
      try {
        password = readFileSync(a['password-file'], 'utf8').replace(/\r?\n$/, '');
      } catch {
        throw new ConfigError(`--password-file ${a['password-file']} cannot be read: fix the path or its permissions.`);
      }
    }
    if (password === undefined) throw new ConfigError('--sasl needs the password through --password-env NAME (a set variable) or --password-file PATH.');
    cfg.sasl = { mechanism: a.sasl, username: a.username, password: new Secret(password) };
  }
  if (a.tls || a['tls-ca']) {
    let ca: string | undefined;
    if (a['tls-ca']) {
      try {
        ca = readFileSync(a['tls-ca'], 'utf8');
      } catch {
        throw new ConfigError(`--tls-ca ${a['tls-ca']} cannot be read: fix the path.`);
      }
    }
    cfg.tls = { verify: !a['tls-no-verify'], ...(ca ? { ca } : {}) };
  }
  return cfg;
}

function parseFrom(a: TailArgs): 'latest' | 'earliest' | number {
  if (a['from-timestamp'] !== undefined) {
    const t = a['from-timestamp'];
    const ms = /^\d+$/.test(t) ? Number(t) * (t.length <= 10 ? 1000 : 1) : Date.parse(t);
    if (Number.isNaN(ms)) throw new ConfigError(`--from-timestamp ${t} is not a time: give epoch seconds, epoch ms or an ISO time like 2026-11-25T10:00:00Z.`);
    return ms;
  }
  return a['from-beginning'] ? 'earliest' : 'latest';
}

export function tailCommand(y: Argv): Argv {
  return y.command(
    'tail [job]',
    'print the DTS Avro records of a topic as JSON lines',
    (a) =>
      a
        .positional('job', { type: 'string', describe: 'a job file: read its target and topic' })
        .option('brokers', { type: 'string', describe: 'host:port[,host:port]' })
        .option('topic', { type: 'string', describe: 'the topic (default: the job\'s topic)' })
        .option('from-beginning', { type: 'boolean', describe: 'start at the oldest record (default: only new records)' })
        .option('from-timestamp', { type: 'string', describe: 'start at this time (epoch s/ms or ISO)' })
        .option('max', { type: 'number', describe: 'stop after N records' })
        .option('partition', { type: 'number', describe: 'only this partition' })
        .option('idle', { type: 'number', describe: 'stop after this many seconds without a record' })
        .option('raw', { type: 'boolean', default: false, describe: 'print the undecoded union form' })
        .option('binary', { choices: ['hex', 'base64'] as const, default: 'hex' as const, describe: 'how binary values print' })
        .option('sasl', { choices: ['scram-sha-256', 'scram-sha-512', 'plain'] as const })
        .option('username', { type: 'string' })
        .option('password-env', { type: 'string', describe: 'environment variable holding the SASL password' })
        .option('password-file', { type: 'string', describe: 'file holding the SASL password' })
        .option('tls', { type: 'boolean', default: false })
        .option('tls-ca', { type: 'string', describe: 'PEM file of the CA' })
        .option('tls-no-verify', { type: 'boolean', default: false })
        .conflicts('from-beginning', 'from-timestamp'),
    async (argv) => {
      const a = argv as unknown as TailArgs;
      const partition = numericFlag('partition', a.partition, FLAG_RULES.partition);
      const max = numericFlag('max', a.max, FLAG_RULES.max);
      const idle = numericFlag('idle', a.idle, FLAG_RULES.idle);
      const target = a.job ? loadJob(a.job).target : targetFromFlags(a);
      const topic = a.topic ?? target.topic;
      if (!topic) throw new ConfigError('sluice tail needs --topic (or a job file with target.topic).');
      const from = parseFrom(a);
      let stop!: () => void;
      const stopped = new Promise<void>((r) => (stop = r));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await readTopic(
        target,
        {
          topic,
          from,
          ...(partition !== undefined ? { partition } : {}),
          ...(max !== undefined ? { max } : {}),
          ...(idle !== undefined ? { idleMs: idle * 1000 } : {}),
          stop: stopped,
        },
        (m) => {
          if (!m.value) return;
          const record = a.raw ? decodeRecordRaw(m.value, { binary: a.binary }) : decodeRecord(m.value, { binary: a.binary });
          const line = { partition: m.partition, offset: m.offset, key: m.key?.toString("utf8") ?? null, ...(record as object) };
          process.stdout.write(JSON.stringify(line) + '\n');
        },
      );
    },
  );
}
