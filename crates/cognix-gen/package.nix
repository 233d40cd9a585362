# cognix-gen, built from this repository's Cargo workspace (crates/workspace-source.nix).
{ lib, rustPlatform }:
rustPlatform.buildRustPackage {
  pname = "cognix-gen";
  version = (lib.importTOML ./Cargo.toml).package.version;
  src = import ../workspace-source.nix { inherit lib; name = "cognix-gen"; };
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
