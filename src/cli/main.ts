import yargs from 'yargs';
import { EXIT, exitCodeFor, isUserError } from '../errors.js';
import { precheckCommand } from './precheck.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { tailCommand } from './tail.js';

export async function main(argv: string[]): Promise<void> {
  // `sluice tail | head` closes our stdout early: that is the reader being done, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const cli = yargs(argv)
    .scriptName('sluice')
    .strict()
    .demandCommand(1, 'name a command: precheck, run, status or tail')
    .recommendCommands()
    .help()
    .version(false)
    .fail((msg, err) => {
      if (err) throw err;
      // one line, like every other error: yargs' own text, then where to look
      process.stderr.write(`sluice: ${msg.replace(/\s*\n\s*/g, ' ').replace(/\.?\s*$/, '')}; run sluice --help for the commands.\n`);
      process.exit(EXIT.usage);
    });
  precheckCommand(cli);
  runCommand(cli);
  statusCommand(cli);
  tailCommand(cli);
  try {
    await cli.parseAsync();
  } catch (e) {
    if (isUserError(e)) {
      process.stderr.write(`sluice: ${e.message}\n`);
    } else {
      // A bug, not a user error: still one line on stderr; the stack only when asked for.
      process.stderr.write(`sluice: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      if (process.env.SLUICE_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    }
    process.exitCode = exitCodeFor(e);
  }
}
