"""How many real cog.yaml files become image derivations with only `cognix-gen generate` and the
lock command (issue: every real cog project becomes an image).

For each `<name>__cog.yaml` of the corpus (with `<name>__requirements.txt` as the file cog.yaml
names): a project directory, `cognix-gen generate`, a synthetic lock.json carrying what the lock
command would write (the invalidationHash of the requirements, one wheel per requirement, a pin
for every build.run download), then the image derivation evaluated against the package-set
double. Every refusal must be a located cognix-gen error or a `cognix:` message.

Usage: run.py CORPUS_DIR COGNIX_GEN   Prints `corpus-eval: …`; exit 1 below 95% or on any
evaluation error that is not cognix's.
"""

import base64
import collections
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
THRESHOLD = 0.95


def nix_eval(phase, projects_file):
    out = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", str(HERE / "eval.nix"),
                          "--arg", "projects", str(projects_file), "--argstr", "phase", phase],
                         capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        sys.exit(f"corpus-eval: the {phase} evaluation failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout)


def first_error(project):
    """The message that stops one project's image, evaluated on its own (a throw cannot be
    caught with its text inside Nix)."""
    expr = f'((import {HERE / ".." / "eval" / "lib.nix"} {{ }}).evalProject {{ src = {project}; }}).config.public.drvPath'
    out = subprocess.run(["nix-instantiate", "--eval", "-E", expr], capture_output=True, text=True, timeout=300)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stderr)
    for line in text.splitlines():
        if line.startswith("error: "):
            return line[len("error: "):].strip()
    return text.strip().splitlines()[-1] if text.strip() else "no error text"


def lock_for(inputs):
    sources = {}
    for name in inputs["names"]:
        name = re.sub(r"[-_.]+", "-", name)
        version = "0.22.0" if name == "cog" else "1.0.0"
        wheel = f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
        sources[name] = {"is_direct": False, "sha256": hashlib.sha256(wheel.encode()).hexdigest(), "type": "url",
                         "url": f"https://files.pythonhosted.org/packages/{wheel}", "version": version}
    fetches = {}
    for d in inputs["toPin"]:
        pin = {"hash": "sha256-" + base64.b64encode(hashlib.sha256(d["url"].encode()).digest()).decode()}
        if d["tool"] == "git":
            pin["rev"] = hashlib.sha1(d["url"].encode()).hexdigest()
        fetches[d["url"]] = pin
    return {"fetchPipMetadata": {"sources": sources, "targets": {"default": {n: [] for n in sources}}},
            "fetches": fetches, "invalidationHash": inputs["invalidationHash"]}


def main(corpus, gen):
    corpus = Path(corpus)
    files = sorted(corpus.glob("*__cog.yaml"))
    work = Path(tempfile.mkdtemp(prefix="cognix-corpus-eval-"))
    try:
        projects = {}
        for f in files:
            name = f.name[: -len("__cog.yaml")]
            project = work / name
            project.mkdir()
            shutil.copy(f, project / "cog.yaml")
            requirements = corpus / f"{name}__requirements.txt"
            if requirements.exists():
                written = re.search(r"python_requirements:\s*[\"']?([^\"'\s#]+)", f.read_text())
                target = project / (written.group(1) if written else "requirements.txt")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(requirements, target)
            (project / "predict.py").write_text("")
            projects[name] = project
        generated = subprocess.run([gen, "generate", *map(str, projects.values())], capture_output=True, text=True)
        read = {n: p for n, p in projects.items() if (p / "cog.nix").exists()}
        unread = collections.Counter()
        for name, project in projects.items():
            if name in read:
                continue
            errors = [l for l in generated.stderr.splitlines() if l.startswith(f"{project}/") and "error[" in l]
            code = re.search(r"error\[(CG\d+)\]", errors[0]).group(1) if errors else "no error"
            print(f"  {name}: not read: {errors[0][len(str(project)) + 1:][:160] if errors else 'no located error'}")
            unread[code] += 1
        listing = work / "projects.json"
        listing.write_text(json.dumps([str(p) for p in read.values()]))

        refusals = collections.Counter()
        foreign = []
        inputs = nix_eval("inputs", listing)
        for name, project in read.items():
            result = inputs[str(project)]
            if result["ok"]:
                (project / "lock.json").write_text(json.dumps(lock_for(result["value"]), indent=2))
        images = nix_eval("images", listing)
        made = [n for n, p in read.items() if images[str(p)]["ok"]]
        for name, project in read.items():
            if images[str(project)]["ok"]:
                continue
            message = first_error(project)
            print(f"  {name}: {message}")
            if message.startswith("cognix:"):
                refusals[re.sub(r'"[^"]*"', '"…"', message)[:120]] += 1
            else:
                foreign.append(name)
        share = len(made) / len(read) if read else 0
        print(f"corpus-eval: {len(files)} files, {len(read)} read by cognix-gen, {len(made)} image derivations "
              f"({share:.1%} of those read), {len(read) - len(made)} refused ({len(foreign)} not by a cognix: message)")
        for code, count in unread.most_common():
            print(f"  not read {count}x: cognix-gen {code}")
        for kind, count in refusals.most_common():
            print(f"  refused {count}x: {kind}")
        return 0 if share >= THRESHOLD and not foreign and "no error" not in unread else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
