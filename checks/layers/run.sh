#!/usr/bin/env bash
# The layering tests (test_layering.py) with python-igraph and toolz from PyPI, the libraries
# nixpkgs' flattenReferencesGraph is written with. Needs nix-instantiate with <nixpkgs/lib> and
# <dream2nix> on NIX_PATH (checks/run sets them up).
#
# Prints `layers: N passed, M failed`; exits 1 on a failure, or when the tests cannot run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! venv="$("$here/../python-venv.sh" layers-venv "igraph>=0.11,<2" "toolz>=0.12,<2")"; then
  echo "layers: 0 passed, 1 failed (igraph and toolz could not be installed from PyPI)"
  exit 1
fi
cd "$here"
PYTHONDONTWRITEBYTECODE=1 exec "$venv/bin/python" test_layering.py
