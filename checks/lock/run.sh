#!/usr/bin/env bash
# Tests lib/lock_fetches.py (the lock command's pinning of build.run downloads) against an HTTP
# server on 127.0.0.1 and file:// git repositories the test makes, with Nix as the oracle for the
# hashes. Needs python3, git and Nix (checks/run installs them). Prints `lock: N passed, M failed`.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for tool in python3 git nix nix-prefetch-url; do
  command -v "$tool" >/dev/null || { echo "lock: 0 passed, 1 failed ($tool is not installed)"; exit 1; }
done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
timeout 600 python3 "$here/test_lock_fetches.py" >"$log" 2>&1
status=$?
ran=$(grep -oE "^Ran [0-9]+" "$log" | grep -oE "[0-9]+" || echo 0)
bad=$(grep -oE "(failures|errors)=[0-9]+" "$log" | grep -oE "[0-9]+" | awk '{s+=$1} END {print s+0}')
if [ "$status" -ne 0 ]; then
  cat "$log"
  [ "$bad" -eq 0 ] && bad=1
fi
echo "lock: $((ran - bad < 0 ? 0 : ran - bad)) passed, $bad failed"
[ "$status" -eq 0 ]
