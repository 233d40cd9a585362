# A stand-in for nixpkgs' package set, for evaluating the cognix modules without nixpkgs. Every
# package is a real `derivation` (builder /bin/sh), so drvPaths can be computed; functions that
# build something record the arguments they were given, so tests can assert what the image
# derivation receives. It refuses what nixpkgs at the pinned revision refuses, and provides what
# it provides, as recorded with provenance in nixpkgs-facts.json (cases/double.nix compares the
# two): streamLayeredImage's closed argument set and its layering pipeline, store path names
# as Nix checks them, fetchurl's and fetchgit's default names, the Python interpreters, the CUDA
# package sets, withPackages' override.
{ lib ? import <nixpkgs/lib>
, system ? "x86_64-linux"
  # The minor version of `python3` (nixpkgs-facts.json: 3.12 at the pin).
, defaultPython ? "3.12"
  # Attribute names of packages the double provides, besides the ones cognix itself uses and the
  # ones lib/system-packages.json maps apt names to (each recorded there with evidence that
  # nixpkgs has it).
, extraPackages ? [ "ffmpeg" "libGL" "glib" "git" "git-lfs" "espeak-ng" "libsndfile" "sox" "wget" "curl" "gnumake" "imagemagick" ]
  # Attribute paths to leave out, to test what happens when nixpkgs lacks one.
, withoutPackages ? [ ]
  # The apt table whose attributes the double provides.
, systemPackagesTable ? ../../lib/system-packages.json
}:
let
  inherit (builtins) all attrNames concatStringsSep elemAt filter genList head isAttrs isFunction
    isInt isList isString length match replaceStrings split substring tail throw;

  # A derivation whose name Nix's checkName accepts (stub.nix).
  stub = import ./stub.nix system;

  # Records the arguments of a builder function next to the derivation it returns.
  recorded = name: args: stub name { recorded = builtins.toJSON (attrNames args); } // { inherit args; };

  toLower = replaceStrings
    (genList (i: substring i 1 "ABCDEFGHIJKLMNOPQRSTUVWXYZ") 26)
    (genList (i: substring i 1 "abcdefghijklmnopqrstuvwxyz") 26);

  mkDerivation = a:
    stub "${a.pname or a.name}-${a.version or "0"}" {
      src = toString (a.src or "");
      deps = toString ((a.buildInputs or [ ]) ++ (a.nativeBuildInputs or [ ]) ++ (a.propagatedBuildInputs or [ ]));
    } // { args = a; passthru = a.passthru or { }; meta = a.meta or { }; };

  # The interpreter double, shared with nixpkgs-tree's CPython expression (mkPython builds).
  makePython = import ./python-double.nix { inherit system mkDerivation; };
  python = full: makePython full { };

  pythons = {
    python310 = python "3.10.18";
    python311 = python "3.11.13";
    python312 = python "3.12.11";
    python313 = python "3.13.5";
    python314 = python "3.14.0b2";
  };

  # flattenReferencesGraph's operators and their arguments besides the data (nixpkgs-facts.json):
  # a step's arguments are checked the way pipe.py will use them at build time, nested steps too.
  pipelineOperators = {
    flatten = [ ];
    limit_layers = [ "count" ];
    map = [ "step" ];
    over = [ "key" "step" ];
    pipe = [ "steps" ];
    popularity_contest = [ ];
    remove_paths = [ "paths" ];
    reverse = [ ];
    split_every = [ "count" ];
    split_paths = [ "paths" ];
    subcomponent_in = [ "paths" ];
    subcomponent_out = [ "paths" ];
  };
  pipelineArgument = step: kind: value:
    let wrong = what: throw "layeringPipeline: ${builtins.toJSON (head step)} needs ${what} as its ${kind} argument"; in
    if kind == "step" then checkStep value
    else if kind == "steps" then (if isList value then all checkStep value else wrong "a list of steps")
    else if kind == "count" then (if isInt value && value > 0 then true else wrong "a positive integer")
    else if kind == "key" then (if isString value then true else wrong "a string")
    else if all (p: isString p || isAttrs p && p ? children_of) (if isList value then value else [ value ]) then true
    else wrong "store paths";
  checkStep = step:
    let
      name = if isList step && step != [ ] then head step else null;
      arity = pipelineOperators.${name} or null;
    in
    if !isString name || arity == null then
      throw "layeringPipeline: ${builtins.toJSON step} is not a step: flattenReferencesGraph knows ${concatStringsSep ", " (attrNames pipelineOperators)}"
    else if length step != 1 + length arity then
      throw "layeringPipeline: ${name} takes ${toString (length arity)} argument(s) besides the data, got ${toString (length step - 1)}"
    else all (i: pipelineArgument step (elemAt arity i) (elemAt (tail step) i)) (genList (i: i) (length arity));

  streamLayeredImage =
    { name, tag ? null, fromImage ? null, contents ? [ ], config ? { }, architecture ? "amd64"
    , created ? "1970-01-01T00:00:01Z", mtime ? "1970-01-01T00:00:01Z", uid ? 0, gid ? 0
    , uname ? "root", gname ? "root", maxLayers ? 100, extraCommands ? "", fakeRootCommands ? ""
    , enableFakechroot ? false, includeStorePaths ? true, includeNixDB ? false, passthru ? { }
    , layeringPipeline ? null, debug ? false
    }@args:
    assert layeringPipeline == null -> maxLayers > 1;
    assert layeringPipeline == null || isList layeringPipeline && all checkStep layeringPipeline;
    let
      # The real conf lists every store path of the image's layers.
      conf = stub "${name}-conf.json" { config = builtins.toJSON config; contents = toString contents; };
      streamScript = stub "stream" { };
    in
    # Like the real one, the stream script depends on everything that goes into the image.
    stub "stream-${name}" { contents = toString contents; config = builtins.toJSON config; inherit extraCommands; } // passthru // {
      inherit args;
      inherit conf streamScript;
      imageName = toLower name;
      imageTag = if tag == null then "hash" else tag;
      isExe = true;
    };

  # The name fetchurl gives its download (nixpkgs-facts.json, fetchurl.name).
  fetchurl = { url ? "", urls ? [ ], name ? null, pname ? null, version ? null, hash ? "", sha256 ? "", ... }@args:
    recorded
      (if pname != null && version != null then "${pname}-${version}"
      else if name != null then name
      else baseNameOf (toString (if urls != [ ] then head urls else url)))
      args;

  # fetchgit's urlToName (nixpkgs-facts.json, fetchgit.name).
  fetchgit = { url, rev ? "HEAD", hash ? "", sha256 ? "", name ? null, ... }@args:
    let
      trimmed = let m = match "(.*[^/])/*" url; in if m == null then url else head m;
      parts = filter isString (split ":" (baseNameOf trimmed));
      base = elemAt parts (length parts - 1);
      withoutGit = match "(.*)[.]git" base;
      short = if match "[a-f0-9]*" rev != null then "-${substring 0 7 rev}" else "";
    in
    recorded (if name != null then name else "${if withoutGit == null then base else head withoutGit}${short}") args;

  cudaVersions = [ "11.0" "11.1" "11.2" "11.3" "11.4" "11.5" "11.6" "11.7" "11.8" "12.0" "12.1" "12.2" "12.3" "12.4" "12.5" "12.6" "12.8" ];
  cudaSets = builtins.listToAttrs (map
    (version: {
      name = "cudaPackages_${replaceStrings [ "." ] [ "_" ] version}";
      value = { cudaMajorMinorVersion = version; cudnn = stub "cudnn" { }; };
    })
    cudaVersions);

  packages = builtins.listToAttrs (map (n: { name = n; value = stub n { }; }) extraPackages);

  # Every attribute path the apt table names, as a stub named after its last component.
  table = lib.importJSON systemPackagesTable;
  tablePaths = lib.subtractLists withoutPackages
    (lib.unique (lib.concatMap (entry: entry.nixpkgs) (lib.attrValues table.apt) ++ table.nixpkgs));
  tablePackages = lib.foldl'
    (set: path: let parts = lib.splitString "." path; in
      lib.recursiveUpdateUntil (_: l: r: !(isAttrs l && isAttrs r)) set (lib.setAttrByPath parts (stub (lib.last parts) { })))
    { }
    tablePaths;

  double = tablePackages // packages // pythons // cudaSets // rec {
    python3 = pythons."python${replaceStrings [ "." ] [ "" ] defaultPython}";
    stdenv = { inherit mkDerivation; isLinux = true; hostPlatform.system = system; };

    runCommand = name: env: buildCommand: stub name { inherit buildCommand; } // { inherit env buildCommand; };
    writeText = name: text: stub name { inherit text; } // { inherit text; };
    writeShellScript = name: text: stub name { inherit text; } // { inherit text; };
    writeScript = name: text: stub name { inherit text; };
    writeScriptBin = name: text: stub name { inherit text; };
    buildEnv = { name, paths, ... }@args: recorded name args;
    inherit fetchurl fetchgit;
    fetchFromGitHub = args: recorded "source" args;
    mkShell = args: recorded "shell" args;
    replaceVarsWith = args: recorded "replaced" args;
    writers = { writePython3 = name: _: text: stub name { }; writePython3Bin = name: _: text: stub name { }; };

    dockerTools = {
      inherit streamLayeredImage;
      caCertificates = stub "ca-certificates" { };
      usrBinEnv = stub "usr-bin-env" { };
      binSh = stub "bin-sh" { };
      fakeNss = stub "fake-nss" { };
    };

    tini = stub "tini-0.19.0" { };
    bash = stub "bash" { };
    bashInteractive = stub "bash-interactive" { };
    coreutils = stub "coreutils" { };
    findutils = stub "findutils" { };
    gawk = stub "gawk" { };
    glibc = stub "glibc" { };
    gnugrep = stub "gnugrep" { };
    gnused = stub "gnused" { };
    gnutar = stub "gnutar" { };
    gzip = stub "gzip" { };
    jq = stub "jq" { };
    proot = stub "proot" { };
    which = stub "which" { };
    unzip = stub "unzip" { };
    gitMinimal = stub "git-minimal" { };
    cacert = stub "cacert" { };
    nix = stub "nix" { };
    nix-prefetch-scripts = stub "nix-prefetch-scripts" { };
    openssh = stub "openssh" { };
    rustPlatform = { };
    autoPatchelfHook = stub "auto-patchelf-hook" { };
    # dream2nix's torch override (overrides/python/torch) adds it to the torch wheel.
    autoAddDriverRunpath = stub "auto-add-driver-runpath" { };
    pythonManylinuxPackages.manylinux1 = stub "manylinux1" { };
    # nixpkgs' source tree, as far as cachix/nixpkgs-python's mkPython imports it (nixpkgs-tree/).
    path = ./nixpkgs-tree;
    inherit lib;
    # callPackage semantics: a function's named arguments filled from the package set (plus
    # `extra`), then `args`; a required argument the set lacks is an error, as in nixpkgs.
    newScope = extra: fn: args:
      let f = if isFunction fn then fn else import fn; in
      f (builtins.intersectAttrs (builtins.functionArgs f) (double // extra) // args);
    callPackage = newScope { };
    pkgsBuildBuild = double;
    pkgsBuildHost = double;
    pkgsBuildTarget = double;
    pkgsHostHost = double;
    pkgsTargetTarget = double;
    fetchpatch = { url, sha256 ? "", hash ? "", ... }@args: recorded (baseNameOf url) args;
    darwin.configd = stub "configd" { };
    # What nixpkgs' CPython expression takes from the package set (nixpkgs-tree/…/cpython).
    inherit (builtins.listToAttrs (map (n: { name = n; value = stub n { }; }) [
      "autoconf-archive" "autoreconfHook" "nukeReferences" "pkg-config" "python-setup-hook" "bzip2"
      "expat" "libffi" "libxcrypt" "mpdecimal" "ncurses" "openssl" "sqlite" "xz" "zlib" "configd"
      "windows" "bluez" "mailcap" "tzdata" "gdbm" "readline" "tcl" "tk" "tix" "libX11" "xorgproto" "testers"
    ])) autoconf-archive autoreconfHook nukeReferences pkg-config python-setup-hook bzip2 expat libffi
      libxcrypt mpdecimal ncurses openssl sqlite xz zlib configd windows bluez mailcap tzdata gdbm
      readline tcl tk tix libX11 xorgproto testers;

    xorg = (tablePackages.xorg or { }) // { libSM = stub "libSM" { }; libXext = stub "libXext" { }; libXrender = stub "libXrender" { }; };
    # What dream2nix's own overrides (overrides/python/{opencv-python,psycopg2}) take from nixpkgs.
    libglvnd = stub "libglvnd" { };
    qt6Packages = { qtbase = stub "qtbase" { }; wrapQtAppsHook = stub "wrap-qt-apps-hook" { }; };
    postgresql = stub "postgresql" { };
    gcc = stub "gcc" { } // { cc.lib = stub "gcc-lib" { }; };

    cudaPackages_11 = cudaSets.cudaPackages_11_8;
    cudaPackages_12 = cudaSets.cudaPackages_12_8;
    cudaPackages = cudaPackages_12;
  };
in
double
