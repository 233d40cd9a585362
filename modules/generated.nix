# cog.nix is generated ahead of time (Nix cannot read YAML) and records the sha256 of the files it
# was generated from (`cognix.generatedFrom`). A cog.nix left behind by an edit of cog.yaml would
# silently build the old configuration, so evaluation refuses it. `builtins.hashFile` on the
# project's own files is pure in a flake.
{ config, lib, ... }:
let
  cfg = config.cognix;
  changed = lib.attrNames (lib.filterAttrs
    (name: sha256: let file = cfg.src + "/${name}"; in !(builtins.pathExists file) || builtins.hashFile "sha256" file != sha256)
    cfg.generatedFrom);
  package = lib.removePrefix "./" config.paths.package;
  command = if package == "." then "cognix-gen generate" else "cognix-gen generate ${package}";
in
{
  # Before the other preconditions: a stale cog.nix may be why they fail.
  cognix.preconditions = lib.mkBefore (lib.optional (changed != [ ]) (throw ''
    cognix: cog.nix is stale: ${lib.concatStringsSep " and " changed} changed since cognix-gen generated it, so the image would be built from the old configuration.
    Regenerate it with
      ${command}
    and commit cog.nix.''));
}
