/**
 * The file piscina loads. piscina first tries `require()` on its worker file; on Node 20.19+ `require()` of an
 * ES module succeeds, races with piscina's own `import()` of the same file, and intermittently trips a Node
 * bug ("Unexpected status of a module that is imported again after being required"), seen here in about one
 * run in four. A CommonJS entry that imports the ES module itself never takes that path.
 */
import type { WorkerResult, WorkerTask } from './worker.js';

let handler: Promise<(task: WorkerTask) => Promise<WorkerResult>> | undefined;

export = async function work(task: WorkerTask): Promise<WorkerResult> {
  handler ??= import('./worker.js').then((m) => m.default);
  return (await handler)(task);
};
