#!/usr/bin/env bash
# Pushing a model with managed weights to Debian's docker-registry on 127.0.0.1: 10 shards of
# 100 MiB of random bytes plus small files, imported, then pushed with a small image (first push,
# unchanged re-push, and a push from a machine whose weight store is empty). Prints the times and
# the blob uploads the registry logged. Run from the repository root:
#   crates/cognix/benches/weights-push.sh        # COGNIX_TEST_REGISTRY=<docker-registry binary>
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
registry_bin=${COGNIX_TEST_REGISTRY:-$(command -v docker-registry || echo "$HOME/.cache/cognix-test/docker-registry/usr/bin/docker-registry")}
[ -x "$registry_bin" ] || { echo "docker-registry not found: run checks/run push once, or set COGNIX_TEST_REGISTRY"; exit 1; }
cargo build -q --release -p cognix --manifest-path "$repo/Cargo.toml"
cognix="$repo/target/release/cognix"
work=$(mktemp -d)
trap 'kill "$registry_pid" 2>/dev/null; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/storage"
printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$work/storage" "$port" >"$work/config.yml"
"$registry_bin" serve "$work/config.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
until curl -sf "http://127.0.0.1:$port/v2/" >/dev/null; do sleep 0.1; done

mkdir -p "$work/model/weights"
printf 'model: r8.im/bench/weights\npredict: predict.py:Predictor\nweights:\n  - name: model\n    target: /src/weights\n    source:\n      uri: weights\n' >"$work/model/cog.yaml"
for i in $(seq 0 9); do head -c $((100 << 20)) /dev/urandom >"$work/model/weights/model-0000$i.safetensors"; done
for i in $(seq 0 99); do head -c 4096 /dev/urandom | base64 >"$work/model/weights/config-$i.json"; done
# A small image: one layer, as a docker archive.
python3 - "$work/image.tar" <<'PY'
import hashlib, io, json, sys, tarfile
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.USTAR_FORMAT) as t:
    data = b"print('hello')\n"
    info = tarfile.TarInfo("src/predict.py"); info.size = len(data); t.addfile(info, io.BytesIO(data))
layer = layer.getvalue()
diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).encode()
config_name = hashlib.sha256(config).hexdigest() + ".json"
with tarfile.open(sys.argv[1], "w") as out:
    for name, data in ((diff_id[7:] + "/layer.tar", layer), (config_name, config),
                       ("manifest.json", json.dumps([{"Config": config_name, "RepoTags": ["bench:1"], "Layers": [diff_id[7:] + "/layer.tar"]}]).encode())):
        info = tarfile.TarInfo(name); info.size = len(data); out.addfile(info, io.BytesIO(data))
PY

export HOME="$work/home" DOCKER_CONFIG="$work/home/.docker"
mkdir -p "$HOME"
uploads() { grep -c '"POST /v2/[^ ]*/blobs/uploads/ HTTP' "$work/registry.log" || true; }
run() {
  local label=$1; shift
  local before; before=$(uploads)
  local start; start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  local end; end=$(date +%s.%N)
  printf '%-58s %6.2f s  %s blob uploads\n' "$label" "$(python3 -c "print($end - $start)")" "$(($(uploads) - before))"
}
run "import (1000 MiB, 110 files)" "$cognix" weights import "$work/model"
ref="127.0.0.1:$port/bench/weights:v1"
run "first push (weights, image, index)" "$cognix" push --progress plain --image "$work/image.tar" --project "$work/model" "$ref"
run "unchanged re-push" "$cognix" push --progress plain --image "$work/image.tar" --project "$work/model" "$ref"
rm -rf "$HOME/.cache/cog"
run "push to a new repository from an empty weight store" "$cognix" push --progress plain --image "$work/image.tar" --project "$work/model" "127.0.0.1:$port/bench/copy:v1"
