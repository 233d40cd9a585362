"""The image's configuration, as the build completes it, under cog's real runtime.

* ImageConfig: lib/image-config.jq, which completes the stream's configuration while the image is
  built, run with jq: the schema label is the schema file's text byte for byte, and the
  predictor's @cog.concurrent becomes COG_MAX_CONCURRENCY and `concurrency` in run.cog.config.
* CogRuntime: the Env and Cmd the cognix module evaluates to (checks/runtime/image.nix), completed
  the way the build completes them (lib/openapi_schema.py --config-from-predictor, then
  lib/image-config.jq), start coglet 0.22.0 from PyPI on 127.0.0.1 with project/predict.py, an
  async predictor with `@concurrent(max=4)`. Two overlapping predictions must both be served
  (issue 11: without COG_MAX_CONCURRENCY the runtime answers 409 to the second), and
  /openapi.json must be the schema of the label.

The image's store paths are replaced by this machine's: the Python environment by the virtual
environment in COGNIX_RUNTIME_VENV, /src by a copy of project/, HOME=/root by a temporary directory.

Run directly (run.sh does) for one summary line: `runtime: N passed, M failed`.
"""

import concurrent.futures
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
IMAGE_CONFIG = os.path.join(REPO, "lib", "image-config.jq")
SCHEMA_SCRIPT = os.path.join(REPO, "lib", "openapi_schema.py")
VENV = os.environ.get("COGNIX_RUNTIME_VENV", "")
PYTHON = os.path.join(VENV, "bin", "python") if VENV else sys.executable


def complete(conf, schema_text, predictor):
    """lib/image-config.jq on `conf`, as modules/image.nix runs it."""
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, content in (("conf.json", json.dumps(conf)), ("schema.json", schema_text),
                              ("predictor.json", json.dumps(predictor))):
            files[name] = os.path.join(tmp, name)
            if content is not None:
                with open(files[name], "w", encoding="utf-8") as handle:
                    handle.write(content)
        schema = ["--argjson", "schema", "null"] if schema_text is None else ["--rawfile", "schema", files["schema.json"]]
        result = subprocess.run(["jq", "-f", IMAGE_CONFIG, *schema, "--slurpfile", "predictor",
                                 files["predictor.json"], files["conf.json"]],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, check=False)
    if result.returncode != 0:
        raise AssertionError(result.stderr.decode(errors="replace"))
    return json.loads(result.stdout)


def evaluated_image():
    result = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "--read-write-mode",
                             "-E", "import %s {}" % os.path.join(HERE, "image.nix")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600, check=False)
    if result.returncode != 0:
        raise RuntimeError("image.nix did not evaluate:\n" + result.stderr.decode(errors="replace"))
    return json.loads(result.stdout)


IMAGE = evaluated_image()


class ImageConfig(unittest.TestCase):
    CONF = {
        "architecture": "amd64",
        "config": {
            "Env": ["COG_PREDICT_TYPE_STUB=predict.py:Predictor", "HOME=/root", "PYTHONUNBUFFERED=1"],
            "Labels": {"run.cog.config": '{"build":{"python_version":"3.12"},"predict":"predict.py:Predictor"}',
                       "run.cog.version": "0.22.0"},
        },
        "store_layers": [["/nix/store/x-a"]],
    }

    def test_schema_label_is_the_file_text(self):
        # predict + train: cog stores the merged document indented with two spaces.
        text = '{\n  "info": {\n    "title": "Cog",\n    "version": "0.22.0"\n  },\n  "openapi": "3.0.2"\n}'
        done = complete(self.CONF, text, {})
        self.assertEqual(done["config"]["Labels"]["run.cog.openapi_schema"], text)
        self.assertEqual(done["config"]["Env"], self.CONF["config"]["Env"])

    def test_concurrency_from_the_predictor(self):
        done = complete(self.CONF, None, {"concurrency": {"max": 4}})
        self.assertEqual(done["config"]["Env"], ["COG_MAX_CONCURRENCY=4", "COG_PREDICT_TYPE_STUB=predict.py:Predictor",
                                                 "HOME=/root", "PYTHONUNBUFFERED=1"])
        self.assertEqual(done["config"]["Labels"]["run.cog.config"],
                         '{"build":{"python_version":"3.12"},"concurrency":{"max":4},"predict":"predict.py:Predictor"}')
        self.assertNotIn("run.cog.openapi_schema", done["config"]["Labels"])

    def test_nothing_from_the_predictor(self):
        self.assertEqual(complete(self.CONF, None, {}), self.CONF)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(url, payload=None, timeout=60):
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Server:
    """cog's runtime with an image's Env and Cmd, in a copy of project/ as /src."""

    def __init__(self, env_list, workdir, home):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        env = dict(entry.split("=", 1) for entry in env_list)
        env["PATH"] = env["PATH"].replace(IMAGE["pythonEnv"] + "/bin", os.path.join(VENV, "bin"))
        env.update(HOME=home, PORT=str(self.port))
        self.log = open(os.path.join(home, "server.log"), "w+b")
        self.process = subprocess.Popen(IMAGE["Cmd"] + ["--host", "127.0.0.1"], cwd=workdir, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, seconds=90):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                status, body = request(self.url + "/health-check", timeout=5)
                if status == 200 and body.get("status") == "READY":
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError("the runtime did not become ready:\n" + self.output())

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.log.close()


