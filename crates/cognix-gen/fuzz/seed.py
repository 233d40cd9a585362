#!/usr/bin/env python3
"""Fills fuzz/corpus/<target>/ with seeds from the shared cog.yaml corpus and tests/fixtures (run once; the corpus is git-ignored).

Usage: python3 seed.py [CORPUS_DIR]   (default $COGNIX_CORPUS, else shared/corpus beside the repository)
"""
import hashlib
import os
import pathlib
import re
import sys

here = pathlib.Path(__file__).resolve().parent
default = os.environ.get("COGNIX_CORPUS") or str(here.parents[2].parent / "shared" / "corpus")
src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else default)
fixtures = here.parent / "tests" / "fixtures"
out = here / "corpus"


def put(target, data):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


yamls = sorted(src.glob("*__cog.yaml")) + sorted(fixtures.rglob("*.yaml")) + sorted(fixtures.rglob("*.yml"))
reqs = sorted(src.glob("*requirements.txt")) + sorted(fixtures.rglob("*requirements*.txt"))

for y in yamls:
    data = y.read_bytes()
    put("yaml_front_end", data)
    put("pipeline", data)
    # The project's own requirements file, when the corpus has it, makes a two-part pipeline seed.
    r = src / y.name.replace("__cog.yaml", "__requirements.txt")
    if not r.exists():
        r = y.parent / "requirements.txt"
    if r.exists():
        put("pipeline", data + b"\xff" + r.read_bytes())

for r in reqs:
    put("requirements", r.read_bytes())
    # python_assemble: the first byte picks gpu (bit 0), strict mode (bit 1) and the CUDA version.
    for flags in (0x00, 0x05, 0x09, 0x0F):
        put("python_assemble", bytes([flags]) + r.read_bytes())

# run: commands — list items under a `run:` key (not the top-level predictor `run: x.py:P`).
item = re.compile(r'^(\s*)-\s+(?:command:\s*)?(.*)$')
for y in yamls:
    in_run, indent = False, None
    for line in y.read_text(errors="replace").splitlines():
        stripped = line.strip()
        if re.match(r'^\s+(run|pre_install):\s*$', line):
            in_run, indent = True, len(line) - len(line.lstrip())
            continue
        if not in_run:
            continue
        if stripped == "" or stripped.startswith("#"):
            continue
        cur = len(line) - len(line.lstrip())
        m = item.match(line)
        if cur < indent or (cur == indent and not m):
            in_run = False
            continue
        if m:
            cmd = m.group(2).strip()
            if len(cmd) >= 2 and cmd[0] == cmd[-1] and cmd[0] in "\"'":
                cmd = cmd[1:-1]
            if cmd and not cmd.startswith("mounts:"):
                put("run_commands", cmd.encode())

for t in ["yaml_front_end", "pipeline", "requirements", "run_commands", "nix_emitter", "python_assemble"]:
    (out / t).mkdir(parents=True, exist_ok=True)
    print(t, len(list((out / t).iterdir())))
