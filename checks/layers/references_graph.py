"""flattenReferencesGraph's layering pipeline, re-implemented from its documented semantics.

nixpkgs' dockerTools.streamLayeredImage hands `layeringPipeline` to flattenReferencesGraph
(pkgs/by-name/fl/flattenReferencesGraph, read at the commits recorded in
checks/eval/nixpkgs-facts.json). This module does what that tool does with a closure, written
anew on the same libraries (python-igraph and toolz), so a pipeline can be tried on a synthetic
closure without building anything:

* The closure (exportReferencesGraph's list of {path, narSize, closureSize, references}) becomes
  a directed igraph graph, an edge from each path to each path it references. Vertices are
  numbered by ascending narSize; igraph's subgraphs keep that order.
* A pipeline is a list of steps `[name, *args]`, each applied to the result of the one before.
  `over` and `map` take a step as their argument, `pipe` a list of steps.
* The result, nested lists and dicts of graphs, is flattened into layers: each non-empty graph
  is one layer, its vertex names the layer's store paths.
"""

from collections.abc import Iterable

import igraph
import toolz


# -- the closure ----------------------------------------------------------------------------


def closure_graph(references_graph, exclude_paths=()):
    """The closure as a graph, without `exclude_paths` (make-layers.nix excludes the image
    configuration and the customisation layer, which are its roots)."""
    excluded = frozenset(exclude_paths)
    nodes = sorted((node for node in references_graph if node["path"] not in excluded),
                   key=lambda node: node["narSize"])
    graph = igraph.Graph(directed=True)
    graph.add_vertices(len(nodes))
    graph.vs["name"] = [node["path"] for node in nodes]
    graph.vs["narSize"] = [node["narSize"] for node in nodes]
    graph.vs["closureSize"] = [node.get("closureSize", node["narSize"]) for node in nodes]
    index = {node["path"]: i for i, node in enumerate(nodes)}
    graph.add_edges([
        (index[node["path"]], index[ref])
        for node in nodes
        for ref in node["references"]
        if ref != node["path"] and ref not in excluded
    ])
    return graph


def _vertices_named(graph, paths):
    names = set(graph.vs["name"]) if graph.vcount() else set()
    return [graph.vs.find(name=p).index for p in paths if p in names]


def _empty():
    return igraph.Graph(directed=True)


def _union(graphs):
    """One graph with the vertices (and the edges among them) of all `graphs`."""
    return toolz.reduce(lambda acc, g: acc + g if g.vcount() else acc, graphs, _empty())


# -- the operators ----------------------------------------------------------------------------


def flatten(data):
    """Nested lists, iterators and dict values, as one flat sequence of graphs."""
    items = data.values() if isinstance(data, dict) else data
    for item in items:
        if isinstance(item, (dict, Iterable)) and not isinstance(item, (str, bytes, igraph.Graph)):
            yield from flatten(item)
        else:
            yield item


def over(key, step, data):
    """`step` applied to one entry of a dict, the others unchanged."""
    return toolz.assoc(data, key, step(data[key]))


def split_every(count, graph):
    """Consecutive runs of `count` vertices, in vertex order, each as a graph."""
    return [graph.induced_subgraph(range(i, min(i + count, graph.vcount())))
            for i in range(0, graph.vcount(), count)]


def limit_layers(count, graphs):
    """The first `count - 1` graphs, then one graph holding all the others."""
    assert count > 0, "limit_layers needs a count above 0"
    graphs = list(graphs)
    return graphs[:count - 1] + [_union(graphs[count - 1:])]


def remove_paths(paths, graph):
    if isinstance(paths, str):
        paths = [paths]
    doomed = _vertices_named(graph, paths)
    return graph - doomed if doomed else graph


def reverse(items):
    return list(reversed(list(items)))


def _subcomponent(mode, paths, graph):
    start = _vertices_named(graph, paths)
    main = sorted(set(toolz.concat(graph.subcomponent(v, mode=mode) for v in start)))
    return {"main": graph.induced_subgraph(main), "rest": graph - main}


def subcomponent_out(paths, graph):
    """main: the paths and everything they reference, transitively; rest: the others."""
    return _subcomponent("out", paths, graph)


