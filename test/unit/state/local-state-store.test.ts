// The local-directory state store (state.dir) against the state store contract (issue 16).
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildJob } from '../../../src/config/index.js';
import { CHECKPOINT_FILE, LOCK_FILE, openStateStore } from '../../../src/state/index.js';
import { CONTRACT_JOB, CONTRACT_PASSWORD, stateStoreContract } from './state-store-contract.js';

stateStoreContract('local directory', async () => {
  const base = await mkdtemp(join(tmpdir(), 'sluice-store-'));
  const dir = join(base, 'state');
  const job = buildJob(
    {
      name: CONTRACT_JOB,
      source: { host: 'db', user: 'sync', password: CONTRACT_PASSWORD },
      target: { brokers: ['k:9092'], topic: 'dts', sasl: { mechanism: 'plain', username: 'u', password: CONTRACT_PASSWORD } },
      objects: [{ name: 'shop.orders' }],
      state: { dir },
    },
    join(base, 'job.yaml'),
    {},
  );
  const store = openStateStore(job);
  await store.prepare();
  return {
    store,
    plantLock: (h) => writeFile(join(dir, LOCK_FILE), JSON.stringify(h)),
    tearCheckpoint: async () => {
      const text = await readFile(join(dir, CHECKPOINT_FILE), 'utf8');
      await writeFile(join(dir, CHECKPOINT_FILE), text.slice(0, Math.floor(text.length / 2)));
    },
    readAside: (where) => readFile(where, 'utf8'),
    rawDocuments: async () => Promise.all((await readdir(dir)).map((n) => readFile(join(dir, n), 'utf8'))),
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
});
