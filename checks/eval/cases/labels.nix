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

  schemaLabelIsAddedWhenStreaming = {
    expr = cpu.config.package-func.result.conf.buildCommand;
    expected = ''
      jq --slurpfile schema ${cpu.config.cognix.outputs.openapiSchema} \
        '.config.Labels["run.cog.openapi_schema"] = ($schema[0] | tojson)' ${cpu.config.package-func.result.stream.conf} > $out
    '';
  };
}
