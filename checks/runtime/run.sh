#!/usr/bin/env bash
# The image's configuration under cog's real runtime (test_runtime.py): coglet and the cog SDK
# 0.22.0 from PyPI, jq for lib/image-config.jq. Needs nix-instantiate with <nixpkgs/lib> and
# <dream2nix> on NIX_PATH (checks/run sets them up). Servers listen on 127.0.0.1 only.
#
# Prints `runtime: N passed, M failed`; exits 1 on a failure, or when the tests cannot run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v jq >/dev/null; then
  echo "runtime: 0 passed, 1 failed (jq is not installed)"
  exit 1
fi
if ! venv="$("$here/../python-venv.sh" openapi-venv "cog==0.22.0" "coglet==0.22.0" "pydantic>=2,<3")"; then
  echo "runtime: 0 passed, 1 failed (cog==0.22.0 could not be installed from PyPI)"
  exit 1
fi
cd "$here"
COGNIX_RUNTIME_VENV="$venv" PYTHONDONTWRITEBYTECODE=1 exec "$venv/bin/python" test_runtime.py
