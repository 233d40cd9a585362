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
  pythonVersionMissingFromNixpkgs = {
    expr = image { src = ./projects/py38; };
    message = ''
      cognix: build.python_version "3.8" in cog.yaml needs nixpkgs' python38, which the pinned nixpkgs does not have.
      It has: python310, python311, python312, python313, python314.
      Choose one of those in cog.yaml, or build with a nixpkgs that has python38: in your flake, add
        inputs.nixpkgs.url = "github:NixOS/nixpkgs/<a revision with python38>";
        inputs.cognix.inputs.nixpkgs.follows = "nixpkgs";'';
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

  downloadWithoutHash = {
    expr = image { src = ./projects/run; modules = [{ cognix.secrets.hf_token = "/run/secrets/hf_token"; }]; };
    message = ''
      cognix: build.run[2] in cog.yaml downloads https://github.com/replicate/pget/releases/download/v0.8.2/pget_Linux_x86_64 to /usr/local/bin/pget.
      The Nix build has no network, so the download is a fixed-output fetch and needs a pinned hash. Add
        cognix.fetches."https://github.com/replicate/pget/releases/download/v0.8.2/pget_Linux_x86_64".hash = lib.fakeHash;
      to your cognix module, build once, and replace lib.fakeHash with the hash Nix reports (`got: sha256-...`).'';
  };

  secretWithoutLocation = {
    expr = image {
      src = ./projects/run;
      modules = [{
        cognix.fetches."https://github.com/replicate/pget/releases/download/v0.8.2/pget_Linux_x86_64".hash = "sha256-x";
        cognix.fetches."https://github.com/example/ops.git".hash = "sha256-y";
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
      cognix: build.system_packages names "libfoo-not-there", which is neither a nixpkgs attribute nor an apt package cognix knows.
      Map the apt name in lib/system-packages.json, or add the package with `cognix.systemPackages = [ pkgs.<name> ];`.'';
  };

  tableNamesAMissingAttribute = {
    # tesseract-ocr maps to nixpkgs' tesseract, which the double leaves out.
    expr = image { src = ./projects/cpu; modules = [{ cog.build.system_packages = [ "tesseract-ocr" ]; }]; };
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
    expr = image { src = ./projects/cpu; modules = [{ cog.build.python_version = lib.mkForce "3.12.1"; }]; };
    message = "A definition for option `cog.build.python_version' is not of type `null or string matching the pattern [0-9]+\\.[0-9]+'.";
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
}
