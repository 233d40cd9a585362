# Every example evaluates to an image, with the settings its cog.yaml asks for.
t:
let
  inherit (t) lib;
  example = name: t.evalProject { src = ../../../examples + "/${name}"; modules = [ (../../../examples + "/${name}/cognix.nix") ]; };
  summary = e: {
    gpu = e.config.cog.build.gpu;
    image = e.config.public.type;
    python = e.config.python-env.deps.python.pythonVersion;
  };
in
{
  cpuExample = {
    expr = summary (example "cpu-hello");
    expected = { gpu = false; image = "derivation"; python = "3.12"; };
  };

  gpuExample = {
    expr = summary (example "gpu-torch") // { cuda = (example "gpu-torch").config.cog.build.cuda; };
    expected = { gpu = true; image = "derivation"; python = "3.11"; cuda = "12.8"; };
  };

  systemAndRunExample = {
    expr = summary (example "system-run") // { runLayer = (example "system-run").config.cognix.outputs.runLayer.name; };
    expected = { gpu = false; image = "derivation"; python = "3.12"; runLayer = "system-run-run"; };
  };
}
