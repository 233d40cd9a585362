#!/usr/bin/env bash
# Tests lib/openapi_schema.py against the cog SDK from PyPI.
#
# Virtual environments are created once and cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/cognix/:
#   openapi-venv         cog==0.22.0 (coglet 0.22.0) and pydantic 2: the static generator
#   openapi-venv-cog016  cog==0.16.12: the legacy runtime generator (optional)
#
# Prints one summary line, `openapi: N passed, M failed` (exit 1 when M > 0), or
# `openapi: skipped (<reason>)` (exit 0) when cog cannot be installed, e.g. offline.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/cognix"
venv="$cache/openapi-venv"
legacy_venv="$cache/openapi-venv-cog016"
python="${PYTHON:-python3}"
pip_opts=(--disable-pip-version-check --no-input --quiet --retries 1 --timeout 30)

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# make_venv DIR PACKAGE...: create DIR with the packages unless it is already complete.
make_venv() {
  local dir="$1"
  shift
  if [[ -f "$dir/.cognix-complete" && -x "$dir/bin/python" ]]; then
    return 0
  fi
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  if ! "$python" -m venv "$dir" >>"$log" 2>&1 ||
    ! "$dir/bin/python" -m pip install "${pip_opts[@]}" "$@" >>"$log" 2>&1; then
    rm -rf "$dir"
    return 1
  fi
  touch "$dir/.cognix-complete"
}

if ! command -v "$python" >/dev/null 2>&1; then
  echo "openapi: skipped (no $python on PATH)"
  exit 0
fi

if ! make_venv "$venv" "cog==0.22.0" "coglet==0.22.0" "pydantic>=2,<3"; then
  reason="$(grep -E '^ERROR: ' "$log" | tail -n 1 | sed -E 's/^ERROR: //' | cut -c1-150 || true)"
  echo "openapi: skipped (pip cannot install cog==0.22.0: ${reason:-no details from pip})"
  exit 0
fi

legacy_python=""
if make_venv "$legacy_venv" "cog==0.16.12"; then
  legacy_python="$legacy_venv/bin/python"
else
  echo "cog==0.16.12 could not be installed; the legacy generator tests are skipped" >&2
fi

status=0
output="$(
  COGNIX_OPENAPI_PYTHON="$venv/bin/python" \
    COGNIX_OPENAPI_LEGACY_PYTHON="$legacy_python" \
    PYTHONDONTWRITEBYTECODE=1 \
    "$venv/bin/python" "$here/test_openapi_schema.py"
)" || status=$?

summary="$(printf '%s\n' "$output" | grep -E '^openapi: [0-9]+ passed, [0-9]+ failed$' | tail -n 1 || true)"
if [[ -z "$summary" ]]; then
  printf '%s\n' "$output" >&2
  echo "openapi: 0 passed, 1 failed"
  exit 1
fi
echo "$summary"
failed="$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$summary")"
if [[ "$failed" -gt 0 || "$status" -ne 0 ]]; then
  exit 1
fi
