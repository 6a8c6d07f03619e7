/**
 * Errors a user can cause. Each carries one sentence for the user (`message`: the cause and the fix) and,
 * optionally, the underlying error for logs. The CLI prints the sentence, never the stack.
 */
export type UserErrorKind = 'config' | 'source' | 'target' | 'state' | 'check' | 'fault';

/**
 * The exit codes (README "Exit codes"): 0 done; 1 a check failed or the source/target refused; 2 a bad job
 * file or command line; 3 stopped by a fault the user must act on (purged binlog, vanished topic, another
 * instance or replica holding the job's state or server id). Anything else (a bug) exits 1.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, fault: 3 } as const;

export function exitCodeFor(e: unknown): number {
  if (!isUserError(e)) return EXIT.failed;
  if (e.kind === 'config') return EXIT.usage;
  if (e.kind === 'fault') return EXIT.fault;
  return EXIT.failed;
}

export class UserError extends Error {
  readonly kind: UserErrorKind;
  constructor(kind: UserErrorKind, sentence: string, options?: { cause?: unknown }) {
    super(sentence, options);
    this.kind = kind;
    this.name = new.target.name;
  }
}

/** The job file is wrong: bad YAML, unknown key, wrong type, unreadable secret. */
export class ConfigError extends UserError {
  constructor(sentence: string, options?: { cause?: unknown }) {
    super('config', sentence, options);
  }
}

/** The MySQL/MariaDB source refused or failed in a way the user can fix. */
export class SourceError extends UserError {
  constructor(sentence: string, options?: { cause?: unknown }) {
    super('source', sentence, options);
  }
}

/** The Kafka target refused or failed in a way the user can fix. */
export class TargetError extends UserError {
  constructor(sentence: string, options?: { cause?: unknown }) {
    super('target', sentence, options);
  }
}

/** The job's state directory holds something sluice cannot use. */
export class StateError extends UserError {
  constructor(sentence: string, options?: { cause?: unknown }) {
    super('state', sentence, options);
  }
}

/** precheck found a FAIL (run refuses to start): exit 1, not the job file's 2. */
export class CheckError extends UserError {
  constructor(sentence: string, options?: { cause?: unknown }) {
    super('check', sentence, options);
  }
}

/**
 * A fault the user must act on before the job can go on: the source purged what sluice had not read, the
 * topic vanished or was recreated, another instance holds the state, another replica uses the server id.
 * Exit 3; never retried.
 */
export class FaultError extends UserError {
  constructor(sentence: string, options?: { cause?: unknown }) {
    super('fault', sentence, options);
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
