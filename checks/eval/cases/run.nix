# build.run: package steps join the environments, downloads are pinned fetches placed where the
# command put them, and commands run in order in a chroot of the run layer.
t:
let
  inherit (t) lib;
  double = t.pkgs;
  pget = "https://github.com/replicate/pget/releases/download/v0.8.2/pget_Linux_x86_64";
  ops = "https://github.com/example/ops.git";
  pins = {
    cognix.fetches.${pget}.hash = "sha256-pget";
    cognix.fetches.${ops} = { hash = "sha256-ops"; rev = "0123abc"; };
    cognix.secrets.hf_token = "/run/secrets/hf_token";
  };
  run = t.evalProject { src = ../projects/run; modules = [ pins ]; };
  scripts = map (s: s.text) run.config.cognix.outputs.runScripts;
  pgetFile = double.fetchurl { url = pget; hash = "sha256-pget"; };
  opsTree = double.fetchgit { url = ops; hash = "sha256-ops"; rev = "0123abc"; };
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

  gitCloneChecksOutThePinnedCommit = {
    expr = { inherit (opsTree.args) url rev hash; };
    expected = { url = ops; rev = "0123abc"; hash = "sha256-ops"; };
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
