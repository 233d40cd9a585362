"""Pins the downloads of cog.yaml's build.run for lock.json's `fetches` (part of the lock command).

The Nix build has no network, so every curl/wget/pget download and `git clone` of build.run is a
fixed-output fetch, and a fixed-output fetch needs its hash before the build. This script computes
those hashes the way Nix will check them:

- a file (curl, wget, pget): sha256 of its bytes (`fetchurl`'s flat hash);
- a git clone: the commit the branch or tag resolves to, and the sha256 of the NAR serialisation
  of the checkout without `.git` (what `fetchgit` produces, submodules included for a recursive
  clone, LFS files left as pointers as fetchgit does by default).

Usage: lock_fetches.py DOWNLOADS LOCK OUT
  DOWNLOADS  JSON list: [{"url", "tool", "rev", "submodules", "key"}], as the cognix modules
             write it from cog.nix (`key` is the cog.yaml key that downloads, for messages)
  LOCK       the current lock.json (it need not exist)
  OUT        where the `fetches` object is written: {<url>: {"hash": "sha256-…", "rev": "<commit>"}}

A URL the current lock.json already pins keeps its pin (as `nix flake lock` keeps locked inputs);
COGNIX_UPDATE_FETCHES=1 pins every download again. Nothing is written when a download fails.
"""

import base64
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

CHUNK = 1 << 20
# Downloads are pinned once; a stalled connection should fail, not hang the lock command.
TIMEOUT = float(os.environ.get("COGNIX_FETCH_TIMEOUT", "60"))


class FetchError(Exception):
    pass


def sri(digest):
    return "sha256-" + base64.b64encode(digest).decode()


class Progress:
    """Bytes and rate on a terminal (one updating line), one line per download otherwise."""

    def __init__(self, label):
        self.label, self.done, self.start, self.last = label, 0, time.monotonic(), 0.0
        self.tty = sys.stderr.isatty()

    def advance(self, n, total=None):
        self.done += n
        now = time.monotonic()
        if self.tty and now - self.last > 0.2:
            self.last = now
            of = f" of {total / 1e6:.1f} MB" if total else ""
            rate = self.done / max(now - self.start, 1e-6) / 1e6
            sys.stderr.write(f"\r  {self.label}: {self.done / 1e6:.1f} MB{of}, {rate:.1f} MB/s\x1b[K")
            sys.stderr.flush()

    def finish(self, what):
        seconds = time.monotonic() - self.start
        size = f"{self.done / 1e6:.1f} MB in " if self.done else ""
        line = f"  {self.label}: {what} ({size}{seconds:.1f} s)"
        sys.stderr.write(f"\r{line}\x1b[K\n" if self.tty else f"{line}\n")


