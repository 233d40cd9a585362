# build.run: package steps join the environments, downloads are pinned fetches placed where the
# command put them, and commands run in order in a chroot of the run layer.
t:
let
  inherit (t) lib;
  double = t.pkgs;
  pget = "https://github.com/replicate/pget/releases/download/v0.8.2/pget_Linux_x86_64";
  ops = "https://github.com/example/ops.git";
  lock = (lib.importJSON ../projects/run/lock.json).fetches;
  secrets.cognix.secrets.hf_token = "/run/secrets/hf_token";
  run = t.evalProject { src = ../projects/run; modules = [ secrets ]; };
  scripts = map (s: s.text) run.config.cognix.outputs.runScripts;
  downloads = run.config.cognix.outputs.downloads;
  pgetFile = double.fetchurl { name = "pget_Linux_x86_64"; url = pget; inherit (lock.${pget}) hash; };
  opsTree = double.fetchgit { name = "ops"; url = ops; inherit (lock.${ops}) hash rev; fetchSubmodules = false; };

  # Run items written by hand (the `cog.*` options can be set without cog.nix), for URLs whose
  # last segment is no valid store path name.
  odd = url: { command = "curl -o /opt/x ${url}"; steps = [{ kind = "fetch"; command = "curl -o /opt/x ${url}"; tool = "curl"; inherit url; destination = "/opt/x"; }]; };
  oddUrls = [
    "https://deb.example/libssl1.0.2_1.0.2u-1~deb9u7_amd64.deb"
    "https://h.example/a%20b.bin?download=true#frag"
    "https://h.example/.hidden"
    "https://h.example/"
  ];
  withOdd = t.evalProject {
    src = ../projects/run;
    modules = [ secrets { cog.build.run = map odd oddUrls; cognix.fetches = lib.genAttrs oddUrls (_: { hash = "sha256-x"; }); } ];
  };
in
{
  packageStepsJoinTheEnvironments = {
    expr = {
      system = map (p: p.name) run.config.cognix.outputs.systemPackages;
      python = run.config.python-env.pip.requirementsList;
    };
    expected = { system = [ "git" ]; python = [ "einops==0.8.0" "cog" ]; };
  };

  scriptsReplayEachItem = {
    expr = scripts;
    expected = [
      "set -e\ncd /\n# done by cognix outside this script (system_packages): apt-get update\n# done by cognix outside this script (system_packages): apt-get install -y git\nset +e\ntrue &&\ntrue ||\necho \"apt failed\" >&2\nstatus=\$?\nexit \$status\n"
      "set -e\ncd /\n# done by cognix outside this script (python_packages): pip install einops==0.8.0\nset +e\ntrue\nstatus=\$?\nexit \$status\n"
      "set -e\ncd /\nset +e\n{ mkdir -p \"\$(dirname /usr/local/bin/pget)\" && cp ${pgetFile} /usr/local/bin/pget && chmod u+w /usr/local/bin/pget; } &&\nchmod +x /usr/local/bin/pget\nstatus=\$?\nexit \$status\n"
      "set -e\ncd /\nset +e\n{ mkdir -p /opt/ops && cp -r ${opsTree}/. /opt/ops && chmod -R u+w /opt/ops; }\nstatus=\$?\nexit \$status\n"
      "set -e\ncd /\nmkdir -p \"\$(dirname /run/secrets/token)\" && ln -sfn /run/cognix-secrets/hf_token /run/secrets/token\nset +e\ncp /run/secrets/token /dev/null\nstatus=\$?\nrm -f /run/secrets/token\nexit \$status\n"
    ];
  };

  downloadsArePinnedByTheLock = {
    expr = lib.mapAttrs (_: d: d.args) downloads;
    expected = {
      ${pget} = { name = "pget_Linux_x86_64"; url = pget; inherit (lock.${pget}) hash; };
      ${ops} = { name = "ops"; url = ops; inherit (lock.${ops}) hash rev; fetchSubmodules = false; };
    };
  };

  # A hand-made pin wins over the lock's, field by field.
  userPinsWinOverTheLock = {
    expr = (t.evalProject { src = ../projects/run; modules = [ secrets { cognix.fetches.${ops}.rev = "feedbeef"; } ]; })
      .config.cognix.outputs.downloads.${ops}.args;
    expected = { name = "ops"; url = ops; inherit (lock.${ops}) hash; rev = "feedbeef"; fetchSubmodules = false; };
  };

  recursiveClonesFetchSubmodules = {
    expr = (t.evalProject {
      src = ../projects/run;
      modules = [ secrets { cog.build.run = [{ command = "git clone --recursive https://g.example/r.git"; steps = [{ kind = "fetch"; command = "git clone --recursive https://g.example/r.git"; tool = "git"; url = "https://g.example/r.git"; destination = "/r"; submodules = true; }]; }]; cognix.fetches."https://g.example/r.git" = { hash = "sha256-r"; rev = "abc"; }; } ];
    }).config.cognix.outputs.downloads."https://g.example/r.git".args.fetchSubmodules;
    expected = true;
  };

  # Nix refuses store names outside [A-Za-z0-9+._?=-] or starting with a dot.
  storeNamesAreSanitised = {
    expr = map (url: withOdd.config.cognix.outputs.downloads.${url}.args.name) oddUrls;
    expected = [ "libssl1.0.2_1.0.2u-1-deb9u7_amd64.deb" "a-20b.bin" "hidden" "h.example" ];
  };

  # The lock command gets every download once, in cog.yaml order, with what pinning it needs.
  lockFieldPinsEveryDownload = {
    expr = {
      inherit (run.config.cognix.outputs) toPin;
      script = map (needle: lib.hasInfix needle (builtins.unsafeDiscardStringContext run.config.python-env.lock.fields.fetches.script.text)) [
        "lock_fetches.py"
        (builtins.unsafeDiscardStringContext "${double.writeText "cognix-lock-fetches.json" (builtins.toJSON run.config.cognix.outputs.toPin)}")
        "/lock.json\" \"$out\""
      ];
    };
    expected = {
      toPin = [
        { url = pget; tool = "curl"; rev = null; submodules = false; key = "build.run[2]"; }
        { url = ops; tool = "git"; rev = "v1.0"; submodules = false; key = "build.run[3]"; }
      ];
      script = [ true true true ];
    };
  };

  layerRunsEachScriptInAChrootWithTheSecretBound = {
    expr = map (needle: lib.hasInfix needle run.config.cognix.outputs.runLayer.buildCommand) [
      "proot -r $out -b /nix/store -b /dev -b /proc  -w /"
      "proot -r $out -b /nix/store -b /dev -b /proc -b /run/secrets/hf_token:/run/cognix-secrets/hf_token -w /"
      "rm -rf $out/tmp $out/root"
    ];
    expected = [ true true true ];
  };

  noLayerWithoutWork = {
    expr = (t.evalProject { src = ../projects/cpu; }).config.cognix.outputs.runLayer;
    expected = null;
  };
}
