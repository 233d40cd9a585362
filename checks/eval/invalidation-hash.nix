# The invalidationHash a project's lock.json must carry for its current requirements:
#   nix-instantiate --eval --json checks/eval/invalidation-hash.nix --arg src ./examples/cpu-hello
# It covers the requirement list, pip flags, pip version and the Python major.minor, so the
# package-set double (whose Python versions share major.minor with nixpkgs') gives the real value.
{ src, lib ? import <nixpkgs/lib>, dream2nixSrc ? <dream2nix> }:
let
  t = import ./lib.nix { inherit lib dream2nixSrc; };
  evaluated = t.evalProject { inherit src; };
in
builtins.hashString "sha256" (builtins.toJSON evaluated.config.python-env.lock.invalidationData)
