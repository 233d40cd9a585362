# The downloads of build.run and build.pre_install (curl, wget, pget, git clone). The Nix build
# has no network, so each one is a fixed-output fetch, and its hash (and, for git, the commit) is
# pinned before the build: by the lock command, which pins them in lock.json's `fetches` beside the
# Python packages (lib/lock_fetches.py, run as a dream2nix lock field), or by hand in
# `cognix.fetches`, which wins. `pip install <url>` is locked with the Python packages instead.
{ config, lib, ... }:
let
  deps = config.deps;
  build = config.cog.build;

  isDownload = step: step.kind == "fetch" && step.tool != "pip";
  keyed = name: items: lib.concatLists (lib.imap0
    (i: item: map (step: step // { key = "${name}[${toString i}]"; }) (lib.filter isDownload item.steps))
    items);
  # Every download once, first occurrence first (a URL is one pin however often it is fetched).
  downloads = lib.foldl'
    (seen: step: if lib.any (s: s.url == step.url) seen then seen else seen ++ [ step ])
    [ ]
    (keyed "build.run" build.run ++ keyed "build.pre_install" build.pre_install);

  storeName = import ../lib/store-name.nix { inherit lib; };

  notPinned = step: ''
    cognix: ${step.key} in cog.yaml downloads ${step.url} to ${step.destination}, and lock.json does not pin it.
    The Nix build has no network, so every download is a fixed-output fetch pinned in lock.json. Pin it (this needs network) with
      ${config.cognix.lockCommand}
    and commit lock.json.'';

  pinOf = step:
    (config.cognix.outputs.lockedFetches.${step.url} or { })
    // lib.filterAttrs (_: value: value != null) (config.cognix.fetches.${step.url} or { });

  fetch = step:
    let pin = pinOf step; in
    if !(pin ? hash) then throw (notPinned step)
    else if step.tool == "git" then
      deps.fetchgit {
        name = storeName step.url;
        inherit (step) url;
        inherit (pin) hash;
        rev = pin.rev or (if step.rev != null then step.rev else "HEAD");
        fetchSubmodules = step.submodules;
      }
    else deps.fetchurl { name = storeName step.url; inherit (step) url; inherit (pin) hash; };

  # What the lock command needs to pin each download, in cog.yaml order.
  toPin = map (step: { inherit (step) url tool rev submodules key; }) downloads;
in
{
  python-env.lock.fields.fetches = import ../lib/lock-field.nix { inherit lib; } {
    inherit config;
    name = "fetches";
    script = "lock_fetches.py";
    input = toPin;
    path = [ deps.gitMinimal ];
  };

  cognix.outputs.toPin = toPin;
  cognix.outputs.downloads = lib.listToAttrs (map (step: lib.nameValuePair step.url (fetch step)) downloads);
}
