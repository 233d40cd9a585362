# The corpus measurement's two evaluations, each over every project in one process.
#   phase = "inputs": per project, what a lock for its current configuration must carry (the
#     invalidationHash, the distribution names, the downloads to pin), or the error that stops it;
#   phase = "images": per project, whether the image derivation evaluates.
# `projects` is a JSON file: a list of project directories.
{ projects, phase, lib ? import <nixpkgs/lib> }:
let
  t = import ../eval/lib.nix { inherit lib; };
  dirs = lib.importJSON projects;
  model = dir: t.evalProject { src = /. + dir; };
  attempt = value: let r = builtins.tryEval (builtins.deepSeq value value); in if r.success then { ok = true; value = r.value; } else { ok = false; };
  inputs = dir:
    let e = (model dir).config; in
    attempt {
      invalidationHash = builtins.hashString "sha256" (builtins.toJSON e.python-env.lock.invalidationData);
      names = map (r: lib.toLower (builtins.head (builtins.match "([A-Za-z0-9_.-]+).*" r))) e.python-env.pip.requirementsList;
      toPin = e.cognix.outputs.toPin;
    };
  image = dir: attempt (builtins.unsafeDiscardStringContext (model dir).config.public.drvPath);
in
lib.genAttrs dirs (if phase == "inputs" then inputs else image)
