"""The image's layers for closures of several hundred store paths (issue 11, layer spill).

The cognix module is evaluated (checks/layers/pipeline.nix, with the package-set double) for the
examples, and the layering pipeline streamLayeredImage would receive is run on synthetic
closures built around the examples' real locked distributions: the GPU example's torch, triton
and 14 nvidia wheels, plus a hundred more distributions, Python's closure, a system-package
closure of a few hundred libraries, /src and the image's tools. Store path sizes are typical
installed sizes of those packages (torch 2.7 with CUDA 12.8, nixpkgs 25.05), rounded.

references_graph.py runs a pipeline the way nixpkgs' flattenReferencesGraph does; its operators
are checked first against the examples its documentation gives.

Run directly (checks/layers/run.sh does) to get one summary line: `layers: N passed, M failed`.
Needs nix-instantiate with <nixpkgs/lib> and <dream2nix> on NIX_PATH.
"""

import hashlib
import json
import os
import random
import subprocess
import sys
import unittest

import references_graph as frg

HERE = os.path.dirname(os.path.abspath(__file__))
MB = 1_000_000

# Installed sizes (MB) of the GPU example's heavy distributions.
SIZES_MB = {
    "torch": 1700, "triton": 420, "nvidia-cudnn-cu12": 1000, "nvidia-cublas-cu12": 600,
    "nvidia-nccl-cu12": 320, "nvidia-cusparse-cu12": 300, "nvidia-cufft-cu12": 290,
    "nvidia-cusolver-cu12": 280, "nvidia-cusparselt-cu12": 230, "nvidia-curand-cu12": 210,
    "nvidia-cuda-nvrtc-cu12": 90, "nvidia-nvjitlink-cu12": 90, "nvidia-cuda-cupti-cu12": 25,
    "nvidia-cuda-runtime-cu12": 3, "nvidia-cufile-cu12": 3, "nvidia-nvtx-cu12": 0.3,
    "sympy": 30, "networkx": 10, "setuptools": 5, "coglet": 12,
}
PYTHON_CLOSURE_MB = {
    "python3-3.11.13": 100, "glibc-2.40-66": 30, "gcc-14.2.1-lib": 9, "openssl-3.4.1": 8,
    "sqlite-3.48.0": 2, "tzdata-2025b": 2, "ncurses-6.5": 3, "xz-5.8.1": 1, "readline-8.2p13": 1,
    "gdbm-1.25-lib": 0.5, "expat-2.7.1": 0.4, "mpdecimal-4.0.0": 0.3, "libxcrypt-4.4.38": 0.3,
    "zlib-1.3.1": 0.2, "bzip2-1.0.8": 0.2, "libffi-3.4.8": 0.1, "bash-5.2p37": 1.5,
    "libidn2-2.3.8": 0.4, "libunistring-1.3": 2,
}


def store_path(name, salt=""):
    digest = hashlib.sha256((salt + name).encode()).hexdigest()
    return "/nix/store/%s-%s" % (digest[:32], name)


class Closure:
    """An exportReferencesGraph-style closure, built up path by path."""

    def __init__(self):
        self.nodes = {}

    def add(self, path, size_mb, references=()):
        self.nodes[path] = {"path": path, "narSize": int(size_mb * MB),
                            "references": [path, *references]}
        return path

    def size(self, path):
        return self.nodes[path]["narSize"]

    def requisites(self, paths):
        """The paths and everything they reference, transitively."""
        seen, todo = set(), list(paths)
        while todo:
            path = todo.pop()
            if path not in seen:
                seen.add(path)
                todo += self.nodes[path]["references"]
        return seen

    def graph(self):
        return list(self.nodes.values())


