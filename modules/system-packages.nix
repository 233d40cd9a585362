# build.system_packages: nixpkgs attribute paths (cognix-gen mapped cog.yaml's apt names through
# lib/system-packages.json; apt names set here by hand are mapped through the same table), plus
# cognix.systemPackages. Their programs and libraries are linked into the image.
{ config, lib, packageSets, ... }:
let
  nixpkgs = packageSets.nixpkgs;
  table = (lib.importJSON ../lib/system-packages.json).apt;

  # An exact apt name, else the longest `*` pattern that matches (as cognix-gen does).
  aptEntry = name:
    let
      matching = lib.filterAttrs
        (key: _: lib.hasInfix "*" key && builtins.match (lib.concatMapStringsSep ".*" lib.escapeRegex (lib.splitString "*" key)) name != null)
        table;
      longest = lib.foldl' (best: key: if best == null || lib.stringLength key > lib.stringLength best then key else best) null (lib.attrNames matching);
    in
    table.${name} or (if longest == null then null else table.${longest});

  # A nixpkgs attribute path ("xorg.libX11"), or `missing` when nixpkgs has none.
  lookup = name: missing: lib.attrByPath (lib.splitString "." name) missing nixpkgs;

  resolve = name:
    let
      entry = aptEntry name;
      unknown = throw ''
        cognix: build.system_packages names "${name}", which is neither a nixpkgs attribute nor an apt package cognix knows.
        Map the apt name in lib/system-packages.json, or add the package with `cognix.systemPackages = [ pkgs.<name> ];`.'';
      mapped = attr: lookup attr (throw "cognix: lib/system-packages.json maps an apt package to ${attr}, which the pinned nixpkgs does not have.");
    in
    if lookup name null != null then [ (lookup name null) ]
    else if entry != null then map mapped entry.nixpkgs
    else unknown;

  packages = lib.unique (lib.concatMap resolve config.cog.build.system_packages ++ config.cognix.systemPackages);
  libraryPath = map (p: "${lib.getLib p}/lib") packages;
in
{
  cognix.outputs.systemPackages = packages;
  cognix.image = {
    contents = packages;
    inherit libraryPath;
  };
}
