# The public library: turn a cog project into its image, lock refresh and dev shell.
#
# `nixpkgs` is the nixpkgs source (a flake input) used when a caller does not pass a package
# set; `dream2nix` is dream2nix's flake; `nixpkgs-python` is cachix/nixpkgs-python's flake, which
# builds the CPython releases nixpkgs lacks (modules/interpreter.nix).
{ lib, dream2nix, nixpkgs ? null, nixpkgs-python ? null }:
let
  cognixModule = ../modules;

  /** The configuration cognix-gen wrote for the project in `src` (its cog.nix). */
  readCog = src: (import (src + "/cog.nix")).cog;

  /** nixpkgs configuration for a model: CUDA builds of nixpkgs packages only when asked for,
      since they are unfree and mostly not in the public binary cache.

      # Type
      nixpkgsConfig :: { cudaSupport :: Bool, cudaCapabilities :: [String] } -> AttrSet
  */
  nixpkgsConfig = { cudaSupport ? false, cudaCapabilities ? [ ] }:
    { allowUnfree = cudaSupport; inherit cudaSupport; }
    // lib.optionalAttrs (cudaCapabilities != [ ]) { inherit cudaCapabilities; };

  packageSet = { system, pkgs, cudaSupport, cudaCapabilities }:
    if pkgs != null then
      lib.warnIf (cudaSupport || cudaCapabilities != [ ])
        "cognix: cudaSupport and cudaCapabilities are ignored when pkgs is given; set them in that nixpkgs' config (cognix.lib.nixpkgsConfig)."
        pkgs
    else if nixpkgs == null then throw "cognix: pass `pkgs` (a nixpkgs package set); this cognix library was loaded without nixpkgs"
    else import nixpkgs { inherit system; config = nixpkgsConfig { inherit cudaSupport cudaCapabilities; }; };

  /** The image name when the caller gives none: the repository name of cog.yaml's `image`
      (`r8.im/acme/whisper` gives `whisper`), else the project directory's name, unless that is
      a store path's (`<hash>-source`, a flake's own directory), which would change with every
      commit; then `model`. Made a valid repository name (lower case, `[a-z0-9]` runs joined by
      one `.`, `_` or `-`), which Docker requires: `LivePortrait` gives `liveportrait`.
  */
  defaultName = { image, directory }:
    let
      raw =
        if image != null then lib.head (lib.splitString ":" (lib.last (lib.splitString "/" image)))
        else if builtins.match "[0-9a-z]{32}-.*" directory != null then "model"
        else directory;
      legal = lib.concatMapStrings (c: if builtins.match "[a-z0-9._-]" c != null then c else "-") (lib.stringToCharacters (lib.toLower raw));
      joined = lib.concatStringsSep "-" (lib.filter builtins.isString (builtins.split "[._-]{2,}" legal));
      trimmed = builtins.match "[._-]*([a-z0-9]([a-z0-9._-]*[a-z0-9])?)[._-]*" joined;
    in
    if trimmed == null then "model" else lib.head trimmed;

  /** Evaluates the cognix module for one project. The result's `config.public` is the image (a
      stream script: `./result | docker load`), with `.lock` (refreshes lock.json, needs network)
      and `.devShell` (the model's Python environment).

      # Inputs
      - `src`: the project directory (cog.yaml, cog.nix, lock.json, predict.py).
      - `root`: the directory the lock refresh searches for by `rootFile` (the flake root); `src` by default.
      - `rootFile`: the file that marks `root` (`flake.nix`; `cog.yaml` when `root` is `src`).
      - `name`: the image name; see `defaultName`.
      - `lockCommand`: the lock refresh command messages print; `nix run .#<name>.lock` by default.
      - `modules`: further cognix modules (`cognix.fetches`, `cognix.systemPackages`, ...).
      - `pkgs`, or `system` + `cudaSupport` + `cudaCapabilities` to instantiate cognix's nixpkgs.
      - `revision`: source revision for the OCI revision label (`self.rev or null`).

      # Type
      evalModel :: AttrSet -> { config, options, ... }
  */
  evalModel =
    { src
    , root ? src
    , rootFile ? if root == src then "cog.yaml" else "flake.nix"
    , name ? defaultName { image = (readCog src).image or null; directory = baseNameOf (toString src); }
    , lockCommand ? null
    , modules ? [ ]
    , pkgs ? null
    , system ? "x86_64-linux"
    , cudaSupport ? false
    , cudaCapabilities ? [ ]
    , revision ? null
    }:
    let
      rootString = toString root;
      srcString = toString src;
      package =
        if srcString == rootString then "."
        else if lib.hasPrefix "${rootString}/" srcString then lib.removePrefix "${rootString}/" srcString
        else throw "cognix: src (${srcString}) must be inside root (${rootString})";
    in
    dream2nix.lib.evalModules {
      packageSets.nixpkgs = packageSet { inherit system pkgs cudaSupport cudaCapabilities; };
      raw = true;
      modules = [
        cognixModule
        (src + "/cog.nix")
        {
          _file = "cognix.lib.evalModel";
          inherit name;
          paths = { projectRoot = root; projectRootFile = rootFile; inherit package; };
          cognix.src = src;
          cognix.nixpkgsPython = lib.mkIf (nixpkgs-python != null) (lib.mkDefault nixpkgs-python);
        }
        (lib.optionalAttrs (revision != null) { cognix.revision = revision; })
        (lib.optionalAttrs (lockCommand != null) { cognix.lockCommand = lockCommand; })
      ] ++ modules;
    };

  /** The packages of one model: `image`, `lock` (refresh script), `devShell`, `pythonEnv`.

      # Type
      model :: AttrSet -> { image, lock, devShell, pythonEnv, config }
  */
  model = args:
    let
      evaluated = evalModel args;
      image = evaluated.config.public;
    in
    {
      inherit image;
      inherit (image) lock devShell pythonEnv;
      inherit (evaluated) config;
    };

  /** The smallest consuming flake: `outputs = { cognix, self, ... }: cognix.lib.mkFlake { src = ./.; };`
      gives `packages.<system>.default` (the image), `apps.<system>.lock` and
      `devShells.<system>.default`. Takes the arguments of `evalModel`.

      # Type
      mkFlake :: AttrSet -> AttrSet
  */
  mkFlake = args@{ system ? "x86_64-linux", ... }:
    let m = model ({ lockCommand = "nix run .#lock"; } // args); in
    {
      packages.${system} = { default = m.image; lock = m.lock; };
      apps.${system}.lock = lockApp m;
      devShells.${system}.default = m.devShell;
    };

  /** The flake app that runs a model's lock refresh. */
  lockApp = m: { type = "app"; program = "${m.lock}/bin/refresh"; };
in
{
  inherit readCog nixpkgsConfig defaultName evalModel model mkFlake lockApp;

  /** cog's compatibility tables (lib/compat, with their provenance), as cognix-gen uses them, and
      under `legacy` the rows cognix adds in its default mode (torch 1.0–1.10, TensorFlow releases
      cog dropped, CUDA 8–10 images). */
  compat = {
    torch = lib.importJSON ./compat/torch_compatibility.json;
    tensorflow = lib.importJSON ./compat/tf_compatibility.json;
    cuda = lib.importJSON ./compat/cuda_compatibility.json;
    legacy = {
      torch = lib.importJSON ./compat/torch_legacy.json;
      tensorflow = lib.importJSON ./compat/tf_legacy.json;
      cuda = lib.importJSON ./compat/cuda_legacy.json;
    };
  };

  /** apt package name → nixpkgs attribute paths (lib/system-packages.json). */
  systemPackages = lib.importJSON ./system-packages.json;

  dockerignore = import ./dockerignore.nix { inherit lib; };
}
