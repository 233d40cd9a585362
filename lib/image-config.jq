# The configuration dockerTools' stream script reads, completed with what only the build knows
# (modules/image.nix runs this with jq -f on the stream's conf):
#
#   $schema       the OpenAPI schema file's text, or null. The label is that text byte for byte,
#                 as cog stores it: compact for one predictor, indented for predict + train.
#   $predictor[0] what cog's build adds to the configuration from the predictor
#                 (lib/openapi_schema.py --config-from-predictor): {} or {"concurrency":{"max":N}}.
#                 cog bakes it into the environment (COG_MAX_CONCURRENCY) and the run.cog.config
#                 label; the runtime serves one prediction at a time without it.
($predictor[0].concurrency // null) as $concurrency
| if $schema == null then . else .config.Labels["run.cog.openapi_schema"] = $schema end
| if $concurrency == null then .
  else
    # Env and the config label stay ordered by name, as the module writes them.
    .config.Env |= (. + ["COG_MAX_CONCURRENCY=\($concurrency.max)"] | sort_by(split("=")[0]))
    | .config.Labels["run.cog.config"] |=
        (fromjson | .concurrency = $concurrency | to_entries | sort_by(.key) | from_entries | tojson)
  end
