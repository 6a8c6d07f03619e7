import type { CheckResult, CheckStatus } from './check.js';
import type { PrecheckReport } from './run-precheck.js';

const COLOR: Record<CheckStatus, string> = { PASS: '\x1b[32m', WARN: '\x1b[33m', FAIL: '\x1b[31m', SKIP: '\x1b[90m' };

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** The report as a table for a person: check, status, detail, and the fix under each WARN/FAIL. */
export function renderReport(r: PrecheckReport, color: boolean): string {
  const w = Math.min(44, Math.max(...r.checks.map((c) => c.title.length)));
  const lines = r.checks.map((c: CheckResult) => {
    const status = color ? `${COLOR[c.status]}${c.status}\x1b[0m` : c.status;
    const head = `${pad(c.title, w)}  ${status}  ${c.detail}`;
    return c.fix && c.status !== 'PASS' ? `${head}\n${' '.repeat(w + 8)}fix: ${c.fix}` : head;
  });
  const count = (s: CheckStatus) => r.checks.filter((c) => c.status === s).length;
  lines.push('');
  lines.push(`${count('PASS')} passed, ${count('WARN')} warning(s), ${count('FAIL')} failed${count('SKIP') ? `, ${count('SKIP')} skipped` : ''} in ${(r.elapsedMs / 1000).toFixed(1)} s — ${r.ok ? 'the job may start' : 'fix the FAILs before starting the job'}.`);
  return lines.join('\n');
}
