import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { JobStatus, StatusPublisher } from './job-status.js';
import { PHASES } from './job-phase.js';


/** A registry whose metrics are read from the job's status at scrape time (no double bookkeeping). */
export function jobRegistry(status: StatusPublisher): Registry {
  const registry = new Registry();
  let current: JobStatus = status.snapshot();
  const refresh = (): JobStatus => (current = status.snapshot());
  new Gauge({
    name: 'sluice_phase',
    help: '1 for the phase the job is in',
    labelNames: ['phase'],
    registers: [registry],
    collect() {
      const s = refresh();
      for (const p of PHASES) this.set({ phase: p }, s.phase === p ? 1 : 0);
    },
  });
  new Counter({
    name: 'sluice_rows_total',
    help: 'rows read from the source, by table and operation',
    labelNames: ['table', 'op'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of current.snapshot) this.inc({ table: t.table, op: 'INIT' }, t.rows);
      for (const r of current.binlogRows ?? []) this.inc({ table: r.table, op: r.op }, r.rows);
    },
  });
  new Counter({
    name: 'sluice_records_acked_total',
    help: 'records Kafka acknowledged',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(current.totals.recordsAcked);
    },
  });
  new Gauge({
    name: 'sluice_lag_seconds',
    help: 'seconds the job is behind the source: now − the event time of the last binlog event read (whole seconds), 0 when it has read to the end of the server binlog; NaN while unknown',
    registers: [registry],
    collect() {
      // NaN while unknown (before the binlog phase, or before the first change was read)
      this.set(current.binlog?.lagSeconds ?? NaN);
    },
  });
  new Gauge({
    name: 'sluice_snapshot_chunks',
    help: 'snapshot chunks, by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'done' }, current.checkpoint.snapshotChunksDone);
      this.set({ state: 'total' }, current.checkpoint.snapshotChunksTotal);
    },
  });
  new Gauge({
    name: 'sluice_buffer_bytes',
    help: 'bytes queued for Kafka and not yet acknowledged',
    registers: [registry],
    collect() {
      this.set(current.sink?.queuedBytes ?? 0);
    },
  });
  new Gauge({
    name: 'sluice_requests_in_flight',
    help: 'Produce requests awaiting acknowledgement',
    registers: [registry],
    collect() {
      this.set(current.sink?.requestsInFlight ?? 0);
    },
  });
  new Counter({
    name: 'sluice_retries_total',
    help: 'Produce requests resent after a failure',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(current.sink?.retries ?? 0);
    },
  });
  new Gauge({
    name: 'sluice_latency_seconds',
    help: 'end-to-end latency, binlog event time (whole seconds, so up to 1 s high) to Kafka acknowledgement, over the last 1-2 minutes, by quantile',
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      this.reset();
      const l = current.latencyMs;
      if (!l) return;
      this.set({ quantile: '0.5' }, l.p50 / 1000);
      this.set({ quantile: '0.99' }, l.p99 / 1000);
      this.set({ quantile: '0.999' }, l.p999 / 1000);
    },
  });
  new Gauge({
    name: 'sluice_reader_latency_seconds',
    help: "sluice's share of the latency: the reader receiving a change to Kafka acknowledging it (ms precision), over the last 1-2 minutes, by quantile",
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      this.reset();
      const l = current.latencyMs?.reader;
      if (!l) return;
      this.set({ quantile: '0.5' }, l.p50 / 1000);
      this.set({ quantile: '0.99' }, l.p99 / 1000);
      this.set({ quantile: '0.999' }, l.p999 / 1000);
    },
  });
  return registry;
}

/** Serves /metrics (Prometheus text) and /status (JSON) on loopback. */
export function serveMetrics(status: StatusPublisher, port: number, host = '127.0.0.1'): Promise<Server> {
  const registry = jobRegistry(status);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
    } else if (path === '/status') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status.snapshot()));
    } else {
      res.writeHead(404).end('try /metrics or /status\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.unref();
      resolve(server);
    });
  });
}
