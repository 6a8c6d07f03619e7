/**
 * Errors a user can cause. Each carries one sentence for the user (`message`: the cause and the fix) and,
 * optionally, the underlying error for logs. The CLI prints the sentence, never the stack.
 */
export type UserErrorKind = 'config' | 'source' | 'target' | 'state';

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

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
