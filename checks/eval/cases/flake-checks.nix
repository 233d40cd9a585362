# The flake-parts module gives one check per model, its image, so `nix flake check`, Hydra,
# Hercules CI or a CI matrix over the flake's checks build the models one by one.
t:
let
  inherit (t) lib;
  flake = t.flake-parts.mkFlake { inputs.self = { outPath = ../.; inputs = { }; }; } {
    systems = [ "x86_64-linux" ];
    imports = [ t.flakeModule ];
    perSystem.cognix.models.cpu = { src = ../projects/cpu; pkgs = t.double { }; };
    perSystem.cognix.models.gpu = { src = ../projects/gpu; pkgs = t.double { }; };
  };
  checks = flake.checks.x86_64-linux;
in
{
  oneCheckPerModel = {
    expr = lib.mapAttrs (name: check: check.drvPath == flake.packages.x86_64-linux.${name}.drvPath) checks;
    expected = { cpu = true; gpu = true; };
  };
}