def hash_url(url):
    """sha256 of what the URL serves (redirects followed, as fetchurl does); nothing is stored."""
    request = urllib.request.Request(url, headers={"User-Agent": "cognix-lock"})
    progress = Progress(url)
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            total = response.headers.get("Content-Length")
            total = int(total) if total and total.isdigit() else None
            while chunk := response.read(CHUNK):
                digest.update(chunk)
                progress.advance(len(chunk), total)
    except urllib.error.HTTPError as e:
        raise FetchError(f"the server answered {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        raise FetchError(f"it could not be downloaded: {getattr(e, 'reason', e)}") from None
    progress.finish(sri(digest.digest()))
    return digest.digest()


def nar_hash(path):
    """sha256 of the NAR serialisation of `path` (Nix's `nix-hash --type sha256 PATH`)."""
    digest = hashlib.sha256()

    def string(data):
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
        digest.update(b"\0" * (-len(data) % 8))

    def contents(file, size):
        digest.update(size.to_bytes(8, "little"))
        with open(file, "rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
        digest.update(b"\0" * (-size % 8))

    def node(p):
        st = os.lstat(p)
        string(b"(")
        string(b"type")
        if stat.S_ISLNK(st.st_mode):
            string(b"symlink")
            string(b"target")
            string(os.fsencode(os.readlink(p)))
        elif stat.S_ISREG(st.st_mode):
            string(b"regular")
            if st.st_mode & stat.S_IXUSR:
                string(b"executable")
                string(b"")
            string(b"contents")
            contents(p, st.st_size)
        elif stat.S_ISDIR(st.st_mode):
            string(b"directory")
            for name in sorted(os.listdir(os.fsencode(p))):
                string(b"entry")
                string(b"(")
                string(b"name")
                string(name)
                string(b"node")
                node(os.path.join(os.fsencode(p), name))
                string(b")")
        else:
            raise FetchError(f"{p!r} is neither a file, a directory nor a symlink")
        string(b")")

    string(b"nix-archive-1")
    node(os.fsencode(path))
    return digest.digest()


def git(*args, cwd=None):
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_LFS_SKIP_SMUDGE="1")
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise FetchError(f"git {args[0]} failed: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else result.returncode}")
    return result.stdout.strip()


def pin_git(url, ref, submodules, rev=None):
    """The commit `ref` (a branch or tag; the remote's HEAD when None) resolves to, unless `rev`
    is given, and the NAR hash of its checkout without `.git`."""
    progress = Progress(url)
    with tempfile.TemporaryDirectory(prefix="cognix-lock-") as work:
        checkout = os.path.join(work, "checkout")
        os.mkdir(checkout)
        git("init", "-q", checkout)
        git("remote", "add", "origin", url, cwd=checkout)
        git("fetch", "-q", "--depth", "1", "origin", rev or ref or "HEAD", cwd=checkout)
        # An annotated tag fetches the tag object; the pin is the commit it points to.
        commit = git("rev-parse", "FETCH_HEAD^{commit}", cwd=checkout)
        git("-c", "advice.detachedHead=false", "checkout", "-q", commit, cwd=checkout)
        if submodules:
            git("submodule", "update", "-q", "--init", "--recursive", cwd=checkout)
        # fetchgit (nix-prefetch-git) removes every `.git`, the submodules' included.
        for root, dirs, files in os.walk(checkout, topdown=True):
            for name in [d for d in dirs if d == ".git"]:
                shutil.rmtree(os.path.join(root, name))
                dirs.remove(name)
            for name in [f for f in files if f == ".git"]:
                os.remove(os.path.join(root, name))
        digest = nar_hash(checkout)
    progress.finish(f"{commit[:12]} {sri(digest)}")
    return commit, digest


def pin(download):
    if download["tool"] == "git":
        commit, digest = pin_git(download["url"], download.get("rev"), download.get("submodules", False))
        return {"hash": sri(digest), "rev": commit}
    return {"hash": sri(hash_url(download["url"]))}


def current_pins(path, field):
    """lock.json's `field` object, or nothing when there is no lock or none that reads."""
    try:
        with open(path) as f:
            pins = json.load(f).get(field, {})
    except (OSError, ValueError, AttributeError):
        return {}
    return pins if isinstance(pins, dict) else {}


def write_field(out_path, pins, failures, what):
    """Writes the field's value, unless something could not be pinned: then the failures are
    printed with what to check (`what`) and nothing is written, so lock.json stays as it was."""
    if failures:
        print("\n".join(failures), file=sys.stderr)
        print(f"Nothing was written. Check {what} and your network, then run the lock command again.", file=sys.stderr)
        return False
    with open(out_path, "w") as f:
        json.dump(pins, f, indent=2, sort_keys=True)
    return True


def main(downloads_path, lock_path, out_path):
    with open(downloads_path) as f:
        downloads = json.load(f)
    update = os.environ.get("COGNIX_UPDATE_FETCHES") == "1"
    existing = {} if update else current_pins(lock_path, "fetches")
    pins, kept, failures = {}, 0, []
    if downloads:
        print(f"cognix: pinning {len(downloads)} download(s) of build.run", file=sys.stderr)
    for download in downloads:
        url = download["url"]
        if url in pins:
            continue
        old = existing.get(url)
        if isinstance(old, dict) and isinstance(old.get("hash"), str) and (download["tool"] != "git" or isinstance(old.get("rev"), str)):
            pins[url] = {k: old[k] for k in ("hash", "rev") if k in old}
            kept += 1
            continue
        try:
            pins[url] = pin(download)
        except FetchError as e:
            failures.append(f"cognix: {download['key']} in cog.yaml downloads {url}, but {e}.")
    if not write_field(out_path, pins, failures, "the URL(s) in cog.yaml"):
        return 1
    if downloads:
        print(f"cognix: {len(pins)} download(s) pinned ({len(pins) - kept} new, {kept} kept; COGNIX_UPDATE_FETCHES=1 pins all again)",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
