# Every example evaluates to an image, with the settings its cog.yaml asks for.
t:
let
  inherit (t) lib;
  example = name: t.evalProject { src = ../../../examples + "/${name}"; modules = [ (../../../examples + "/${name}/cognix.nix") ]; };
  # Every locked distribution becomes a derivation (dream2nix's overrides included), and the
  # image derivation evaluates.
  summary = e: {
    gpu = e.config.cog.build.gpu;
    image = lib.hasSuffix ".drv" e.config.public.drvPath;
    python = e.config.python-env.deps.python.pythonVersion;
    distributions = lib.all (d: lib.hasSuffix ".drv" d.public.out.drvPath) (lib.attrValues e.config.python-env.pip.drvs);
  };
in
{
  cpuExample = {
    expr = summary (example "cpu-hello");
    expected = { gpu = false; image = true; python = "3.12"; distributions = true; };
  };

  gpuExample = {
    expr = summary (example "gpu-torch") // { cuda = (example "gpu-torch").config.cog.build.cuda; };
    expected = { gpu = true; image = true; python = "3.11"; distributions = true; cuda = "12.8"; };
  };

  systemAndRunExample = {
    expr = summary (example "system-run") // { runLayer = (example "system-run").config.cognix.outputs.runLayer.name; };
    expected = { gpu = false; image = true; python = "3.12"; distributions = true; runLayer = "system-run-run"; };
  };
}
