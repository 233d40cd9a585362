# cog's managed weights (cog.yaml `weights:` with weights.lock): OCI artifacts of their own, pushed
# beside the image and mounted at each weight's target at run time, never image layers. The image
# gets cog's runtime record of them, `{"weights":[{name, target, setDigest}]}` from weights.lock,
# byte for byte as `cog build` writes it (Go's two-space JSON). cog's spec puts it at
# /.cog/weights.json, while `cog build` copies it to `.cog/` under the working directory, i.e.
# /src/.cog/weights.json; both get it. weights.lock is checked here as far as Nix can: present,
# version 1, one entry per weight of cog.yaml with its target and no other, each set digest what
# its files give. A local weight directory inside the project is left out of /src, where it would
# be a second copy of gigabytes the weights already mount.
{ config, lib, ... }:
let
  inherit (lib) concatStringsSep concatMapStringsSep;
  cfg = config.cognix;
  weights = config.cog.weights;
  package = lib.removePrefix "./" config.paths.package;
  inProject = file: if package == "." then file else "${package}/${file}";
  importCommand = if package == "." then "cognix weights import" else "cognix weights import ${package}";
  lockFile = cfg.src + "/weights.lock";
  names = concatMapStringsSep ", " (w: w.name) weights;

  missing = throw ''
    cognix: cog.yaml declares weights (${names}), but ${inProject "weights.lock"} is missing.
    weights.lock pins each weight's files and digests, and the image records them in /.cog/weights.json. Create it (remote sources need network) with
      ${importCommand}
    and commit it.'';

  lock = builtins.fromJSON (builtins.readFile lockFile);
  entries = if builtins.isList (lock.weights or null) then lock.weights else [ ];
  entry = name: lib.findFirst (e: (e.name or null) == name) null entries;

  # cog's DirHash: sha256 over the lines `<hex>  <path>`, sorted as whole strings, joined by `\n`.
  setDigest = files:
    let hex = digest: concatStringsSep ":" (lib.drop 1 (lib.splitString ":" digest)); in
    "sha256:" + builtins.hashString "sha256"
      (concatStringsSep "\n" (builtins.sort builtins.lessThan (map (f: "${hex f.digest}  ${f.path}") files)));

  problems =
    lib.optional ((lock.version or null) != 1) "version ${builtins.toJSON (lock.version or null)}: cognix reads version 1"
    ++ lib.concatMap
      (w:
        let e = entry w.name; in
        if e == null then [ "weight \"${w.name}\" of cog.yaml is not in it (not imported yet)" ]
        else
          lib.optional (e.target or null != w.target) "weight \"${w.name}\" has target ${builtins.toJSON (e.target or null)}, cog.yaml says \"${w.target}\""
          ++ lib.optional (e.setDigest or null != setDigest (e.files or [ ]))
            "weight \"${w.name}\": its setDigest ${builtins.toJSON (e.setDigest or null)} is not what its files give (${setDigest (e.files or [ ])}); the file was edited or is corrupted")
      weights
    ++ map (e: "weight \"${e.name or "?"}\" is not in cog.yaml")
      (lib.filter (e: !(lib.any (w: w.name == (e.name or null)) weights)) entries);

  checked =
    if !builtins.pathExists lockFile then missing
    else if problems != [ ] then
      throw ''
        cognix: ${inProject "weights.lock"} cannot be used:
        ${concatMapStringsSep "\n" (p: "  - ${p}") problems}
        Bring it up to date (remote sources need network) with
          ${importCommand}
        and commit it.''
    else lock;

  # Go's json.MarshalIndent(manifest, "", "  ") of cog's RuntimeWeightsManifest, no final newline.
  runtimeRecord = lock:
    let
      item = e: ''
        {
              "name": ${builtins.toJSON e.name},
              "target": ${builtins.toJSON e.target},
              "setDigest": ${builtins.toJSON e.setDigest}
            }'';
      items = concatMapStringsSep ",\n    " item lock.weights;
    in
    if lock.weights == [ ] then "{\n  \"weights\": []\n}" else "{\n  \"weights\": [\n    ${items}\n  ]\n}";

  manifest = config.deps.writeText "weights.json" (runtimeRecord checked);
  record = config.deps.runCommand "${config.name}-weights-record" { } ''
    mkdir -p $out/.cog $out/src/.cog
    cp ${manifest} $out/.cog/weights.json
    cp ${manifest} $out/src/.cog/weights.json
  '';

  # Local sources inside the project, as project-relative directories (`file://./w`, `./w`, `w`).
  localDirs = lib.unique (lib.concatMap
    (w: lib.concatMap
      (s:
        let
          path = lib.removePrefix "file://" s.uri;
          parts = lib.filter (p: p != "" && p != ".") (lib.splitString "/" path);
        in
        lib.optional (!(lib.hasInfix "://" path) && !(lib.hasPrefix "/" path) && parts != [ ] && !(lib.elem ".." parts))
          (concatStringsSep "/" parts))
      w.source)
    weights);

  dockerignore = import ../lib/dockerignore.nix { inherit lib; };
  ignoreFile = cfg.src + "/.dockerignore";
  ignores = dockerignore.parse (if builtins.pathExists ignoreFile then builtins.readFile ignoreFile else "");
  notes = map
    (dir: "cognix: the weights in ${inProject dir}/ are left out of /src, since cog mounts them at their target; `cog build` would copy them into the image: add `${dir}/` to ${inProject ".dockerignore"}.")
    (lib.filter (dir: builtins.pathExists (cfg.src + "/${dir}") && !(dockerignore.ignored ignores dir)) localDirs);
in
lib.mkMerge [
  {
    cognix.outputs.weightsManifest = if weights == [ ] then null else manifest;
    cognix.outputs.weightsNotes = notes;
  }
  (lib.mkIf (weights != [ ]) {
    cognix.sourceIgnores = localDirs;
    # The notes are shown whenever the image is evaluated.
    cognix.image.contents = [ (lib.foldr lib.warn record notes) ];
  })
]
