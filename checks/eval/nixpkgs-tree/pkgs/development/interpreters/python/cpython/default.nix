# Double of nixpkgs' pkgs/development/interpreters/python/cpython/default.nix. Its argument set
# is the real one (read at NixOS/nixpkgs 007088359e7a0b438f42387cb59c0479ba81df83; closed, no
# `...`); nixpkgs dropped `configd` in the 24.11 Darwin SDK refactor, and nixpkgs-python passes it
# only when `lib.functionArgs` lists it. The result is an interpreter double (../../../../../../
# python-double.nix) that records its sourceVersion, src and patches, and supports
# `override` (calling this function again) and `overrideAttrs` (over src, patches, prePatch,
# postInstall, meta and passthru.doc), which is what nixpkgs-python uses.
{ lib, stdenv, fetchurl, fetchpatch, fetchgit
, autoconf-archive, autoreconfHook, nukeReferences, pkg-config, python-setup-hook
, bzip2, expat, libffi, libxcrypt, mpdecimal, ncurses, openssl, sqlite, xz, zlib
, bash, configd, darwin, windows
, bluezSupport ? false, bluez
, mimetypesSupport ? true, mailcap
, tzdata
, withGdbm ? true, gdbm
, withReadline ? true, readline
, x11Support ? false, tcl, tk, tix, libX11, xorgproto
, pythonAttr ? "python${sourceVersion.major}${sourceVersion.minor}"
, self
, pkgsBuildBuild, pkgsBuildHost, pkgsBuildTarget, pkgsHostHost, pkgsTargetTarget
, sourceVersion
, hash
, passthruFun
, stripConfig ? false, stripIdlelib ? false, stripTests ? false, stripTkinter ? false
, rebuildBytecode ? true, stripBytecode ? true, includeSiteCustomize ? true
, static ? false, enableFramework ? false
, noldconfigPatch ? ./. + "/${sourceVersion.major}.${sourceVersion.minor}/no-ldconfig.patch"
, enableGIL ? true, enableOptimizations ? false, enableNoSemanticInterposition ? true
, enableLTO ? true, reproducibleBuild ? false
, packageOverrides ? (self: super: { })
, testers
} @ inputs:
let
  makePython = import ../../../../../../python-double.nix { inherit (stdenv.hostPlatform) system; inherit (stdenv) mkDerivation; };
  version = with sourceVersion; "${major}.${minor}.${patch}${suffix}";
  # What nixpkgs' derivation starts from, as far as nixpkgs-python's overrides look at it.
  attrs = {
    src = fetchurl { url = "https://www.python.org/ftp/python/${sourceVersion.major}.${sourceVersion.minor}.${sourceVersion.patch}/Python-${version}.tar.xz"; inherit hash; };
    patches = [ noldconfigPatch "virtualenv-permissions.patch" "mimetypes.patch" ];
    prePatch = "";
    postInstall = "";
    meta = { };
    passthru = passthruFun { inherit self sourceVersion packageOverrides pythonAttr; implementation = "cpython"; pythonVersion = "${sourceVersion.major}.${sourceVersion.minor}"; }
      // { doc = { overrideAttrs = _: { }; }; };
  };
  withAttrs = current: makePython version { inherit (current) src patches prePatch postInstall; inherit sourceVersion; } // {
    inherit (current) meta passthru;
    override = more: (import ./default.nix) (inputs // more);
    overrideAttrs = f: withAttrs (current // f current);
  };
in
withAttrs attrs
