# What every evaluation test needs: nixpkgs' lib, dream2nix, the cognix library, and a model
# evaluated against the package-set double.
{ lib ? import <nixpkgs/lib>, dream2nixSrc ? <dream2nix>, flakePartsSrc ? <flake-parts>, nixpkgsPythonSrc ? <nixpkgs-python> }:
let
  dream2nix = import ./dream2nix.nix { inherit lib; src = dream2nixSrc; };
  # cachix/nixpkgs-python's flake outputs; only its `lib` (mkPython, versions.json) is used.
  nixpkgs-python = let np = (import (nixpkgsPythonSrc + "/flake.nix")).outputs { self = np; nixpkgs = { inherit lib; }; }; in np;
  cognix = import ../../lib { inherit lib dream2nix nixpkgs-python; };
  double = import ./nixpkgs-double.nix;
in
{
  inherit lib cognix double dream2nix dream2nixSrc nixpkgs-python;
  # flake-parts' library, from its flake outputs (it reads only `nixpkgs-lib.lib`).
  flake-parts = let fp = (import (flakePartsSrc + "/flake.nix")).outputs { self = fp; nixpkgs-lib = { inherit lib; }; }; in fp.lib;
  flakeModule = import ../../lib/flake-module.nix cognix;
  # The double with its default arguments, for computing expected values.
  pkgs = double { };

  /** The evaluated model for a project directory, built with the double. */
  evalProject = { src, modules ? [ ], name ? null }:
    cognix.evalModel ({ inherit src modules; pkgs = double { }; } // lib.optionalAttrs (name != null) { inherit name; });
}
