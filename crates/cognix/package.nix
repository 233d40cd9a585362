# cognix, the command (build, load, predict, serve, lock, push, login), built from this
# repository's Cargo workspace (crates/workspace-source.nix). It runs `nix` and `docker` from
# PATH: the user's own, so they are not wrapped in.
{ lib, rustPlatform }:
rustPlatform.buildRustPackage {
  pname = "cognix";
  version = (lib.importTOML ./Cargo.toml).package.version;
  src = import ../workspace-source.nix { inherit lib; name = "cognix"; };
  cargoLock.lockFile = ../../Cargo.lock;
  cargoBuildFlags = [ "-p" "cognix" ];
  # The tests against a real registry are ignored here (they need Debian's docker-registry;
  # `checks/run push` runs them); the rest talk only to servers they start on 127.0.0.1.
  cargoTestFlags = [ "-p" "cognix" ];
  meta = {
    description = "Builds, runs and pushes cognix model images; pushes upload only the layers a registry lacks";
    mainProgram = "cognix";
    license = lib.licenses.mit;
  };
}
