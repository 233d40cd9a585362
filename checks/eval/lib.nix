# What every evaluation test needs: nixpkgs' lib, dream2nix, the cognix library, and a model
# evaluated against the package-set double.
{ lib ? import <nixpkgs/lib>, dream2nixSrc ? <dream2nix> }:
let
  dream2nix = import ./dream2nix.nix { inherit lib; src = dream2nixSrc; };
  cognix = import ../../lib { inherit lib dream2nix; };
  double = import ./nixpkgs-double.nix;
in
{
  inherit lib cognix double;
  # The double with its default arguments, for computing expected values.
  pkgs = double { };

  /** The evaluated model for a project directory, built with the double. */
  evalProject = { src, modules ? [ ], doubleArgs ? { }, name ? null }:
    cognix.evalModel ({ inherit src modules; pkgs = double doubleArgs; } // lib.optionalAttrs (name != null) { inherit name; });
}
