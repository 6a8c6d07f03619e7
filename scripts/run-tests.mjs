#!/usr/bin/env node
// Runs the compiled tests (dist/test/**/*.test.js) with Node's test runner, which prints pass/fail counts.
// Usage: node scripts/run-tests.mjs [unit|integration] [name-substring]
// Node 20's --test takes no globs, so the file list is gathered here.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const [kind, match] = process.argv.slice(2);
const base = join(root, 'dist', 'test', kind === 'unit' || kind === 'integration' ? kind : '');

function collect(dir) {
  let out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(collect(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = collect(base).filter((f) => !match || relative(root, f).includes(match));
if (files.length === 0) {
  console.error(`no test files under ${relative(root, base)}${match ? ` matching ${match}` : ''}`);
  process.exit(1);
}
const reporter = process.env.TEST_REPORTER ?? 'spec';
const r = spawnSync(
  process.execPath,
  // A test that hangs (a lost server, a wait that never ends) fails after 10 minutes instead of holding CI.
  ['--test', `--test-reporter=${reporter}`, `--test-concurrency=${process.env.SLUICE_TEST_CONCURRENCY ?? 1}`, `--test-timeout=${process.env.SLUICE_TEST_TIMEOUT_MS ?? 600000}`, ...files],
  { stdio: 'inherit', cwd: root },
);
process.exit(r.status ?? 1);
