# The same inputs give the same image wherever the project is checked out: everything read
# from the project is copied by content, nothing depends on its path.
t:
let
  a = t.evalProject { src = t.copies.a; name = "model"; };
  b = t.evalProject { src = t.copies.b; name = "model"; };
in
{
  sameImageAtTwoCheckoutPaths = {
    expr = a.config.public.drvPath == b.config.public.drvPath && t.copies.a != t.copies.b;
    expected = true;
  };

  sameLabelsAndEnvironment = {
    expr = a.config.package-func.args.config == b.config.package-func.args.config;
    expected = true;
  };
}
