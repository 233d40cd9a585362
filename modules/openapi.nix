# What cog's build reads from the predictor, while the image is built (lib/openapi_schema.py, run
# with the image's own Python environment):
#
# - the OpenAPI schema, for the `run.cog.openapi_schema` label and /src/.cog/openapi_schema.json.
#   In order of preference: `cognix.openapiSchema`, the schema cog left in the project
#   (`.cog/openapi_schema.json`, written by `cog build` and `cog run`), or one generated here;
# - the configuration cog takes from the predictor: `@cog.concurrent(max=N)` becomes
#   COG_MAX_CONCURRENCY and `concurrency` in the `run.cog.config` label when cog.yaml sets none.
{ config, lib, ... }:
let
  inherit (lib) escapeShellArg optionalString;
  cog = config.cog;
  deps = config.deps;
  out = config.cognix.outputs;
  left = config.cognix.src + "/.cog/openapi_schema.json";
  hasPredictor = cog.predict != null || cog.train != null;

  # The image's environment (cog.yaml's `environment`, LD_LIBRARY_PATH, ...), so predictors that
  # need it at import time load as they do in the image. The build has no network; PATH points
  # at the store, since nothing is linked into /bin here, and HOME is a writable directory.
  runLayer = out.runLayer;
  path = lib.concatStringsSep ":" ([ (lib.makeBinPath ([ out.pythonEnv ] ++ out.systemPackages ++ [ deps.coreutils deps.bash ])) ]
    ++ lib.optionals (runLayer != null) (map (dir: "${runLayer}${dir}") [ "/usr/local/bin" "/usr/bin" "/bin" ]));
  environment = removeAttrs out.env [ "HOME" ] // { PATH = path; PYTHONDONTWRITEBYTECODE = "1"; };
  inImageEnvironment = arguments: ''
    mkdir -p "$TMPDIR/root"
    cd ${out.projectFiles}
    ${deps.coreutils}/bin/env -i ${lib.concatStringsSep " " (lib.mapAttrsToList (name: value: escapeShellArg "${name}=${value}") environment)} \
      HOME="$TMPDIR/root" TMPDIR="$TMPDIR" \
      ${out.pythonEnv}/bin/python ${../lib/openapi_schema.py} ${lib.concatStringsSep " " (
        lib.optionals (cog.predict != null) [ "--predict" (escapeShellArg cog.predict) ]
        ++ lib.optionals (cog.train != null) [ "--train" (escapeShellArg cog.train) ]
        ++ arguments)}'';

  generated = deps.runCommand "${config.name}-openapi-schema.json" { }
    (inImageEnvironment [ "--cog-version" (escapeShellArg config.cognix.cogVersion) "> $out" ]);

  given = if config.cognix.openapiSchema != null then config.cognix.openapiSchema
    else if builtins.pathExists left then left
    else null;
  # cog needs a predictor to describe (cog-spec §15).
  generating = given == null && hasPredictor;

  # Like cog, a predictor that cannot be read only stops the build when the schema comes from it
  # too; otherwise the image gets no concurrency from it, and the build log says why.
  predictorConfig = deps.runCommand "${config.name}-predictor-config.json" { } (inImageEnvironment (
    [ "--config-from-predictor" ]
    ++ lib.optionals (cog.concurrency != null) [ "--concurrency" (toString cog.concurrency.max) ]
    ++ lib.optionals (cog.build.python_version != null) [ "--python-version" (escapeShellArg cog.build.python_version) ]
    ++ [ "> $out" ]
    ++ lib.optional (!generating) ''
      || {
        echo "cognix: the predictor's @cog.concurrent is not read; the image has cog.yaml's concurrency only" >&2
        echo '{}' > $out
      }''));
in
{
  cognix.outputs.openapiSchema = if generating then generated else given;
  cognix.outputs.predictorConfig = if hasPredictor then predictorConfig else null;
}
