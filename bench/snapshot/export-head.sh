#!/usr/bin/env bash
# Exports the committed HEAD of this repository to /tmp/sluice-head-<sha> and builds it there, so
# bench/snapshot can run a fixed commit's CLI (--sluice-dir) while others edit and rebuild src/ and dist/.
# Prints the directory. node_modules is shared through a symlink (no install).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
sha="$(git -C "$root" rev-parse --short HEAD)"
dir="/tmp/sluice-head-$sha"
if [ ! -f "$dir/dist/src/cli/main.js" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  git -C "$root" archive HEAD | tar -x -C "$dir"
  ln -s "$root/node_modules" "$dir/node_modules"
  echo "$sha" > "$dir/.sluice-commit"
  (cd "$dir" && npx tsc -p tsconfig.json >/dev/null 2>&1 || true)
  [ -f "$dir/dist/src/cli/main.js" ] || { echo "build of $sha failed in $dir" >&2; exit 1; }
fi
echo "$dir"
