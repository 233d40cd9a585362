# Evaluates every case of cases/*.nix: a JSON list of { name, ok } (with `expr` and `expected`
# for failures). `copies` are two copies of one project at different paths, for the purity cases.
{ lib ? import <nixpkgs/lib>, dream2nixSrc ? <dream2nix>, copies }:
let
  t = import ./lib.nix { inherit lib dream2nixSrc; } // { inherit copies; };
  files = lib.filterAttrs (name: type: type == "regular" && lib.hasSuffix ".nix" name) (builtins.readDir ./cases);
  cases = lib.concatLists (lib.mapAttrsToList
    (file: _:
      lib.mapAttrsToList (name: case: { name = "${lib.removeSuffix ".nix" file}.${name}"; inherit (case) expr expected; })
        (import (./cases + "/${file}") t))
    files);
in
map
  (c:
    let ok = c.expr == c.expected; in
    { inherit (c) name; inherit ok; } // lib.optionalAttrs (!ok) { inherit (c) expr expected; })
  cases
