#!/usr/bin/env bash
# Makes examples/<name>/lock.json from pip's resolution report, in dream2nix's lock format (and
# build.run's downloads pinned by lib/lock_fetches.py, as the lock command does), on a
# machine where Nix itself has no network but pip can reach PyPI (as on the machine the
# committed locks were made on). Where Nix has network, `nix run .#example-<name>.lock` writes
# the same file with dream2nix's own refresh script.
#
#   eval "$(../shared/tools/nix-offline.sh)"    # nixpkgs lib + dream2nix for the evaluation
#   examples/make-lock.sh gpu-torch
#
# The requirement list, pip flags and Python version are read from the cognix module itself
# (evaluated with the test package set; nothing else of it is used), so the lock's
# invalidationHash matches what the module expects. pip resolves for linux/amd64 wheels;
# sdists are not allowed here (dream2nix's refresh allows them).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
name=${1:?usage: examples/make-lock.sh <example>}
dir="$repo/examples/$name"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

nix-instantiate --eval --strict --json -E "
  let
    t = import $repo/checks/eval/lib.nix { };
    env = (t.evalProject { src = $dir; }).config.python-env;
  in {
    inherit (env.pip) requirementsList pipFlags pipVersion;
    python = env.deps.python.pythonVersion;
    invalidationHash = builtins.hashString \"sha256\" (builtins.toJSON env.lock.invalidationData);
  }" >"$work/inputs.json"
# build.run's downloads, pinned by the same script the lock command runs (the current pins kept).
nix-instantiate --eval --strict --json -E "
  ((import $repo/checks/eval/lib.nix { }).evalProject { src = $dir; }).config.cognix.outputs.toPin" >"$work/downloads.json"
python3 "$repo/lib/lock_fetches.py" "$work/downloads.json" "$dir/lock.json" "$work/fetches.json"

python=$(jq -r .python "$work/inputs.json")
mapfile -t flags < <(jq -r '.pipFlags[]' "$work/inputs.json")
mapfile -t requirements < <(jq -r '.requirementsList[]' "$work/inputs.json")
# nixpkgs' glibc (2.40) runs every manylinux wheel up to manylinux_2_40.
platforms=(--platform manylinux2014_x86_64)
for minor in $(seq 17 40); do platforms+=(--platform "manylinux_2_${minor}_x86_64"); done
# An index this machine cannot reach (download.pytorch.org) is given up on quickly; pip then
# resolves from the indexes it can reach. Say so in the example's README when that happens.
pip install --dry-run --ignore-installed --quiet --report "$work/report.json" --timeout 10 --retries 1 \
  --only-binary=:all: --python-version "$python" --implementation cp "${platforms[@]}" \
  --target "$work/target" "${flags[@]}" "${requirements[@]}"

python3 - "$work/inputs.json" "$work/report.json" "$work/fetches.json" >"$work/lock.json" <<'PY'
import json
import sys

from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name

inputs = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))

# pip reports the environment it runs in; markers must see the target Python instead.
env = dict(report["environment"])
env.update(python_version=inputs["python"], python_full_version=inputs["python"] + ".0",
           implementation_version=inputs["python"] + ".0", sys_platform="linux",
           platform_system="Linux", platform_machine="x86_64", os_name="posix")

sources, requires, roots = {}, {}, {}
for install in report["install"]:
    meta, info = install["metadata"], install["download_info"]
    name = canonicalize_name(meta["name"])
    digest = info.get("archive_info", {}).get("hashes", {}).get("sha256")
    sources[name] = {"is_direct": install["is_direct"], "sha256": digest, "type": "url",
                     "url": info["url"], "version": meta["version"]}
    requires[name] = [Requirement(r) for r in meta.get("requires_dist", [])]
    if install.get("requested"):
        roots[name] = install.get("requested_extras", [])

def needed(req, extras):
    if not req.marker:
        return True
    return any(req.marker.evaluate({**env, "extra": e}) for e in (extras or [""]))

def walk(name, extras, deps, seen):
    deps.setdefault(name, set())
    for req in requires[name]:
        dep = canonicalize_name(req.name)
        if needed(req, extras) and dep not in seen and dep in requires:
            deps[name].add(dep)
            walk(dep, req.extras, deps, seen + [name])

default = {}
for root, extras in roots.items():
    walk(root, extras, default, [])
lock = {
    "fetchPipMetadata": {
        "sources": sources,
        "targets": {"default": {name: sorted(deps) for name, deps in sorted(default.items())}},
    },
    "fetches": json.load(open(sys.argv[3])),
    "invalidationHash": inputs["invalidationHash"],
}
print(json.dumps(lock, indent=2, sort_keys=True))
PY
mv "$work/lock.json" "$dir/lock.json"
echo "wrote $dir/lock.json ($(jq '.fetchPipMetadata.sources | length' "$dir/lock.json") distributions)"
