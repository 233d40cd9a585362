# /src: .dockerignore semantics, the completed cog.yaml and the OpenAPI schema.
t:
let
  inherit (t) lib;
  ignore = t.cognix.dockerignore;
  patterns = ignore.parse "# editor files\n*.swp\ndata/\n!data/keep.txt\n/notes.md\n**/__pycache__\n";
  source = t.evalProject { src = ../projects/source; };
  cpu = t.evalProject { src = ../projects/cpu; };
  noschema = t.evalProject { src = ../projects/noschema; };

  # Every file under `dir`, relative to it.
  files = dir: lib.concatLists (lib.mapAttrsToList
    (name: type: if type == "directory" then map (f: "${name}/${f}") (files (dir + "/${name}")) else [ name ])
    (builtins.readDir dir));
  kept = [ ".dockerignore" "cog.nix" "cog.yaml" "data/keep.txt" "lock.json" "predict.py" "requirements.txt" "sub/model.py" ];

  # The project inside a flake whose root is a string (`self.outPath`), as flake-parts passes it.
  inFlake = (t.flake-parts.mkFlake { inputs.self = { outPath = toString ../.; inputs = { }; }; } {
    systems = [ "x86_64-linux" ];
    imports = [ t.flakeModule ];
    perSystem.cognix.models.source = { src = ../projects/source; pkgs = t.double { }; };
  }).packages.x86_64-linux.source;
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

  # Issue 11: the schema step imported the predictor in a bare sandbox.
  schemaStepHasTheImageEnvironment = {
    expr = let
      gpu = t.evalProject { src = ../projects/gpu; };
      c = builtins.unsafeDiscardStringContext gpu.config.cognix.outputs.openapiSchema.buildCommand;
      has = s: lib.hasInfix s c;
    in {
      environment = has "'HF_HOME=/src/.cache' 'HF_HUB_OFFLINE=1'";
      libraryPath = has "'LD_LIBRARY_PATH=${builtins.unsafeDiscardStringContext t.pkgs.ffmpeg}/lib:";
      systemPackagesOnPath = has ":${builtins.unsafeDiscardStringContext t.pkgs.ffmpeg}/bin:";
      writableHome = has "HOME=\"$TMPDIR/root\" TMPDIR=\"$TMPDIR\"";
      nothingElse = has "/bin/env -i ";
    };
    expected = { environment = true; libraryPath = true; systemPackagesOnPath = true; writableHome = true; nothingElse = true; };
  };

  noSchemaWithoutAPredictor = {
    expr = noschema.config.cognix.outputs.openapiSchema;
    expected = null;
  };

  schemaOptionWins = {
    expr = toString (t.evalProject { src = ../projects/source; modules = [{ cognix.openapiSchema = ../projects/cpu/cog.yaml; }]; }).config.cognix.outputs.openapiSchema;
    expected = toString ../projects/cpu/cog.yaml;
  };

  # Issue 11: /src was a tree of symlinks into the read-only store; cog's `COPY . /src` gives files.
  srcIsCopiedIntoTheLastLayer = {
    expr = let e = builtins.unsafeDiscardStringContext cpu.config.package-func.args.extraCommands; o = cpu.config.cognix.outputs; in {
      copied = lib.hasInfix "cp -r ${builtins.unsafeDiscardStringContext o.projectFiles}/. src/\nchmod -R u+w src\n" e;
      schema = lib.hasInfix "cp ${builtins.unsafeDiscardStringContext o.openapiSchema} src/.cog/openapi_schema.json" e;
      notLinked = !(lib.elem "cpu-src" (map (p: p.name) cpu.config.package-func.args.contents));
    };
    expected = { copied = true; schema = true; notLinked = true; };
  };

  projectFilesHonourDockerignore = {
    expr = files source.config.cognix.outputs.projectFiles;
    expected = kept;
  };

  projectFilesHonourDockerignoreInAFlake = {
    expr = files inFlake.config.cognix.outputs.projectFiles;
    expected = kept;
  };
}
