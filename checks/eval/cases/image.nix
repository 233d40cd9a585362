# What dockerTools.streamLayeredImage receives: cog's runtime contract, GPU vs CPU.
t:
let
  inherit (t) lib;
  cpu = t.evalProject { src = ../projects/cpu; };
  gpu = t.evalProject { src = ../projects/gpu; };
  args = e: e.config.package-func.args;
  names = map (p: p.name);
  largestFirst = [ "pipe" [ [ "split_every" 1 ] [ "reverse" ] ] ];
in
{
  entrypointCmdPortWorkdir = {
    expr = { inherit ((args cpu).config) Entrypoint Cmd WorkingDir ExposedPorts; };
    expected = {
      Entrypoint = [ "${t.pkgs.tini}/bin/tini" "--" ];
      Cmd = [ "python" "-m" "cog.server.http" ];
      WorkingDir = "/src";
      ExposedPorts."5000/tcp" = { };
    };
  };

  imageNameAndTagAreOnTheResult = {
    expr = { inherit (cpu.config.public) imageName imageTag; tagged = (t.evalProject { src = ../projects/cpu; modules = [{ cognix.tag = "v1"; }]; }).config.public.imageTag; };
    expected = { imageName = "cpu"; imageTag = "hash"; tagged = "v1"; };
  };

  cpuEnvironmentHasNoCudaSettings = {
    expr = (args cpu).config.Env;
    expected = [
      "COG_PREDICT_TYPE_STUB=predict.py:Predictor"
      "HOME=/root"
      "NIX_SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"
      "PATH=${cpu.config.cognix.outputs.pythonEnv}/bin:/usr/local/bin:/usr/bin:/bin"
      "PYTHONUNBUFFERED=1"
      "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"
    ];
  };

  gpuEnvironment = {
    expr = lib.filter (e: !lib.hasPrefix "PATH=" e) (args gpu).config.Env;
    expected = [
      "COG_MAX_CONCURRENCY=4"
      "COG_PREDICT_TYPE_STUB=predict.py:Predictor"
      "COG_TRAIN_TYPE_STUB=train.py:Trainer"
      "HF_HOME=/src/.cache"
      "HF_HUB_OFFLINE=1"
      "HOME=/root"
      "LD_LIBRARY_PATH=${lib.concatMapStringsSep ":" (p: "${p}/lib") [ t.pkgs.ffmpeg t.pkgs.libGL t.pkgs.xorg.libSM ]}:/usr/lib64:/usr/local/nvidia/lib64:/usr/lib/x86_64-linux-gnu"
      "NIX_SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"
      "NVIDIA_DRIVER_CAPABILITIES=all"
      "NVIDIA_REQUIRE_CUDA=cuda>=12.4"
      "NVIDIA_VISIBLE_DEVICES=all"
      "PYTHONUNBUFFERED=1"
      "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"
    ];
  };

  cpuContents = {
    expr = names (args cpu).contents;
    # fake-nss: /etc/passwd and /etc/group (issue 11: getpass.getuser() raised without them).
    expected = [ "python3.12-env" "tini-0.19.0" "bash-interactive" "coreutils" "ca-certificates" "usr-bin-env" "bin-sh" "fake-nss" ];
  };

  gpuContentsAddSystemPackagesAndTheDriverLoader = {
    expr = lib.drop 8 (names (args gpu).contents);
    # The module system merges the contributions of system-packages and cuda in this order.
    expected = [ "ffmpeg" "libGL" "libSM" "cognix-gpu-loader" ];
  };

  layeringAndDeterminism = {
    expr = {
      inherit (args cpu) name tag layeringPipeline created;
      hasTmp = lib.hasInfix "chmod 1777 tmp" (args cpu).extraCommands;
      hasRootHome = lib.hasInfix "mkdir -p tmp sbin root" (args cpu).extraCommands;
    };
    expected = {
      name = "cpu";
      tag = null;
      # Nothing to share first (no torch, no nvidia wheels): the closure largest first, 99 store layers.
      layeringPipeline = [
        [ "subcomponent_out" [ ] ]
        [ "over" "main" largestFirst ]
        [ "over" "rest" largestFirst ]
        [ "flatten" ]
        [ "limit_layers" 99 ]
      ];
      created = "1970-01-01T00:00:01Z";
      hasTmp = true;
      hasRootHome = true;
    };
  };

  torchIsSharedFirst = {
    expr = lib.head (args gpu).layeringPipeline;
    expected = [ "subcomponent_out" [ "${gpu.config.python-env.pip.drvs.torch.public.out}" ] ];
  };

  sharedDistributionsAreAnOption = {
    expr = lib.head (args (t.evalProject { src = ../projects/gpu; modules = [{ cognix.sharedDistributions = [ "n*" "torch" ]; }]; })).layeringPipeline;
    expected = [ "subcomponent_out" (map (d: "${gpu.config.python-env.pip.drvs.${d}.public.out}") [ "numpy" "torch" ]) ];
  };

  tagAndLayersAreOptions = {
    expr = let e = t.evalProject { src = ../projects/cpu; modules = [{ cognix.tag = "v1"; cognix.maxLayers = 120; }]; }; in { inherit (args e) tag; limit = lib.last (args e).layeringPipeline; };
    expected = { tag = "v1"; limit = [ "limit_layers" 119 ]; };
  };

  publicIsTheImageWithLockAndDevShell = {
    expr = {
      inherit (cpu.config.public) type;
      lock = cpu.config.public.lock.name;
      devShell = cpu.config.public.devShell.name;
    };
    expected = { type = "derivation"; lock = "refresh"; devShell = "shell"; };
  };
}
