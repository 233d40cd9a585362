# The Cargo workspace as a package's source: the whole workspace (Cargo.lock lists every member,
# and `--frozen` refuses a lock that names a missing one) and lib/, which cognix-gen embeds
# (lib/compat/*.json, lib/system-packages.json). Fuzz targets and build output are left out.
{ lib, name }:
let
  root = ./..;
  wanted = [ "Cargo.toml" "Cargo.lock" "rustfmt.toml" "crates" "lib" ];
in
builtins.path {
  path = root;
  name = "${name}-source";
  filter = path: type:
    let relative = lib.removePrefix "${toString root}/" (toString path); in
    lib.elem relative wanted
    || (lib.hasPrefix "crates/" relative && builtins.match "crates/[^/]+/(fuzz|target)(/.*)?" relative == null)
    || lib.hasPrefix "lib/" relative;
}
