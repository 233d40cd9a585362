#!/usr/bin/env bash
# The Nix sources the evaluation layers of checks/run need: nixpkgs (its lib), flake-parts,
# dream2nix and nixpkgs-python, at the revisions flake.lock pins, obtained through Nix itself: builtins.fetchTree
# with the locked rev and narHash takes them from the store when it holds them and downloads them
# otherwise (GitHub tarballs; about 45 MB for nixpkgs).
#
#   eval "$(checks/nix-sources.sh)"
#
# Prints `export` lines (NIX_PATH, COGNIX_NIXPKGS_LIB, ...); on stderr, where each source came
# from. Exits 1, saying which source could not be had and why, when one cannot be fetched.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
lock=$repo/flake.lock
command -v nix >/dev/null || { echo "nix is not installed (apt-get install nix-bin)" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is not installed" >&2; exit 1; }

# The node a root input resolves to, following `follows` paths (["dream2nix", "nixpkgs"]).
node_of() {
  jq -r --arg input "$1" '
    . as $lock
    | def resolve($spec): if ($spec | type) == "string" then $spec
        else reduce $spec[] as $step ("root"; $lock.nodes[.].inputs[$step] | if type == "array" then resolve(.) else . end)
        end;
    resolve($lock.nodes[$lock.root].inputs[$input])' "$lock"
}

fetch() {
  local input=$1 node locked out
  node=$(node_of "$input")
  locked=$(jq -c --arg n "$node" '.nodes[$n].locked' "$lock")
  if ! out=$(nix --extra-experimental-features 'nix-command flakes' eval --raw --impure \
      --expr "(builtins.fetchTree (builtins.fromJSON ''$locked'')).outPath" 2>&1); then
    echo "cannot fetch $input $(jq -r '"\(.owner)/\(.repo)@\(.rev)"' <<<"$locked") (pinned in flake.lock): $(grep -E '^error' <<<"$out" | head -1)" >&2
    return 1
  fi
  echo "nix sources: $input from flake.lock ($(jq -r '"\(.owner)/\(.repo)@\(.rev[0:12])"' <<<"$locked")): $out" >&2
  printf '%s' "$out"
}

# Each is tried, so one run names every source that is missing.
status=0
nixpkgs=$(fetch nixpkgs) || status=1
flake_parts=$(fetch flake-parts) || status=1
dream2nix=$(fetch dream2nix) || status=1
nixpkgs_python=$(fetch nixpkgs-python) || status=1
[ "$status" = 0 ] || exit 1

q() { printf '%q' "$1"; }
echo "export NIX_PATH=$(q "nixpkgs=$nixpkgs:nixpkgs-lib=$nixpkgs:flake-parts=$flake_parts:dream2nix=$dream2nix:nixpkgs-python=$nixpkgs_python")"
echo "export COGNIX_NIXPKGS_LIB=$(q "$nixpkgs")"
echo "export COGNIX_FLAKE_PARTS=$(q "$flake_parts")"
echo "export COGNIX_DREAM2NIX=$(q "$dream2nix")"
echo "export COGNIX_NIXPKGS_PYTHON=$(q "$nixpkgs_python")"
