# What cog.yaml cannot say. cognix-gen's warnings tell you when something is needed here, e.g. a
# pinned hash for a download in build.run:
#   cognix.fetches."https://example.com/weights.bin".hash = lib.fakeHash;  # then the hash Nix reports
# or nixpkgs packages beyond build.system_packages:
#   cognix.systemPackages = [ pkgs.imagemagick ];
{ lib, pkgs, ... }:
{
}
