# A Cog model built with cognix: `nix build && ./result | docker load`.
# `nix run .#lock` refreshes lock.json (needs network); `nix develop` enters the model's Python.
{
  description = "A Cog model built into an image with cognix";

  inputs.cognix.url = "github:cognix/cognix";

  outputs = { self, cognix, ... }:
    cognix.lib.mkFlake {
      src = ./.;
      # Settings cog.yaml cannot express (pinned downloads, extra packages, ...).
      modules = [ ./cognix.nix ];
      revision = self.rev or null;
    };
}
