# The image configuration the cognix module gives checks/eval/projects/cpu (evaluated with the
# package-set double): what test_runtime.py starts cog's runtime with.
{ lib ? import <nixpkgs/lib> }:
let
  t = import ../eval/lib.nix { inherit lib; };
  e = t.evalProject { src = ../eval/projects/cpu; };
in
{
  inherit (e.config.package-func.args.config) Env Cmd WorkingDir Labels;
  pythonEnv = "${e.config.cognix.outputs.pythonEnv}";
  inherit (e.config.cog) predict;
  pythonVersion = e.config.cog.build.python_version;
}
