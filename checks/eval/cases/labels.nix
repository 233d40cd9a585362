# The labels cog and Replicate read.
t:
let
  cpu = t.evalProject { src = ../projects/cpu; };
  gpu = t.evalProject { src = ../projects/gpu; modules = [{ cognix.revision = "abc123"; }]; };
  labels = e: e.config.package-func.args.config.Labels;
in
{
  cpuLabels = {
    expr = labels cpu;
    expected = {
      "org.opencontainers.image.title" = "cpu";
      "org.opencontainers.image.version" = "0";
      "run.cog.config" = ''{"build":{"python_packages":["numpy==1.26.4"],"python_version":"3.12"},"predict":"predict.py:Predictor"}'';
      "run.cog.has_init" = "true";
      "run.cog.pip_freeze" = "cog==0.22.0\nnumpy==1.0.0\n";
      "run.cog.version" = "0.22.0";
    };
  };

  gpuConfigLabelHasTheResolvedCuda = {
    expr = builtins.fromJSON (labels gpu)."run.cog.config";
    expected = {
      build = {
        gpu = true;
        python_version = "3.11";
        python_packages = [ "torch==2.5.1" "numpy==1.26.4" ];
        system_packages = [ "ffmpeg" "libgl1" "libsm6" ];
        cuda = "12.4";
        cudnn = "9";
        sdk_version = "0.18.0";
      };
      predict = "predict.py:Predictor";
      train = "train.py:Trainer";
      concurrency.max = 4;
      environment = [ "HF_HOME=/src/.cache" "HF_HUB_OFFLINE=1" ];
    };
  };

  revisionLabel = {
    expr = (labels gpu)."org.opencontainers.image.revision";
    expected = "abc123";
  };

  # lib/image-config.jq does the work (checks/runtime tests it with jq): the schema file's text
  # as the label (issue 11: it was re-encoded compact), the predictor's concurrency.
  schemaAndPredictorConfigAreAddedWhenStreaming = {
    expr = cpu.config.package-func.result.conf.buildCommand;
    expected = ''
      jq -f ${../../../lib/image-config.jq} \
        --rawfile schema ${cpu.config.cognix.outputs.openapiSchema} \
        --slurpfile predictor ${cpu.config.cognix.outputs.predictorConfig} \
        ${cpu.config.package-func.result.stream.conf} > $out
    '';
  };

  # A schema given (or left by cog) is still read for the predictor's concurrency, leniently.
  predictorConfigWithAGivenSchema = {
    expr = let e = t.evalProject { src = ../projects/cpu; modules = [{ cognix.openapiSchema = ../projects/cpu/cog.yaml; }]; };
      c = e.config.cognix.outputs.predictorConfig.buildCommand; in
    {
      lenient = t.lib.hasInfix "echo '{}' > $out" c;
      arguments = t.lib.hasInfix "--predict predict.py:Predictor --config-from-predictor --python-version 3.12 > $out ||" c;
    };
    expected = { lenient = true; arguments = true; };
  };

  predictorConfigIsStrictWhenTheSchemaIsGenerated = {
    expr = t.lib.hasSuffix "--predict predict.py:Predictor --train train.py:Trainer --config-from-predictor --concurrency 4 --python-version 3.11 > $out" gpu.config.cognix.outputs.predictorConfig.buildCommand;
    expected = true;
  };
}
