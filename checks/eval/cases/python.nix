# The Python environment handed to dream2nix's pip module.
t:
let
  inherit (t) lib;
  cpu = t.evalProject { src = ../projects/cpu; };
  gpu = t.evalProject { src = ../projects/gpu; };
  source = t.evalProject { src = ../projects/source; };
  pip = e: e.config.python-env.pip;
  releases = t.nixpkgs-python.lib.versions.releases;
  interpreterOf = version: (t.evalProject { src = ../projects/cpu; modules = [{ cog.build.python_version = lib.mkForce version; }]; }).config.cognix.outputs.interpreter;
  # The interpreter a python_version gives, and what it was built from.
  interpreter = version:
    let python = interpreterOf version; in
    { inherit (python) version; src = python.src.args or null; };
  built = version: { inherit version; src = { inherit (releases.${version}) url; sha256 = releases.${version}.hash; }; };
in
{
  # Lines nixpkgs lacks (cog refuses them since 2026) are built by nixpkgs-python, from the newest
  # release of the line; an exact release nixpkgs has is nixpkgs' own, any other is built.
  pythonVersionsNixpkgsLacksAreBuilt = {
    expr = map interpreter [ "3.8" "3.6" "3.9.7" "3.10.14" "3.12.11" "3.12" ];
    expected = [
      (built "3.8.20")
      (built "3.6.15")
      (built "3.9.7")
      (built "3.10.14")
      { version = "3.12.11"; src = null; }
      { version = "3.12.11"; src = null; }
    ];
  };

  # nixpkgs-python's own fixes for old releases reach nixpkgs' CPython expression.
  oldReleasesGetNixpkgsPythonPatches = {
    expr = map (p: builtins.baseNameOf (toString p)) (interpreterOf "3.8.5").patches;
    # (3.7-distutils-C++.patch is nixpkgs-python's replacement for nixpkgs' own, by name.)
    expected = [ "3.8.6-no-ldconfig.patch" "virtualenv-permissions.patch" "mimetypes.patch" "3.7-distutils-C++.patch" ];
  };

  # Models named like a distribution of their own lock (a project directory called `cog`, or
  # `image: r8.im/acme/numpy`) evaluate; dream2nix would take the distribution for the root.
  modelNamedLikeALockedPackage = {
    expr = map (name: builtins.isString (t.evalProject { src = ../projects/cpu; inherit name; }).config.public.drvPath) [ "cog" "numpy" ];
    expected = [ true true ];
  };

  # A whole model on Python 3.8: the image evaluates with the built interpreter in its environment.
  py38ImageEvaluates = {
    expr =
      let e = t.evalProject { src = ../projects/py38; }; in
      { python = e.config.python-env.deps.python.version; image = builtins.isString e.config.public.drvPath; };
    expected = { python = "3.8.20"; image = true; };
  };

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

  wheelsFindSystemLibrariesAtRunTime = {
    expr = map (e: {
      ignore = e.config.python-env.pip.drvs.numpy.env.autoPatchelfIgnoreMissingDeps;
      inputs = map (p: p.name) e.config.python-env.pip.drvs.numpy.mkDerivation.buildInputs;
    }) [ cpu gpu ];
    # gpu has ffmpeg, libGL and libSM as system packages; no wheel depends on them.
    expected = [ { ignore = true; inputs = [ "manylinux1" ]; } { ignore = true; inputs = [ "manylinux1" ]; } ];
  };

  dream2nixOverridesStillApply = {
    expr = {
      ignore = gpu.config.python-env.pip.drvs.torch.env.autoPatchelfIgnoreMissingDeps;
      builds = lib.hasSuffix ".drv" gpu.config.python-env.pip.drvs.torch.public.out.drvPath;
    };
    expected = { ignore = [ "libcuda.so.1" ]; builds = true; };
  };

  wheelsAreTheSameWhateverTheSystemPackages = {
    expr = (t.evalProject { src = ../projects/cpu; modules = [{ cognix.systemPackages = [ t.pkgs.ffmpeg ]; }]; }).config.python-env.pip.drvs.numpy.public.out.drvPath
      == cpu.config.python-env.pip.drvs.numpy.public.out.drvPath;
    expected = true;
  };

  overridesReachSingleDistributions = {
    expr = (t.evalProject { src = ../projects/cpu; modules = [{ cognix.pythonOverrides.numpy.mkDerivation.doCheck = true; }]; }).config.python-env.pip.drvs.numpy.mkDerivation.doCheck;
    expected = true;
  };
}
