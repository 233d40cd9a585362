#!/usr/bin/env bash
# checks/run on a machine without the offline Nix sources: a copy of the checkout with no
# ../shared next to it, HOME and NIXENV_CACHE empty, no NIX_PATH. Its Nix layers must either run
# on flake.lock's pins fetched by Nix (a machine with network) or fail saying why (one without);
# they are skipped only on request (--skip, COGNIX_SKIP).
#
# Prints `setup: N passed, M failed`; exits 1 on a failure.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home" "$tmp/cache" "$tmp/machine/checkout"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) | while IFS= read -r -d '' f; do
  [ -e "$repo/$f" ] && mkdir -p "$tmp/machine/checkout/$(dirname "$f")" && cp -P "$repo/$f" "$tmp/machine/checkout/$f"
done

passed=0; failed=0
check() {
  local name=$1 ok=$2
  if [ "$ok" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/  | /' "$tmp/out" | tail -12; fi
}
run() {
  (cd "$tmp/machine/checkout" && env -u NIX_PATH -u NIX_CONFIG -u NIXENV_SETUP -u COGNIX_SKIP \
    -u COGNIX_NIXPKGS_LIB -u COGNIX_FLAKE_PARTS -u COGNIX_DREAM2NIX -u COGNIX_OFFLINE_PINS \
    HOME="$tmp/home" NIXENV_CACHE="$tmp/cache" "$@" timeout 900 checks/run nix-eval) >"$tmp/out" 2>&1
}

# Without the offline sources: the Nix layers run on flake.lock's pins, or fail loudly.
run; status=$?
if [ $status -eq 0 ]; then
  grep -q "^nix sources: flake.lock's pins, fetched by Nix" "$tmp/out" \
    && grep -qE "^== nix-eval: [1-9][0-9]* passed, 0 failed" "$tmp/out"
else
  [ $status -eq 1 ] \
    && grep -q "^== nix-eval: cannot run without the Nix sources (" "$tmp/out" \
    && grep -q "skips it" "$tmp/out" \
    && ! grep -q "nix-eval: skipped" "$tmp/out"
fi
check "nix-eval without the offline sources neither ran on flake.lock's pins nor failed saying why" $?

# What Nix has, it takes from the store by flake.lock's narHash (flake-parts and dream2nix on
# this machine, whose store was seeded; everything on a machine with network).
grep -q "^nix sources: flake-parts from flake.lock (hercules-ci/flake-parts@$(jq -r '.nodes["flake-parts"].locked.rev[0:12]' "$repo/flake.lock"))" "$tmp/out" \
  || grep -q "^nix sources: flake.lock's pins, fetched by Nix" "$tmp/out"
check "flake-parts was not obtained through Nix from flake.lock's pin" $?

run COGNIX_SKIP=nix-eval; status=$?
[ $status -eq 0 ] && grep -q "^== nix-eval: skipped (asked for with --skip nix-eval or COGNIX_SKIP)" "$tmp/out"
check "COGNIX_SKIP=nix-eval does not skip the layer" $?

(cd "$tmp/machine/checkout" && env HOME="$tmp/home" NIXENV_CACHE="$tmp/cache" timeout 300 checks/run --skip nix-eval nix-eval) >"$tmp/out" 2>&1; status=$?
[ $status -eq 0 ] && grep -q "^== nix-eval: skipped (asked for" "$tmp/out"
check "--skip nix-eval does not skip the layer" $?

(cd "$tmp/machine/checkout" && timeout 60 checks/run --frobnicate) >"$tmp/out" 2>&1; status=$?
[ $status -eq 2 ] && grep -q "unknown option --frobnicate" "$tmp/out"
check "an unknown option is not a usage error" $?

echo "setup: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
