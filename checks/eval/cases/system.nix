# system_packages, the CUDA package set, and cognix.systemPackages.
t:
let
  inherit (t) lib;
  gpu = t.evalProject { src = ../projects/gpu; };
  names = map (p: p.name);
  withPackages = list: t.evalProject { src = ../projects/cpu; modules = [{ cog.build.system_packages = lib.mkForce list; }]; };
in
{
  attributePathsAndAptNames = {
    # cog.nix holds attribute paths; apt names written by hand go through the same table.
    expr = names (withPackages [ "ffmpeg" "xorg.libSM" "libglib2.0-0" "libgl1-mesa-glx" "gcc.cc.lib" ]).config.cognix.outputs.systemPackages;
    expected = [ "ffmpeg" "libSM" "glib" "libGL" "gcc-lib" ];
  };

  extraPackagesJoin = {
    expr = names (t.evalProject { src = ../projects/cpu; modules = [ ({ packageSets, ... }: { cognix.systemPackages = [ packageSets.nixpkgs.imagemagick ]; }) ]; }).config.cognix.outputs.systemPackages;
    expected = [ "imagemagick" ];
  };

  gpuGetsTheClosestCudaSet = {
    # cog.yaml could say 12.7 (cog knows no such CUDA, but build.cuda can be set by hand); the
    # pinned nixpkgs has 12.6 and 12.8, no 12.7.
    expr = (t.evalProject { src = ../projects/gpu; modules = [{ cog.build.cuda = lib.mkForce "12.7"; }]; }).config.cognix.cudaPackages.cudaMajorMinorVersion;
    expected = "12.8";
  };

  gpuGetsItsCudaSet = {
    # cog.yaml says 12.4, which the pinned nixpkgs has.
    expr = gpu.config.cognix.cudaPackages.cudaMajorMinorVersion;
    expected = "12.4";
  };

  exactCudaSet = {
    expr = (t.evalProject { src = ../projects/gpu; modules = [{ cog.build.cuda = lib.mkForce "12.8"; }]; }).config.cognix.cudaPackages.cudaMajorMinorVersion;
    expected = "12.8";
  };

  cpuHasNoCudaSet = {
    expr = (t.evalProject { src = ../projects/cpu; }).config.cognix.cudaPackages;
    expected = null;
  };
}
