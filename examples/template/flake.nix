# Builds the cog project in this directory (cog.yaml, predict.py, cog.nix from `cognix-gen
# generate`) into an image: `nix run .#lock` once (needs network), then
# `nix build && ./result | docker load`. `nix develop` enters the model's Python.
{
  description = "A Cog model built into an image with cognix";

  inputs.cognix.url = "github:cognix/cognix";

  outputs = { self, cognix, ... }:
    cognix.lib.mkFlake {
      src = ./.;
      # The image name; by default the name in cog.yaml's `image`, else "model".
      # name = "my-model";
      modules = [ ./cognix.nix ];
      revision = self.rev or null;
    };
}
