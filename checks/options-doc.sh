#!/usr/bin/env bash
# Writes docs/options.md from the module option declarations; with --check, only compares.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
generated=$(nix-instantiate --eval --strict --json -E "import $repo/checks/options-doc.nix { }" | jq -r .)
if [ "${1:-}" = --check ]; then
  diff -u "$repo/docs/options.md" <(printf '%s\n' "$generated") >/dev/null
else
  printf '%s\n' "$generated" >"$repo/docs/options.md"
fi
