#!/usr/bin/env bash
# The layering tests (test_layering.py) with python-igraph and toolz from PyPI, the libraries
# nixpkgs' flattenReferencesGraph is written with. The virtual environment is created once, under
# ${XDG_CACHE_HOME:-$HOME/.cache}/cognix/layers-venv. Needs nix-instantiate with <nixpkgs/lib>
# and <dream2nix> on NIX_PATH (checks/run sets them up).
#
# Prints `layers: N passed, M failed`; exits 1 on a failure, or when the tests cannot run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/cognix/layers-venv"
python="${PYTHON:-python3}"

if [[ ! -f "$venv/.cognix-complete" ]]; then
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  log="$(mktemp)"
  if ! "$python" -m venv "$venv" >"$log" 2>&1 \
    || ! "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet \
      --retries 1 --timeout 30 "igraph>=0.11,<2" "toolz>=0.12,<2" >>"$log" 2>&1; then
    tail -3 "$log"
    rm -rf "$venv" "$log"
    echo "layers: 0 passed, 1 failed (igraph and toolz could not be installed from PyPI)"
    exit 1
  fi
  rm -f "$log"
  touch "$venv/.cognix-complete"
fi

cd "$here"
PYTHONDONTWRITEBYTECODE=1 exec "$venv/bin/python" test_layering.py
