# build.system_packages: the apt names cog.yaml lists (and `apt-get install` in build.run
# installs), each mapped to nixpkgs packages: the user's `cognix.aptPackages.<name>` first, then
# lib/system-packages.json (an exact name, else the longest `*` pattern), then a nixpkgs attribute
# of that name. cognix-gen checks the names with the same table in the same order (a parity test
# keeps them together). With `cognix.systemPackages`, their programs and libraries are linked into
# the image.
{ config, lib, packageSets, ... }:
let
  nixpkgs = packageSets.nixpkgs;
  table = (lib.importJSON ../lib/system-packages.json).apt;

  tableEntry = name:
    let
      matching = lib.filterAttrs
        (key: _: lib.hasInfix "*" key && builtins.match (lib.concatMapStringsSep ".*" lib.escapeRegex (lib.splitString "*" key)) name != null)
        table;
      longest = lib.foldl' (best: key: if best == null || lib.stringLength key > lib.stringLength best then key else best) null (lib.attrNames matching);
    in
    table.${name} or (if longest == null then null else table.${longest});

  # A nixpkgs attribute path ("xorg.libX11"), or null when nixpkgs has none.
  attribute = path: lib.attrByPath (lib.splitString "." path) null nixpkgs;

  # The nixpkgs attribute paths an apt name maps to, or null when neither the table nor nixpkgs
  # knows it; what cognix-gen's `system_packages::attributes` gives for the same name.
  attributePaths = name:
    let entry = tableEntry name; in
    if entry != null then entry.nixpkgs
    else if attribute name != null then [ name ]
    else null;

  unknown = name: throw ''
    cognix: build.system_packages names "${name}": cognix's table of apt packages does not know it, and nixpkgs has no attribute of that name.
    Map it to nixpkgs packages in your cognix module, e.g.
      cognix.aptPackages."${name}" = [ pkgs.<package> ];
    (search.nixos.org finds the package), or add it to lib/system-packages.json.'';

  present = path:
    let package = attribute path; in
    if package == null then throw "cognix: lib/system-packages.json maps an apt package to ${path}, which the pinned nixpkgs does not have."
    else package;

  packagesFor = name:
    if config.cognix.aptPackages ? ${name} then config.cognix.aptPackages.${name}
    else
      let paths = attributePaths name; in
      if paths == null then unknown name else map present paths;

  packages = lib.unique (lib.concatMap packagesFor config.cog.build.system_packages ++ config.cognix.systemPackages);
in
{
  cognix = {
    outputs.aptAttributes = attributePaths;
    outputs.systemPackages = packages;
    image = {
      contents = packages;
      libraryPath = map (p: "${lib.getLib p}/lib") packages;
    };
  };
}
