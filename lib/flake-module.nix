# flake-parts integration: `imports = [ cognix.modules.cog ];` then one line per model,
#
#   perSystem.cognix.models.my-model = ./my-model;
#
# gives `packages.<system>.my-model` (the image stream script: `nix build .#my-model && ./result |
# docker load`), `checks.<system>.my-model` (the same image, so `nix flake check`, Hydra, Hercules
# CI or a CI matrix over the checks builds each model on its own), `packages.<system>.my-model.lock`
# and `apps.<system>.my-model-lock` (refresh lock.json; needs network) and
# `devShells.<system>.my-model` (the model's Python environment).
#
# Written for Nix 2.8 as well: it never uses perSystem's `inputs'` or `pkgs`, whose defaults need
# flakes tagged `_type = "flake"` (Nix >= 2.13); it instantiates nixpkgs itself.
cognixLib:
{ lib, self, flake-parts-lib, ... }:
let
  inherit (lib) mkOption types literalExpression;
  inherit (flake-parts-lib) mkPerSystemOption;

  modelOptions = { name, ... }: {
    options = {
      src = mkOption {
        type = types.path;
        description = "The model's directory (cog.yaml, cog.nix, lock.json, predict.py), inside this flake.";
        example = literalExpression "./models/my-model";
      };
      name = mkOption {
        type = types.str;
        default = name;
        description = "The image name.";
      };
      modules = mkOption {
        type = types.listOf types.deferredModule;
        default = [ ];
        description = "Further cognix modules for this model: `cognix.fetches`, `cognix.systemPackages`, dream2nix `python-env.pip` settings, ...";
        example = literalExpression ''[ { cognix.systemPackages = [ pkgs.imagemagick ]; } ]'';
      };
      cudaSupport = mkOption {
        type = types.bool;
        default = false;
        description = "Build nixpkgs packages of this model with CUDA (unfree; only the CUDA binary cache has them). Not needed for torch, whose wheels bring CUDA.";
      };
      cudaCapabilities = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "CUDA compute capabilities nixpkgs packages are built for (with `cudaSupport`); empty means nixpkgs' default list.";
        example = [ "8.6" "8.9" ];
      };
      pkgs = mkOption {
        type = types.nullOr types.raw;
        default = null;
        description = "A nixpkgs package set to build with instead of cognix's pinned nixpkgs (`cudaSupport` and `cudaCapabilities` then come from its config).";
      };
    };
  };
in
{
  options.perSystem = mkPerSystemOption ({ config, system, ... }: {
    options.cognix.models = mkOption {
      type = types.attrsOf (types.coercedTo types.path (src: { inherit src; }) (types.submodule modelOptions));
      default = { };
      description = "Cog models of this flake, by name; a path is short for `{ src = path; }`.";
      example = literalExpression "{ my-model = ./my-model; }";
    };

    # Images are linux/amd64, like cog's (the lock and the GPU loader path assume it); on other
    # systems the models give no outputs rather than images that cannot be built.
    config =
      let
        built = lib.mapAttrs
          (attr: m: cognixLib.model {
            inherit system;
            inherit (m) src name modules cudaSupport cudaCapabilities pkgs;
            root = self.outPath;
            revision = self.rev or null;
            lockCommand = "nix run .#${attr}.lock";
          })
          (lib.optionalAttrs (system == "x86_64-linux") config.cognix.models);
      in
      {
        packages = lib.mapAttrs (_: m: m.image) built;
        checks = lib.mapAttrs (_: m: m.image) built;
        devShells = lib.mapAttrs (_: m: m.devShell) built;
        apps = lib.mapAttrs' (name: m: lib.nameValuePair "${name}-lock" (cognixLib.lockApp m)) built;
      };
  });
}
