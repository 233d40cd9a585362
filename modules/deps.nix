# Everything cognix takes from nixpkgs, in one place. dream2nix's `deps` makes each of them
# overridable (`deps.tini = ...;`), and the evaluation tests' package-set double has to provide
# exactly this list.
{ lib, ... }:
{
  deps = { nixpkgs, ... }:
    lib.mapAttrs (_: lib.mkDefault) {
      inherit (nixpkgs)
        bash
        bashInteractive
        buildEnv
        cacert
        coreutils
        dockerTools
        fetchgit
        fetchurl
        findutils
        gitMinimal
        glibc
        gnugrep
        gnused
        gnutar
        gzip
        jq
        proot
        python3
        runCommand
        tini
        which
        writeShellScript
        writeText
        ;
    };
}
