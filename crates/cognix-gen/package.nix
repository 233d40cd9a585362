# cognix-gen, built from this repository. The crate embeds lib/compat/*.json and
# lib/system-packages.json, so its source is the crate plus lib/.
{ lib, rustPlatform }:
let
  root = ../..;
  wanted = [ "crates" "crates/cognix-gen" "lib" ];
  src = builtins.path {
    path = root;
    name = "cognix-gen-source";
    filter = path: type:
      let relative = lib.removePrefix "${toString root}/" (toString path); in
      lib.elem relative wanted
      || (lib.hasPrefix "crates/cognix-gen/" relative && !lib.hasPrefix "crates/cognix-gen/target" relative && !lib.hasPrefix "crates/cognix-gen/fuzz" relative)
      || lib.hasPrefix "lib/" relative;
  };
in
rustPlatform.buildRustPackage {
  pname = "cognix-gen";
  version = (lib.importTOML ./Cargo.toml).package.version;
  inherit src;
  cargoRoot = "crates/cognix-gen";
  buildAndTestSubdir = "crates/cognix-gen";
  cargoLock.lockFile = ./Cargo.lock;
  # The corpus test and the tests that evaluate cog.nix with nix-instantiate skip themselves in
  # the sandbox (no ../shared/corpus, no Nix); checks/run runs them.
  meta = {
    description = "Turns a Cog project's cog.yaml into cog.nix for the cognix Nix library, and lints Nix files";
    mainProgram = "cognix-gen";
    license = lib.licenses.mit;
  };
}
