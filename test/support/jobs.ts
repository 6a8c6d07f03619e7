import { buildJob, type JobConfig } from '../../src/config/index.js';
import { KAFKA, type DbService } from './services.js';

export interface TestJobOptions {
  objects: Array<Record<string, unknown>>;
  topic?: string;
  source?: Record<string, unknown>;
  target?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

/** A job config for a test service, built through the same validation a job file goes through. */
export function testJob(svc: DbService, o: TestJobOptions): JobConfig {
  return buildJob(
    {
      source: { host: svc.host, port: svc.port, user: svc.sluice.user, password: svc.sluice.password, connectTimeoutMs: 3000, serverId: 7000 + Math.floor(Math.random() * 1000), ...o.source },
      target: { brokers: [KAFKA.plaintext], topic: o.topic ?? 'sluice-test', connectTimeoutMs: 3000, ...o.target },
      objects: o.objects,
      ...o.extra,
    },
    `test-${svc.name}.yaml`,
    {},
  );
}
