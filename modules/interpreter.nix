# build.python_version → the CPython the image runs. nixpkgs' `python<major><minor>` when the pinned
# nixpkgs has that line (and, for `major.minor.patch`, exactly that release); otherwise the release
# is built from python.org's source by cachix/nixpkgs-python's `mkPython` with the model's own
# nixpkgs, so one glibc serves the interpreter and the wheels. Old lines (3.6–3.9: cog refuses
# them since 2026) and exact patch releases (cog uses `python:3.10.14-slim` verbatim) both work.
{ config, lib, packageSets, ... }:
let
  nixpkgs = packageSets.nixpkgs;
  requested = config.cog.build.python_version;
  np = config.cognix.nixpkgsPython;

  parts = builtins.splitVersion requested;
  line = "${builtins.elemAt parts 0}.${builtins.elemAt parts 1}";
  exact = lib.length parts == 3;
  attr = "python" + lib.replaceStrings [ "." ] [ "" ] line;
  fromNixpkgs = nixpkgs.${attr} or null;

  # The release nixpkgs-python builds: the one asked for, or the newest of its line.
  release = if exact then requested else np.lib.versions.latest.${line} or null;
  known = lib.filter (v: lib.hasPrefix "${line}." v) (lib.attrNames np.lib.versions.releases);

  unknownRelease = ''
    cognix: build.python_version "${requested}" in cog.yaml names a CPython release cachix/nixpkgs-python does not know.
    ${if known == [ ] then "It knows no ${line} release at all." else "Its ${line} releases: ${lib.concatStringsSep ", " (lib.sort lib.versionOlder known)}."}
    Choose one of those in cog.yaml (or "${line}" for the newest), then run `cognix-gen generate`.'';

  noBuilder = ''
    cognix: build.python_version "${requested}" in cog.yaml needs a CPython the pinned nixpkgs does not have (${if fromNixpkgs == null then "no ${attr}" else "its ${attr} is ${fromNixpkgs.version}"}), and cognix.nixpkgsPython is not set to build it.
    The cognix library sets it from its cachix/nixpkgs-python input; when you evaluate the cognix module yourself, set
      cognix.nixpkgsPython = inputs.nixpkgs-python;'';

  built =
    if np == null then throw noBuilder
    else if release == null || !(np.lib.versions.releases ? ${release}) then throw unknownRelease
    else
      let
        source = np.lib.versions.releases.${release};
        python = np.lib.mkPython {
          pkgs = nixpkgs;
          version = release;
          inherit (source) url hash;
          # mkPython takes the interpreter's own attribute set, for its `self` reference.
          packages.${release} = python;
        };
      in
      python;

  interpreter =
    if requested == null then nixpkgs.python3
    else if fromNixpkgs != null && (!exact || fromNixpkgs.version == requested) then fromNixpkgs
    else built;
in
{
  cognix = {
    outputs.interpreter = interpreter;
    # No lock can be made for an interpreter that cannot be had.
    preconditions = [ interpreter ];
  };
}
