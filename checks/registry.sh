#!/usr/bin/env bash
# Prints the path of a docker-registry binary (the CNCF distribution registry 2.8, Debian's
# package), unpacking the package into a cache when it is not installed. Nothing is installed
# system-wide and no service is started: tests and benchmarks run it themselves on 127.0.0.1.
#
#   checks/registry.sh        # → /…/docker-registry, or exit 1 with the reason on stderr
set -euo pipefail
if command -v docker-registry >/dev/null 2>&1; then
  command -v docker-registry
  exit 0
fi
unpacked=${COGNIX_TEST_CACHE:-$HOME/.cache/cognix-test}/docker-registry
binary="$unpacked/usr/bin/docker-registry"
if [ ! -x "$binary" ]; then
  debs=$(mktemp -d)
  trap 'rm -rf "$debs"' EXIT
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }
  download() { (cd "$debs" && apt-get download docker-registry >/dev/null 2>&1); }
  download || { as_root apt-get update -qq >/dev/null 2>&1 && download; } || {
    echo "cannot download Debian's docker-registry package (apt-get download docker-registry)" >&2
    exit 1
  }
  mkdir -p "$unpacked"
  dpkg -x "$debs"/docker-registry_*.deb "$unpacked"
fi
echo "$binary"
