/**
 * How `sluice run` stops on SIGINT/SIGTERM. The first signal asks the job to finish the work in progress,
 * flush to Kafka and save the checkpoint. That waits for Kafka's acknowledgements, so while Kafka is down it
 * used to wait forever and a second signal was ignored. Now the wait is bounded (job `shutdown.timeoutMs`),
 * and a second signal exits at once; either way the checkpoint stays at the last acknowledged change, so
 * nothing is lost (what was not acknowledged is sent again by the next run), and one line says so.
 * SIGHUP (a closed terminal, or an operator expecting a reload) used to kill sluice with no line at all: it is
 * logged as a warning and the job goes on (sluice does not reload its job file). A signal that arrives after the
 * job has ended, while the process exits, is ignored instead of killing it without a word.
 */
import { EXIT } from '../errors.js';

export interface StopSignalOptions {
  abort: AbortController;
  log: (line: string) => void;
  /** for SIGHUP's line (default: log) */
  warn?: (line: string) => void;
  timeoutMs: number;
  /** what Kafka has not acknowledged yet, for the line */
  pending: () => string;
  /** where the saved checkpoint stands, for the line */
  checkpoint: () => string;
  /** exits the process (tests pass their own) */
  exit?: (code: number) => void;
  write?: (line: string) => void;
}

const ignoreLate = (): void => undefined;

/** Installs the handlers; the returned function removes them (call it when the job has ended). */
export function installStopSignals(o: StopSignalOptions): () => void {
  const exit = o.exit ?? ((code: number) => process.exit(code));
  const write = o.write ?? ((line: string) => process.stderr.write(line));
  let first: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (first !== null) {
      write(`sluice: second ${sig}: exiting at once without waiting for Kafka (${o.pending()}); the checkpoint stays at ${o.checkpoint()}, and the next run sends what came after it again.\n`);
      exit(EXIT.failed);
      return;
    }
    first = sig;
    o.log(`${sig}: finishing the work in progress, flushing to Kafka and saving the checkpoint (at most ${Math.round(o.timeoutMs / 1000)} s; a second ${sig} exits at once)`);
    o.abort.abort();
    timer = setTimeout(() => {
      write(`sluice: Kafka did not acknowledge everything within ${Math.round(o.timeoutMs / 1000)} s of ${sig} (${o.pending()}), so sluice exits without it; the checkpoint stays at ${o.checkpoint()}, and the next run sends what came after it again (shutdown.timeoutMs sets the wait).\n`);
      exit(EXIT.failed);
    }, o.timeoutMs);
  };
  const onHangup = (): void => {
    (o.warn ?? o.log)('SIGHUP: sluice does not reload its job file; the job goes on (stop it with SIGTERM or SIGINT, then run it again to apply a change)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onHangup);
  return () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGHUP', onHangup);
    if (timer) clearTimeout(timer);
    // the job has ended and the process is on its way out: a late signal must not kill it with no line
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) if (process.listenerCount(sig) === 0) process.on(sig, ignoreLate);
  };
}
