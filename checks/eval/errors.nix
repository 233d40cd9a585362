# Error messages, exactly: each case must fail, and its error must contain `message` verbatim.
# run.sh evaluates every case in its own process (a `throw` message cannot be caught inside Nix).
{ lib ? import <nixpkgs/lib>, dream2nixSrc ? <dream2nix> }:
let
  t = import ./lib.nix { inherit lib dream2nixSrc; };
  image = args: (t.evalProject args).config.public.drvPath;
  gpu = ./projects/gpu;
  nolock = t.evalProject { src = ./projects/nolock; };
  lockMissing = command: ''
    cognix: lock.json is missing. It pins every Python package of the image with its hash.
    Create it (this needs network) with
      ${command}
    and add it to git.'';
in
{
  pythonReleaseUnknown = {
    expr = image { src = ./projects/cpu; modules = [{ cog.build.python_version = lib.mkForce "3.9.99"; }]; };
    message = ''
      cognix: build.python_version "3.9.99" in cog.yaml names a CPython release cachix/nixpkgs-python does not know.
      Its 3.9 releases: 3.9.1, 3.9.2, 3.9.3, 3.9.4, 3.9.5, 3.9.6, 3.9.7, 3.9.8, 3.9.9, 3.9.10, 3.9.11, 3.9.12, 3.9.13, 3.9.14, 3.9.15, 3.9.16, 3.9.17, 3.9.18, 3.9.19, 3.9.20, 3.9.21, 3.9.22, 3.9.23, 3.9.24, 3.9.25.
      Choose one of those in cog.yaml (or "3.9" for the newest), then run `cognix-gen generate`.'';
  };

  # Evaluating the module without the library, and without cognix.nixpkgsPython.
  pythonWithoutBuilder = {
    expr = ((import ../../lib { inherit lib; dream2nix = import ./dream2nix.nix { inherit lib; src = <dream2nix>; }; }).evalModel {
      src = ./projects/py38;
      pkgs = t.double { };
    }).config.public.drvPath;
    message = ''
      cognix: build.python_version "3.8" in cog.yaml needs a CPython the pinned nixpkgs does not have (no python38), and cognix.nixpkgsPython is not set to build it.
      The cognix library sets it from its cachix/nixpkgs-python input; when you evaluate the cognix module yourself, set
        cognix.nixpkgsPython = inputs.nixpkgs-python;'';
  };

  lockMissing = {
    expr = nolock.config.public.drvPath;
    message = lockMissing "nix run .#nolock.lock";
  };

  # Every way into the lock gets the same message, not dream2nix's.
  lockMissingForDevShell = {
    expr = nolock.config.public.devShell.drvPath;
    message = lockMissing "nix run .#nolock.lock";
  };

  lockMissingForLabels = {
    expr = nolock.config.cognix.outputs.labels."run.cog.pip_freeze";
    message = lockMissing "nix run .#nolock.lock";
  };

  lockMissingFromMkFlake = {
    expr = (t.cognix.mkFlake { src = ./projects/nolock; pkgs = t.double { }; }).packages.x86_64-linux.default.drvPath;
    message = lockMissing "nix run .#lock";
  };

  lockOutdated = {
    expr = image { src = ./projects/stale; };
    message = ''
      cognix: lock.json was made for other requirements (python_packages, python_index, pip_flags, sdk_version or the Python version changed).
      Refresh it (this needs network) with
        nix run .#stale.lock
      and commit the result.'';
  };

  # A download lock.json does not pin (here: a run item added after the lock was made).
  downloadNotPinned = {
    expr = image {
      src = ./projects/run;
      modules = [{
        cognix.secrets.hf_token = "/run/secrets/hf_token";
        cog.build.run = lib.mkAfter [{
          command = "wget -O /opt/m.bin https://h.example/m.bin";
          steps = [{ kind = "fetch"; command = "wget -O /opt/m.bin https://h.example/m.bin"; tool = "wget"; url = "https://h.example/m.bin"; destination = "/opt/m.bin"; }];
        }];
      }];
    };
    message = ''
      cognix: build.run[5] in cog.yaml downloads https://h.example/m.bin to /opt/m.bin, and lock.json does not pin it.
      The Nix build has no network, so every download is a fixed-output fetch pinned in lock.json. Pin it (this needs network) with
        nix run .#run.lock
      and commit lock.json.'';
  };

  # cog.yaml edited after cognix-gen wrote cog.nix: the recorded hash no longer matches.
  staleCogNix = {
    expr = image { src = ./projects/cpu; modules = [{ cognix.generatedFrom."cog.yaml" = lib.mkForce "0000"; }]; };
    message = ''
      cognix: cog.nix is stale: cog.yaml changed since cognix-gen generated it, so the image would be built from the old configuration.
      Regenerate it with
        cognix-gen generate
      and commit cog.nix.'';
  };

  # The lock command would lock the old requirements, so it refuses too.
  staleCogNixForTheLock = {
    expr = (t.evalProject { src = ./projects/cpu; modules = [{ cognix.generatedFrom."requirements.txt" = "0000"; }]; }).config.public.lock.drvPath;
    message = "cognix: cog.nix is stale: requirements.txt changed since cognix-gen generated it";
  };

  secretWithoutLocation = {
    expr = image {
      src = ./projects/run;
      modules = [{
      }];
    };
    message = ''
      cognix: a build.run command in cog.yaml mounts the secret "hf_token".
      Give its location on the building machine (a string, so it never enters the Nix store):
        cognix.secrets.hf_token = "/run/secrets/hf_token";
      and allow the Nix sandbox to read it: `extra-sandbox-paths = /run/secrets/hf_token` in nix.conf.'';
  };

  unknownSystemPackage = {
    expr = image { src = ./projects/cpu; modules = [{ cog.build.system_packages = [ "libfoo-not-there" ]; }]; };
    message = ''
      cognix: build.system_packages names "libfoo-not-there": cognix's table of apt packages does not know it, and nixpkgs has no attribute of that name.
      Map it to nixpkgs packages in your cognix module, e.g.
        cognix.aptPackages."libfoo-not-there" = [ pkgs.<package> ];
      (search.nixos.org finds the package), or add it to lib/system-packages.json.'';
  };

  tableNamesAMissingAttribute = {
    # tesseract-ocr maps to nixpkgs' tesseract, left out of the double here.
    expr = (t.cognix.evalModel {
      src = ./projects/cpu;
      pkgs = t.double { withoutPackages = [ "tesseract" ]; };
      modules = [{ cog.build.system_packages = [ "tesseract-ocr" ]; }];
    }).config.public.drvPath;
    message = "cognix: lib/system-packages.json maps an apt package to tesseract, which the pinned nixpkgs does not have.";
  };

  gpuWithoutACudaVersion = {
    expr = (t.evalProject { src = gpu; modules = [{ cog.build.cuda = lib.mkForce "12"; }]; }).config.public.drvPath;
    message = ''
      cognix: build.gpu is true, so build.cuda must be a CUDA version such as "12.4"; it is "12".
      cognix-gen resolves it from torch or tensorflow in the requirements; run `cognix-gen generate`, or set build.cuda.'';
  };

  cudaMajorWithoutPackageSet = {
    expr = (t.evalProject { src = gpu; modules = [{ cog.build.cuda = lib.mkForce "13.0"; }]; }).config.cognix.cudaPackages.cudnn.drvPath;
    message = ''
      cognix: build.cuda "13.0": the pinned nixpkgs has no CUDA 13 package set (cudaPackages_13).
      This only matters for packages nixpkgs builds with CUDA (cognix.cudaPackages); the torch wheels bring their own CUDA libraries.'';
  };

  wrongOptionTypeNamesTheKey = {
    expr = image { src = ./projects/cpu; modules = [{ cog.build.gpu = lib.mkForce "yes"; }]; };
    message = "A definition for option `cog.build.gpu' is not of type `boolean'.";
  };

  concurrencyMustBePositive = {
    expr = image { src = ./projects/cpu; modules = [{ cog.concurrency = lib.mkForce { max = 0; }; }]; };
    message = "A definition for option `cog.concurrency.max' is not of type `positive integer, meaning >0'.";
  };

  pythonVersionShape = {
    expr = image { src = ./projects/cpu; modules = [{ cog.build.python_version = lib.mkForce "3.12.x"; }]; };
    message = "A definition for option `cog.build.python_version' is not of type `null or string matching the pattern [0-9]+\\.[0-9]+(\\.[0-9]+)?'.";
  };

  unknownCogKey = {
    expr = image { src = ./projects/cpu; modules = [{ cog.build.python_verison = "3.11"; }]; };
    message = "The option `cog.build.python_verison' does not exist.";
  };

  srcOutsideRoot = {
    expr = (t.cognix.evalModel { root = ./projects/gpu; src = ./projects/cpu; pkgs = t.double { }; }).config.paths.package;
    message = "must be inside root (";
  };

  imageArgumentsAreChecked = {
    # The double, like nixpkgs, refuses arguments streamLayeredImage does not take.
    expr = (t.double { }).dockerTools.streamLayeredImage { name = "x"; compressor = "zstd"; };
    message = "called with unexpected argument 'compressor'";
  };

  # --- weights (modules/weights.nix, modules/image-weights.nix) --------------------------------

  weightsLockMissing = {
    expr = image { src = ./projects/weights-nolock; };
    message = ''
      cognix: cog.yaml declares weights (parakeet, minilm), but weights.lock is missing.
      weights.lock pins each weight's files and digests, and the image records them in /.cog/weights.json. Create it (remote sources need network) with
        cognix weights import
      and commit it.'';
  };

  # cog's lock with one file digest changed: its weight's set digest no longer follows.
  weightsLockTampered = {
    expr = image { src = ./projects/weights-tampered; };
    message = ''
      cognix: weights.lock cannot be used:
        - weight "parakeet": its setDigest "sha256:4ebfc8927425c01119080b2e2ca1cf7d57ca9a598109ae6d17b99b9a4ad42792" is not what its files give (sha256:3a5048b76be0600da05b93eb6d6b9b4e7b438fc66f2d6b131f0cf46183a0c891); the file was edited or is corrupted
      Bring it up to date (remote sources need network) with
        cognix weights import
      and commit it.'';
  };

  weightsLockDrift = {
    expr = image {
      src = ./projects/weights;
      modules = [{
        cog.weights = lib.mkForce [
          { name = "minilm"; target = "/src/weights/mini"; source = [{ uri = "hf://sentence-transformers/all-MiniLM-L6-v2"; }]; }
          { name = "extra"; target = "/src/extra"; source = [{ uri = "extra"; }]; }
        ];
      }];
    };
    message = ''
      cognix: weights.lock cannot be used:
        - weight "minilm" has target "/src/weights/minilm", cog.yaml says "/src/weights/mini"
        - weight "extra" of cog.yaml is not in it (not imported yet)
        - weight "parakeet" is not in cog.yaml
      Bring it up to date (remote sources need network) with
        cognix weights import
      and commit it.'';
  };

  imageWeightsNotPinned = {
    expr = image { src = ./projects/image-weights; modules = [ ./projects/image-weights/cognix.nix { cognix.imageWeights = [{ source = "hf://acme/other"; target = "/src/other"; }]; } ]; };
    message = ''
      cognix: cognix.imageWeights takes hf://acme/other, and lock.json does not pin it.
      The Nix build has no network, so every weight file is a fixed-output fetch pinned in lock.json. Pin them (this needs network) with
        nix run .#image-weights.lock
      and commit lock.json.'';
  };

  imageWeightsPinnedForOtherPatterns = {
    expr = image { src = ./projects/image-weights; modules = [{ cognix.imageWeights = [{ source = "hf://acme/tiny@v1.0"; include = [ "*.json" ]; target = "/src/w"; }]; }]; };
    message = ''
      cognix: lock.json pins hf://acme/tiny@v1.0 for other patterns (include ["*.json","*.safetensors"], exclude []) than cognix.imageWeights gives (include ["*.json"], exclude []).
      Pin it again (this needs network) with
        nix run .#image-weights.lock
      and commit lock.json.'';
  };

  imageWeightsSourceTwice = {
    expr = image { src = ./projects/image-weights; modules = [ ./projects/image-weights/cognix.nix { cognix.imageWeights = [{ source = "hf://acme/tiny@v1.0"; target = "/src/w"; }]; } ]; };
    message = ''
      cognix: cognix.imageWeights takes hf://acme/tiny@v1.0 twice, with different include/exclude patterns.
      Give each source once, with one set of patterns (two targets may take the same source with the same patterns).'';
  };

  imageWeightsClash = {
    expr = image {
      src = ./projects/image-weights;
      modules = [ ./projects/image-weights/cognix.nix { cognix.imageWeights = [{ source = "hf://acme/tiny@v1.0"; include = [ "*.json" "*.safetensors" ]; target = "/src/weights/tiny/"; }]; } ];
    };
    message = "cognix: cognix.imageWeights puts more than one file at /src/weights/tiny/config.json, /src/weights/tiny/model.safetensors; give the sources different targets, or leave the files out of one with `exclude`.";
  };

  imageWeightsTargetIsAbsolute = {
    expr = image { src = ./projects/image-weights; modules = [{ cognix.imageWeights = [{ source = "hf://acme/tiny@v1.0"; include = [ "*.json" "*.safetensors" ]; target = "weights"; }]; }]; };
    message = "A definition for option `cognix.imageWeights.\"[definition 1-entry 1]\".target' is not of type `string matching the pattern /.*[^/].*'.";
  };
}
