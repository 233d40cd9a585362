# Weights: cog's managed weights (/.cog/weights.json from weights.lock, weight directories kept out
# of /src) and weights pinned into the image (cognix.imageWeights). projects/weights/weights.lock is
# cog's own lock of its examples/managed-weights (crates/cognix-weights/tests/fixtures/cog).
t:
let
  inherit (t) lib;
  managed = t.evalProject { src = ../projects/weights; };
  ignored = t.evalProject { src = ../projects/weights-nolock; };
  cpu = t.evalProject { src = ../projects/cpu; };
  pinned = modules: t.evalProject { src = ../projects/image-weights; modules = [ ../projects/image-weights/cognix.nix ] ++ modules; };
  image = pinned [ ];
  out = e: e.config.cognix.outputs;
  contents = e: map (p: p.name) e.config.package-func.args.contents;
  commit = "adff7a7b398deb02f4b19b2c463e2eeebe5ae131";

  # Every file under `dir`, relative to it.
  files = dir: lib.concatLists (lib.mapAttrsToList
    (name: type: if type == "directory" then map (f: "${name}/${f}") (files (dir + "/${name}")) else [ name ])
    (builtins.readDir dir));
in
{
  # Go's json.MarshalIndent of cog's RuntimeWeightsManifest, in cog.yaml's order, from the lock.
  runtimeRecordIsCogs = {
    expr = (out managed).weightsManifest.text;
    expected = ''
      {
        "weights": [
          {
            "name": "parakeet",
            "target": "/src/weights/parakeet",
            "setDigest": "sha256:4ebfc8927425c01119080b2e2ca1cf7d57ca9a598109ae6d17b99b9a4ad42792"
          },
          {
            "name": "minilm",
            "target": "/src/weights/minilm",
            "setDigest": "sha256:18074874da7fd77e7cf1fefcbb2fc7edee0c38417f2255962e8a4fff5567b1d2"
          }
        ]
      }'';
  };

  runtimeRecordGoesWhereSpecAndBuildPutIt = {
    expr =
      let record = lib.findFirst (p: p.name == "weights-weights-record") null managed.config.package-func.args.contents; in
      record.buildCommand;
    expected = ''
      mkdir -p $out/.cog $out/src/.cog
      cp ${(out managed).weightsManifest} $out/.cog/weights.json
      cp ${(out managed).weightsManifest} $out/src/.cog/weights.json
    '';
  };

  noManagedWeightsNoRecord = {
    expr = { manifest = (out cpu).weightsManifest; notes = (out cpu).weightsNotes; record = lib.any (lib.hasSuffix "weights-record") (contents cpu); };
    expected = { manifest = null; notes = [ ]; record = false; };
  };

  localWeightDirectoryStaysOutOfSrc = {
    expr = {
      src = files (out managed).projectFiles;
      notes = (out managed).weightsNotes;
    };
    expected = {
      src = [ "cog.nix" "cog.yaml" "lock.json" "predict.py" "weights.lock" ];
      notes = [ "cognix: the weights in weights/ are left out of /src, since cog mounts them at their target; `cog build` would copy them into the image: add `weights/` to .dockerignore." ];
    };
  };

  dockerignoredWeightDirectoryNeedsNoNote = {
    expr = { notes = (out ignored).weightsNotes; src = files (out ignored).projectFiles; };
    expected = { notes = [ ]; src = [ ".dockerignore" "cog.nix" "cog.yaml" "lock.json" "predict.py" ]; };
  };

  managedWeightsAreInTheConfigLabelOnly = {
    expr = (builtins.fromJSON (out managed).labels."run.cog.config").weights;
    expected = [
      { name = "parakeet"; target = "/src/weights/parakeet"; source = { uri = "weights"; include = [ "*.safetensors" "*.json" ]; }; }
      {
        name = "minilm";
        target = "/src/weights/minilm";
        source = {
          uri = "hf://sentence-transformers/all-MiniLM-L6-v2";
          exclude = [ "onnx/" "openvino/" "pytorch_model.bin" "tf_model.h5" "rust_model.ot" "train_script.py" "data_config.json" "README.md" ".gitattributes" ];
        };
      }
    ];
  };

  # --- cognix.imageWeights ---------------------------------------------------------------------

  pinnedSourcesOnceWithSortedPatterns = {
    expr = (out (pinned [{ cognix.imageWeights = [{ source = "hf://acme/tiny@v1.0"; include = [ "*.safetensors" "*.json" ]; target = "/src/again"; }]; }])).imageWeightsToPin;
    expected = [
      { source = "hf://acme/tiny@v1.0"; include = [ "*.json" "*.safetensors" ]; exclude = [ ]; }
      { source = "https://example.com/models/RealESRGAN_x4plus.pth"; include = [ ]; exclude = [ ]; }
    ];
  };

  eachFileIsAFixedOutputFetchOfItsPin = {
    expr = map (p: p.args) image.config.cognix.image.ownLayers;
    expected = [
      {
        name = "model.safetensors";
        url = "https://huggingface.co/acme/tiny/resolve/${commit}/model.safetensors";
        hash = "sha256:3e3a06ee653594746ce20d04257873cc68e7978d6d450f11c3ef58f34f2f8f34";
      }
      {
        name = "RealESRGAN_x4plus.pth";
        url = "https://example.com/models/RealESRGAN_x4plus.pth";
        hash = "sha256:3012c784d05783f4b3e119d7b15eb2819a5017292a2da33c898069c5cb543cf1";
      }
    ];
  };

  # Large files are linked (so they stay store paths, and layers, of their own); small ones copied.
  filesArePlacedAtTheirTargets =
    let
      small = t.pkgs.fetchurl { name = "config.json"; url = "https://huggingface.co/acme/tiny/resolve/${commit}/config.json"; hash = "sha256:98f55411cd585ea6513c2e9eef71c8b00a3f7ce7a2cc3d4073bc883bc9693c13"; };
      large = image.config.cognix.image.ownLayers;
    in
    {
      expr = (out image).imageWeights.buildCommand;
      expected = ''
        mkdir -p "$(dirname "$out"/src/weights/tiny/config.json)"
        cp ${small} "$out"/src/weights/tiny/config.json
        mkdir -p "$(dirname "$out"/src/weights/tiny/model.safetensors)"
        ln -s ${lib.elemAt large 0} "$out"/src/weights/tiny/model.safetensors
        mkdir -p "$(dirname "$out"/src/weights/esrgan/RealESRGAN_x4plus.pth)"
        ln -s ${lib.elemAt large 1} "$out"/src/weights/esrgan/RealESRGAN_x4plus.pth
      '';
    };

  largeFilesAreLayersOfTheirOwn = {
    expr =
      let paths = lib.elemAt (lib.head image.config.package-func.args.layeringPipeline) 1; in
      map (p: lib.elem (toString p) paths) image.config.cognix.image.ownLayers ++ [ (lib.elem "image-weights-image-weights" (contents image)) ];
    expected = [ true true true ];
  };

  configLabelRecordsTheImageWeights = {
    expr = (builtins.fromJSON (out image).labels."run.cog.config").image_weights;
    expected = [
      {
        source = "hf://acme/tiny@v1.0";
        target = "/src/weights/tiny";
        fingerprint = "commit:${commit}";
        files = 2;
        # cog's set digest over the two pinned files.
        setDigest = "sha256:" + builtins.hashString "sha256" (lib.concatStringsSep "\n" [
          "3e3a06ee653594746ce20d04257873cc68e7978d6d450f11c3ef58f34f2f8f34  model.safetensors"
          "98f55411cd585ea6513c2e9eef71c8b00a3f7ce7a2cc3d4073bc883bc9693c13  config.json"
        ]);
      }
      {
        source = "https://example.com/models/RealESRGAN_x4plus.pth";
        target = "/src/weights/esrgan";
        fingerprint = "sha256:3012c784d05783f4b3e119d7b15eb2819a5017292a2da33c898069c5cb543cf1";
        files = 1;
        setDigest = "sha256:" + builtins.hashString "sha256" "3012c784d05783f4b3e119d7b15eb2819a5017292a2da33c898069c5cb543cf1  RealESRGAN_x4plus.pth";
      }
    ];
  };

  lockCommandPinsTheImageWeights = {
    expr = builtins.match ".*/bin/python3 /nix/store/[a-z0-9]{32}-cognix-lock-scripts/lock_weights.py /nix/store/[a-z0-9]{32}-cognix-lock-weights.json [\\]\n.*"
      image.config.python-env.lock.fields.weights.script.text != null;
    expected = true;
  };

  noImageWeightsNothingAdded = {
    expr = { tree = (out cpu).imageWeights; layers = cpu.config.cognix.image.ownLayers; label = (builtins.fromJSON (out cpu).labels."run.cog.config") ? image_weights; };
    expected = { tree = null; layers = [ ]; label = false; };
  };
}
