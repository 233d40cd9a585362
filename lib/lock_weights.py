"""Pins the weights of `cognix.imageWeights` for lock.json's `weights` (part of the lock command).

The Nix build has no network, so every weight file built into the image is a fixed-output fetch,
pinned before the build with its size and sha256:

- `hf://org/repo[@ref]` (or `huggingface://`): the ref (default `main`) is resolved to its commit
  through the Hub API at $HF_ENDPOINT (default https://huggingface.co), with $HF_TOKEN or
  $HUGGING_FACE_HUB_TOKEN; the repository's files at that commit are listed, filtered with the
  include/exclude patterns as cog filters managed weights (gitignore-style, go-gitignore's
  reading), and pinned at their `resolve/<commit>/` URL. LFS and xet files carry their sha256 in
  the listing; the others are downloaded and hashed.
- `https://…` (or `http://`): one file, downloaded and hashed; its name is the URL's last segment.

Usage: lock_weights.py SOURCES LOCK OUT
  SOURCES  JSON list: [{"source", "include", "exclude"}] (patterns sorted), as the cognix modules
           write it from cognix.imageWeights
  LOCK     the current lock.json (it need not exist)
  OUT      where the `weights` object is written:
           {<source>: {"fingerprint": "commit:<sha>" | "sha256:<hex>", "include", "exclude",
                       "files": [{"path", "url", "size", "sha256"}]}}

A source the current lock.json pins with the same patterns keeps its pin (a branch moving on does
not change the image); COGNIX_UPDATE_WEIGHTS=1 resolves every source again. The token is sent to
the Hub only and never printed. Nothing is written when a source fails.
"""

import hashlib
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from lock_fetches import CHUNK, TIMEOUT, FetchError, Progress, current_pins, write_field


def pattern_regex(line):
    """go-gitignore's translation of one pattern into a regular expression (cog filters managed
    weights with it; crates/cognix-weights/src/filter.rs is the same, for the same cases)."""
    line = line.rstrip("\r")
    if line.startswith("#"):
        return None
    line = line.strip(" ")
    if not line:
        return None
    negate = line.startswith("!")
    if negate:
        line = line[1:]
    if line[:1] in ("#", "!"):
        line = line[1:]
    if re.search(r"([^/+])/.*\*\.", line) and not line.startswith("/"):
        line = "/" + line
    line = line.replace(".", r"\.")
    magic = "#$~"
    if line.startswith("/**/"):
        line = line[1:]
    line = line.replace("/**/", "(/|/.+/)")
    line = line.replace("**/", f"(|.{magic}/)")
    line = line.replace("/**", f"(|/.{magic})")
    line = line.replace(r"\*", "\\" + magic)
    line = line.replace("*", "([^/]*)")
    line = line.replace("?", r"\?")
    line = line.replace(magic, "*")
    expr = line + ("(|.*)$" if line.endswith("/") else "(|/.*)$")
    expr = "^(|/)" + expr[1:] if expr.startswith("/") else "^(|.*/)" + expr
    try:
        return re.compile(expr), negate
    except re.error:
        return None


def matches(patterns, path):
    matched = False
    for regex, negate in patterns:
        if regex.search(path):
            if not negate:
                matched = True
            elif matched:
                matched = False
    return matched


def keeps(include, exclude, path):
    compile_all = lambda lines: [p for p in map(pattern_regex, lines) if p]
    if exclude and matches(compile_all(exclude), path):
        return False
    return not include or matches(compile_all(include), path)


