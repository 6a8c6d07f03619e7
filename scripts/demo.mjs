#!/usr/bin/env node
// The newcomer's demo: start the local services, seed a small shop database in MySQL, run sluice on
// demo/demo-shop.yaml (precheck → schema → snapshot → binlog), make live changes while it follows the
// binlog, stop it with SIGTERM, and show everything that arrived in Kafka via `sluice tail`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
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
// Records carry the event time in whole seconds (as DTS does), so read from the start of this second.
const startedAt = Math.floor(Date.now() / 1000) * 1000 - 1000;
step('Check source and target', process.execPath, ['bin/sluice.js', 'precheck', job]);
process.stdout.write(`\n\x1b[1m== Run the job: schema init, full data init, then follow the binlog\x1b[0m\n$ node bin/sluice.js run ${job}\n`);
const run = spawn(process.execPath, ['bin/sluice.js', 'run', job], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
const exited = new Promise((resolve) => run.on('exit', (code) => resolve(code)));
const statusFile = `${root}/.state/demo-shop/status.json`;
for (let i = 0; ; i++) {
  const phase = existsSync(statusFile) ? JSON.parse(readFileSync(statusFile, 'utf8')).phase : null;
  if (phase === 'incremental') break;
  if (phase === 'failed' || run.exitCode !== null || i > 600) {
    process.stderr.write('demo: sluice run did not reach the incremental phase; see above.\n');
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 100));
}

process.stdout.write('\n\x1b[1m== Live changes while sluice follows the binlog\x1b[0m\n');
const live = await mysql.createConnection({ host: '127.0.0.1', port: 13307, user: 'root', password: 'sluice-root' });
for (const sql of [
  "INSERT INTO demo_shop.orders (customer_id, status, total) VALUES (3, 'new', 25.50)",
  "UPDATE demo_shop.orders SET status = 'shipped' WHERE id = 2",
  "UPDATE demo_shop.products SET price = price * 0.9, tags = 'sale' WHERE sku = 'SKU-1'",
  'DELETE FROM demo_shop.order_lines WHERE order_id = 3',
]) {
  await live.query(sql);
  process.stdout.write(`mysql> ${sql}\n`);
}
await live.end();
await new Promise((r) => setTimeout(r, 2000));
process.stdout.write('\n\x1b[1m== Stop sluice (SIGTERM: flush, checkpoint, exit 0)\x1b[0m\n');
run.kill('SIGTERM');
const code = await exited;
if (code !== 0) {
  process.stderr.write(`demo: sluice run exited with ${code}; see above.\n`);
  process.exit(1);
}
step('Read the records back from Kafka (INIT rows, then INSERT/UPDATE/DELETE)', process.execPath, ['bin/sluice.js', 'tail', job, '--from-timestamp', String(startedAt), '--idle', '4', '--max', '100']);
process.stdout.write('\nDone. Run it again with: node bin/sluice.js run demo/demo-shop.yaml (it resumes from .state/demo-shop); try: node bin/sluice.js tail demo/demo-shop.yaml --from-beginning --raw --max 3\n');
