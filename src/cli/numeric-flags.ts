/**
 * Every numeric command-line flag is checked before any work starts: yargs hands over NaN for "abc" and takes
 * -5 or 1.5 as they are, and a negative timeout or count made commands hang (precheck --timeout -5 printed its
 * report and never exited; tail --max -1 waited forever).
 */
import { ConfigError } from '../errors.js';

export interface NumericFlagRule {
  min: number;
  max: number;
  /** what to give, for the sentence: "a whole number of seconds", "a port number" … */
  give: string;
  integer?: boolean;
}

/** The flag's value when it is given and valid; undefined when not given; a ConfigError (exit 2) otherwise. */
export function numericFlag(name: string, value: unknown, rule: NumericFlagRule): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  const whole = rule.integer !== false;
  if (!Number.isFinite(n) || n < rule.min || n > rule.max || (whole && !Number.isInteger(n))) {
    const what = !Number.isFinite(n) ? 'is not a number' : whole && !Number.isInteger(n) ? `${n} is not a whole number` : `${n} is out of range`;
    throw new ConfigError(`--${name} ${what}: give ${rule.give} from ${rule.min} to ${rule.max}.`);
  }
  return n;
}

export const FLAG_RULES = {
  timeout: { min: 1, max: 3600, give: 'a whole number of seconds' },
  metricsPort: { min: 1, max: 65535, give: 'a port number' },
  max: { min: 0, max: Number.MAX_SAFE_INTEGER, give: 'a record count' },
  partition: { min: 0, max: 1_000_000, give: 'a partition number' },
  idle: { min: 0, max: 86_400, give: 'a number of seconds', integer: false },
} satisfies Record<string, NumericFlagRule>;
