#!/usr/bin/env bash
# Module evaluation tests against the nixpkgs package-set double (nixpkgs lib/tests/modules.sh
# style): value cases from cases/*.nix, evaluated in one process, and error cases from
# errors.nix, each in its own process with its message compared verbatim. Needs the offline
# sources (shared/tools/nix-offline.sh): NIX_PATH with nixpkgs (lib) and dream2nix.
# Prints failures, then `nix-eval: N passed, M failed`; exits 1 on any failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Two checkouts of one project at different paths.
mkdir -p "$work/a/checkout" "$work/b/elsewhere/checkout"
cp -r "$here/projects/cpu/." "$work/a/checkout/"
cp -r "$here/projects/cpu/." "$work/b/elsewhere/checkout/"

passed=0
failed=0
if results=$(nix-instantiate --eval --strict --json --read-write-mode "$here/run.nix" \
    --arg copies "{ a = $work/a/checkout; b = $work/b/elsewhere/checkout; }" 2>"$work/stderr"); then
  passed=$(jq '[.[] | select(.ok)] | length' <<<"$results")
  failed=$(jq '[.[] | select(.ok | not)] | length' <<<"$results")
  jq -r '.[] | select(.ok | not) | "FAIL \(.name)\n  expected: \(.expected | tojson)\n  got:      \(.expr | tojson)"' <<<"$results"
else
  echo "FAIL cases: the value cases did not evaluate:"
  sed 's/^/  /' "$work/stderr"
  failed=$((failed + 1))
fi

names=$(nix-instantiate --eval --strict --json -E "builtins.attrNames (import $here/errors.nix { })" | jq -r '.[]')
for name in $names; do
  message=$(nix-instantiate --eval --strict --json -E "(import $here/errors.nix { }).$name.message" | jq -r .)
  if nix-instantiate --eval --strict -E "(import $here/errors.nix { }).$name.expr" >/dev/null 2>"$work/err"; then
    echo "FAIL errors.$name: evaluated without an error"
    failed=$((failed + 1))
  elif python3 - "$work/err" "$message" <<'PY'
import re, sys
# Nix prints `error: ` before a message and indents its further lines by as much.
text = re.sub(r"\x1b\[[0-9;]*m", "", open(sys.argv[1]).read())
lines = [line[7:] if line.startswith(("error: ", "       ")) else line for line in text.splitlines()]
sys.exit(0 if sys.argv[2] in "\n".join(lines) else 1)
PY
  then
    passed=$((passed + 1))
  else
    echo "FAIL errors.$name: the error does not contain the expected message"
    printf '  expected: %s\n' "$message"
    sed 's/^/  got: /' "$work/err" | head -12
    failed=$((failed + 1))
  fi
done

echo "nix-eval: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
