#!/usr/bin/env node
// The CLI entry: the compiled TypeScript lives in dist/ (built by `npm ci` through the prepare script).
import('../dist/src/cli/main.js').then(
  (m) => m.main(process.argv.slice(2)),
  (e) => {
    process.stderr.write(`sluice: cannot load its compiled code (${e.message}): run npm ci (or npm run build) in the sluice folder.\n`);
    process.exit(1);
  },
);
