import type { Argv } from 'yargs';
import { loadJob, type JobConfig } from '../config/index.js';
import { CheckError, ConfigError, EXIT, isUserError } from '../errors.js';
import { FLAG_RULES, numericFlag } from './numeric-flags.js';
import { installStopSignals } from './stop-signals.js';
import { StatusPublisher } from '../metrics/job-status.js';
import { createLogger } from '../metrics/logger.js';
import { serveMetrics } from '../metrics/prometheus.js';
import { runJob } from '../pipeline/job/run-job.js';
import { JobLifecycle } from '../pipeline/job/lifecycle.js';
import { renderReport } from '../precheck/render-report.js';
import { runPrecheck } from '../precheck/run-precheck.js';
import { openStateStore, type StateStore } from '../state/index.js';

const logger = createLogger();
const log = (line: string): void => logger.info(line);

export function runCommand(y: Argv): Argv {
  return y.command(
    'run <job>',
    'precheck, schema init, full-data snapshot, then follow the binlog until stopped; resumable from the job state',
    (a) =>
      a
        .positional('job', { type: 'string', demandOption: true, describe: 'the job file (YAML)' })
        .option('snapshot-only', { type: 'boolean', default: false, describe: 'stop after the snapshot' })
        .option('skip-precheck', { type: 'boolean', default: false, describe: 'start without running precheck first' })
        .option('break-lock', { type: 'boolean', default: false, describe: "take over the state directory's lock even if another sluice run seems to hold it" })
        .option('resnapshot', { type: 'boolean', default: false, describe: 'discard the checkpoint (moved aside) and start over: schema, full snapshot, binlog' })
        .option('metrics-port', { type: 'number', alias: 'status-port', describe: 'serve /metrics (Prometheus) and /status (JSON) on 127.0.0.1:PORT' }),
    async (args) => {
      const port = numericFlag('metrics-port', args['metrics-port'], FLAG_RULES.metricsPort);
      const job = loadJob(args.job as string);
      // From the start: a signal during precheck or while the source does not answer yet used to kill sluice
      // with the default action, silently.
      const stop = new StopControl(job);
      try {
        const state = openStateStore(job);
        await state.prepare();
        // First of all: a second run on the same state must not even overwrite the first one's status file.
        const lock = await state.lock.acquire({
          breakLock: args['break-lock'],
          log,
          // Fenced: another process owns the state now, so this one must not flush or save a checkpoint over
          // the new owner's. What it has in flight is not in the checkpoint, so nothing is lost.
          onLost: (e) => {
            process.stderr.write(`sluice: ${e.message}\n`);
            process.exit(EXIT.fault);
          },
        });
        try {
          await runLocked(job, state, args as RunArgs, port, stop);
        } catch (e) {
          // A takeover by a run with the same server id also ends this one's binlog stream, often before the
          // lease renewal notices: the takeover is the cause to name, not the server id.
          throw (isUserError(e) && e.kind === 'fault' && (await lock.takenOver())) || e;
        } finally {
          await lock.release();
        }
      } finally {
        stop.remove();
      }
      // a precheck left behind by a stop signal may still wait on a source or broker that does not answer
      if (stop.abandoned) process.exit(EXIT.ok);
    },
  );
}

/** The stop signals, installed before anything waits; the job's status fills in what the lines report. */
class StopControl {
  readonly abort = new AbortController();
  status: StatusPublisher | null = null;
  lifecycle: JobLifecycle | null = null;
  /** the run stopped while precheck was still waiting */
  abandoned = false;
  readonly remove: () => void;
  constructor(job: JobConfig) {
    this.remove = installStopSignals({
      abort: this.abort,
      log,
      warn: (line) => logger.warn(line),
      timeoutMs: job.shutdown.timeoutMs,
      pending: () => {
        const sink = this.status?.snapshot().sink;
        return sink ? `${(sink.queuedBytes / 1048576).toFixed(1)} MiB queued, ${sink.requestsInFlight} request(s) in flight` : 'nothing queued';
      },
      checkpoint: () => this.status?.snapshot().checkpoint.binlog ?? 'its last saved snapshot chunk',
    });
  }
}

