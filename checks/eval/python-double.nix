# The interpreter double: what dream2nix's pip module and cognix read of a nixpkgs CPython
# (version, pythonVersion, sitePackages, pkgs.*, withPackages with wrapper.nix's overridable
# arguments). `recorded` carries what the interpreter was built from (for mkPython builds: src,
# patches, sourceVersion), so tests can assert on it. Used by nixpkgs-double.nix (pythonXY) and by
# the CPython expression in nixpkgs-tree/.
{ system, mkDerivation }:
full: recorded:
let
  inherit (builtins) attrNames elem elemAt filter head isFunction throw;
  stub = import ./stub.nix system;

  # A closed argument set, like a Nix function without `...`.
  closed = what: allowed: args:
    let unexpected = filter (a: !(elem a allowed)) (attrNames args); in
    if unexpected == [ ] then args else throw "${what} called with unexpected argument '${head unexpected}'";

  # wrapper.nix's arguments; withPackages' result is overridable with them, like callPackage's.
  wrapperArguments = [ "buildEnv" "extraLibs" "extraOutputsToInstall" "ignoreCollisions" "lib" "makeBinaryWrapper" "makeWrapperArgs" "permitUserSite" "postBuild" "python" "requiredPythonModules" "runCommand" "stdenv" ];

  parts = builtins.splitVersion full;
  minor = "${elemAt parts 0}.${elemAt parts 1}";
  pythonEnv = args:
    let a = closed "python${minor}.buildEnv" wrapperArguments args; in
    stub "python${minor}-env" { packages = toString a.extraLibs; postBuild = a.postBuild or ""; } // {
      sitePackages = "lib/python${minor}/site-packages";
      packages = a.extraLibs;
      postBuild = a.postBuild or "";
      # makeOverridable: an attribute set or a function of the arguments given so far
      # (callPackage gives no postBuild).
      override = f: pythonEnv (a // (if isFunction f then f a else f));
    };
  self = stub "python3-${full}" { } // recorded // {
    version = full;
    pythonVersion = minor;
    sitePackages = "lib/python${minor}/site-packages";
    inherit system;
    pkgs = {
      buildPythonPackage = mkDerivation;
      setuptools = stub "setuptools" { };
      wheel = stub "wheel" { };
      tomli = stub "tomli" { };
      pythonRelaxDepsHook = stub "python-relax-deps-hook" { };
    };
    withPackages = f: pythonEnv { extraLibs = f self.pkgs; };
  };
in
self
