# /src: the project directory as cog copies it (`COPY . /src`, `.dockerignore` honoured, `.cog/`
# left out), with cog.yaml replaced by the completed configuration (JSON is YAML), which every
# version of the cog runtime can read, and the OpenAPI schema at /src/.cog/openapi_schema.json,
# where the runtime loads it from.
{ config, lib, ... }:
let
  root = config.cognix.src;
  dockerignore = import ../lib/dockerignore.nix { inherit lib; };
  ignoreFile = root + "/.dockerignore";
  ignores = if builtins.pathExists ignoreFile then builtins.readFile ignoreFile else "";

  projectFiles = builtins.path {
    path = root;
    name = "${config.name}-source";
    # .cog holds cog's build state; .git is not part of the model.
    filter = dockerignore.filter root ignores ([ ".cog" ".git" ] ++ config.cognix.sourceIgnores);
  };

  completed = config.deps.writeText "cog.yaml" config.cognix.outputs.labels."run.cog.config";
  schema = config.cognix.outputs.openapiSchema;

  source = config.deps.runCommand "${config.name}-src" { } ''
    mkdir -p $out/src
    # Writable like cog's `COPY . /src`, with the project's execute bits kept.
    cp -r ${config.cognix.outputs.projectFiles}/. $out/src/
    chmod -R u+w $out/src
    cp ${completed} $out/src/cog.yaml
    ${lib.optionalString (schema != null) ''
      mkdir -p $out/src/.cog
      cp ${schema} $out/src/.cog/openapi_schema.json
    ''}
  '';
in
{
  cognix.outputs = { inherit projectFiles source; };
  cognix.image.contents = [ source ];
}
