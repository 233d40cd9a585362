# build.run and build.pre_install: the parts cognix-gen classified as downloads and commands are
# replayed while the image is assembled, in a derivation whose output becomes part of the image.
# The Nix build has no network: each download is a fixed-output fetch (fetches.nix); commands run
# in a chroot (proot) of that output with the store, the Python environment and the system
# packages visible, starting in `/` as cog's RUN lines do. Package
# steps did their work elsewhere (python.nix, system-packages.nix); pip downloads are in lock.json.
{ config, lib, ... }:
let
  inherit (lib) concatStringsSep escapeShellArg optionalString;
  build = config.cog.build;
  deps = config.deps;
  items = lib.imap0 (i: item: item // { key = "build.run[${toString i}]"; }) build.run
    ++ lib.imap0 (i: item: item // { key = "build.pre_install[${toString i}]"; }) build.pre_install;

  # Steps with nothing to replay here.
  elsewhere = step: step.kind == "system_packages" || step.kind == "python_packages" || (step.kind == "fetch" && step.tool == "pip");
  work = lib.any (item: lib.any (step: !elsewhere step) item.steps) items;

  place = step:
    let
      dest = escapeShellArg step.destination;
      src = config.cognix.outputs.downloads.${step.url};
    in
    # Copies from the store are read-only; `u+w` makes them writable as a download would be,
    # keeping execute bits (a cloned script stays runnable).
    if step.tool == "git" then "mkdir -p ${dest} && cp -r ${src}/. ${dest} && chmod -R u+w ${dest}"
    else if step.unpack then "mkdir -p ${dest} && tar -xf ${src} -C ${dest}"
    else "mkdir -p \"$(dirname ${dest})\" && cp ${src} ${dest} && chmod u+w ${dest}";

  secretPath = id: config.cognix.secrets.${id} or (throw ''
    cognix: a build.run command in cog.yaml mounts the secret "${id}".
    Give its location on the building machine (a string, so it never enters the Nix store):
      cognix.secrets.${id} = "/run/secrets/${id}";
    and allow the Nix sandbox to read it: `extra-sandbox-paths = /run/secrets/${id}` in nix.conf.'');

  # A step as shell text. Steps done elsewhere become `true`, so the operators around them keep
  # their meaning (`apt-get install x || true`).
  stepText = step:
    if step.kind == "command" then step.command
    else if elsewhere step then "true"
    else "{ ${place step}; }";

  # One script per item, run in its own chroot session like one RUN line (`sh -c`): the steps
  # are joined with the operators cog.yaml wrote between them, without `set -e`, so the item
  # fails exactly when its command line would.
  script = item: deps.writeText "cognix-run-step" (concatStringsSep "\n" (
    [ "set -e" "cd /" ]
    ++ map (m: "mkdir -p \"$(dirname ${escapeShellArg m.target})\" && ln -sfn /run/cognix-secrets/${escapeShellArg m.id} ${escapeShellArg m.target}") item.mounts
    ++ map (step: "# done by cognix outside this script (${step.kind}): ${lib.replaceStrings [ "\n" ] [ " " ] step.command}") (lib.filter elsewhere item.steps)
    ++ [ "set +e" ]
    ++ map (step: stepText step + lib.optionalString (step.operator != null) " ${step.operator}") item.steps
    ++ [ "status=$?" ]
    ++ map (m: "rm -f ${escapeShellArg m.target}") item.mounts
    ++ [ "exit $status" ]
  ) + "\n");

  # What the commands find on PATH: the model's Python, the system packages, basic tools.
  path = lib.makeBinPath ([ config.cognix.outputs.pythonEnv deps.bash deps.coreutils deps.findutils deps.gnused deps.gnugrep deps.gnutar deps.gzip deps.which ]
    ++ config.cognix.outputs.systemPackages);

  # cog sets cog.yaml's environment before its RUN lines.
  userEnv = concatStringsSep " " (lib.mapAttrsToList (name: value: escapeShellArg "${name}=${value}") config.cog.environment);

  scripts = map script items;

  runLayer = deps.runCommand "${config.name}-run" { nativeBuildInputs = [ deps.proot ]; } ''
    mkdir -p $out/tmp $out/root
    ${concatStringsSep "\n" (lib.zipListsWith (item: file: ''
      proot -r $out -b /nix/store -b /dev -b /proc ${concatStringsSep " " (map (m: "-b ${escapeShellArg "${secretPath m.id}:/run/cognix-secrets/${m.id}"}") item.mounts)} -w / \
        ${deps.coreutils}/bin/env -i HOME=/root TMPDIR=/tmp PATH=${path} ${userEnv} \
        ${deps.bash}/bin/bash ${file}
    '') items scripts)}
    rm -rf $out/tmp $out/root
  '';
in
{
  cognix.outputs.runScripts = scripts;
  cognix.outputs.runLayer = if work then runLayer else null;
  cognix.image.contents = lib.optional work runLayer;
}
