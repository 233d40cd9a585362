# The image labels cog and Replicate read (cog-spec §14). All are known at evaluation time except
# the OpenAPI schema, a build result, which image.nix adds when the image is streamed.
{ config, lib, ... }:
let
  cog = config.cog;
  build = cog.build;
  nonEmpty = v: v != null && v != [ ] && v != { } && v != false;
  compact = lib.filterAttrs (_: nonEmpty);

  # The completed configuration in cog's shape: string run items become objects, mounts are
  # secrets, environment is the K=V list, a single weight source is an object, and empty values
  # are left out (Go's omitempty). JSON object keys come out sorted (builtins.toJSON), which JSON
  # readers do not mind.
  runItems = map (item: compact {
    inherit (item) command;
    mounts = map (m: { type = "secret"; inherit (m) id target; }) item.mounts;
  });
  # cognix's additions (what it builds into the image beyond cog.yaml) come after cog's keys.
  completed = config.cognix.image.configRecord // compact {
    build = compact {
      inherit (build) gpu python_version python_requirements python_packages system_packages cuda cudnn sdk_version;
      run = runItems build.run;
      pre_install = map (item: item.command) build.pre_install;
    };
    inherit (cog) image model predict train concurrency;
    environment = lib.mapAttrsToList (name: value: "${name}=${value}") cog.environment;
    weights = map
      (w: {
        inherit (w) name target;
        source = if lib.length w.source == 1 then compact' (lib.head w.source) else map compact' w.source;
      })
      cog.weights;
  };
  compact' = source: compact { inherit (source) uri include exclude; };

  # In place of `pip freeze` (which cog runs in the built image): the locked distributions.
  locked = config.cognix.outputs.locked;
  freeze = lib.concatMapStrings
    (name:
      let s = locked.${name}; in
      if s.is_direct or false then "${name} @ ${s.url}\n" else "${name}==${s.version}\n")
    (lib.attrNames locked);
in
{
  cognix.outputs.labels = {
    "run.cog.config" = builtins.toJSON completed;
    "run.cog.version" = config.cognix.cogVersion;
    "run.cog.has_init" = "true";
    "run.cog.pip_freeze" = freeze;
    "org.opencontainers.image.title" = config.name;
    "org.opencontainers.image.version" = config.version;
  } // lib.optionalAttrs (config.cognix.revision != null) {
    "org.opencontainers.image.revision" = config.cognix.revision;
  };
}
