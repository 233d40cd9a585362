# Double of nixpkgs' pkgs/development/interpreters/python/passthrufun.nix: called by callPackage,
# it returns the function that makes an interpreter's passthru from its description.
{ lib, ... }:
description: description // {
  pythonAtLeast = lib.versionAtLeast description.pythonVersion;
  pythonOlder = lib.versionOlder description.pythonVersion;
}