def gpu_model_closure(model, extra_distributions, system_libraries, salt):
    """The closure of an image of `model` (an entry of pipeline.nix's output), with
    `extra_distributions` more locked distributions and `system_libraries` libraries of system
    packages; `salt` makes the model's own paths (its extra distributions, system packages, /src,
    environment) differ between models."""
    rng = random.Random(salt)
    c = Closure()
    python = {name: store_path(name) for name in PYTHON_CLOSURE_MB}
    glibc, gcclib, zlib = python["glibc-2.40-66"], python["gcc-14.2.1-lib"], python["zlib-1.3.1"]
    for name, size in PYTHON_CLOSURE_MB.items():
        refs = [] if name == "glibc-2.40-66" else [glibc]
        if name.startswith("python3"):
            refs = [p for n, p in python.items() if n != name and not n.startswith("bash")]
        c.add(python[name], size, refs)
    interpreter = python["python3-3.11.13"]
    runtime = [interpreter, glibc, gcclib, zlib]

    distributions = dict(model["distributions"])
    for name, path in distributions.items():
        size = SIZES_MB.get(name, 0.2 + rng.random() * 4)
        refs = list(runtime)
        if name == "torch":
            refs += [p for n, p in distributions.items() if n.startswith("nvidia-") or n == "triton"]
        c.add(path, size, refs)
    for i in range(extra_distributions):
        name = "dist-%03d-1.0" % i
        size = 0.05 * (1600 ** rng.random())  # 50 kB .. 80 MB, log-uniform
        distributions[name] = c.add(store_path(name, salt), size, runtime if i % 3 else [interpreter])

    libraries = []
    for i in range(system_libraries):
        refs = [glibc] + rng.sample(libraries, min(len(libraries), rng.randrange(4)))
        libraries.append(c.add(store_path("lib%03d-2.1" % i, salt), 0.05 * (800 ** rng.random()), refs))
    ffmpeg = c.add(store_path("ffmpeg-7.1.1-lib", salt), 15, [glibc] + libraries[:: 3])
    mesa = c.add(store_path("mesa-25.0.5", salt), 200, [glibc, gcclib] + libraries[1:: 5])

    env = c.add(store_path("python3.11-env", salt), 0.5, [interpreter, *distributions.values()])
    coreutils = c.add(store_path("coreutils-9.7"), 7, [glibc])
    bash = python["bash-5.2p37"]
    cacert = c.add(store_path("nss-cacert-3.111"), 0.5)
    contents = [
        env, c.add(store_path("tini-0.19.0"), 0.9, [glibc]), bash, coreutils,
        c.add(store_path("ca-certificates"), 0.01, [cacert]),
        c.add(store_path("usr-bin-env"), 0.01, [coreutils]),
        c.add(store_path("bin-sh"), 0.01, [bash]),
        c.add(store_path("fake-nss"), 0.01),
        c.add(store_path("model-src", salt), 0.3),
        ffmpeg, mesa,
        c.add(store_path("cognix-gpu-loader"), 0.01, [glibc]),
    ]
    customisation = c.add(store_path("customisation-layer", salt), 1, contents)
    base = c.add(store_path("base.json", salt), 0.01, [env, contents[1], ffmpeg, mesa])
    return c, distributions, [base, customisation]


