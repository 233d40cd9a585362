# docs/options.md, generated from the option declarations of modules/interface.nix and
# modules/cognix.nix. Evaluated with an empty package set: the reference must not depend on
# nixpkgs, and this proves it.
#   checks/options-doc.sh (or --check)
{ lib ? import <nixpkgs/lib>, dream2nixSrc ? <dream2nix> }:
let
  dream2nix = import ./eval/dream2nix.nix { inherit lib; src = dream2nixSrc; };
  evaluated = dream2nix.lib.evalModules {
    packageSets.nixpkgs = { };
    raw = true;
    modules = [ ../modules { name = "model"; paths.projectRoot = ./.; } ];
  };
  options = lib.filter (o: o.visible && !o.internal) (lib.optionAttrSetToDocList { inherit (evaluated.options) cog cognix; });
  text = v: if v ? _type && v._type == "literalExpression" then v.text else if v ? _type && v._type == "literalMD" then v.text else lib.generators.toPretty { multiline = false; } v;
  code = v: "`` ${lib.replaceStrings [ "\n" ] [ " " ] (text v)} ``";
  section = o: ''
    ## `${o.name}`

    ${o.description}

    - Type: ${o.type}
  '' + lib.optionalString (o ? default) "- Default: ${code o.default}\n"
  + lib.optionalString (o ? example) "- Example: ${code o.example}\n"
  + lib.optionalString o.readOnly "- Read-only: set by cognix.\n";
in
''
  # Options

  Generated from the option declarations (`checks/options-doc.sh` writes it; `checks/run` checks
  it is fresh). `cog.*` mirrors cog.yaml key for key, as cognix-gen writes it into cog.nix;
  `cognix.*` holds what cog.yaml cannot say.

'' + lib.concatMapStringsSep "\n" section options
