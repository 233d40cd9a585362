"""Baseline for docs/benchmarks.md: a plain PyYAML load + JSON dump of every corpus cog.yaml
(no validation, no resolution), in process and as one `python3 -c` process per file.
    python3 crates/cognix-gen/benches/pyyaml_baseline.py [corpus-dir]
"""
import glob
import json
import os
import subprocess
import sys
import time

import yaml

corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../../shared/corpus")
files = sorted(glob.glob(os.path.join(corpus, "*__cog.yaml")))
texts = [open(f, encoding="utf-8", errors="replace").read() for f in files]
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

rounds = 50
start = time.perf_counter()
for _ in range(rounds):
    for text in texts:
        try:
            json.dumps(yaml.load(text, Loader=Loader), default=str)
        except yaml.YAMLError:
            pass
elapsed = time.perf_counter() - start
print(f"pyyaml in-process ({Loader.__name__}): {elapsed * 1e3 / (rounds * len(texts)):.3f} ms per file")

rounds = 3
script = "import json,sys,yaml; json.dumps(yaml.safe_load(open(sys.argv[1])), default=str)"
start = time.perf_counter()
for _ in range(rounds):
    for f in files:
        subprocess.run([sys.executable, "-c", script, f], capture_output=True)
elapsed = time.perf_counter() - start
print(f"pyyaml process per file: {elapsed * 1e3 / (rounds * len(files)):.3f} ms per call")
