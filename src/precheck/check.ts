/** One line of the precheck report. */
export type CheckStatus = 'PASS' | 'WARN' | 'FAIL' | 'SKIP';

export interface CheckResult {
  /** stable id, e.g. `source.binlog_format` */
  id: string;
  /** what was checked, for the table's first column */
  title: string;
  status: CheckStatus;
  /** what was found */
  detail: string;
  /** how to fix it (WARN/FAIL) */
  fix?: string;
}

export const pass = (id: string, title: string, detail: string): CheckResult => ({ id, title, status: 'PASS', detail });
export const warn = (id: string, title: string, detail: string, fix: string): CheckResult => ({ id, title, status: 'WARN', detail, fix });
export const fail = (id: string, title: string, detail: string, fix: string): CheckResult => ({ id, title, status: 'FAIL', detail, fix });
export const skip = (id: string, title: string, detail: string): CheckResult => ({ id, title, status: 'SKIP', detail });

/** Rejects with a timeout error when `p` takes longer than `ms`, so no check can hang precheck. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} did not finish within ${ms} ms`), { code: 'PRECHECK_TIMEOUT' })), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
