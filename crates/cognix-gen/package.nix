# cognix-gen, built from this repository's Cargo workspace. The source is the whole workspace
# (Cargo.lock lists every member, and `--frozen` refuses a lock that names a missing one) and lib/,
# since the crate embeds lib/compat/*.json and lib/system-packages.json.
{ lib, rustPlatform }:
let
  root = ../..;
  wanted = [ "Cargo.toml" "Cargo.lock" "rustfmt.toml" "crates" "lib" ];
  src = builtins.path {
    path = root;
    name = "cognix-gen-source";
    filter = path: type:
      let relative = lib.removePrefix "${toString root}/" (toString path); in
      lib.elem relative wanted
      || (lib.hasPrefix "crates/" relative && builtins.match "crates/[^/]+/(fuzz|target)(/.*)?" relative == null)
      || lib.hasPrefix "lib/" relative;
  };
in
rustPlatform.buildRustPackage {
  pname = "cognix-gen";
  version = (lib.importTOML ./Cargo.toml).package.version;
  inherit src;
  cargoLock.lockFile = ../../Cargo.lock;
  cargoBuildFlags = [ "-p" "cognix-gen" ];
  cargoTestFlags = [ "-p" "cognix-gen" ];
  # The corpus test and the tests that evaluate cog.nix with nix-instantiate skip themselves in
  # the sandbox (no ../shared/corpus, no Nix); checks/run runs them.
  meta = {
    description = "Turns a Cog project's cog.yaml into cog.nix for the cognix Nix library, and lints Nix files";
    mainProgram = "cognix-gen";
    license = lib.licenses.mit;
  };
}
