# system_packages, the CUDA package set, and cognix.systemPackages.
t:
let
  inherit (t) lib;
  gpu = t.evalProject { src = ../projects/gpu; };
  names = map (p: p.name);
  withPackages = list: t.evalProject { src = ../projects/cpu; modules = [{ cog.build.system_packages = lib.mkForce list; }]; };
in
{
  aptNamesAndAttributePaths = {
    # cog.nix holds apt names; the table maps them, and a nixpkgs attribute path passes through.
    expr = names (withPackages [ "ffmpeg" "xorg.libSM" "libglib2.0-0" "libgl1-mesa-glx" "libgomp1" "sudo" ]).config.cognix.outputs.systemPackages;
    expected = [ "ffmpeg" "libSM" "glib" "libGL" "gcc-lib" ];
  };

  # The user's own mapping wins over the table, and names one the table lacks.
  aptPackagesMapNames = {
    expr = names (t.evalProject {
      src = ../projects/cpu;
      modules = [ ({ packageSets, ... }: {
        cog.build.system_packages = lib.mkForce [ "libturbojpeg0" "ffmpeg" ];
        cognix.aptPackages = { libturbojpeg0 = [ packageSets.nixpkgs.imagemagick ]; ffmpeg = [ ]; };
      }) ];
    }).config.cognix.outputs.systemPackages;
    expected = [ "imagemagick" ];
  };

  # The Nix lookup gives what cognix-gen's gives, for every name of the table and every apt name
  # seen in real cog.yaml files (system-packages-parity.json is written by cognix-gen's tests).
  aptLookupParityWithCognixGen = {
    expr =
      let lookup = (withPackages [ ]).config.cognix.outputs.aptAttributes; parity = lib.importJSON ../system-packages-parity.json; in
      lib.filterAttrs (name: paths: lookup name != paths) parity;
    expected = { };
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
