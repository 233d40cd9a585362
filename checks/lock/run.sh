#!/usr/bin/env bash
# Tests lib/lock_fetches.py (the lock command's pinning of build.run downloads) against an HTTP
# server on 127.0.0.1 and file:// git repositories the test makes, and lib/lock_weights.py (its
# pinning of cognix.imageWeights) against a Hugging Face Hub stood in for on 127.0.0.1, with Nix as
# the oracle for the hashes. Needs python3, git and Nix (checks/run installs them). Prints
# `lock: N passed, M failed`.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for tool in python3 git nix nix-prefetch-url; do
  command -v "$tool" >/dev/null || { echo "lock: 0 passed, 1 failed ($tool is not installed)"; exit 1; }
done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0 failed=0 status=0
for test in test_lock_fetches.py test_lock_weights.py; do
  timeout 600 python3 "$here/$test" >"$log" 2>&1
  result=$?
  ran=$(grep -oE "^Ran [0-9]+" "$log" | grep -oE "[0-9]+" || echo 0)
  bad=$(grep -oE "(failures|errors)=[0-9]+" "$log" | grep -oE "[0-9]+" | awk '{s+=$1} END {print s+0}')
  if [ "$result" -ne 0 ]; then
    cat "$log"
    [ "$bad" -eq 0 ] && bad=1
    status=1
  fi
  passed=$((passed + (ran - bad < 0 ? 0 : ran - bad)))
  failed=$((failed + bad))
done
echo "lock: $passed passed, $failed failed"
[ "$status" -eq 0 ]
