# The `cognix.*` namespace: what cog.yaml cannot say (extra nixpkgs packages, hashes for
# downloads, secrets, source ignores, layering) and the read-only pieces the other modules build,
# exposed for inspection and reuse. Declarations only.
{ config, lib, ... }:
let
  inherit (lib) mkOption types literalExpression;
  paths = config.paths;
in
{
  options.cognix = {
    src = mkOption {
      type = types.path;
      # dream2nix writes `package` as "./dir"; a "/./" would defeat `.dockerignore` matching.
      default = let package = lib.removePrefix "./" paths.package; in
        if package == "." then paths.projectRoot else paths.projectRoot + "/${package}";
      defaultText = literalExpression ''config.paths.projectRoot + "/''${config.paths.package}"'';
      description = ''
        The project directory (cog.yaml, predict.py, lock.json): what /src is made from, and where
        `.dockerignore` and `.cog/openapi_schema.json` are read. The cognix library sets it to its
        `src` argument.
      '';
      example = literalExpression "./my-model";
    };

    systemPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      description = "nixpkgs packages added to the image besides `cog.build.system_packages`.";
      example = literalExpression "[ pkgs.imagemagick ]";
    };

    aptPackages = mkOption {
      type = types.attrsOf (types.listOf types.package);
      default = { };
      description = ''
        nixpkgs packages for apt names of `build.system_packages` (or of `apt-get install` in
        `build.run`), used instead of cognix's table (lib/system-packages.json): for a name the
        table does not know, or to choose other packages than it does. An empty list leaves the
        package out.
      '';
      example = literalExpression ''{ libturbojpeg0 = [ pkgs.libjpeg_turbo ]; sudo = [ ]; }'';
    };

    nixpkgsPython = mkOption {
      type = types.nullOr types.raw;
      default = null;
      defaultText = literalExpression "cognix's cachix/nixpkgs-python flake input (the cognix library sets it)";
      description = ''
        cachix/nixpkgs-python's flake (its `lib.mkPython` and `lib.versions`, the URL and hash of
        every CPython release), used for a `build.python_version` the package set lacks. The
        interpreter is built from source with the model's nixpkgs; nixpkgs-python's binary cache
        holds builds for its own nixpkgs, not this one.
      '';
      example = literalExpression "inputs.nixpkgs-python";
    };

    fetches = mkOption {
      type = types.attrsOf (types.submodule {
        options = {
          hash = mkOption {
            type = types.nullOr types.str;
            default = null;
            description = "SRI hash of the download (of the checkout, for git).";
            example = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
          };
          rev = mkOption {
            type = types.nullOr types.str;
            default = null;
            description = "For `git clone`: the commit to check out instead of the one lock.json pins.";
            example = "3f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e";
          };
        };
      });
      default = { };
      description = ''
        Hand-made pins for the downloads `build.run` makes (curl, wget, git clone, pget), keyed by
        URL as cog.nix records it. The lock command pins every download in lock.json's `fetches`;
        a value set here wins over lock.json's, field by field (e.g. a `rev` to build another
        commit than the lock resolved).
      '';
      example = literalExpression ''
        {
          "https://github.com/replicate/pget/releases/download/v0.8.2/pget_Linux_x86_64".hash =
            "sha256-...";
        }
      '';
    };

    generatedFrom = mkOption {
      type = types.attrsOf types.str;
      default = { };
      description = ''
        The files cog.nix was generated from, relative to `cognix.src`, with their sha256, as
        cognix-gen writes them into cog.nix. Evaluation compares them with the files and refuses a
        stale cog.nix (cog.yaml edited without `cognix-gen generate`), which would otherwise
        build the old configuration. Empty (a cog.nix written by hand): nothing is compared.
      '';
      example = { "cog.yaml" = "8859eebedf49ae49ddc412ac8a46bc0889385efe6120a9254d6b978f057acf20"; };
    };

    preconditions = mkOption {
      type = types.listOf types.raw;
      default = [ ];
      internal = true;
      description = "Values that throw cognix's message when the model cannot be built at all (a stale cog.nix, a Python that cannot be had); forced before anything is built or locked.";
    };

    imageWeights = mkOption {
      type = types.listOf (types.submodule {
        options = {
          source = mkOption {
            type = types.strMatching "(hf|huggingface|https?)://.+";
            description = ''
              Where the files come from: a Hugging Face model repository, `hf://org/repo` or
              `hf://org/repo@ref` (a branch or tag is resolved to its commit by the lock command),
              or one file at an `https://` URL.
            '';
            example = "hf://stabilityai/sdxl-turbo";
          };
          include = mkOption {
            type = types.listOf types.str;
            default = [ ];
            description = "gitignore-style patterns of the files to take, as for cog.yaml's `weights` (`[ ]`: every file).";
            example = [ "*.safetensors" "*.json" ];
          };
          exclude = mkOption {
            type = types.listOf types.str;
            default = [ ];
            description = "Patterns of files to leave out; they win over `include`.";
            example = [ "*.bin" ];
          };
          target = mkOption {
            type = types.strMatching "/.*[^/].*";
            description = "The absolute directory the files are placed in, in the image.";
            example = "/src/weights/sdxl-turbo";
          };
        };
      });
      default = [ ];
      description = ''
        Weights built into the image, pinned: the lock command resolves each source to a commit
        and pins every file it takes with its hash in lock.json's `weights`, and the build fetches
        them as fixed-output derivations. Each file of 64 MiB or more becomes a layer of its own,
        so images with the same weights share those layers. For the models that expect their
        weights in the image (under /src); cog's managed weights (cog.yaml `weights:`) stay
        outside it instead.
      '';
      example = literalExpression ''
        [ {
          source = "hf://stabilityai/sdxl-turbo";
          include = [ "*.safetensors" "*.json" "*.txt" ];
          target = "/src/weights/sdxl-turbo";
        } ]
      '';
    };

    secrets = mkOption {
      type = types.attrsOf types.str;
      default = { };
      description = ''
        For each secret id a `build.run` command mounts: an absolute path on the building machine
        holding the secret. It is a string, not a Nix path, so the secret is never copied into the
        Nix store or the image; the build sees it only while the command runs. Add the path to
        `extra-sandbox-paths` in nix.conf so the sandbox can read it.
      '';
      example = { hf_token = "/run/secrets/hf_token"; };
    };

    sourceIgnores = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Patterns left out of /src in addition to `.dockerignore` (same syntax).";
      example = [ "*.ipynb" "notebooks/" ];
    };

    openapiSchema = mkOption {
      type = types.nullOr types.path;
      default = null;
      description = ''
        OpenAPI schema for the `run.cog.openapi_schema` label and /src/.cog/openapi_schema.json.
        `null` uses `.cog/openapi_schema.json` from the project when cog left one there, and
        otherwise generates it while the image is built.
      '';
      example = literalExpression "./openapi.json";
    };

    lockCommand = mkOption {
      type = types.str;
      default = "nix run .#${config.name}.lock";
      defaultText = literalExpression ''"nix run .#''${config.name}.lock"'';
      description = "The command that creates or refreshes lock.json, as cognix's messages print it (`cognix.lib.mkFlake` sets `nix run .#lock`).";
      example = "nix run .#lock";
    };

    cogVersion = mkOption {
      type = types.str;
      default = "0.22.0";
      description = "The cog version whose behaviour cognix reproduces, written into the `run.cog.version` label.";
    };

    revision = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "Source revision for the `org.opencontainers.image.revision` label (the flake integrations pass `self.rev`).";
      example = "3f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e";
    };

    tag = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "Image tag; `null` uses a hash of the image configuration.";
      example = "latest";
    };

    maxLayers = mkOption {
      type = types.ints.between 2 125;
      default = 100;
      description = ''
        Layers the image may have. The distributions of `cognix.sharedDistributions` and what
        they use get a layer each first, then the rest of the closure, largest store path first;
        the smallest paths share the last store layer when the closure has more paths than the
        budget. 125 is the most overlay filesystems accept.
      '';
    };

    sharedDistributions = mkOption {
      type = types.listOf types.str;
      default = [ "torch" "nvidia-*" ];
      description = ''
        Locked Python distributions (names as in lock.json, or patterns with `*`) that always get
        a store layer of their own, together with everything they use, however large the closure.
        Their layers are byte-identical in every model that locks the same versions, so registries
        and hosts keep one copy. Other large distributions get their own layer too as long as the
        `cognix.maxLayers` budget allows, largest first.
      '';
      example = [ "torch" "nvidia-*" "jaxlib" "jax-cuda12-*" ];
    };

    pythonOverrides = mkOption {
      type = types.attrsOf types.deferredModule;
      default = { };
      description = "dream2nix overrides for single Python distributions of the environment (`pip.overrides`), e.g. to add a library a wheel links against.";
      example = literalExpression ''{ pyaudio.mkDerivation.buildInputs = [ pkgs.portaudio ]; }'';
    };

    # What the implementation modules add to the image; image.nix assembles it.
    image = {
      contents = mkOption {
        type = types.listOf types.package;
        default = [ ];
        internal = true;
        description = "Packages linked into the image's root file system.";
      };
      env = mkOption {
        type = types.attrsOf types.str;
        default = { };
        internal = true;
        description = "Environment variables for the image (`cog.environment` is applied after these).";
      };
      libraryPath = mkOption {
        type = types.listOf types.str;
        default = [ ];
        internal = true;
        description = "Directories joined into the image's `LD_LIBRARY_PATH`, in order.";
      };
      extraCommands = mkOption {
        type = types.lines;
        default = "";
        internal = true;
        description = "Shell commands run in the image's last layer (the root directory) before it is packed; they write files of the image itself.";
      };
      ownLayers = mkOption {
        type = types.listOf types.package;
        default = [ ];
        internal = true;
        description = "Store paths that each get a layer of their own (large weight files), so images that share them share the layer.";
      };
      configRecord = mkOption {
        type = types.attrsOf types.raw;
        default = { };
        internal = true;
        description = "Keys added to the completed configuration of the `run.cog.config` label, for what cognix builds into the image beyond cog.yaml.";
      };
    };

    cudaPackages = mkOption {
      type = types.nullOr types.raw;
      readOnly = true;
      description = "The nixpkgs CUDA package set matching `cog.build.cuda` (GPU builds), for packages nixpkgs builds with CUDA.";
    };

    outputs =
      let
        output = description: mkOption {
          type = types.raw;
          readOnly = true;
          inherit description;
        };
      in
      {
        interpreter = output "The CPython the image runs (see `cog.build.python_version`).";
        pythonEnv = output "The Python environment (interpreter with every locked package) the image runs.";
        locked = output "The distributions lock.json pins, by name (`version`, `url`, `sha256`, `is_direct`).";
        lockedFetches = output "The downloads lock.json pins, by URL (`hash`, and `rev` for git).";
        toPin = output "The downloads the lock command pins, once each in cog.yaml order (`url`, `tool`, `rev`, `submodules`, and the cog.yaml `key` that makes it).";
        downloads = output "The fixed-output fetch of each `build.run` download, by URL.";
        systemPackages = output "The nixpkgs packages of `cog.build.system_packages` and `cognix.systemPackages`.";
        aptAttributes = output "The function from an apt name to the nixpkgs attribute paths cognix's table (then nixpkgs) maps it to, or null; cognix-gen's lookup gives the same (checked by a parity test).";
        projectFiles = output "The project directory as copied to /src (`.dockerignore` and `cognix.sourceIgnores` honoured).";
        source = output "The /src tree as a store path, for inspection: `projectFiles`, the completed cog.yaml and the OpenAPI schema (the image writes the same tree into its last layer).";
        runScripts = output "The shell script each `build.run` and `build.pre_install` item becomes, in order.";
        runLayer = output "The files `build.run` commands and downloads produced, or `null` when they produce none.";
        openapiSchema = output "The OpenAPI schema file (a build result when it is generated).";
        predictorConfig = output "What cog's build adds to the configuration from the predictor, as JSON: `{\"concurrency\":{\"max\":N}}` for `@cog.concurrent(max=N)` when cog.yaml sets no concurrency, else `{}` (a build result; `null` without a predictor).";
        labels = output "The image labels known at evaluation time (the schema label is added when the image is streamed).";
        env = output "The image's environment variables, by name (the stream adds `COG_MAX_CONCURRENCY` when `predictorConfig` asks for it).";
        weightsManifest = output "cog's runtime record of the managed weights, `{\"weights\":[{name, target, setDigest}]}` from weights.lock, placed at /.cog/weights.json and /src/.cog/weights.json; `null` without managed weights.";
        weightsNotes = output "Warnings about the managed weights' local sources (a weight directory inside the project that `.dockerignore` does not leave out).";
        lockedImageWeights = output "What lock.json's `weights` pins for `cognix.imageWeights`, by source: `fingerprint`, `include`, `exclude` and the `files` (`path`, `url`, `size`, `sha256`).";
        imageWeightsToPin = output "What the lock command resolves for `cognix.imageWeights`: each source with its patterns.";
        imageWeights = output "The tree of `cognix.imageWeights` as the image gets it, or `null` when there are none.";
      };
  };
}
