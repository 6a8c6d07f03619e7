/**
 * What a failed produce means for the sink: wait and resend the same slices (`transient`), cut smaller
 * batches (`too-large`), check whether the topic exists (`unknown-topic`), start a new producer id
 * (`reset`), or stop the job (`permanent`).
 */
export type SendErrorKind = 'transient' | 'too-large' | 'unknown-topic' | 'reset' | 'permanent';

interface KafkaLikeError {
  name?: string;
  message?: string;
  type?: string;
  code?: string | number;
  retriable?: boolean;
  originalError?: unknown;
  cause?: unknown;
}

function chain(e: unknown): KafkaLikeError[] {
  const out: KafkaLikeError[] = [];
  let cur: unknown = e;
  for (let i = 0; cur && typeof cur === 'object' && i < 8; i++) {
    const k = cur as KafkaLikeError;
    out.push(k);
    cur = k.originalError ?? k.cause;
  }
  return out;
}

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
// The idempotent producer's state at the broker no longer matches ours; a new producer id restarts the
// sequence (what the Java client does), at the price of possible duplicates: at-least-once holds.
const RESET = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);
const PERMANENT = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_REQUIRED_ACKS',
  'UNSUPPORTED_VERSION',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'POLICY_VIOLATION',
  'INVALID_CONFIG',
]);
const TRANSIENT_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSLockTimeout',
  'KafkaJSStaleTopicMetadataAssignment',
]);

export function classifySendError(e: unknown): SendErrorKind {
  const errs = chain(e);
  for (const x of errs) {
    if (x.type && TOO_LARGE.has(x.type)) return 'too-large';
    if (x.type === 'UNKNOWN_TOPIC_OR_PARTITION') return 'unknown-topic';
    if (x.type && RESET.has(x.type)) return 'reset';
    if (x.type && PERMANENT.has(x.type)) return 'permanent';
    if (x.name === 'KafkaJSSASLAuthenticationError') return 'permanent';
  }
  for (const x of errs) {
    if (x.name && TRANSIENT_NAMES.has(x.name)) return 'transient';
    if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|socket hang up|Connection timeout|disconnected/i.test(`${x.message ?? ''} ${x.code ?? ''}`)) return 'transient';
    if (x.retriable === true) return 'transient';
  }
  return 'permanent';
}
