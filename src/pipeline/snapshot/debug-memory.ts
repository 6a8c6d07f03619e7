/**
 * SLUICE_DEBUG_MEMORY=1: a diagnostics aid for the memory bound (issue 5). The main thread logs
 * process.memoryUsage() once a second; each worker logs its own V8 heap (the process-wide RSS is shared).
 */
import { getHeapStatistics } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

export const DEBUG_MEMORY = process.env.SLUICE_DEBUG_MEMORY === '1';

const mb = (n: number): string => (n / 1048576).toFixed(0);

export function memoryLine(extra = ''): string {
  const m = process.memoryUsage();
  const h = getHeapStatistics();
  const who = isMainThread ? 'main' : `worker ${threadId}`;
  return `[mem ${who}] rss ${mb(m.rss)} heapUsed ${mb(m.heapUsed)} heapTotal ${mb(m.heapTotal)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)} heapLimit ${mb(h.heap_size_limit)}${extra ? ` ${extra}` : ''}`;
}

/** Starts the once-a-second log (no-op unless SLUICE_DEBUG_MEMORY=1); returns the stop function. */
export function startMemoryLog(extra?: () => string): () => void {
  if (!DEBUG_MEMORY) return () => undefined;
  const forceGc = process.env.SLUICE_DEBUG_MEMORY_GC === '1' ? (globalThis as { gc?: () => void }).gc : undefined;
  const t = setInterval(() => {
    // diagnostics only (node --expose-gc): what is live, as opposed to garbage not yet collected
    forceGc?.();
    process.stderr.write(`${memoryLine(extra?.() ?? '')}\n`);
  }, 1000);
  t.unref();
  return () => clearInterval(t);
}