def nix_models():
    """pipeline.nix's output: for each example, its pipeline, distributions and budget."""
    out = subprocess.run(
        ["nix-instantiate", "--eval", "--strict", "--json", "--read-write-mode",
         "-E", "import %s {}" % os.path.join(HERE, "pipeline.nix")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600, check=False)
    if out.returncode != 0:
        raise RuntimeError("pipeline.nix did not evaluate:\n" + out.stderr.decode(errors="replace"))
    return json.loads(out.stdout)


MODELS = nix_models()


class Operators(unittest.TestCase):
    """references_graph.py against the examples of flattenReferencesGraph's documentation."""

    def test_popularity_contest_documented_example(self):
        # popularity_contest.py's comment: A-B-C-D-F, C-E-F, B-E, A-G gives F E D C B G A.
        edges = {"A": "BG", "B": "CE", "C": "DE", "D": "F", "E": "F", "F": "", "G": ""}
        closure = [{"path": "/nix/store/%s-%s" % (n * 32, n), "narSize": 1,
                    "references": ["/nix/store/%s-%s" % (r * 32, r) for r in refs]}
                   for n, refs in edges.items()]
        order = [p[-1] for [p] in frg.layers(closure, [["popularity_contest"]])]
        self.assertEqual(order, list("FEDCBGA"))

    def test_split_paths_main_common_rest(self):
        # root -> a -> {b, c}; root -> d -> c: split at a gives main {a, b}, common {c}, rest {root, d}.
        edges = {"root": ["a", "d"], "a": ["b", "c"], "d": ["c"], "b": [], "c": []}
        closure = [{"path": n, "narSize": i, "references": refs} for i, (n, refs) in enumerate(edges.items())]
        result = frg.run_pipeline([["split_paths", ["a"]]], frg.closure_graph(closure))
        self.assertEqual({k: sorted(g.vs["name"]) for k, g in result.items()},
                         {"main": ["a", "b"], "common": ["c"], "rest": ["d", "root"]})

    def test_limit_layers_merges_the_tail(self):
        closure = [{"path": str(i), "narSize": i, "references": []} for i in range(5)]
        self.assertEqual(frg.layers(closure, [["split_every", 1], ["limit_layers", 3]]),
                         [["0"], ["1"], ["2", "3", "4"]])

    def test_vertices_are_ordered_by_size(self):
        closure = [{"path": n, "narSize": s, "references": []} for n, s in [("big", 9), ("small", 1), ("mid", 5)]]
        self.assertEqual(frg.layers(closure, [["split_every", 1], ["reverse"]]), [["big"], ["mid"], ["small"]])


class GpuClosure(unittest.TestCase):
    """torch, every nvidia wheel and every large path keep a layer of their own."""

    def check_closure(self, extra, libraries):
        model = MODELS["gpu-torch"]
        closure, distributions, roots = gpu_model_closure(model, extra, libraries, salt="a")
        self.assertGreater(len(closure.nodes), 300)
        layers = frg.layers(closure.graph(), model["layeringPipeline"], exclude_paths=roots)
        self.assertLessEqual(len(layers), model["budget"])
        alone = {layer[0] for layer in layers if len(layer) == 1}
        for name, path in distributions.items():
            if name == "torch" or name.startswith("nvidia-") or closure.size(path) >= 50 * MB:
                self.assertIn(path, alone, "%s shares a layer" % name)
        merged = layers[-1]
        self.assertGreater(len(merged), 1, "the closure fits the budget: nothing is tested")
        # Past what the shared distributions use, only the smallest paths share the last layer.
        shared = closure.requisites(p for n, p in distributions.items() if n == "torch" or n.startswith("nvidia-"))
        self.assertTrue(shared <= alone)
        self.assertLessEqual(max(closure.size(p) for p in merged), min(closure.size(p) for p in alone - shared))
        return layers

    def test_several_hundred_paths(self):
        self.check_closure(extra=100, libraries=250)

    def test_a_thousand_paths(self):
        self.check_closure(extra=300, libraries=550)

    def test_layers_are_shared_between_models(self):
        model = MODELS["gpu-torch"]
        single = {}
        for salt in ("a", "b"):
            closure, distributions, roots = gpu_model_closure(model, 100 if salt == "a" else 60, 250, salt)
            layers = frg.layers(closure.graph(), model["layeringPipeline"], exclude_paths=roots)
            single[salt] = {layer[0] for layer in layers if len(layer) == 1}
        heavy = [p for n, p in model["distributions"].items() if n == "torch" or n.startswith("nvidia-")]
        for path in heavy:
            self.assertIn(path, single["a"] & single["b"])

    def test_popularity_pipeline_spilled_torch(self):
        # The pipeline cognix used before (issue 11): the distributions by popularity first. In a
        # closure this size, torch and most nvidia wheels ended up in the merged last layer.
        model = MODELS["gpu-torch"]
        closure, distributions, roots = gpu_model_closure(model, 100, 250, salt="a")
        before = [["split_paths", list(distributions.values())], ["flatten"],
                  ["map", ["popularity_contest"]], ["flatten"], ["limit_layers", model["budget"]]]
        layers = frg.layers(closure.graph(), before, exclude_paths=roots)
        self.assertIn(distributions["torch"], layers[-1])


class CpuClosure(unittest.TestCase):
    def test_small_closure_every_path_alone(self):
        model = MODELS["cpu-hello"]
        closure, _, roots = gpu_model_closure(model, 0, 20, salt="cpu")
        layers = frg.layers(closure.graph(), model["layeringPipeline"], exclude_paths=roots)
        self.assertLess(len(closure.nodes) - len(roots), model["budget"])
        self.assertTrue(all(len(layer) == 1 for layer in layers))
        self.assertEqual(len(layers), len(closure.nodes) - len(roots))


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print("layers: %d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
