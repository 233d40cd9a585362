#!/usr/bin/env bash
# Writes lock.json for the evaluation-test projects: a synthetic lock (one made-up wheel per
# requirement, and a made-up pin for each build.run download) carrying the invalidationHash of the
# project's current requirements, so the modules accept it. Run after changing a project's cog.yaml (and `cognix-gen generate`):
#   eval "$(../shared/tools/nix-offline.sh)" && checks/eval/make-fixture-locks.sh
# `stale` deliberately gets a lock for other requirements.
set -euo pipefail
cd "$(dirname "$0")"
for project in cpu gpu run source noschema stale py38 weights weights-nolock weights-tampered image-weights; do
  hash=$(nix-instantiate --eval --json invalidation-hash.nix --arg src "./projects/$project" | tr -d '"')
  [ "$project" = stale ] && hash=0000000000000000000000000000000000000000000000000000000000000000
  names=$(nix-instantiate --eval --strict --json -E "
    let t = import ./lib.nix { }; e = t.evalProject { src = ./projects/$project; }; in
    map (r: builtins.head (builtins.match \"([A-Za-z0-9_.-]+).*\" r)) e.config.python-env.pip.requirementsList")
  downloads=$(nix-instantiate --eval --strict --json -E "
    let t = import ./lib.nix { }; in (t.evalProject { src = ./projects/$project; }).config.cognix.outputs.toPin")
  # A project's own cognix module (cognix.imageWeights) says which weights to pin.
  weights=$(nix-instantiate --eval --strict --json -E "
    let t = import ./lib.nix { }; module = ./projects/$project/cognix.nix; in
    (t.evalProject { src = ./projects/$project; modules = t.lib.optional (builtins.pathExists module) module; }).config.cognix.outputs.imageWeightsToPin")
  python3 - "$hash" "$names" "$downloads" "$weights" >"projects/$project/lock.json" <<'PY'
import base64, hashlib, json, sys
invalidation, names, downloads, weights = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4])
def canonical(name): return name.lower().replace("_", "-").replace(".", "-")
sources = {}
for name in map(canonical, names):
    version = "0.22.0" if name == "cog" else "1.0.0"
    wheel = f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    sources[name] = {"is_direct": False, "sha256": hashlib.sha256(wheel.encode()).hexdigest(),
                     "type": "url", "url": f"https://files.pythonhosted.org/packages/{wheel}", "version": version}
fetches = {}
for d in downloads:
    pin = {"hash": "sha256-" + base64.b64encode(hashlib.sha256(d["url"].encode()).digest()).decode()}
    if d["tool"] == "git":
        pin["rev"] = hashlib.sha1(d["url"].encode()).hexdigest()
    fetches[d["url"]] = pin
# Per weight source: a small JSON file and a 100 MiB safetensors file at a made-up commit (one
# file for a URL).
pinned = {}
for w in weights:
    commit = hashlib.sha1(w["source"].encode()).hexdigest()
    sha = lambda path: hashlib.sha256(f"{w['source']}/{path}".encode()).hexdigest()
    if w["source"].startswith("hf://"):
        repo = w["source"][5:].split("@")[0]
        files = [{"path": p, "size": s, "sha256": sha(p), "url": f"https://huggingface.co/{repo}/resolve/{commit}/{p}"}
                 for p, s in (("config.json", 612), ("model.safetensors", 100 << 20))]
        fingerprint = f"commit:{commit}"
    else:
        name = w["source"].rsplit("/", 1)[-1]
        files = [{"path": name, "size": 67 << 20, "sha256": sha(name), "url": w["source"]}]
        fingerprint = f"sha256:{sha(name)}"
    pinned[w["source"]] = {"exclude": w["exclude"], "files": files, "fingerprint": fingerprint, "include": w["include"]}
lock = {"fetchPipMetadata": {"sources": sources, "targets": {"default": {n: [] for n in sources}}},
        "invalidationHash": invalidation}
if fetches:
    lock["fetches"] = fetches
if pinned:
    lock["weights"] = pinned
print(json.dumps(lock, indent=2, sort_keys=True))
PY
done
