import type { Argv } from 'yargs';
import { loadJob } from '../config/index.js';
import { renderReport } from '../precheck/render-report.js';
import { runPrecheck } from '../precheck/run-precheck.js';
import { FLAG_RULES, numericFlag } from './numeric-flags.js';

export function precheckCommand(y: Argv): Argv {
  return y.command(
    'precheck <job>',
    'check the source, the target and the job before a sync (exit 0 ok, 1 a check failed, 2 bad job file)',
    (a) =>
      a
        .positional('job', { type: 'string', demandOption: true, describe: 'the job file (YAML)' })
        .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
        .option('timeout', { type: 'number', describe: 'seconds each side may take (default: connect timeout + 5 s)' }),
    async (args) => {
      const timeout = numericFlag('timeout', args.timeout, FLAG_RULES.timeout);
      const job = loadJob(args.job as string);
      const report = await runPrecheck(job, timeout !== undefined ? { timeoutMs: timeout * 1000 } : {});
      process.stdout.write(args.json ? JSON.stringify(report, null, 2) + '\n' : renderReport(report, process.stdout.isTTY === true) + '\n');
      process.exitCode = report.ok ? 0 : 1;
    },
  );
}
