# A real derivation that builds nothing (builder /bin/sh), so drvPaths of the doubles can be
# computed; `attrs` become its environment, so two stubs differ exactly when what they record does.
system:
let
  inherit (builtins) elemAt filter head isList match split stringLength throw;

  # Nix's checkName (nixpkgs-facts.json, storePathName), with the leading-dot rule of newer Nix,
  # so a name the double accepts is one every Nix accepts. Nix's own error would abort evaluation
  # where `builtins.tryEval` cannot see it; this one is a `throw`.
  storeName = name:
    let
      chars = map head (filter isList (split "(.)" name));
      illegal = filter (c: match "[A-Za-z0-9+._?=-]" c == null) chars;
      dots = match "([.][.]?)(-.*)?" name;
    in
    if name == "" then throw "name must not be empty"
    # The name also names the derivation's .drv file.
    else if stringLength name + 4 > 211 then throw "name '${name}.drv' must be no longer than 211 characters"
    else if dots != null && elemAt dots 1 == null then throw "name '${name}' is not valid"
    else if dots != null then throw "name '${name}' is not valid: first dash-separated component must not be '${head dots}'"
    else if illegal != [ ] then throw "name '${name}' contains illegal character '${head illegal}'"
    else name;
in
name: attrs: derivation ({
  name = storeName name;
  inherit system;
  builder = "/bin/sh";
  args = [ "-c" "echo stub > $out" ];
} // attrs)