async function runLocked(job: JobConfig, state: StateStore, args: RunArgs, port: number | undefined, stop: StopControl): Promise<void> {
      const status = new StatusPublisher(state.status, job.name);
      const lifecycle = new JobLifecycle();
      status.use({ lifecycle });
      lifecycle.onChange(() => void status.publish());
      stop.abort.signal.addEventListener('abort', () => lifecycle.stopping(), { once: true });
      if (stop.abort.signal.aborted) lifecycle.stopping();
      stop.status = status;
      stop.lifecycle = lifecycle;
      status.start();
      if (port !== undefined) {
        await serveMetrics(status, port).catch((e: NodeJS.ErrnoException) => {
          throw new ConfigError(`--metrics-port ${port} cannot be used (${e.code ?? e.message}): choose a free port.`);
        });
        log(`metrics on http://127.0.0.1:${port}/metrics, status on /status`);
      }
      try {
        await runWithStatus(job, state, args, status, stop);
        lifecycle.end(false);
        await status.stop();
      } catch (e) {
        status.error(e instanceof Error ? e.message : String(e));
        lifecycle.end(true);
        await status.stop();
        throw e;
      }
}

function stoppedBeforeStart(): void {
  log('stopped before the job started: nothing was read or written, the checkpoint is as it was');
}

/** The precheck gate, then the job itself; the caller publishes the final status. */
interface RunArgs {
  job: string;
  'snapshot-only': boolean;
  'skip-precheck': boolean;
  'break-lock': boolean;
  resnapshot: boolean;
  'metrics-port'?: number;
}

async function runWithStatus(job: JobConfig, state: StateStore, args: RunArgs, status: StatusPublisher, stop: StopControl): Promise<void> {
    const abort = stop.abort;
    if (abort.signal.aborted) return stoppedBeforeStart();
    if (!args['skip-precheck']) {
      // --resnapshot sets the checkpoint aside: the topics it names do not hold the run back. A stop signal
      // does not wait for a source or broker that does not answer (each precheck side is bounded anyway).
      const aborted = new Promise<null>((resolve) => abort.signal.addEventListener('abort', () => resolve(null), { once: true }));
      const report = await Promise.race([runPrecheck(job, { resnapshot: args.resnapshot }), aborted]);
      if (report === null) {
        stop.abandoned = true;
        return stoppedBeforeStart();
      }
      if (!report.ok) {
        process.stdout.write(renderReport({ ...report, checks: report.checks.filter((c) => c.status === 'FAIL') }, process.stdout.isTTY === true) + '\n');
        throw new CheckError(`precheck failed (${report.checks.filter((c) => c.status === 'FAIL').length} check(s)): fix them, then run again (sluice precheck ${args.job} shows every check).`);
      }
      log(`precheck passed (${report.checks.filter((c) => c.status === 'WARN').length} warning(s))`);
    }
    if (abort.signal.aborted) return stoppedBeforeStart();
    const summary = await runJob(job, { snapshotOnly: args['snapshot-only'], progressOut: process.stderr, log, warn: (line) => logger.warn(line), signal: abort.signal, status, lifecycle: stop.lifecycle ?? new JobLifecycle(), resnapshot: args.resnapshot, state });
    if (summary.snapshotChunks > summary.skippedChunks || args['snapshot-only']) {
      const rate = summary.snapshotRows / Math.max(summary.elapsedMs / 1000, 0.001);
      log(
        `${summary.finished ? 'snapshot finished' : 'snapshot stopped before the end'}: ${summary.snapshotRows} rows, ` +
          `${summary.snapshotChunks - summary.skippedChunks} chunk(s) read, ${summary.skippedChunks} already done, ${summary.schemaRecords} schema record(s)` +
          (args['snapshot-only'] ? ` in ${(summary.elapsedMs / 1000).toFixed(1)} s (${Math.round(rate)} rows/s)` : ''),
      );
    }
    if (summary.finished && !args['snapshot-only']) log('stopped following the binlog; the checkpoint is saved and sluice run continues from it');
}
