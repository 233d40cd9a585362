"""lib/lock_fetches.py against real peers: an HTTP server on 127.0.0.1 and `file://` git
repositories made by the test, with Nix itself as the oracle for the hashes it must agree with
(`nix-prefetch-url` for a flat file hash, `builtins.fetchGit`'s narHash for a checkout).

Run by checks/lock/run.sh (needs git and Nix on PATH).
"""

import base64
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE.parent.parent / "lib" / "lock_fetches.py"


def run(*args, cwd=None, env=None):
    return subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def git(repo, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t", GIT_AUTHOR_DATE="2020-01-01T00:00:00Z",
               GIT_COMMITTER_DATE="2020-01-01T00:00:00Z")
    return run("git", "-c", "protocol.file.allow=always", *args, cwd=repo, env=env)


def nix_sri_from_base32(base32):
    return run("nix", "hash", "to-sri", "--type", "sha256", base32)


class Server:
    """Serves a directory on 127.0.0.1 (a free port), counting requests per path."""

    def __init__(self, root):
        self.requests = []
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=str(root), **kw)

            def do_GET(self):
                outer.requests.append(self.path)
                if self.path.startswith("/redirect/"):
                    self.send_response(302)
                    self.send_header("Location", self.path[len("/redirect"):])
                    self.end_headers()
                    return
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class LockFetchesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="cognix-lock-test-")
        root = Path(cls.tmp.name)
        files = root / "www"
        files.mkdir()
        (files / "pget_Linux_x86_64").write_bytes(os.urandom(300_000))
        (files / "weights.tar").write_bytes(b"tar bytes" * 1000)
        cls.server = Server(files)
        cls.files = files

        # A submodule repository, and a main repository with a branch, an annotated tag, an
        # executable script, a symlink and the submodule.
        sub = root / "sub"
        sub.mkdir()
        git(sub, "init", "-q", "-b", "main")
        (sub / "lib.txt").write_text("from the submodule\n")
        git(sub, "add", ".")
        git(sub, "commit", "-q", "-m", "sub")
        repo = root / "repo"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        (repo / "run.sh").write_text("#!/bin/sh\necho hi\n")
        os.chmod(repo / "run.sh", 0o755)
        (repo / "link").symlink_to("run.sh")
        (repo / "data").mkdir()
        (repo / "data" / "a.txt").write_text("a\n")
        git(repo, "add", ".")
        git(repo, "commit", "-q", "-m", "one")
        cls.first = git(repo, "rev-parse", "HEAD")
        git(repo, "tag", "-a", "v1.0", "-m", "release")
        git(repo, "submodule", "add", "-q", f"file://{sub}", "vendor/sub")
        git(repo, "commit", "-q", "-m", "two")
        cls.second = git(repo, "rev-parse", "HEAD")
        git(repo, "branch", "dev", cls.first)
        cls.repo_url = f"file://{repo}"

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def lock(self, downloads, existing=None, env=None):
        """Runs the script; returns (exit code, pins or None, stderr)."""
        work = Path(tempfile.mkdtemp(dir=self.tmp.name))
        (work / "downloads.json").write_text(json.dumps(downloads))
        if existing is not None:
            (work / "lock.json").write_text(json.dumps(existing))
        out = work / "out.json"
        full_env = dict(os.environ, GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="protocol.file.allow",
                        GIT_CONFIG_VALUE_0="always", COGNIX_FETCH_TIMEOUT="10", **(env or {}))
        result = subprocess.run([sys.executable, str(SCRIPT), str(work / "downloads.json"), str(work / "lock.json"), str(out)],
                                env=full_env, capture_output=True, text=True, timeout=120)
        pins = json.loads(out.read_text()) if out.exists() else None
        return result.returncode, pins, result.stderr

    def download(self, url, tool="curl", key="build.run[0]", rev=None, submodules=False):
        return {"url": url, "tool": tool, "rev": rev, "submodules": submodules, "key": key}

    def nix_fetch_git_nar_hash(self, rev, submodules=False):
        expr = (f'(builtins.fetchGit {{ url = "{self.repo_url}"; rev = "{rev}"; allRefs = true; '
                f'submodules = {"true" if submodules else "false"}; }}).narHash')
        return json.loads(run("nix", "eval", "--impure", "--json", "--expr", expr,
                              env=dict(os.environ, GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="protocol.file.allow",
                                       GIT_CONFIG_VALUE_0="always")))

    def test_file_hash_is_what_nix_prefetch_url_computes(self):
        url = f"{self.server.url}/pget_Linux_x86_64"
        code, pins, err = self.lock([self.download(url, "curl")])
        self.assertEqual(code, 0, err)
        expected = nix_sri_from_base32(run("nix-prefetch-url", "--type", "sha256", url))
        self.assertEqual(pins, {url: {"hash": expected}})
        self.assertIn("1 download(s) pinned (1 new, 0 kept", err)

    def test_redirects_are_followed_as_fetchurl_does(self):
        url = f"{self.server.url}/redirect/weights.tar"
        code, pins, err = self.lock([self.download(url, "pget")])
        self.assertEqual(code, 0, err)
        digest = __import__("hashlib").sha256((self.files / "weights.tar").read_bytes()).digest()
        self.assertEqual(pins[url]["hash"], "sha256-" + base64.b64encode(digest).decode())

    def test_git_branch_resolves_to_its_commit_and_nar_hash(self):
        code, pins, err = self.lock([self.download(self.repo_url, "git", rev="dev")])
        self.assertEqual(code, 0, err)
        self.assertEqual(pins[self.repo_url]["rev"], self.first)
        self.assertEqual(pins[self.repo_url]["hash"], self.nix_fetch_git_nar_hash(self.first))

    def test_annotated_tag_pins_the_commit_not_the_tag_object(self):
        code, pins, err = self.lock([self.download(self.repo_url, "git", rev="v1.0")])
        self.assertEqual(code, 0, err)
        self.assertEqual(pins[self.repo_url]["rev"], self.first)

    def test_default_branch_with_submodules(self):
        code, pins, err = self.lock([self.download(self.repo_url, "git", submodules=True)])
        self.assertEqual(code, 0, err)
        self.assertEqual(pins[self.repo_url]["rev"], self.second)
        self.assertEqual(pins[self.repo_url]["hash"], self.nix_fetch_git_nar_hash(self.second, submodules=True))
        # Without submodules the checkout, and so the hash, differs.
        code, plain, err = self.lock([self.download(self.repo_url, "git")])
        self.assertEqual(plain[self.repo_url]["hash"], self.nix_fetch_git_nar_hash(self.second))
        self.assertNotEqual(plain[self.repo_url]["hash"], pins[self.repo_url]["hash"])

    def test_existing_pins_are_kept_and_update_pins_again(self):
        url = f"{self.server.url}/weights.tar"
        old = {"fetchPipMetadata": {}, "fetches": {url: {"hash": "sha256-old"}, "https://gone.example/x": {"hash": "sha256-x"}}}
        before = len(self.server.requests)
        code, pins, err = self.lock([self.download(url)], existing=old)
        self.assertEqual(code, 0, err)
        # Kept without a request; a URL cog.yaml no longer downloads is dropped.
        self.assertEqual(pins, {url: {"hash": "sha256-old"}})
        self.assertEqual(len(self.server.requests), before)
        code, pins, err = self.lock([self.download(url)], existing=old, env={"COGNIX_UPDATE_FETCHES": "1"})
        self.assertEqual(code, 0, err)
        self.assertNotEqual(pins[url]["hash"], "sha256-old")

    def test_a_url_downloaded_twice_is_pinned_once(self):
        url = f"{self.server.url}/weights.tar"
        code, pins, err = self.lock([self.download(url, key="build.run[0]"), self.download(url, key="build.run[3]")])
        self.assertEqual(code, 0, err)
        self.assertEqual(list(pins), [url])

    def test_a_failing_download_writes_nothing_and_names_the_key(self):
        good = f"{self.server.url}/weights.tar"
        bad = f"{self.server.url}/missing.bin"
        code, pins, err = self.lock([self.download(good), self.download(bad, "wget", key="build.run[4]")])
        self.assertEqual(code, 1)
        self.assertIsNone(pins)
        self.assertIn(f"cognix: build.run[4] in cog.yaml downloads {bad}, but the server answered 404", err)
        self.assertIn("Nothing was written.", err)

    def test_an_unreachable_git_remote_fails_cleanly(self):
        missing = f"file://{self.tmp.name}/no-such-repo"
        code, pins, err = self.lock([self.download(missing, "git", key="build.pre_install[0]")])
        self.assertEqual(code, 1)
        self.assertIsNone(pins)
        self.assertIn(f"cognix: build.pre_install[0] in cog.yaml downloads {missing}, but git fetch failed", err)


if __name__ == "__main__":
    unittest.main(verbosity=1)
