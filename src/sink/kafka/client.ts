import kafkajs, { type Kafka as KafkaClient, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { TargetConfig } from '../../config/index.js';

// kafkajs is CommonJS: named imports of values fail under Node's ESM loader.
const { Kafka, logLevel } = kafkajs;

export interface ClientOptions {
  /** retries for kafkajs' own retrier; precheck uses few so an unreachable cluster fails fast */
  retries?: number;
  requestTimeoutMs?: number;
  clientIdSuffix?: string;
}

function sasl(cfg: TargetConfig): SASLOptions | undefined {
  if (!cfg.sasl) return undefined;
  const { username } = cfg.sasl;
  const password = cfg.sasl.password.reveal();
  switch (cfg.sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

/** A kafkajs client for the job's target. kafkajs' own logger is silenced: sluice reports errors itself. */
export function kafkaClient(cfg: TargetConfig, opts: ClientOptions = {}): KafkaClient {
  const config: KafkaConfig = {
    clientId: opts.clientIdSuffix ? `${cfg.clientId}-${opts.clientIdSuffix}` : cfg.clientId,
    brokers: cfg.brokers,
    connectionTimeout: cfg.connectTimeoutMs,
    requestTimeout: opts.requestTimeoutMs ?? 30000,
    logLevel: logLevel.NOTHING,
    retry: { retries: opts.retries ?? 5, initialRetryTime: 300, maxRetryTime: 5000 },
  };
  if (cfg.tls) config.ssl = { ca: cfg.tls.ca, cert: cfg.tls.cert, key: cfg.tls.key, rejectUnauthorized: cfg.tls.verify };
  const s = sasl(cfg);
  if (s) config.sasl = s;
  return new Kafka(config);
}
