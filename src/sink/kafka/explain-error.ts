import type { TargetConfig } from '../../config/index.js';
import { TargetError } from '../../errors.js';

interface KafkaLikeError {
  name?: string;
  message?: string;
  code?: string;
  type?: string;
  cause?: unknown;
  originalError?: unknown;
  retryCount?: number;
}

function chain(e: unknown): KafkaLikeError[] {
  const out: KafkaLikeError[] = [];
  let cur: unknown = e;
  for (let i = 0; cur && i < 6; i++) {
    const k = cur as KafkaLikeError;
    out.push(k);
    cur = k.originalError ?? k.cause;
  }
  return out;
}

/** Turns a kafkajs failure into one sentence naming the cause and the fix. */
export function explainKafkaError(cfg: TargetConfig, e: unknown): TargetError {
  const errs = chain(e);
  const where = cfg.brokers.join(',');
  const text = errs.map((x) => `${x.name ?? ''} ${x.message ?? ''} ${x.code ?? ''} ${x.type ?? ''}`).join(' | ');
  if (errs.some((x) => x.name === 'KafkaJSSASLAuthenticationError') || /SASL|authentication/i.test(text)) {
    const who = cfg.sasl ? `user '${cfg.sasl.username}' with ${cfg.sasl.mechanism.toUpperCase()}` : 'without SASL';
    return new TargetError(`Kafka at ${where} rejected authentication as ${who}: check target.sasl (mechanism, username, password) and that the broker's listener enables that mechanism.`, { cause: e });
  }
  if (/ECONNREFUSED/.test(text)) {
    return new TargetError(`Kafka at ${where} refused the connection: check target.brokers and that the broker is running.`, { cause: e });
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) {
    return new TargetError(`A broker host in ${where} cannot be resolved: check target.brokers.`, { cause: e });
  }
  if (/ETIMEDOUT|timed? ?out|Connection timeout/i.test(text)) {
    return new TargetError(`Kafka at ${where} did not answer within ${cfg.connectTimeoutMs} ms: check target.brokers, the listener's security protocol (target.tls/sasl) and any firewall.`, { cause: e });
  }
  if (/certificate|self[- ]signed|SSL|TLS|wrong version number/i.test(text)) {
    return new TargetError(`TLS to Kafka at ${where} failed: check target.tls (CA file, verify) and that the listener speaks TLS.`, { cause: e });
  }
  if (/Closed connection|ECONNRESET|socket hang up/i.test(text)) {
    return new TargetError(`Kafka at ${where} closed the connection: the listener may expect TLS or SASL — check target.tls and target.sasl.`, { cause: e });
  }
  const first = errs[0];
  return new TargetError(`Kafka at ${where} failed: ${first?.message ?? String(e)}.`, { cause: e });
}
