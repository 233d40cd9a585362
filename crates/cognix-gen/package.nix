# cognix-gen, built from this repository's Cargo workspace (crates/workspace-source.nix).
{ lib, rustPlatform }:
rustPlatform.buildRustPackage {
  pname = "cognix-gen";
  version = (lib.importTOML ./Cargo.toml).package.version;
  src = import ../workspace-source.nix { inherit lib; name = "cognix-gen"; };
  cargoLock.lockFile = ../../Cargo.lock;
  cargoBuildFlags = [ "-p" "cognix-gen" ];
  cargoTestFlags = [ "-p" "cognix-gen" ];
  # The sandbox has neither the corpus nor Nix: the corpus test says it was skipped, and the
  # tests that evaluate cog.nix with nix-instantiate are left out on purpose; checks/run runs both.
  env.COGNIX_TESTS_WITHOUT_NIX = "1";
  meta = {
    description = "Turns a Cog project's cog.yaml into cog.nix for the cognix Nix library, and lints Nix files";
    mainProgram = "cognix-gen";
    license = lib.licenses.mit;
  };
}
