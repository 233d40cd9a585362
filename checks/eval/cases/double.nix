# The package-set double against the facts recorded from real nixpkgs and Nix
# (nixpkgs-facts.json): what nixpkgs refuses, the double refuses; what it provides, the double
# provides.
t:
let
  inherit (t) lib pkgs;
  facts = lib.mapAttrs (_: fact: fact.value) (lib.importJSON ../nixpkgs-facts.json).facts;
  fails = value: !(builtins.tryEval (builtins.deepSeq value value)).success;
  accepted = value: (builtins.tryEval (builtins.deepSeq value true)).success;
  stream = pkgs.dockerTools.streamLayeredImage;
  image = args: stream ({ name = "m"; } // args);
  pipeline = steps: (image { layeringPipeline = steps; }).drvPath;

  # A well-formed step for each operator, from its argument kinds.
  sample = kind: { count = 2; key = "main"; step = [ "flatten" ]; steps = [ [ "reverse" ] ]; paths = [ "/nix/store/x" ]; }.${kind};
  wellFormed = name: [ name ] ++ map sample facts."layeringPipeline.operators".${name};

  named = name: accepted (pkgs.writeText name "").drvPath;
  # Every printable ASCII character, in a name of its own.
  probes = lib.filter (c: c != "\"" && c != "\\" && c != "$") (lib.stringToCharacters " !#%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");
  allowed = c: builtins.match "[A-Za-z0-9]" c != null || lib.elem c facts.storePathName.punctuation;

  pythonNames = lib.filter (n: builtins.match "python3[0-9]+" n != null) (lib.attrNames pkgs);
  cudaNames = lib.filter (n: builtins.match "cudaPackages_[0-9]+_[0-9]+" n != null) (lib.attrNames pkgs);
  env = pkgs.python3.withPackages (_: [ ]);

  # dream2nix's example whose lock, valid in dream2nix's CI with the pinned nixpkgs, shows which
  # Python `python3` is there (nixpkgs-facts.json, python3).
  example = t.dream2nixSrc + "/examples/packages/languages/python-local-development";
  exampleLockValid = defaultPython:
    let double = t.double { inherit defaultPython; }; in
    (t.dream2nix.lib.evalModules {
      packageSets.nixpkgs = double // { stdenv = double.stdenv // { system = "x86_64-linux"; }; };
      raw = true;
      modules = [ (example + "/default.nix") { paths = { projectRoot = example; projectRootFile = "flake.nix"; package = "."; }; } ];
    }).config.lock.isValid;
in
{
  # The set is closed, so anything else (`meta` at the pin) is refused with Nix's own error
  # (errors.nix, imageArgumentsAreChecked).
  streamLayeredImageArguments = {
    expr = lib.partition (a: (builtins.functionArgs stream).${a}) (lib.attrNames (builtins.functionArgs stream));
    expected = { right = facts."streamLayeredImage.arguments".optional; wrong = facts."streamLayeredImage.arguments".required; };
  };

  streamLayeredImageAssertion = {
    # layeringPipeline == null -> maxLayers > 1
    expr = [ (fails (image { maxLayers = 1; }).drvPath) (accepted (image { maxLayers = 1; layeringPipeline = [ [ "flatten" ] ]; }).drvPath) ];
    expected = [ true true ];
  };

  imageNameIsLowerCase = {
    expr = (image { name = "My-Cog_Model"; }).imageName;
    expected = "my-cog_model";
  };

  everyOperatorWithItsArguments = {
    expr = lib.all (name: accepted (pipeline [ (wellFormed name) ])) (lib.attrNames facts."layeringPipeline.operators");
    expected = true;
  };

  operatorsWithAnArgumentTooManyOrTooFew = {
    expr = lib.filter
      (name: !(fails (pipeline [ (wellFormed name ++ [ 1 ]) ]))
        || (facts."layeringPipeline.operators".${name} != [ ] && !(fails (pipeline [ (lib.init (wellFormed name)) ]))))
      (lib.attrNames facts."layeringPipeline.operators");
    expected = [ ];
  };

  unknownOperatorsAndBadArguments = {
    expr = map (steps: fails (pipeline steps)) [
      [ [ "sort_by_size" ] ]
      [ [ "over" "rest" [ "nope" ] ] ]
      [ [ "map" [ "limit_layers" ] ] ]
      [ [ "pipe" [ [ "reverse" ] [ "split_every" 0 ] ] ] ]
      [ [ "limit_layers" 0 ] ]
      [ [ "over" 1 [ "flatten" ] ] ]
      [ [ "subcomponent_out" [ 1 ] ] ]
    ];
    expected = [ true true true true true true true ];
  };

  nestedStepsAreAccepted = {
    expr = accepted (pipeline [
      [ "split_paths" [ "/nix/store/a" { children_of = "/nix/store/b"; } ] ]
      [ "over" "rest" [ "pipe" [ [ "map" [ "popularity_contest" ] ] [ "flatten" ] ] ] ]
      [ "flatten" ]
      [ "limit_layers" 10 ]
    ]);
    expected = true;
  };

  storePathNameCharacters = {
    expr = lib.filter (c: named "a${c}b" != allowed c) probes;
    expected = [ ];
  };

  storePathNameLength = {
    expr = map (n: named (lib.concatStrings (lib.replicate n "x"))) [ facts.storePathName.derivationMaxLength (facts.storePathName.derivationMaxLength + 1) 0 ];
    expected = [ true false false ];
  };

  storePathNameLeadingDot = {
    expr = map named [ ".hidden" "." ".." ".-x" "..-x" "...x" ];
    expected = [ true false false false false true ];
  };

  fetchurlName = {
    expr = map (a: (pkgs.fetchurl ({ hash = "sha256-x"; } // a)).name) [
      { url = "https://example.com/files/weights.tar?download=1"; }
      { url = "https://example.com/a/b"; name = "b-renamed"; }
      { url = "https://example.com/a/b"; pname = "b"; version = "2"; }
      { urls = [ "https://example.com/first.bin" "https://mirror.example.com/second.bin" ]; }
    ];
    expected = [ "weights.tar?download=1" "b-renamed" "b-2" "first.bin" ];
  };

  fetchurlNameIsChecked = {
    # `%` in a URL's last part: nixpkgs' fetchurl makes it the store name, and Nix refuses it.
    expr = fails (pkgs.fetchurl { url = "https://example.com/my%20weights.bin"; hash = "sha256-x"; }).drvPath;
    expected = true;
  };

  fetchgitName = {
    expr = map (a: (pkgs.fetchgit ({ hash = "sha256-x"; } // a)).name) [
      { url = "https://github.com/example/ops.git"; rev = "3f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e"; }
      { url = "https://github.com/example/ops.git/"; rev = "main"; }
      { url = "git@github.com:example/ops"; rev = "abcdef0"; }
    ];
    expected = [ "ops-3f2c1d0" "ops" "ops-abcdef0" ];
  };

  pythonInterpreters = {
    expr = { names = pythonNames; python3 = pkgs.python3.pythonVersion; };
    expected = { names = facts.pythonAttributes; python3 = facts.python3; };
  };

  python3IsWhatDream2nixsLockSays = {
    expr = map exampleLockValid [ "3.11" facts.python3 "3.13" ];
    expected = [ false true false ];
  };

  cudaPackageSets = {
    expr = {
      sets = cudaNames;
      aliases = lib.mapAttrs (alias: _: pkgs.${alias}.cudaMajorMinorVersion) facts.cudaPackages.aliases;
    };
    expected = {
      inherit (facts.cudaPackages) sets;
      aliases = lib.mapAttrs (_: target: (pkgs.${target} or pkgs.${facts.cudaPackages.aliases.${target}}).cudaMajorMinorVersion) facts.cudaPackages.aliases;
    };
  };

  withPackagesOverride = {
    expr = {
      # callPackage gives no postBuild, so `old.postBuild` is absent.
      oldHasNoPostBuild = (env.override (old: { postBuild = if old ? postBuild then "present" else "absent"; })).postBuild;
      appended = (env.override (old: { postBuild = (old.postBuild or facts."python.withPackages".postBuildDefault) + "echo done"; })).postBuild;
      unknownArgument = fails (env.override { withTests = true; }).drvPath;
      everyWrapperArgument = accepted (env.override (lib.genAttrs facts."python.withPackages".wrapperArguments (_: null))).name;
    };
    expected = { oldHasNoPostBuild = "absent"; appended = "echo done"; unknownArgument = true; everyWrapperArgument = true; };
  };

  fakeNss = {
    expr = pkgs.dockerTools.fakeNss.name;
    expected = "fake-nss";
  };
}
