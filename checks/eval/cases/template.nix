# The template's cognix.nix with its commented examples put to use, as a new user would
# (issue 11: they used `pkgs` under `{ lib, ... }:`).
t:
let
  inherit (t) lib;
  template = builtins.readFile ../../../examples/template/cognix.nix;
  examples = map (line: lib.removePrefix "#   " (lib.head (lib.splitString "  # " line)))
    (lib.filter (lib.hasPrefix "#   ") (lib.splitString "\n" template));
  uncommented = builtins.toFile "cognix.nix"
    (builtins.replaceStrings [ "{\n}\n" ] [ "{\n${lib.concatMapStrings (line: "  ${line}\n") examples}}\n" ] template);
  model = t.evalProject { src = ../projects/cpu; modules = [ uncommented ]; };
in
{
  templateExamplesEvaluate = {
    expr = {
      inherit examples;
      systemPackages = map (p: p.name) model.config.cognix.systemPackages;
      aptPackages = lib.mapAttrs (_: map (p: p.name)) model.config.cognix.aptPackages;
    };
    expected = {
      examples = [
        "cognix.aptPackages.libturbojpeg0 = [ pkgs.libjpeg_turbo ];"
        "cognix.systemPackages = [ pkgs.imagemagick ];"
      ];
      systemPackages = [ "imagemagick" ];
      aptPackages.libturbojpeg0 = [ "libjpeg_turbo" ];
    };
  };
}
