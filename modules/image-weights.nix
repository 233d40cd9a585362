# Weights built into the image, pinned (`cognix.imageWeights`): the way of models that expect
# their weights under /src, which cog.yaml cannot pin. The lock command resolves each source — a
# Hugging Face repository at a ref, or a URL — to its commit and pins every file it takes, with
# size and sha256, in lock.json's `weights` (lib/lock_weights.py, a dream2nix lock field beside
# the Python packages and `fetches`). The build fetches each file as a fixed-output derivation.
# A file of 64 MiB or more stays a store path of its own, linked into place, and gets a layer of
# its own, so images with the same weight file share that layer; smaller files are copied
# together into one path. run.cog.config records what was built in (`image_weights`).
{ config, lib, ... }:
let
  inherit (lib) concatStringsSep concatMapStringsSep escapeShellArg;
  cfg = config.cognix;
  deps = config.deps;
  env = config.python-env;
  specs = cfg.imageWeights;
  storeName = import ../lib/store-name.nix { inherit lib; };

  # cog's bundling threshold: smaller files share a layer.
  ownLayerSize = 64 * 1024 * 1024;

  patterns = w: { include = builtins.sort builtins.lessThan w.include; exclude = builtins.sort builtins.lessThan w.exclude; };
  # Each source is resolved once, however many targets take it.
  toPin = lib.foldl'
    (seen: w:
      let pin = { inherit (w) source; } // patterns w; in
      if lib.any (p: p.source == w.source && p != pin) seen then
        throw ''
          cognix: cognix.imageWeights takes ${w.source} twice, with different include/exclude patterns.
          Give each source once, with one set of patterns (two targets may take the same source with the same patterns).''
      else if lib.elem pin seen then seen
      else seen ++ [ pin ])
    [ ]
    specs;

  showPatterns = p: "include ${builtins.toJSON p.include}, exclude ${builtins.toJSON p.exclude}";
  # Forcing the Python lock first gives lock.json's own messages (missing, outdated) precedence.
  locked = builtins.seq cfg.outputs.locked (env.lock.content.weights or { });

  # A source taken twice with different patterns is reported before any pin is looked at.
  pinOf = w:
    let pin = locked.${w.source} or null; in
    builtins.seq toPin (if pin == null then
      throw ''
        cognix: cognix.imageWeights takes ${w.source}, and lock.json does not pin it.
        The Nix build has no network, so every weight file is a fixed-output fetch pinned in lock.json. Pin them (this needs network) with
          ${cfg.lockCommand}
        and commit lock.json.''
    else if { inherit (pin) include exclude; } != patterns w then
      throw ''
        cognix: lock.json pins ${w.source} for other patterns (${showPatterns pin}) than cognix.imageWeights gives (${showPatterns (patterns w)}).
        Pin it again (this needs network) with
          ${cfg.lockCommand}
        and commit lock.json.''
    else pin);

  # Every file in its place: the target, its path there, its fetch and its size.
  placed = lib.concatMap
    (w: map
      (file: {
        inherit (w) source target;
        inherit (file) path size;
        fetched = deps.fetchurl { name = storeName file.url; inherit (file) url; hash = "sha256:${file.sha256}"; };
      })
      (pinOf w).files)
    specs;

  destination = p: "${lib.removeSuffix "/" p.target}/${p.path}";
  clashes = lib.filter (d: lib.count (p: destination p == d) placed > 1) (lib.unique (map destination placed));
  large = lib.filter (p: p.size >= ownLayerSize) placed;

  place = p:
    let to = ''"$out"${escapeShellArg (destination p)}''; in
    ''
      mkdir -p "$(dirname ${to})"
      ${if p.size >= ownLayerSize then "ln -s ${p.fetched} ${to}" else "cp ${p.fetched} ${to}"}
    '';

  tree =
    if clashes != [ ] then
      throw "cognix: cognix.imageWeights puts more than one file at ${concatStringsSep ", " clashes}; give the sources different targets, or leave the files out of one with `exclude`."
    else deps.runCommand "${config.name}-image-weights" { } (concatMapStringsSep "" place placed);

  # cog's set digest of each target's files (see modules/weights.nix).
  setDigest = files:
    "sha256:" + builtins.hashString "sha256"
      (concatStringsSep "\n" (builtins.sort builtins.lessThan (map (f: "${f.sha256}  ${f.path}") files)));

in
{
  python-env.lock.fields.weights = import ../lib/lock-field.nix { inherit lib; } {
    inherit config;
    name = "weights";
    script = "lock_weights.py";
    input = toPin;
  };

  cognix.outputs.imageWeightsToPin = toPin;
  cognix.outputs.lockedImageWeights = locked;
  cognix.outputs.imageWeights = if specs == [ ] then null else tree;

  cognix.image = lib.mkIf (specs != [ ]) {
    contents = [ tree ];
    ownLayers = map (p: p.fetched) large;
    configRecord.image_weights = map
      (w:
        let pin = pinOf w; in
        { inherit (w) source target; inherit (pin) fingerprint; setDigest = setDigest pin.files; files = lib.length pin.files; })
      specs;
  };
}
