# The image: dockerTools.streamLayeredImage with cog's runtime contract (cog-spec §13): tini as
# the entrypoint, `python -m cog.server.http` on port 5000, WorkingDir /src, /tmp, CA
# certificates, root with HOME=/root, a fixed creation date, and a layer for each large store path.
# The result is the stream script (`./result | docker load`); it is this evaluation's `public`.
{ config, lib, ... }:
let
  inherit (lib) optionalAttrs;
  cog = config.cog;
  deps = config.deps;
  out = config.cognix.outputs;
  image = config.cognix.image;
  pythonEnv = out.pythonEnv;
  caBundle = "/etc/ssl/certs/ca-certificates.crt";

  env =
    {
      PATH = "${pythonEnv}/bin:/usr/local/bin:/usr/bin:/bin";
      PYTHONUNBUFFERED = "1";
      # cog's images run as root with HOME=/root (Docker takes it from /etc/passwd, where
      # fakeNss gives root /var/empty).
      HOME = "/root";
      SSL_CERT_FILE = caBundle;
      NIX_SSL_CERT_FILE = caBundle;
    }
    // optionalAttrs (image.libraryPath != [ ]) { LD_LIBRARY_PATH = lib.concatStringsSep ":" image.libraryPath; }
    // image.env
    // optionalAttrs (cog.predict != null) { COG_PREDICT_TYPE_STUB = cog.predict; }
    // optionalAttrs (cog.train != null) { COG_TRAIN_TYPE_STUB = cog.train; }
    // optionalAttrs (cog.concurrency != null) { COG_MAX_CONCURRENCY = toString cog.concurrency.max; }
    // cog.environment;

  # The schema label and the predictor's concurrency are build results (openapi.nix); adding them
  # to the configuration the stream script reads (lib/image-config.jq) keeps evaluation free of
  # import-from-derivation and leaves every layer unchanged.
  completeConfig = stream:
    if out.openapiSchema == null && out.predictorConfig == null then stream
    else
      let
        conf = deps.runCommand "${config.name}-conf.json" { nativeBuildInputs = [ deps.jq ]; } ''
          jq -f ${../lib/image-config.jq} \
            ${if out.openapiSchema == null then "--argjson schema null" else "--rawfile schema ${out.openapiSchema}"} \
            ${if out.predictorConfig == null then "--argjson predictor '[{}]'" else "--slurpfile predictor ${out.predictorConfig}"} \
            ${stream.conf} > $out
        '';
      in
      deps.writeShellScript "stream-${config.name}" ''exec ${stream.streamScript} ${conf} "$@"''
      // { inherit conf stream; inherit (stream) imageName imageTag; };

  # Layers: lib/layering.nix explains the order and the budget.
  layeringPipeline = import ../lib/layering.nix { inherit lib; } {
    # The lock's own messages (python.nix) before dream2nix's, which reading the distributions gives.
    distributions = lib.mapAttrs (_: drv: "${drv.public.out}") (builtins.seq out.locked config.python-env.pip.drvs);
    shared = config.cognix.sharedDistributions;
    ownLayers = map toString image.ownLayers;
    # The customisation layer (/src, /tmp, /sbin/tini, /etc) is the last one.
    budget = config.cognix.maxLayers - 1;
  };
in
{
  cognix.outputs.env = env;

  # dream2nix's `public` carries only the outputs; these say what `docker load` will name the
  # image, and give the configuration the stream script reads.
  public = { inherit (config.package-func.result) imageName imageTag conf; };

  package-func = {
    func = args: completeConfig (deps.dockerTools.streamLayeredImage args);
    outputs = [ "out" ];
    args = {
      inherit (config) name;
      inherit (config.cognix) tag;
      inherit layeringPipeline;
      contents = [
        pythonEnv
        deps.tini
        deps.bashInteractive
        deps.coreutils
        deps.dockerTools.caCertificates
        deps.dockerTools.usrBinEnv
        deps.dockerTools.binSh
        # /etc/passwd and /etc/group: getpass.getuser() (torch.compile's cache directory) and
        # anything else that looks the user up needs them.
        deps.dockerTools.fakeNss
      ] ++ image.contents;
      config = {
        Entrypoint = [ "${deps.tini}/bin/tini" "--" ];
        Cmd = [ "python" "-m" "cog.server.http" ];
        WorkingDir = "/src";
        ExposedPorts."5000/tcp" = { };
        Env = lib.mapAttrsToList (name: value: "${name}=${value}") env;
        Labels = out.labels;
      };
      # cog's images have /sbin/tini, a world-writable /tmp and root's home.
      extraCommands = ''
        mkdir -p tmp sbin root
        chmod 1777 tmp
        chmod 0700 root
        ln -sfn ${deps.tini}/bin/tini sbin/tini
      '' + image.extraCommands;
      created = "1970-01-01T00:00:01Z";
    };
  };
}
