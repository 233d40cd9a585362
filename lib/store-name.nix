# The name of a fixed-output fetch's store path for a URL: the URL's last path segment, as
# nixpkgs' fetchurl would name it, made legal. Store path names allow only [A-Za-z0-9+._?=-], must
# not start with a dot and have at most 211 characters (Nix's checkName, src/libstore/path.cc);
# `libssl1.0.2_1.0.2u-1~deb9u7_amd64.deb` or `%20` would be refused as they are.
{ lib }:
url:
let
  segment = baseNameOf (lib.head (lib.splitString "?" (lib.head (lib.splitString "#" url))));
  legal = lib.concatMapStrings
    (c: if builtins.match "[A-Za-z0-9+._?=-]" c != null then c else "-")
    (lib.stringToCharacters (lib.removeSuffix ".git" segment));
  name = lib.head (builtins.match "[.]*(.*)" legal);
in
if name == "" then "download" else builtins.substring 0 211 name
