# What test_layering.py needs from the cognix module, for each example: the layering pipeline
# streamLayeredImage receives, the locked distributions' store paths, and the other contents.
# Evaluated with the package-set double, so the store paths are the double's.
{ lib ? import <nixpkgs/lib> }:
let
  t = import ../eval/lib.nix { inherit lib; };
  example = name:
    let
      e = t.evalProject { src = ../../examples + "/${name}"; modules = [ (../../examples + "/${name}/cognix.nix") ]; };
      args = e.config.package-func.args;
    in
    {
      inherit (args) layeringPipeline;
      distributions = lib.mapAttrs (_: drv: "${drv.public.out}") e.config.python-env.pip.drvs;
      contents = map toString args.contents;
      budget = e.config.cognix.maxLayers - 1;
    };
in
lib.genAttrs [ "cpu-hello" "gpu-torch" ] example
