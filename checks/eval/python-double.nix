# The interpreter double: what dream2nix's pip module and cognix read of a nixpkgs CPython
# (version, pythonVersion, sitePackages, pkgs.*, withPackages). `recorded` carries what the
# interpreter was built from (for mkPython builds: src, patches, sourceVersion), so tests can
# assert on it. Used by nixpkgs-double.nix (pythonXY) and by the cpython double in nixpkgs-tree/.
{ system, mkDerivation }:
full: recorded:
let
  stub = import ./stub.nix system;
  parts = builtins.splitVersion full;
  minor = "${builtins.elemAt parts 0}.${builtins.elemAt parts 1}";
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
    withPackages = f:
      let
        packages = f self.pkgs;
        env = stub "python${minor}-env" { packages = toString packages; } // {
          sitePackages = "lib/python${minor}/site-packages";
          inherit packages;
        };
      in
      env // { override = _: env; };
  };
in
self
