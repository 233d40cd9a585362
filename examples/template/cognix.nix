# What cog.yaml cannot say. Downloads in build.run need nothing here: the lock command pins them
# in lock.json with the Python packages. cognix-gen's warnings say when something is needed, e.g.
# nixpkgs packages beyond build.system_packages:
#   cognix.systemPackages = [ pkgs.imagemagick ];
{ lib, ... }:
{
}
