#!/usr/bin/env bash
# A Python virtual environment with the given packages from PyPI, created once and cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/cognix/<name>; a changed package list makes a new one.
#
#   checks/python-venv.sh NAME PACKAGE...    prints the environment's directory
#
# Exits 1, with pip's last error line on stderr, when the packages cannot be installed.
set -euo pipefail
name=$1; shift
venv="${XDG_CACHE_HOME:-$HOME/.cache}/cognix/$name"
python="${PYTHON:-python3}"
want="$*"
if [[ -f "$venv/.cognix-complete" && "$(cat "$venv/.cognix-complete")" == "$want" && -x "$venv/bin/python" ]]; then
  echo "$venv"
  exit 0
fi
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! "$python" -m venv "$venv" >"$log" 2>&1 \
  || ! "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet \
    --retries 1 --timeout 30 "$@" >>"$log" 2>&1; then
  rm -rf "$venv"
  reason="$(grep -E '^ERROR: ' "$log" | tail -n 1 | sed -E 's/^ERROR: //' | cut -c1-150 || true)"
  echo "pip cannot install $want: ${reason:-$(tail -n 1 "$log")}" >&2
  exit 1
fi
printf '%s' "$want" >"$venv/.cognix-complete"
echo "$venv"
