# What cog.yaml cannot say. Downloads in build.run need nothing here: the lock command pins them
# in lock.json with the Python packages. cognix-gen's warnings say when something is needed, e.g.
# nixpkgs packages for an apt name cognix's table does not know (warning CG405):
#   cognix.aptPackages.libturbojpeg0 = [ pkgs.libjpeg_turbo ];
# or nixpkgs packages beyond build.system_packages:
#   cognix.systemPackages = [ pkgs.imagemagick ];
{ lib, pkgs, ... }:
{
}
