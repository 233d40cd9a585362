# A stand-in for nixpkgs' package set, for evaluating the cognix modules without nixpkgs. Every
# package is a real `derivation` (builder /bin/sh), so drvPaths can be computed; functions that
# build something record the arguments they were given, so tests can assert what the image
# derivation receives. Signatures follow nixpkgs near the pinned revision
# (shared/data/nixpkgs-api-surface.json): streamLayeredImage takes a closed argument set, so an
# argument real nixpkgs would refuse is refused here too.
{ system ? "x86_64-linux"
  # The version of `python3`: 3.12, nixpkgs 25.05's default (an assumption: nixpkgs-api-surface.json
  # does not record it); python310..python313 exist as well.
, defaultPython ? "3.12"
  # Attribute names of packages the double provides, besides the ones cognix itself uses.
, extraPackages ? [ "ffmpeg" "libGL" "glib" "git" "git-lfs" "espeak-ng" "libsndfile" "sox" "wget" "curl" "gnumake" "imagemagick" ]
}:
let
  stub = name: attrs: derivation ({
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" "echo stub > $out" ];
  } // attrs);

  # Records the arguments of a builder function next to the derivation it returns.
  recorded = name: args: stub name { recorded = builtins.toJSON (builtins.attrNames args); } // { inherit args; };

  mkDerivation = a:
    stub "${a.pname or a.name}-${a.version or "0"}" {
      src = toString (a.src or "");
      deps = toString ((a.buildInputs or [ ]) ++ (a.nativeBuildInputs or [ ]) ++ (a.propagatedBuildInputs or [ ]));
    } // { args = a; passthru = a.passthru or { }; meta = a.meta or { }; };

  python = full:
    let
      parts = builtins.splitVersion full;
      minor = "${builtins.elemAt parts 0}.${builtins.elemAt parts 1}";
      self = stub "python3-${full}" { } // {
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
    self;

  pythons = {
    python310 = python "3.10.18";
    python311 = python "3.11.13";
    python312 = python "3.12.11";
    python313 = python "3.13.5";
  };

  streamLayeredImage =
    { name, tag ? null, fromImage ? null, contents ? [ ], config ? { }, architecture ? "amd64"
    , created ? "1970-01-01T00:00:01Z", mtime ? "1970-01-01T00:00:01Z", uid ? 0, gid ? 0
    , uname ? "root", gname ? "root", maxLayers ? 100, extraCommands ? "", fakeRootCommands ? ""
    , enableFakechroot ? false, includeStorePaths ? true, includeNixDB ? false, passthru ? { }
    , layeringPipeline ? null, debug ? false, meta ? { }
    }@args:
    assert layeringPipeline == null -> maxLayers > 1;
    # flattenReferencesGraph's operators (pkgs/by-name/fl/flattenReferencesGraph/src/flatten_references_graph/pipe.py).
    assert layeringPipeline == null || builtins.all
      (step: builtins.elem (builtins.head step) [ "flatten" "over" "split_every" "limit_layers" "remove_paths" "reverse" "subcomponent_in" "subcomponent_out" "split_paths" "popularity_contest" "map" "pipe" ])
      layeringPipeline;
    let
      # The real conf lists every store path of the image's layers.
      conf = stub "${name}-conf.json" { config = builtins.toJSON config; contents = toString contents; };
      streamScript = stub "stream" { };
    in
    # Like the real one, the stream script depends on everything that goes into the image.
    stub "stream-${name}" { contents = toString contents; config = builtins.toJSON config; inherit extraCommands; } // passthru // {
      inherit args;
      inherit conf streamScript;
      imageName = name;
      imageTag = if tag == null then "hash" else tag;
      isExe = true;
    };

  cudaSet = version: { cudaMajorMinorVersion = version; cudnn = stub "cudnn" { }; };

  packages = builtins.listToAttrs (map (n: { name = n; value = stub n { }; }) extraPackages);

  double = packages // pythons // rec {
    python3 = pythons."python${builtins.replaceStrings [ "." ] [ "" ] defaultPython}";
    stdenv = { inherit mkDerivation; isLinux = true; hostPlatform.system = system; };

    runCommand = name: env: buildCommand: stub name { inherit buildCommand; } // { inherit env buildCommand; };
    writeText = name: text: stub name { inherit text; } // { inherit text; };
    writeShellScript = name: text: stub name { inherit text; } // { inherit text; };
    writeScript = name: text: stub name { inherit text; };
    writeScriptBin = name: text: stub name { inherit text; };
    buildEnv = { name, paths, ... }@args: recorded name args;
    fetchurl = { url ? "", hash ? "", sha256 ? "", ... }@args: recorded (baseNameOf url) args;
    fetchgit = { url, rev ? "HEAD", hash ? "", sha256 ? "", ... }@args: recorded "git-checkout" args;
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
    nix = stub "nix" { };
    nix-prefetch-scripts = stub "nix-prefetch-scripts" { };
    openssh = stub "openssh" { };
    rustPlatform = { };
    autoPatchelfHook = stub "auto-patchelf-hook" { };
    # dream2nix's torch override (overrides/python/torch) adds it to the torch wheel.
    autoAddDriverRunpath = stub "auto-add-driver-runpath" { };
    pythonManylinuxPackages.manylinux1 = stub "manylinux1" { };
    path = ./.;

    xorg = { libSM = stub "libSM" { }; libXext = stub "libXext" { }; libXrender = stub "libXrender" { }; };
    gcc = stub "gcc" { } // { cc.lib = stub "gcc-lib" { }; };

    cudaPackages_12_6 = cudaSet "12.6";
    cudaPackages_12_8 = cudaSet "12.8";
    cudaPackages_12 = cudaPackages_12_8;
    cudaPackages = cudaPackages_12;
  };
in
double
