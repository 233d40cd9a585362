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

  # The tree, written to `dest`. Files copied out of the store are read-only; `u+w` makes them
  # writable as `COPY` leaves them, execute bits kept.
  assemble = dest: ''
    mkdir -p ${dest}
    cp -r ${projectFiles}/. ${dest}/
    chmod -R u+w ${dest}
    cp ${completed} ${dest}/cog.yaml
    ${lib.optionalString (schema != null) ''
      mkdir -p ${dest}/.cog
      cp ${schema} ${dest}/.cog/openapi_schema.json
    ''}'';
in
{
  cognix.outputs = {
    inherit projectFiles;
    source = config.deps.runCommand "${config.name}-src" { } (assemble "$out/src");
  };
  # Copied into the image's own layer rather than linked from the store, so /src holds files, as
  # after cog's `COPY . /src`, not symlinks into read-only store paths.
  cognix.image.extraCommands = assemble "src";
}
