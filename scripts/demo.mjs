#!/usr/bin/env node
// The newcomer's demo: start the local services, seed a small shop database in MySQL, run sluice on
// demo/demo-shop.yaml (precheck → schema → snapshot) and show the records arriving in Kafka via `sluice tail`.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

const root = fileURLToPath(new URL('..', import.meta.url));
const job = 'demo/demo-shop.yaml';
// The demo job reads its password from the environment, as a production job file should.
const env = { ...process.env, SLUICE_DEMO_PASSWORD: process.env.SLUICE_DEMO_PASSWORD ?? 'sluice-pw' };

function step(title, cmd, args, { allowFail = false } = {}) {
  process.stdout.write(`\n\x1b[1m== ${title}\x1b[0m\n$ ${[cmd, ...args].join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0 && !allowFail) {
    process.stderr.write(`demo: "${title}" failed (exit ${r.status}); see above.\n`);
    process.exit(r.status ?? 1);
  }
}

step('Start MySQL, MariaDB and Kafka on loopback', 'bash', ['scripts/services.sh', 'start']);

process.stdout.write('\n\x1b[1m== Seed the demo_shop database in MySQL (127.0.0.1:13307)\x1b[0m\n');
const conn = await mysql.createConnection({ host: '127.0.0.1', port: 13307, user: 'root', password: 'sluice-root', multipleStatements: true });
await conn.query(readFileSync(`${root}/demo/seed.sql`, 'utf8'));
await conn.end();
process.stdout.write('demo_shop: customers, products, orders, order_lines, audit_log\n');

// A fresh state directory makes every demo run a full snapshot.
rmSync(`${root}/.state/demo-shop`, { recursive: true, force: true });
const startedAt = Date.now();
step('Check source and target', process.execPath, ['bin/sluice.js', 'precheck', job]);
step('Run the job: schema init and full data init', process.execPath, ['bin/sluice.js', 'run', job, '--snapshot-only']);
step('Read the records back from Kafka', process.execPath, ['bin/sluice.js', 'tail', job, '--from-timestamp', String(startedAt), '--idle', '4', '--max', '100']);
process.stdout.write('\nDone. Try: node bin/sluice.js tail demo/demo-shop.yaml --from-beginning --raw --max 3\n');
