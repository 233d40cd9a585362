#!/usr/bin/env bash
# Tests lib/openapi_schema.py against the cog SDK from PyPI.
#
# Virtual environments (checks/python-venv.sh, cached under ${XDG_CACHE_HOME:-$HOME/.cache}/cognix/):
#   openapi-venv         cog==0.22.0 (coglet 0.22.0) and pydantic 2: the static generator
#   openapi-venv-cog016  cog==0.16.12: the legacy runtime generator (optional)
#
# Prints one summary line, `openapi: N passed, M failed` (exit 1 when M > 0, or when cog cannot
# be installed, e.g. offline).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! venv="$("$here/../python-venv.sh" openapi-venv "cog==0.22.0" "coglet==0.22.0" "pydantic>=2,<3")"; then
  echo "openapi: 0 passed, 1 failed (cog==0.22.0 could not be installed from PyPI)"
  exit 1
fi

legacy_python=""
if legacy_venv="$("$here/../python-venv.sh" openapi-venv-cog016 "cog==0.16.12")"; then
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
