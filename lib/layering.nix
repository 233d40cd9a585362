# The image's layering pipeline for dockerTools.streamLayeredImage (nixpkgs'
# pkgs/by-name/fl/flattenReferencesGraph; its operators are recorded in
# checks/eval/nixpkgs-facts.json).
#
# Store layers are a budget (cognix.maxLayers - 1, the customisation layer is the last one), and
# a layer is only shared between models when it holds exactly one store path, so the budget goes
# to the paths that matter most, in this order:
#
#   1. the `shared` distributions (torch and the nvidia wheels by default), the paths given their
#      own layers (large weight files), and everything they use (Python, glibc, ...), largest
#      first: these layers are the same in every model that locks the same versions, whatever
#      else the model holds;
#   2. the rest of the closure, largest first.
#
# What exceeds the budget shares the last store layer: the smallest paths of the rest, so the one
# layer that changes with the model is small. "Largest first" is `split_every 1` then `reverse`:
# flattenReferencesGraph numbers the closure's vertices by ascending narSize (lib.py,
# references_graph_to_igraph), and its subgraphs keep that order.
#
# Popularity (streamLayeredImage's default) would do worse here: torch and the nvidia wheels are
# referenced by the Python environment alone, so they sort last and, past about 100 store paths,
# end up merged with everything else in the last layer.
{ lib }:

/** The pipeline.

    # Inputs
    - `distributions`: the locked Python distributions, name → store path.
    - `shared`: names, or patterns with `*`, of the distributions that always get a layer of their own.
    - `ownLayers`: other store paths that always get a layer of their own (large weight files).
    - `budget`: the number of store layers.

    # Type
    pipeline :: { distributions :: AttrSet, shared :: [String], ownLayers :: [String], budget :: Int } -> [Step]
*/
{ distributions, shared, ownLayers ? [ ], budget }:
let
  matches = name: pattern:
    builtins.match (lib.concatMapStringsSep ".*" lib.escapeRegex (lib.splitString "*" pattern)) name != null;
  sharedPaths = lib.attrValues (lib.filterAttrs (name: _: lib.any (matches name) shared) distributions) ++ ownLayers;
  largestFirst = [ "pipe" [ [ "split_every" 1 ] [ "reverse" ] ] ];
in
[
  # { main = the shared distributions and everything they reference; rest = the others }
  [ "subcomponent_out" sharedPaths ]
  [ "over" "main" largestFirst ]
  [ "over" "rest" largestFirst ]
  [ "flatten" ]
  [ "limit_layers" budget ]
]
