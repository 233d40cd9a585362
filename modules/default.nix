# The cognix module: a dream2nix module whose result (`public`) is the model's image. Evaluate
# it with dream2nix's evalModules together with the project's cog.nix and its location:
#
#   dream2nix.lib.evalModules {
#     packageSets.nixpkgs = pkgs;
#     modules = [ cognix.modules.dream2nix.cognix ./cog.nix {
#       name = "my-model";
#       paths = { projectRoot = ./.; projectRootFile = "flake.nix"; package = "."; };
#     } ];
#   }
#
# (cognix.lib.model does exactly this.)
{ dream2nix, lib, ... }:
{
  imports = [
    dream2nix.modules.dream2nix.core
    dream2nix.modules.dream2nix.package-func
    ./interface.nix
    ./cognix.nix
    ./generated.nix
    ./deps.nix
    ./interpreter.nix
    ./python.nix
    ./cuda.nix
    ./system-packages.nix
    ./fetches.nix
    ./run.nix
    ./source.nix
    ./weights.nix
    ./image-weights.nix
    ./openapi.nix
    ./labels.nix
    ./image.nix
  ];

  version = lib.mkDefault "0";
}
