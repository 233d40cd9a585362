# dream2nix's flake outputs without the flake machinery, for evaluation with nixpkgs' lib only:
# dream2nix reads nothing but `inputs.nixpkgs.lib`, and its other inputs (pyproject-nix,
# purescript-overlay) serve modules cognix does not use.
{ lib, src }:
let
  flake = import (src + "/flake.nix");
  unavailable = name: throw "checks/eval/dream2nix.nix: the ${name} input is not available in evaluation tests";
  inputs = {
    inherit self;
    nixpkgs = { inherit lib; outPath = unavailable "nixpkgs"; };
    pyproject-nix = unavailable "pyproject-nix";
    purescript-overlay = unavailable "purescript-overlay";
  };
  outputs = flake.outputs inputs;
  self = outputs // { inherit inputs outputs; outPath = src; };
in
self
