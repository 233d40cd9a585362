#!/usr/bin/env bash
# The example images for real (opt-in: `checks/run images`; needs network and, for the second
# half, a Docker engine):
#
# 1. `nix flake check`: cognix-gen with its tests, the examples' cog.nix fresh, and every example
#    image built (the GPU one downloads about 4 GB of torch and nvidia wheels; no GPU needed).
# 2. The CPU example loaded into Docker and started (port 5000 published on 127.0.0.1 only):
#    /health-check awaited, a prediction POSTed and its PNG checked, and /openapi.json compared
#    with the image's run.cog.openapi_schema label.
#
# Prints `images: N passed, M failed`; exits 1 on a failure, or when a part cannot run.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
passed=0; failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
flunk() { failed=$((failed + 1)); echo "FAIL $1"; }
finish() { echo "images: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

if timeout 7200 nix flake check --no-write-lock-file --print-build-logs "$repo" 2>&1 | tail -40; then
  pass "nix flake check: the examples' images build"
else
  flunk "nix flake check"
fi

if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
  flunk "no Docker engine: the CPU example cannot be started (\`checks/run --skip images\` skips this layer)"
  finish
fi

image=""; container=""
cleanup() {
  [ -z "$container" ] || docker rm -f "$container" >/dev/null 2>&1
  [ -z "$image" ] || docker rmi "$image" >/dev/null 2>&1
}
trap cleanup EXIT

stream=$(nix build --no-link --print-out-paths --no-write-lock-file "$repo#example-cpu-hello") || { flunk "nix build .#example-cpu-hello"; finish; }
image=$("$stream" | docker load | sed -n 's/^Loaded image: //p' | tail -1)
if [ -n "$image" ]; then pass "docker load: $image"; else flunk "docker load"; finish; fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
container=$(docker run -d -p "127.0.0.1:$port:5000" "$image") || { flunk "docker run $image"; finish; }
url="http://127.0.0.1:$port"
ready=""
for _ in $(seq 240); do
  if curl -fsS --max-time 5 "$url/health-check" 2>/dev/null | grep -q '"status":"READY"'; then ready=yes; break; fi
  sleep 0.5
done
if [ -n "$ready" ]; then pass "/health-check is READY"; else flunk "/health-check never READY:"; docker logs "$container" 2>&1 | tail -20; finish; fi

prediction=$(curl -fsS --max-time 120 -X POST -H 'Content-Type: application/json' \
  -d '{"input": {"text": "cognix", "width": 96}}' "$url/predictions")
if python3 - "$prediction" <<'PY'
import base64, json, struct, sys
response = json.loads(sys.argv[1])
assert response["status"] == "succeeded", response
prefix = "data:image/png;base64,"
assert response["output"].startswith(prefix), response["output"][:60]
png = base64.b64decode(response["output"][len(prefix):])
assert png[:8] == b"\x89PNG\r\n\x1a\n", png[:8]
width, height = struct.unpack(">II", png[16:24])
assert (width, height) == (96, 128), (width, height)
PY
then pass "a prediction: a 96x128 PNG"; else flunk "the prediction: $(echo "$prediction" | cut -c1-300)"; fi

label=$(docker inspect --format '{{index .Config.Labels "run.cog.openapi_schema"}}' "$image")
served=$(curl -fsS --max-time 30 "$url/openapi.json")
if python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1]) != json.loads(sys.argv[2]))' "$label" "$served"; then
  pass "/openapi.json is the run.cog.openapi_schema label"
else
  flunk "/openapi.json differs from the run.cog.openapi_schema label"
fi
finish