class KeepTokenHome(urllib.request.HTTPRedirectHandler):
    """Follows redirects (the Hub sends file downloads to its CDN) without taking the token to
    another host: urllib would copy the Authorization header along."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urllib.parse.urlsplit(newurl).netloc != urllib.parse.urlsplit(req.full_url).netloc:
            new.remove_header("Authorization")
        return new


class Hub:
    def __init__(self):
        self.endpoint = (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
        self.token = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN") or None
        self.opener = urllib.request.build_opener(KeepTokenHome)

    def open(self, url):
        headers = {"User-Agent": "cognix-lock"}
        if self.token and url.startswith(self.endpoint + "/"):
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in range(4):
            try:
                return self.opener.open(urllib.request.Request(url, headers=headers), timeout=TIMEOUT)
            except urllib.error.HTTPError as e:
                if (e.code >= 500 or e.code == 429) and attempt < 3:
                    time.sleep(2**attempt)
                    continue
                hint = {
                    401: "; set HF_TOKEN (or HUGGING_FACE_HUB_TOKEN) to a token that can read the repository",
                    403: "; check the repository's visibility and the token's permissions (a gated model must be accepted on its page first)",
                }.get(e.code, "")
                raise FetchError(f"{url} answered {e.code} {e.reason}{hint}") from None
            except (urllib.error.URLError, OSError) as e:
                if attempt < 3:
                    time.sleep(2**attempt)
                    continue
                raise FetchError(f"{url} could not be reached: {getattr(e, 'reason', e)}") from None

    def json(self, url):
        with self.open(url) as response:
            return json.load(response), response.headers.get("Link", "")

    def sha256(self, url, label):
        progress = Progress(label)
        digest, size = hashlib.sha256(), 0
        with self.open(url) as response:
            total = response.headers.get("Content-Length")
            total = int(total) if total and total.isdigit() else None
            while chunk := response.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                progress.advance(len(chunk), total)
        progress.finish("hashed")
        return digest.hexdigest(), size


def quote(part):
    return urllib.parse.quote(part, safe="-._~!$&'()*+,;=:@")


def next_link(header):
    for part in header.split(","):
        if 'rel="next"' in part and "<" in part and ">" in part:
            return part[part.index("<") + 1 : part.index(">")]
    return None


def resolve_hf(hub, source, include, exclude):
    rest = source.split("://", 1)[1]
    at = rest.rfind("@")
    repo, ref = (rest[:at], rest[at + 1 :]) if at > 0 else (rest, "main")
    if not ref:
        raise FetchError("its ref after @ is empty")
    if len(repo.split("/")) != 2 or not all(repo.split("/")):
        raise FetchError(f'"{repo}" is not a repository (org/repo)')
    revision, _ = hub.json(f"{hub.endpoint}/api/models/{repo}/revision/{quote(ref)}")
    commit = revision.get("sha", "") if isinstance(revision, dict) else ""
    if not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise FetchError(f"the Hub resolved {ref} to no commit ({commit!r})")
    entries, url = [], f"{hub.endpoint}/api/models/{repo}/tree/{commit}?recursive=true"
    while url:
        page, link = hub.json(url)
        entries += page
        url = next_link(link)
    files = []
    for entry in sorted((e for e in entries if e.get("type") == "file"), key=lambda e: e["path"]):
        path = entry["path"]
        if not keeps(include, exclude, path):
            continue
        file_url = f"{hub.endpoint}/{repo}/resolve/{commit}/" + "/".join(map(quote, path.split("/")))
        lfs = entry.get("lfs") or {}
        if lfs.get("oid"):
            sha256, size = lfs["oid"], lfs.get("size", entry.get("size", 0))
        else:
            sha256, size = hub.sha256(file_url, path)
        files.append({"path": path, "url": file_url, "size": size, "sha256": sha256})
    return f"commit:{commit}", files


def resolve_url(hub, source):
    path = urllib.parse.urlsplit(source).path
    name = urllib.parse.unquote(path.rsplit("/", 1)[-1])
    if not name:
        raise FetchError("the URL names no file")
    sha256, size = hub.sha256(source, name)
    return f"sha256:{sha256}", [{"path": name, "url": source, "size": size, "sha256": sha256}]


def resolve(hub, wanted):
    source, include, exclude = wanted["source"], wanted["include"], wanted["exclude"]
    if source.startswith(("hf://", "huggingface://")):
        fingerprint, files = resolve_hf(hub, source, include, exclude)
    elif source.startswith(("https://", "http://")):
        fingerprint, files = resolve_url(hub, source)
        files = [f for f in files if keeps(include, exclude, f["path"])]
    else:
        raise FetchError("only hf:// and https:// sources can be pinned")
    if not files:
        raise FetchError(f"its include/exclude patterns leave no file (include {include}, exclude {exclude})")
    return {"fingerprint": fingerprint, "include": include, "exclude": exclude, "files": files}


def main(sources_path, lock_path, out_path):
    with open(sources_path) as f:
        wanted = json.load(f)
    existing = {} if os.environ.get("COGNIX_UPDATE_WEIGHTS") == "1" else current_pins(lock_path, "weights")
    hub, pins, kept, failures = Hub(), {}, 0, []
    if wanted:
        print(f"cognix: pinning {len(wanted)} weight source(s) of cognix.imageWeights", file=sys.stderr)
    for w in wanted:
        old = existing.get(w["source"])
        if isinstance(old, dict) and old.get("include") == w["include"] and old.get("exclude") == w["exclude"] and isinstance(old.get("files"), list):
            pins[w["source"]] = old
            kept += 1
            continue
        try:
            pins[w["source"]] = resolve(hub, w)
        except FetchError as e:
            failures.append(f"cognix: cognix.imageWeights takes {w['source']}, but {e}.")
    if not write_field(out_path, pins, failures, "cognix.imageWeights"):
        return 1
    if wanted:
        files = sum(len(p["files"]) for p in pins.values())
        print(f"cognix: {files} weight file(s) pinned ({len(pins) - kept} source(s) resolved, {kept} kept; COGNIX_UPDATE_WEIGHTS=1 resolves all again)",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
