# The image's Python environment: dream2nix's pip module, fed from cog.build.python_packages,
# python_index and pip_flags plus the cog SDK at sdk_version, and locked with hashes in the
# model's lock.json.
{ config, lib, dream2nix, specialArgs, ... }:
let
  inherit (lib) mkOption types;
  build = config.cog.build;

  # The SDK cog would install (cog-spec §13.6): the pinned version, the newest release, or for
  # "prerelease" the newest pre-release. A specifier that names a pre-release lets pip pick
  # pre-releases of cog alone (PEP 440), where cog's `--pre` would allow them for every package.
  sdk =
    if build.sdk_version == null then "cog"
    else if build.sdk_version == "prerelease" then "cog>=0.0.0.dev0"
    else "cog==${build.sdk_version}";

  index = build.python_index;
  pipFlags =
    build.pip_flags
    ++ lib.optionals (index.index_url != null) [ "--index-url" index.index_url ]
    ++ lib.concatMap (url: [ "--extra-index-url" url ]) index.extra_index_urls
    ++ lib.concatMap (url: [ "--find-links" url ]) index.find_links;

  # Where the lock lives, as the user sees it from the project root.
  location =
    let package = lib.removePrefix "./" config.python-env.paths.package; in
    if package == "." then "lock.json" else "${package}/lock.json";

  lockMissing = ''
    cognix: ${location} is missing. It pins every Python package of the image with its hash.
    Create it (this needs network) with
      ${config.cognix.lockCommand}
    and add it to git.'';
  lockOutdated = ''
    cognix: ${location} was made for other requirements (python_packages, python_index, pip_flags, sdk_version or the Python version changed).
    Refresh it (this needs network) with
      ${config.cognix.lockCommand}
    and commit the result.'';

  env = config.python-env;
  # What keeps any build or lock from being right (a stale cog.nix, an interpreter that cannot be
  # had) comes first: no lock can be made for them.
  ready = value: lib.foldr builtins.seq value config.cognix.preconditions;
  checked = value:
    ready (
    if !builtins.pathExists env.paths.lockFileAbs then throw lockMissing
    else if !env.lock.isValid then throw lockOutdated
    else value);
in
{
  options.python-env = mkOption {
    type = types.submoduleWith {
      inherit specialArgs;
      modules = [ dream2nix.modules.dream2nix.core dream2nix.modules.dream2nix.pip ];
    };
    description = "The dream2nix evaluation of the Python environment (its `pip.*` options can be set directly).";
  };

  config = {
    python-env = {
      # dream2nix's pip treats a locked distribution of the environment's own name as its root
      # package ("Top-level package cog is listed in the lockfile"): a model named `cog` or
      # `numpy` is common. `+` is in no Python distribution name (PEP 508), so none can clash.
      name = "${config.name}+env";
      inherit (config) version;
      paths = {
        inherit (config.paths) projectRoot projectRootFile package;
        # One lock per model, beside cog.yaml; images are always linux/amd64.
        lockFile = "lock.json";
      };
      deps.python = config.cognix.outputs.interpreter;
      pip = {
        requirementsList = build.python_packages ++ [ sdk ];
        inherit pipFlags;
        # The model itself is not a Python distribution in the lock, so every locked package is a
        # top-level dependency of the environment.
        flattenDependencies = true;
        overrides = config.cognix.pythonOverrides;
        # Wheels are patched against manylinux libraries and each other only. What else they load
        # (libcuda from the host's driver, libraries of system_packages) is found at run time
        # through the image's LD_LIBRARY_PATH, as in cog's images; so no wheel's store path
        # depends on the model's system packages, and torch's layer is shared between models.
        # A default: dream2nix's own overrides (overrides/python/torch) name their libraries.
        overrideAll.env.autoPatchelfIgnoreMissingDeps = lib.mkDefault true;
      };
    };

    cognix.outputs.pythonEnv = checked env.public.pyEnv;
    cognix.outputs.locked = checked env.lock.content.fetchPipMetadata.sources;
    cognix.outputs.lockedFetches = checked env.lock.content.fetches;

    # The image's `lock` is the Python environment's refresh script (`nix run .#<model>.lock`).
    # Forced: the outer evaluation has dream2nix's lock module too, with no fields of its own, and
    # its refresh script would rewrite lock.json empty.
    public.lock = lib.mkForce (ready env.public.lock);
    public.devShell = checked env.public.devShell;
    public.pythonEnv = config.cognix.outputs.pythonEnv;
  };
}
