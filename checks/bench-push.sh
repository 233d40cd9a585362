#!/usr/bin/env bash
# The push benchmark of docs/benchmarks.md: a synthetic image (2 GiB, 40 layers, half random
# and half text bytes) pushed to a local registry (Debian's docker-registry on 127.0.0.1) by
# cognix and by Debian's skopeo: first push, unchanged re-push, one layer changed; and first
# pushes of an image of real shared libraries (this machine's /usr/lib/x86_64-linux-gnu,
# BENCH_BINARIES_MB of it). Prints a Markdown table of wall times and the bytes each push added to
# the registry's blob store.
#
#   checks/bench-push.sh   # BENCH_LAYERS=40 BENCH_SIZE_MB=2048 BENCH_BINARIES_MB=640 BENCH_ROUNDS=5 BENCH_DIR=/tmp/cognix-bench
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
work=${BENCH_DIR:-/tmp/cognix-bench}
layers=${BENCH_LAYERS:-40}
size_mb=${BENCH_SIZE_MB:-2048}
mkdir -p "$work"

registry_bin=$(checks/registry.sh)
if ! command -v skopeo >/dev/null; then
  echo "installing skopeo (apt)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends skopeo >/dev/null
fi
cargo build -q --release -p cognix
cognix="$repo/target/release/cognix"

for variant in a b; do
  archive="$work/$variant-$layers-$size_mb.tar"
  change=(); [ "$variant" = b ] && change=(--change $((layers / 2)))
  [ -f "$archive" ] || python3 crates/cognix/benches/synthetic_image.py "$archive" --layers "$layers" --size-mb "$size_mb" "${change[@]}"
done
a="$work/a-$layers-$size_mb.tar"
b="$work/b-$layers-$size_mb.tar"
binaries_mb=${BENCH_BINARIES_MB:-640}
binaries="$work/binaries-$layers-$binaries_mb.tar"
[ -f "$binaries" ] || python3 crates/cognix/benches/synthetic_image.py "$binaries" --layers "$layers" --size-mb "$binaries_mb" --from /usr/lib/x86_64-linux-gnu

# Starts a registry with empty storage (stopping and removing the previous one); sets
# $address and $storage.
registry_pid=""
registry_dir=""
start_registry() {
  local port
  if [ -n "$registry_pid" ]; then kill "$registry_pid"; wait "$registry_pid" 2>/dev/null || true; rm -rf "$registry_dir"; fi
  registry_dir=$(mktemp -d "$work/registry.XXXX")
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s/storage\nhttp:\n  addr: 127.0.0.1:%s\n  secret: bench\n' "$registry_dir" "$port" >"$registry_dir/config.yml"
  "$registry_bin" serve "$registry_dir/config.yml" >"$registry_dir/log" 2>&1 &
  registry_pid=$!
  until curl -sf "http://127.0.0.1:$port/v2/" >/dev/null; do sleep 0.1; done
  address="127.0.0.1:$port"
  storage="$registry_dir/storage"
}
trap '[ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null; [ -z "$registry_dir" ] || rm -rf "$registry_dir"' EXIT

# Bytes in the registry's blob store (empty before the first push).
stored() { { find "$storage" -type f -name data -path '*/blobs/*' -printf '%s\n' 2>/dev/null || true; } | awk '{s+=$1} END {printf "%.0f\n", s}'; }

# measure COMMAND…: runs it, prints "<seconds> <bytes added to the blob store>".
measure() {
  local before after start end
  before=$(stored)
  start=$(date +%s.%N)
  "$@" >"$work/last.out" 2>"$work/last.err" || { cat "$work/last.err" >&2; exit 1; }
  end=$(date +%s.%N)
  after=$(stored)
  echo "$start $end $((after - before))" | awk '{printf "%.2f %.0f\n", $2 - $1, $3}'
}

row() { echo "$2 $3" | awk -v label="$1" '{printf "| %s | %.2f s | %.1f MB |\n", label, $1, $2 / 1e6}'; }

# run LABEL COMMAND…: one row, one run.
run() {
  local label=$1; shift
  row "$label" $(measure "$@")
}

reset_cognix() { rm -rf "$COGNIX_CACHE_DIR"; }
# skopeo keeps a blob-info cache too (uncompressed → compressed digests); each first push starts
# it empty, as cognix's.
reset_skopeo() { rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb "$HOME/.local/share/containers/cache/blob-info-cache-v1.boltdb"; }
skopeo_to() { skopeo copy --quiet --dest-tls-verify=false "docker-archive:$1" "docker://$2:latest"; }

export COGNIX_CACHE_DIR="$work/cache"
echo "| Push ($layers layers; $(nproc) cores) | Time | Bytes uploaded |"
echo "|---|---|---|"

# First pushes of IMAGE, cognix and skopeo in turn (so both see the same machine), each to a
# fresh registry with empty caches; a row each with the median of the rounds.
rounds=${BENCH_ROUNDS:-5}
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
first_pushes() {
  local what=$1 image=$2 cognix_runs=() skopeo_runs=()
  for _ in $(seq "$rounds"); do
    reset_cognix; start_registry
    cognix_runs+=("$(measure "$cognix" push --progress plain --image "$image" "$address/bench/model")")
    reset_skopeo; start_registry
    skopeo_runs+=("$(measure skopeo_to "$image" "$address/bench/model")")
  done
  row "cognix, first push, $what (median of $rounds)" $(median "${cognix_runs[@]}")
  row "skopeo copy, first push, $what (median of $rounds)" $(median "${skopeo_runs[@]}")
  echo "first pushes of $what, seconds: cognix ${cognix_runs[*]%% *}; skopeo ${skopeo_runs[*]%% *}" >&2
}
first_pushes "synthetic ($size_mb MiB)" "$a"
first_pushes "shared libraries ($binaries_mb MiB)" "$binaries"

reset_cognix; start_registry
run "cognix, first push (the registry for the rows below)" "$cognix" push --progress plain --image "$a" "$address/bench/model"
run "cognix, unchanged re-push" "$cognix" push --progress plain --image "$a" "$address/bench/model"
run "cognix, unchanged re-push from standard input (one pass)" sh -c "cat '$a' | '$cognix' push --progress plain --image - '$address/bench/model'"
run "cognix, one layer changed" "$cognix" push --progress plain --image "$b" "$address/bench/model"

reset_cognix; start_registry
run "cognix --no-compress, first push" "$cognix" push --progress plain --no-compress --image "$a" "$address/bench/model"
run "cognix --no-compress, unchanged re-push" "$cognix" push --progress plain --no-compress --image "$a" "$address/bench/model"
run "cognix --no-compress, one layer changed" "$cognix" push --progress plain --no-compress --image "$b" "$address/bench/model"

reset_cognix; start_registry
run "cognix --compression-level 6, first push, synthetic" "$cognix" push --progress plain --compression-level 6 --image "$a" "$address/bench/model"
reset_cognix; start_registry
run "cognix --compression-level 6, first push, shared libraries" "$cognix" push --progress plain --compression-level 6 --image "$binaries" "$address/bench/model"

reset_skopeo; start_registry
run "skopeo copy, first push (the registry for the rows below)" skopeo_to "$a" "$address/bench/model"
run "skopeo copy, unchanged re-push" skopeo_to "$a" "$address/bench/model"
run "skopeo copy, one layer changed" skopeo_to "$b" "$address/bench/model"