def subcomponent_in(paths, graph):
    """main: the paths and everything that references them, transitively; rest: the others."""
    return _subcomponent("in", paths, graph)


def split_paths(specs, graph):
    """main: the paths and what only they use; common: what they share with the rest of the
    closure; rest: everything else. A spec is a path or {"children_of": path or [paths]}.
    Empty parts are left out; with no path in the graph, everything is rest."""
    chosen = []
    for spec in specs:
        if isinstance(spec, dict):
            parents = spec["children_of"] if isinstance(spec["children_of"], list) else [spec["children_of"]]
            chosen += toolz.concat(graph.successors(v) for v in _vertices_named(graph, parents))
        else:
            chosen += _vertices_named(graph, [spec])
    if not chosen:
        return {"rest": graph}
    roots = [v.index for v in graph.vs if graph.indegree(v.index) == 0]
    if set(roots) <= set(chosen):
        return {"main": graph}
    split_off = set(toolz.concat(graph.subcomponent(v, mode="out") for v in chosen))
    # What the roots still reach once nothing may reach a chosen path.
    cut = graph.copy()
    cut.delete_edges(cut.es.select(_target_in=chosen))
    reachable = set(toolz.concat(cut.subcomponent(r, mode="out") for r in roots if r not in chosen))
    common = split_off & reachable
    parts = {
        "main": graph.induced_subgraph(sorted(split_off - common)),
        "common": graph.induced_subgraph(sorted(common)),
        "rest": graph.induced_subgraph(sorted(reachable - common)),
    }
    return {key: part for key, part in parts.items() if part.vcount()}


def _package_name(path):
    """A store path with its hash moved to the end: equally popular paths sort by name."""
    first, _, rest = path.partition("-")
    return rest + "-" + first if rest else first


def popularity_contest(graph):
    """Every path as a graph of its own, most popular first: a path's popularity counts its
    occurrences in the tree of all reference chains from the roots, each weighted by its depth
    below the occurrence that brought it (grahamc's algorithm); ties go by package name."""
    names = graph.vs["name"] if graph.vcount() else []
    children = {v: graph.successors(v) for v in range(graph.vcount())}
    below = {}

    def counts_below(vertex):
        # Popularity within the forest of `vertex`'s references.
        if vertex not in below:
            total = {}
            for child in children[vertex]:
                total[child] = total.get(child, 0) + 1
                for deeper, count in counts_below(child).items():
                    total[deeper] = total.get(deeper, 0) + count + 1
            below[vertex] = total
        return below[vertex]

    popularity = {}
    for root in (v for v in range(graph.vcount()) if graph.indegree(v) == 0):
        popularity[root] = popularity.get(root, 0) + 1
        for vertex, count in counts_below(root).items():
            popularity[vertex] = popularity.get(vertex, 0) + count + 1
    ordered = sorted(popularity, key=lambda v: (-popularity[v], _package_name(names[v])))
    return [graph.induced_subgraph([v]) for v in ordered]


OPERATORS = {
    "flatten": flatten,
    "over": over,
    "split_every": split_every,
    "limit_layers": limit_layers,
    "remove_paths": remove_paths,
    "reverse": reverse,
    "subcomponent_in": subcomponent_in,
    "subcomponent_out": subcomponent_out,
    "split_paths": split_paths,
    "popularity_contest": popularity_contest,
    "map": lambda step, items: [step(item) for item in items],
    "pipe": lambda steps, data: run_pipeline(steps, data),
}


def step_function(step):
    """A pipeline step as a function of the data alone."""
    name, *args = step
    if name == "over":
        args = [args[0], step_function(args[1])]
    elif name == "map":
        args = [step_function(args[0])]
    return toolz.curry(OPERATORS[name])(*args)


def run_pipeline(steps, data):
    return toolz.pipe(data, *map(step_function, steps))


def layers(references_graph, pipeline, exclude_paths=()):
    """The store layers streamLayeredImage would make: lists of store paths, empty ones left out."""
    result = run_pipeline(pipeline, closure_graph(references_graph, exclude_paths))
    return [g.vs["name"] for g in flatten(result) if g.vcount()]
