"""lib/lock_weights.py against a Hugging Face Hub and a file server stood in for on 127.0.0.1: the
ref resolved to a commit, the paginated listing filtered as cog filters managed weights, LFS
digests taken from the listing and other files hashed, the token sent to the Hub and never to the
CDN it redirects to nor into a message, pins kept or renewed, nothing written on failure; and the
include/exclude reading against the cases the Rust importer is tested on.

Run by checks/lock/run.sh. Nix is the oracle for the pinned hashes (`nix-hash --flat`), as
fetchurl will check them.
"""

import hashlib
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path
from unittest import mock

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SCRIPT = REPO / "lib" / "lock_weights.py"
sys.path.insert(0, str(REPO / "lib"))

import lock_weights  # noqa: E402

COMMIT = "34c2154c194f829b11125337b98c8f5f9965ff19"
TOKEN = "hf_test_secret_9876"
FILES = {
    "config.json": b'{"model_type": "resnet"}',
    "preprocessor_config.json": b'{"size": 224}',
    "README.md": b"# resnet",
    "model.safetensors": bytes(range(256)) * 300,
    "onnx/model.onnx": b"\x01" * 5000,
}
LFS = {"model.safetensors", "onnx/model.onnx"}


class Hub:
    """The Hub's revision, tree and resolve endpoints; resolve redirects to a CDN on another host
    name (localhost instead of 127.0.0.1) for LFS files, as the real Hub does."""

    def __init__(self):
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                auth = self.headers.get("Authorization")
                outer.requests.append((self.headers.get("Host"), self.path, auth))
                if self.path.startswith("/cdn/"):
                    return self.reply(200, FILES[self.path[len("/cdn/"):]])
                if auth != f"Bearer {TOKEN}":
                    return self.reply(401, b'{"error": "Invalid credentials in Authorization header"}')
                port = self.server.server_address[1]
                if self.path == "/api/models/microsoft/resnet-50/revision/main":
                    return self.reply(200, json.dumps({"sha": COMMIT}).encode())
                tree = f"/api/models/microsoft/resnet-50/tree/{COMMIT}?recursive=true"
                entries = [{"type": "directory", "path": "onnx"}] + [
                    {"type": "file", "path": p, "size": len(c), **({"lfs": {"oid": hashlib.sha256(c).hexdigest(), "size": len(c)}} if p in LFS else {})}
                    for p, c in FILES.items()
                ]
                if self.path == tree:
                    link = f'<http://127.0.0.1:{port}{tree}&cursor=2>; rel="next"'
                    return self.reply(200, json.dumps(entries[:3]).encode(), {"Link": link})
                if self.path == tree + "&cursor=2":
                    return self.reply(200, json.dumps(entries[3:]).encode())
                prefix = f"/microsoft/resnet-50/resolve/{COMMIT}/"
                if self.path.startswith(prefix) and self.path[len(prefix):] in FILES:
                    path = self.path[len(prefix):]
                    if path in LFS:
                        return self.reply(302, b"", {"Location": f"http://localhost:{port}/cdn/{path}"})
                    return self.reply(200, FILES[path])
                self.reply(404, b"not found")

            def reply(self, status, body, headers=None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def nix_flat_sha256(path):
    return subprocess.run(["nix-hash", "--type", "sha256", "--flat", str(path)], check=True, capture_output=True, text=True).stdout.strip()


class LockWeightsTest(unittest.TestCase):
    def setUp(self):
        self.hub = Hub()
        self.tmp = tempfile.TemporaryDirectory(prefix="cognix-lock-weights-")
        self.dir = Path(self.tmp.name)
        self.env = dict(os.environ, HF_ENDPOINT=self.hub.url, HF_TOKEN=TOKEN, COGNIX_FETCH_TIMEOUT="10")
        self.env.pop("HUGGING_FACE_HUB_TOKEN", None)
        self.env.pop("COGNIX_UPDATE_WEIGHTS", None)

    def tearDown(self):
        self.hub.stop()
        self.tmp.cleanup()

    def lock(self, sources, lock=None, env=None):
        (self.dir / "sources.json").write_text(json.dumps(sources))
        if lock is not None:
            (self.dir / "lock.json").write_text(json.dumps(lock))
        out = self.dir / "out.json"
        out.unlink(missing_ok=True)
        result = subprocess.run([sys.executable, str(SCRIPT), str(self.dir / "sources.json"), str(self.dir / "lock.json"), str(out)],
                                env=env or self.env, capture_output=True, text=True, timeout=60)
        return result, (json.loads(out.read_text()) if out.exists() else None)

    def test_hub_repository_pinned_at_its_commit(self):
        wanted = [{"source": "hf://microsoft/resnet-50", "include": [], "exclude": ["README.md", "onnx/"]}]
        result, pins = self.lock(wanted)
        self.assertEqual(result.returncode, 0, result.stderr)
        pin = pins["hf://microsoft/resnet-50"]
        self.assertEqual(pin["fingerprint"], f"commit:{COMMIT}")
        self.assertEqual((pin["include"], pin["exclude"]), ([], ["README.md", "onnx/"]))
        base = f"{self.hub.url}/microsoft/resnet-50/resolve/{COMMIT}/"
        self.assertEqual(pin["files"], [
            {"path": p, "url": base + p, "size": len(FILES[p]), "sha256": hashlib.sha256(FILES[p]).hexdigest()}
            for p in ("config.json", "model.safetensors", "preprocessor_config.json")
        ])
        # What fetchurl will check: the flat sha256 of the bytes.
        (self.dir / "model").write_bytes(FILES["model.safetensors"])
        self.assertEqual(pin["files"][1]["sha256"], nix_flat_sha256(self.dir / "model"))
        # LFS files are not downloaded; the token goes to the Hub only.
        paths = [p for _, p, _ in self.hub.requests]
        self.assertFalse(any(p.startswith("/cdn/") for p in paths), paths)
        self.assertTrue(all(auth == f"Bearer {TOKEN}" for host, _, auth in self.hub.requests if host.startswith("127.0.0.1")))
        self.assertNotIn(TOKEN, result.stderr)

    def test_redirected_downloads_leave_the_token_home(self):
        # An LFS file is downloaded through the Hub's redirect to its CDN, another host.
        path = "model.safetensors"
        with mock.patch.dict(os.environ, {"HF_ENDPOINT": self.hub.url, "HF_TOKEN": TOKEN}):
            hub = lock_weights.Hub()
        sha256, size = hub.sha256(f"{self.hub.url}/microsoft/resnet-50/resolve/{COMMIT}/{path}", path)
        self.assertEqual((sha256, size), (hashlib.sha256(FILES[path]).hexdigest(), len(FILES[path])))
        cdn = [(host, auth) for host, p, auth in self.hub.requests if p.startswith("/cdn/")]
        self.assertEqual(len(cdn), 1)
        self.assertTrue(cdn[0][0].startswith("localhost"))
        self.assertIsNone(cdn[0][1])

    def test_pins_are_kept_until_patterns_change_or_renewal_is_asked(self):
        wanted = [{"source": "hf://microsoft/resnet-50", "include": ["*.json"], "exclude": []}]
        old = {"fingerprint": "commit:" + "0" * 40, "include": ["*.json"], "exclude": [], "files": [{"path": "config.json", "url": "u", "size": 1, "sha256": "0" * 64}]}
        result, pins = self.lock(wanted, {"weights": {"hf://microsoft/resnet-50": old}})
        self.assertEqual((result.returncode, pins["hf://microsoft/resnet-50"]), (0, old))
        self.assertEqual(self.hub.requests, [])
        result, pins = self.lock(wanted, env=dict(self.env, COGNIX_UPDATE_WEIGHTS="1"))
        self.assertEqual(pins["hf://microsoft/resnet-50"]["fingerprint"], f"commit:{COMMIT}")
        wanted[0]["include"] = ["*.safetensors"]
        result, pins = self.lock(wanted, {"weights": {"hf://microsoft/resnet-50": old}})
        self.assertEqual([f["path"] for f in pins["hf://microsoft/resnet-50"]["files"]], ["model.safetensors"])

    def test_a_url_is_one_file(self):
        www = self.dir / "www"
        www.mkdir()
        (www / "RealESRGAN_x4plus.pth").write_bytes(b"\x02" * 70_000)
        handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=str(www), **kw)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/RealESRGAN_x4plus.pth"
            result, pins = self.lock([{"source": url, "include": [], "exclude": []}])
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(result.returncode, 0, result.stderr)
        digest = nix_flat_sha256(www / "RealESRGAN_x4plus.pth")
        self.assertEqual(pins[url], {"fingerprint": f"sha256:{digest}", "include": [], "exclude": [],
                                     "files": [{"path": "RealESRGAN_x4plus.pth", "url": url, "size": 70_000, "sha256": digest}]})

    def test_failures_write_nothing_and_say_why(self):
        wanted = [{"source": "hf://microsoft/resnet-50", "include": [], "exclude": []}]
        result, pins = self.lock(wanted, env=dict(self.env, HF_TOKEN="hf_wrong_token_1234"))
        self.assertEqual((result.returncode, pins), (1, None))
        self.assertIn("cognix: cognix.imageWeights takes hf://microsoft/resnet-50, but "
                      f"{self.hub.url}/api/models/microsoft/resnet-50/revision/main answered 401", result.stderr)
        self.assertIn("set HF_TOKEN (or HUGGING_FACE_HUB_TOKEN) to a token that can read the repository", result.stderr)
        self.assertNotIn("hf_wrong_token_1234", result.stderr)
        self.assertIn("Nothing was written.", result.stderr)
        result, pins = self.lock([{"source": "hf://microsoft/resnet-50", "include": ["*.gguf"], "exclude": []}])
        self.assertEqual((result.returncode, pins), (1, None))
        self.assertIn("its include/exclude patterns leave no file (include ['*.gguf'], exclude [])", result.stderr)

    def test_patterns_read_as_the_rust_importer_reads_them(self):
        cases = json.loads((REPO / "crates/cognix-weights/tests/fixtures/filter-cases.json").read_text())
        self.assertGreater(len(cases), 20)
        for case in cases:
            with self.subTest(case=case):
                self.assertEqual(lock_weights.keeps(case["include"], case["exclude"], case["path"]), case["kept"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
