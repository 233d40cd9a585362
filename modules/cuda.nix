# The CUDA runtime of GPU images. CUDA's user-space libraries come with the Python wheels (torch
# and the nvidia-* wheels) and are locked in lock.json; the driver comes from the host, mounted
# by the NVIDIA container toolkit. This module tells the image where the driver lands, and picks
# the nixpkgs CUDA package set for packages nixpkgs itself builds with CUDA. CPU images get none
# of it.
{ config, lib, packageSets, ... }:
let
  inherit (lib) mkIf;
  build = config.cog.build;
  nixpkgs = packageSets.nixpkgs;

  # cog.yaml writes "12.4" or "11.6.2"; nixpkgs names sets cudaPackages_12_4.
  version =
    let parsed = builtins.match "([0-9]+)[.]([0-9]+)([.][0-9]+)?" (if build.cuda == null then "" else build.cuda); in
    if parsed != null then { major = lib.elemAt parsed 0; minor = lib.toInt (lib.elemAt parsed 1); }
    else throw ''
      cognix: build.gpu is true, so build.cuda must be a CUDA version such as "12.4"; it is ${if build.cuda == null then "null" else "\"${build.cuda}\""}.
      cognix-gen resolves it from torch or tensorflow in the requirements; run `cognix-gen generate`, or set build.cuda.'';
  inherit (version) major minor;

  # Where container runtimes mount the driver's libraries: the NVIDIA container toolkit with
  # Docker and podman (/usr/lib64 on RHEL-like hosts, /usr/lib/x86_64-linux-gnu on Debian-like
  # ones) and the Kubernetes device plugins on GKE (/usr/local/nvidia/lib64). cog's base images
  # search the same directories.
  driverLibraryPath = [ "/usr/lib64" "/usr/local/nvidia/lib64" "/usr/lib/x86_64-linux-gnu" ];

  # The set for the resolved CUDA, else the closest newer minor of the same major (CUDA keeps
  # minor-version compatibility within a major), else the major's default.
  cudaPackages =
    let
      exact = "cudaPackages_${major}_${toString minor}";
      minorOf = name: builtins.match "cudaPackages_${major}_([0-9]+)" name;
      newer = map (m: "cudaPackages_${major}_${toString m}") (lib.sort lib.lessThan
        (lib.filter (m: m > minor) (map (n: lib.toInt (lib.head (minorOf n))) (lib.filter (n: minorOf n != null) (lib.attrNames nixpkgs)))));
    in
    if nixpkgs ? ${exact} then nixpkgs.${exact}
    else if newer != [ ] then
      lib.warn "cognix: the pinned nixpkgs has no ${exact} for build.cuda \"${build.cuda}\"; packages nixpkgs builds with CUDA use ${lib.head newer}." nixpkgs.${lib.head newer}
    else nixpkgs."cudaPackages_${major}" or (throw ''
      cognix: build.cuda "${build.cuda}": the pinned nixpkgs has no CUDA ${major} package set (cudaPackages_${major}).
      This only matters for packages nixpkgs builds with CUDA (cognix.cudaPackages); the torch wheels bring their own CUDA libraries.'');

  # Host binaries the toolkit mounts (nvidia-smi) expect the conventional dynamic loader path.
  loader = config.deps.runCommand "cognix-gpu-loader" { } ''
    mkdir -p $out/lib64
    ln -s ${config.deps.glibc}/lib/ld-linux-x86-64.so.2 $out/lib64/ld-linux-x86-64.so.2
  '';
in
{
  config = lib.mkMerge [
    { cognix.cudaPackages = if build.gpu then cudaPackages else null; }
    (mkIf build.gpu {
      cognix.image = {
        libraryPath = lib.mkAfter driverLibraryPath;
        contents = [ loader ];
        env = {
          NVIDIA_VISIBLE_DEVICES = "all";
          NVIDIA_DRIVER_CAPABILITIES = "all";
          # Start only on a driver that supports this CUDA, as cog's nvidia/cuda base images do.
          NVIDIA_REQUIRE_CUDA = "cuda>=${major}.${toString minor}";
        };
      };
    })
  ];
}
