# The Python environment handed to dream2nix's pip module.
t:
let
  inherit (t) lib;
  cpu = t.evalProject { src = ../projects/cpu; };
  gpu = t.evalProject { src = ../projects/gpu; };
  source = t.evalProject { src = ../projects/source; };
  pip = e: e.config.python-env.pip;
in
{
  requirementsGetTheSdk = {
    expr = [ (pip cpu).requirementsList (pip gpu).requirementsList (pip source).requirementsList ];
    expected = [
      [ "numpy==1.26.4" "cog" ]
      [ "torch==2.5.1" "numpy==1.26.4" "cog==0.18.0" ]
      [ "requests==2.32.3" "cog>=0.0.0.dev0" ]
    ];
  };

  indexOptionsBecomePipFlags = {
    expr = [ (pip gpu).pipFlags (pip source).pipFlags ];
    expected = [
      [ "--extra-index-url" "https://download.pytorch.org/whl/cu124/" ]
      [ "--index-url" "https://pypi.example.com/simple" "--extra-index-url" "https://example.com/simple" "--find-links" "https://example.com/wheels.html" ]
    ];
  };

  pythonVersionSelectsTheInterpreter = {
    expr = map (e: e.config.python-env.deps.python.version) [ cpu gpu ];
    expected = [ "3.12.11" "3.11.13" ];
  };

  everyLockedPackageIsInTheEnvironment = {
    expr = { flat = (pip cpu).flattenDependencies; packages = map (p: p.name) cpu.config.cognix.outputs.pythonEnv.packages; lockFile = cpu.config.python-env.paths.lockFile; };
    # The versions are the lock's (a synthetic one); manylinux1 and wheel are dream2nix's additions.
    expected = { flat = true; packages = [ "cog-0.22.0" "numpy-1.0.0" "manylinux1" "wheel" ]; lockFile = "lock.json"; };
  };

  gpuWheelsMayMissTheDriver = {
    expr = map (e: e.config.python-env.pip.drvs.numpy.env.autoPatchelfIgnoreMissingDeps or [ ]) [ cpu gpu ];
    expected = [ [ ] [ "libcuda.so.1" "libcuda.so" "libnvidia-ml.so.1" "libnvcuvid.so.1" "libnvidia-encode.so.1" ] ];
  };

  wheelsLinkAgainstSystemPackages = {
    expr = map (p: p.name) gpu.config.python-env.pip.drvs.numpy.mkDerivation.buildInputs;
    expected = [ "ffmpeg" "libGL" "libSM" "manylinux1" ];
  };

  overridesReachSingleDistributions = {
    expr = (t.evalProject { src = ../projects/cpu; modules = [{ cognix.pythonOverrides.numpy.mkDerivation.doCheck = true; }]; }).config.python-env.pip.drvs.numpy.mkDerivation.doCheck;
    expected = true;
  };
}
