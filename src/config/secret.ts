import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A password or similar. Its value leaves only through `reveal()`; printing, logging or serialising it
 * shows `[redacted]`, so a config object can be logged whole without leaking (DESIGN §5).
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}
