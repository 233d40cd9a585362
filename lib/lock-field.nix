# A field of lock.json that the lock command fills: dream2nix's `lock.fields.<name>`, whose
# script is one of the lock_*.py scripts of lib/, run with the field's input (as a JSON file), the
# current lock.json (so pins it already holds can be kept) and `$out`, where the field's value is
# written. A lock made before the field existed has none (`default`).
{ lib }:
{ config, name, script, input, path ? [ ] }:
let
  deps = config.deps;
  env = config.python-env;
  # The scripts import each other's helpers from beside them.
  scripts = builtins.path {
    path = ./.;
    name = "cognix-lock-scripts";
    filter = file: _: let base = baseNameOf file; in lib.hasPrefix "lock_" base && lib.hasSuffix ".py" base;
  };
in
{
  default = { };
  script = deps.writeShellScript "cognix-lock-${name}" ''
    set -euo pipefail
    export PATH=${lib.makeBinPath path}:$PATH
    export SSL_CERT_FILE=''${SSL_CERT_FILE:-${deps.cacert}/etc/ssl/certs/ca-bundle.crt}
    export GIT_SSL_CAINFO=''${GIT_SSL_CAINFO:-$SSL_CERT_FILE}
    root=$(${env.paths.findRoot})
    exec ${deps.python3}/bin/python3 ${scripts}/${script} ${deps.writeText "cognix-lock-${name}.json" (builtins.toJSON input)} \
      "$root/${env.paths.package}/${env.paths.lockFile}" "$out"
  '';
}
