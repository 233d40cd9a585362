# The library functions and the flake-parts module.
t:
let
  inherit (t) lib cognix;
  model = cognix.model { src = ../projects/cpu; pkgs = t.double { }; };
  nested = cognix.evalModel { root = ../.; src = ../projects/cpu; pkgs = t.double { }; };
  flake = cognix.mkFlake { src = ../projects/cpu; pkgs = t.double { }; };
in
{
  nixpkgsConfig = {
    expr = [ (cognix.nixpkgsConfig { }) (cognix.nixpkgsConfig { cudaSupport = true; cudaCapabilities = [ "8.6" ]; }) ];
    expected = [
      { allowUnfree = false; cudaSupport = false; }
      { allowUnfree = true; cudaSupport = true; cudaCapabilities = [ "8.6" ]; }
    ];
  };

  modelPackages = {
    expr = { image = model.image.type; lock = model.lock.name; devShell = model.devShell.name; name = model.config.name; };
    expected = { image = "derivation"; lock = "refresh"; devShell = "shell"; name = "cpu"; };
  };

  projectPathsRelativeToTheRoot = {
    expr = [ model.config.paths.package model.config.paths.projectRootFile nested.config.paths.package nested.config.paths.projectRootFile ];
    expected = [ "./." "cog.yaml" "./projects/cpu" "flake.nix" ];
  };

  mkFlakeOutputs = {
    expr = {
      packages = lib.attrNames flake.packages.x86_64-linux;
      app = flake.apps.x86_64-linux.lock.type;
      shell = flake.devShells.x86_64-linux.default.name;
    };
    expected = { packages = [ "default" "lock" ]; app = "app"; shell = "shell"; };
  };

  flakePartsModule = {
    # A consuming flake: one line per model gives the image, the lock app and the dev shell.
    expr =
      let
        flake = t.flake-parts.mkFlake { inputs.self = { outPath = ../.; rev = "abc123"; inputs = { }; }; } {
          systems = [ "x86_64-linux" ];
          imports = [ t.flakeModule ];
          perSystem.cognix.models.cpu = { src = ../projects/cpu; pkgs = t.double { }; };
          perSystem.cognix.models.gpu = { src = ../projects/gpu; pkgs = t.double { }; };
        };
        image = flake.packages.x86_64-linux.cpu;
      in
      {
        packages = lib.attrNames flake.packages.x86_64-linux;
        apps = lib.mapAttrs (_: a: a.type) flake.apps.x86_64-linux;
        shells = lib.attrNames flake.devShells.x86_64-linux;
        package = image.config.paths.package;
        revision = image.config.cognix.revision;
        lock = image.lock.name;
      };
    expected = {
      packages = [ "cpu" "gpu" ];
      apps = { cpu-lock = "app"; gpu-lock = "app"; };
      shells = [ "cpu" "gpu" ];
      package = "./projects/cpu";
      revision = "abc123";
      lock = "refresh";
    };
  };

  defaultNames = {
    expr = map cognix.defaultName [
      { image = "r8.im/acme/whisper"; directory = "x"; }
      { image = "localhost:5000/acme/whisper:v2"; directory = "x"; }
      { image = null; directory = "0xkdv2n5ymgg6f3l4rvq1b3fj1n6zxqz-source"; }
      { image = null; directory = "whisper"; }
      { image = null; directory = "AICodeFactory__LivePortrait"; }
      { image = null; directory = "_My Model!"; }
      { image = null; directory = "..."; }
    ];
    expected = [ "whisper" "whisper" "model" "whisper" "aicodefactory-liveportrait" "my-model" "model" ];
  };

  flakePartsModelsAreLinuxAmd64Only = {
    expr = lib.attrNames (t.flake-parts.mkFlake { inputs.self = { outPath = ../.; inputs = { }; }; } {
      systems = [ "aarch64-linux" ];
      imports = [ t.flakeModule ];
      perSystem.cognix.models.cpu = { src = ../projects/cpu; pkgs = t.double { }; };
    }).packages.aarch64-linux;
    expected = [ ];
  };

  readCog = {
    expr = (cognix.readCog ../projects/gpu).build.cuda;
    expected = "12.4";
  };

  compatTables = {
    expr = map lib.length [ cognix.compat.torch cognix.compat.tensorflow cognix.compat.cuda ];
    expected = [ 96 18 83 ];
  };
}
