# Options that mirror cog.yaml key for key, with the names cognix-gen writes into cog.nix.
# A cog.nix is a plain module ({ cog = { ... }; }) that sets these options; they can also be set by
# hand. Only declarations live here; the other files in this directory implement them.
{ lib, ... }:
let
  inherit (lib) mkOption types literalExpression;

  mount = types.submodule {
    options = {
      id = mkOption {
        type = types.str;
        description = "Identifier of a build secret, as in `cog build --secret id=...`. Its content is provided by `cognix.secrets.<id>` and never enters the Nix store or the image.";
        example = "hf_token";
      };
      target = mkOption {
        type = types.str;
        description = "Path at which the secret is visible while the command runs.";
        example = "/run/secrets/hf_token";
      };
    };
  };

  # One part of a run command: cognix-gen's run::Step (`kind` is its run::StepKind).
  step = types.submodule {
    options = {
      kind = mkOption {
        type = types.enum [ "system_packages" "python_packages" "fetch" "command" ];
        description = ''
          How cognix-gen classified this part of a `build.run` command: `system_packages` (an apt
          install, whose packages joined `build.system_packages`), `python_packages` (a pip install,
          whose requirements joined `build.python_packages`), `fetch` (a download made a pinned,
          fixed-output fetch) or `command` (run while the image is assembled, without network).
        '';
        example = "fetch";
      };
      command = mkOption {
        type = types.str;
        description = "The shell text of this part, as written in cog.yaml.";
        example = "curl -o /usr/local/bin/pget -L https://github.com/replicate/pget/releases/download/v0.8.2/pget_Linux_x86_64";
      };
      packages = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "For `system_packages` and `python_packages` steps: the names the command installs. Informational: cognix-gen has already added them to `build.system_packages` and `build.python_packages`.";
        example = [ "git" ];
      };
      tool = mkOption {
        type = types.nullOr (types.enum [ "curl" "wget" "git" "pget" "pip" ]);
        default = null;
        description = "For `fetch` steps: the program that downloaded. `pip` downloads are locked with the Python packages, the others in lock.json's `fetches`.";
        example = "curl";
      };
      url = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "For `fetch` steps: what is downloaded. It is also the key of its pin, in lock.json's `fetches` and in `cognix.fetches`.";
        example = "https://example.com/weights.safetensors";
      };
      destination = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "For `fetch` steps: the absolute path the download is placed at in the image.";
        example = "/usr/local/bin/pget";
      };
      rev = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "For `git` fetches: the branch or tag that was cloned; the lock command pins the commit it resolves to (lock.json's `fetches.<url>.rev`).";
        example = "main";
      };
      submodules = mkOption {
        type = types.bool;
        default = false;
        description = "For `git` fetches: the clone was recursive (`--recursive`, `--recurse-submodules`), so submodules are checked out too.";
      };
      unpack = mkOption {
        type = types.bool;
        default = false;
        description = "For `fetch` steps: the download is a tar archive unpacked at the destination (`pget -x`).";
      };
      operator = mkOption {
        type = types.nullOr (types.enum [ "&&" "||" ";" "&" ]);
        default = null;
        description = "The shell operator between this step and the next, as written in cog.yaml (`null` after the last), so the steps keep the command's control flow (`a || true`).";
        example = "&&";
      };
    };
  };

  # A build.run item with cognix-gen's classification: run::RunItem.
  runItem = types.submodule ({ config, ... }: {
    options = {
      command = mkOption {
        type = types.str;
        description = "The command, as written in cog.yaml.";
        example = "apt-get update && apt-get install -y git";
      };
      mounts = mkOption {
        type = types.listOf mount;
        default = [ ];
        description = "Secrets mounted while this command runs (cog's `type: secret` mounts).";
      };
      steps = mkOption {
        type = types.listOf step;
        defaultText = literalExpression ''[ { kind = "command"; inherit command; } ]'';
        default = [{ kind = "command"; inherit (config) command; }];
        description = "The command split and classified by cognix-gen. Written by hand, a run item is one plain command.";
      };
    };
  });

  # A run item may be written as a bare string, as in cog.yaml.
  runItems = types.listOf (types.coercedTo types.str (command: { inherit command; }) runItem);

  source = types.submodule {
    options = {
      uri = mkOption {
        type = types.str;
        description = "Where the weights are imported from.";
        example = "hf://acme/base-model";
      };
      include = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Glob patterns of files to include.";
        example = [ "*.safetensors" ];
      };
      exclude = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Glob patterns of files to leave out.";
        example = [ "*.md" ];
      };
    };
  };
