# /src: .dockerignore semantics, the completed cog.yaml and the OpenAPI schema.
t:
let
  inherit (t) lib;
  ignore = t.cognix.dockerignore;
  patterns = ignore.parse "# editor files\n*.swp\ndata/\n!data/keep.txt\n/notes.md\n**/__pycache__\n";
  source = t.evalProject { src = ../projects/source; };
  cpu = t.evalProject { src = ../projects/cpu; };
  noschema = t.evalProject { src = ../projects/noschema; };
in
{
  dockerignoreMatchesLikeDocker = {
    expr = map (ignore.ignored patterns) [ "a.swp" "sub/a.swp" "data" "data/big.bin" "data/keep.txt" "notes.md" "sub/notes.md" "sub/__pycache__" "sub/__pycache__/m.pyc" "predict.py" ];
    expected = [ true false true true false true false true true false ];
  };

  dockerignoreKeepsDirectoriesWithReincludes = {
    expr = map (p: ignore.filter /p "data/\n!data/keep.txt\nbuild/\n" [ ] p.path p.type) [
      { path = /p/data; type = "directory"; }
      { path = /p/build; type = "directory"; }
      { path = /p/data/keep.txt; type = "regular"; }
    ];
    expected = [ true false true ];
  };

  completedCogYamlIsTheConfigLabel = {
    expr = source.config.cognix.outputs.labels."run.cog.config";
    expected = builtins.toJSON {
      build = { python_requirements = "requirements.txt"; python_packages = [ "requests==2.32.3" ]; python_version = "3.12"; sdk_version = "prerelease"; };
      predict = "predict.py:Predictor";
    };
  };

  schemaLeftByCogIsUsed = {
    expr = toString source.config.cognix.outputs.openapiSchema;
    expected = toString ../projects/source/.cog/openapi_schema.json;
  };

  schemaIsGeneratedOtherwise = {
    expr = { name = cpu.config.cognix.outputs.openapiSchema.name; generates = lib.hasInfix "--predict predict.py:Predictor" cpu.config.cognix.outputs.openapiSchema.buildCommand; };
    expected = { name = "cpu-openapi-schema.json"; generates = true; };
  };

  noSchemaWithoutAPredictor = {
    expr = noschema.config.cognix.outputs.openapiSchema;
    expected = null;
  };

  schemaOptionWins = {
    expr = toString (t.evalProject { src = ../projects/source; modules = [{ cognix.openapiSchema = ../projects/cpu/cog.yaml; }]; }).config.cognix.outputs.openapiSchema;
    expected = toString ../projects/cpu/cog.yaml;
  };
}