class CogRuntime(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cognix-runtime-")
        self.src = os.path.join(self.tmp, "src")
        self.home = os.path.join(self.tmp, "root")
        shutil.copytree(os.path.join(HERE, "project"), self.src)
        os.makedirs(self.home)
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.stop()
        shutil.rmtree(self.tmp)

    def build_step(self, *args):
        """lib/openapi_schema.py as the image's build runs it: the image's Python, /src as the
        working directory, the module's arguments."""
        result = subprocess.run([PYTHON, SCHEMA_SCRIPT, "--predict", IMAGE["predict"], *args], cwd=self.src,
                                env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1", HOME=self.home),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300, check=False)
        self.assertEqual(result.returncode, 0, result.stderr.decode(errors="replace"))
        return result.stdout.decode()

    def start(self, env_list):
        server = Server(env_list, self.src, self.home)
        self.servers.append(server)
        server.wait_ready()
        return server

    def two_overlapping_predictions(self, server):
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            first = pool.submit(request, server.url + "/predictions", {"input": {"text": "a"}})
            time.sleep(0.3)
            second = pool.submit(request, server.url + "/predictions", {"input": {"text": "b"}})
            return first.result(), second.result()

    def test_concurrent_predictions_are_served(self):
        schema = self.build_step("--cog-version", "0.22.0")
        predictor = json.loads(self.build_step("--config-from-predictor", "--python-version", IMAGE["pythonVersion"]))
        conf = complete({"config": {"Env": IMAGE["Env"], "Labels": IMAGE["Labels"]}}, schema, predictor)
        self.assertIn("COG_MAX_CONCURRENCY=4", conf["config"]["Env"])
        os.makedirs(os.path.join(self.src, ".cog"))
        with open(os.path.join(self.src, ".cog", "openapi_schema.json"), "w", encoding="utf-8") as handle:
            handle.write(schema)

        server = self.start(conf["config"]["Env"])
        (first_status, first), (second_status, second) = self.two_overlapping_predictions(server)
        self.assertEqual((first_status, first["status"], first["output"]), (200, "succeeded", "hello a"), server.output())
        self.assertEqual((second_status, second["status"], second["output"]), (200, "succeeded", "hello b"), server.output())
        status, served = request(server.url + "/openapi.json")
        self.assertEqual(status, 200)
        self.assertEqual(served, json.loads(conf["config"]["Labels"]["run.cog.openapi_schema"]))

    def test_without_the_predictor_config_the_second_is_refused(self):
        # The image as cognix made it before issue 11: cog.yaml's environment only.
        server = self.start(IMAGE["Env"])
        (first_status, _), (second_status, second) = self.two_overlapping_predictions(server)
        self.assertEqual(first_status, 200)
        self.assertEqual(second_status, 409, second)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print("runtime: %d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