in
{
  options.cog = {
    build = {
      gpu = mkOption {
        type = types.bool;
        default = false;
        description = "Whether the model needs a GPU. GPU images get the CUDA runtime settings (driver library paths, `NVIDIA_*` variables); CPU images get none of them.";
        example = true;
      };
      python_version = mkOption {
        type = types.nullOr (types.strMatching "[0-9]+\\.[0-9]+(\\.[0-9]+)?");
        default = null;
        description = ''
          The CPython release of the image: `major.minor` (nixpkgs' `python<major><minor>`, or the
          newest release of that line built by cachix/nixpkgs-python when nixpkgs lacks it, as for
          3.6–3.9) or `major.minor.patch` (exactly that release: nixpkgs' when it is that one, else
          built by nixpkgs-python). `null` uses the pinned nixpkgs' default `python3`.
        '';
        example = "3.12";
      };
      python_requirements = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The requirements file cog.yaml named (informational: cognix-gen already read it into `python_packages`).";
        example = "requirements.txt";
      };
      python_packages = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Requirement lines of the Python environment, without pip options (those are in `python_index` and `pip_flags`).";
        example = [ "torch==2.5.1" "numpy==1.26.4" ];
      };
      python_index = {
        index_url = mkOption {
          type = types.nullOr types.str;
          default = null;
          description = "Replaces PyPI as pip's main index (`--index-url`).";
          example = "https://pypi.org/simple";
        };
        extra_index_urls = mkOption {
          type = types.listOf types.str;
          default = [ ];
          description = "Further package indexes (`--extra-index-url`), such as the torch wheel index cog adds for the resolved CUDA.";
          example = [ "https://download.pytorch.org/whl/cu124/" ];
        };
        find_links = mkOption {
          type = types.listOf types.str;
          default = [ ];
          description = "Pages or directories of wheel links (`--find-links`).";
          example = [ "https://data.pyg.org/whl/torch-2.1.0+cu121.html" ];
        };
      };
      pip_flags = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "pip options that change resolution, from option lines in the requirements (`--pre`, `--only-binary=:all:`).";
        example = [ "--pre" ];
      };
      system_packages = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "apt package names, as cog.yaml lists them and `apt-get install` in `build.run` installs them (without apt options or versions). The image gets the nixpkgs packages each maps to: `cognix.aptPackages.<name>`, else lib/system-packages.json, else the nixpkgs attribute of that name.";
        example = [ "ffmpeg" "libgl1-mesa-glx" "libsm6" ];
      };
      run = mkOption {
        type = runItems;
        default = [ ];
        description = "Commands run after the Python environment is installed, with cognix-gen's classification of each.";
        example = [ "echo hello > /etc/greeting" ];
      };
      pre_install = mkOption {
        type = runItems;
        default = [ ];
        description = "Deprecated in cog; run after `run`, exactly like it.";
      };
      cuda = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The CUDA version cog resolved (or that cog.yaml set). It selects the nixpkgs `cudaPackages` set for packages nixpkgs builds and `NVIDIA_REQUIRE_CUDA`; torch's CUDA comes with its wheels.";
        example = "12.4";
      };
      cudnn = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The cuDNN major version cog resolved (or that cog.yaml set). It only reaches the `run.cog.config` label: the image gets cuDNN, when it needs it, from the wheels (torch's `nvidia-cudnn-*`), and no module builds anything with this version.";
        example = "9";
      };
      sdk_version = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Version of the `cog` Python package in the image, or `prerelease`. `null` installs the newest release, which lock.json then pins.";
        example = "0.18.0";
      };
    };
    image = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "Image name `cog push` would use (recorded in the `run.cog.config` label).";
      example = "r8.im/acme/my-model";
    };
    model = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "Bare repository of the model, for pushes and managed weights.";
      example = "registry.example.com/acme/my-model";
    };
    predict = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "The predictor, `file.py:Class` (cog.yaml's `run:` or `predict:`). Sets `COG_PREDICT_TYPE_STUB`.";
      example = "predict.py:Predictor";
    };
    train = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "The trainer, `file.py:Class`. Sets `COG_TRAIN_TYPE_STUB`.";
      example = "train.py:Trainer";
    };
    concurrency = mkOption {
      type = types.nullOr (types.submodule {
        options.max = mkOption {
          type = types.ints.positive;
          description = "Predictions run at the same time (`COG_MAX_CONCURRENCY`).";
          example = 4;
        };
      });
      default = null;
      description = "Concurrency settings (deprecated in cog in favour of `@cog.concurrent`).";
      example = { max = 4; };
    };
    environment = mkOption {
      type = types.attrsOf types.str;
      default = { };
      description = "Environment variables set in the image.";
      example = { HF_HOME = "/src/.cache"; };
    };
    weights = mkOption {
      type = types.listOf (types.submodule {
        options = {
          name = mkOption {
            type = types.str;
            description = "Name of the weight set.";
            example = "base-model";
          };
          target = mkOption {
            type = types.str;
            description = "Absolute path the weights are mounted at.";
            example = "/src/weights";
          };
          source = mkOption {
            type = types.listOf source;
            description = "Where the weights come from.";
          };
        };
      });
      default = [ ];
      description = "cog's managed weights: OCI artifacts of their own beside the image, mounted at their targets at run time, never image layers. `cognix weights import` pins them in weights.lock and `cognix push` pushes them; the image gets cog's record of them (/.cog/weights.json) from weights.lock, and the `run.cog.config` label.";
    };
  };
}
