# The model's OpenAPI schema, for the `run.cog.openapi_schema` label and
# /src/.cog/openapi_schema.json. In order of preference: `cognix.openapiSchema`, the schema cog
# left in the project (`.cog/openapi_schema.json`, written by `cog build` and `cog run`), or one
# generated while the image is built, by importing the predictor with the image's own Python
# environment (lib/openapi_schema.py reproduces cog's generator).
{ config, lib, ... }:
let
  cog = config.cog;
  left = config.cognix.src + "/.cog/openapi_schema.json";

  generated = config.deps.runCommand "${config.name}-openapi-schema.json" { } ''
    cd ${config.cognix.outputs.projectFiles}
    ${config.cognix.outputs.pythonEnv}/bin/python ${../lib/openapi_schema.py} \
      ${lib.optionalString (cog.predict != null) "--predict ${lib.escapeShellArg cog.predict}"} \
      ${lib.optionalString (cog.train != null) "--train ${lib.escapeShellArg cog.train}"} \
      --cog-version ${lib.escapeShellArg config.cognix.cogVersion} > $out
  '';
in
{
  cognix.outputs.openapiSchema =
    if config.cognix.openapiSchema != null then config.cognix.openapiSchema
    else if builtins.pathExists left then left
    # cog needs a predictor to describe (cog-spec §15).
    else if cog.predict == null && cog.train == null then null
    else generated;
}
