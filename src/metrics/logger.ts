import { pino } from 'pino';

/** What every stage logs through: one line per notable event, with fields. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Keys whose values never reach a log line, at any depth pino can see. */
const REDACT = ['password', '*.password', '*.*.password', 'secret', '*.secret', 'sasl.password', 'source.password'];

function human(level: string, msg: string, fields?: Record<string, unknown>): string {
  const extra = fields
    ? Object.entries(fields)
        .filter(([k]) => !/password|secret/i.test(k))
        .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join('')
    : '';
  return `${new Date().toISOString()} ${level === 'info' ? '' : `${level.toUpperCase()} `}${msg}${extra}\n`;
}

/**
 * JSON lines (pino) when stderr is not a terminal — for log shippers — and plain readable lines on a
 * terminal. Either way on stderr, so stdout stays for command output.
 */
export function createLogger(opts: { json?: boolean; level?: 'info' | 'warn' | 'error' } = {}): Logger {
  const json = opts.json ?? !process.stderr.isTTY;
  if (json) {
    const p = pino({ level: opts.level ?? 'info', base: { pid: process.pid }, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination({ fd: 2, sync: true }));
    return {
      info: (msg, fields) => p.info(fields ?? {}, msg),
      warn: (msg, fields) => p.warn(fields ?? {}, msg),
      error: (msg, fields) => p.error(fields ?? {}, msg),
    };
  }
  const rank = { info: 0, warn: 1, error: 2 } as const;
  const min = rank[opts.level ?? 'info'];
  const write = (level: keyof typeof rank) => (msg: string, fields?: Record<string, unknown>) => {
    if (rank[level] >= min) process.stderr.write(human(level, msg, fields));
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}
