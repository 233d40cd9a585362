#!/usr/bin/env python3
"""Writes a synthetic docker-archive image in the layout dockerTools.streamLayeredImage writes
(every <diff_id>/layer.tar, then the config <sha256>.json, then manifest.json), for the push
benchmark (checks/bench-push.sh).

Each layer holds one file: blocks of random bytes (incompressible, like weights and
compressed wheels) alternating with blocks of repeated source text (like Python code), about
half and half, so gzip has real work to do. The same --seed gives the same bytes; --change N
replaces layer N's bytes only. With --from DIR the layers hold the bytes of DIR's files
instead (shared libraries, say: compressible machine code), each file once.

    synthetic_image.py OUT.tar [--layers 40] [--size-mb 2048] [--seed 1] [--change N] [--from DIR]
"""

import argparse
import hashlib
import io
import json
import os
import random
import tarfile

BLOCK = 64 * 1024
TEXT = b"def predict(self, prompt: str, steps: int = 50) -> Path:\n    return self.pipe(prompt, steps)\n"


def payload(seed: int, size: int) -> bytes:
    rng = random.Random(seed)
    text = (TEXT * (BLOCK // len(TEXT) + 1))[:BLOCK]
    out = bytearray()
    while len(out) < size:
        out += rng.randbytes(BLOCK)
        offset = rng.randrange(len(TEXT))
        out += text[offset:] + text[:offset]
    return bytes(out[:size])


class FileBytes:
    """The bytes of every regular file under a directory, in path order, handed out in runs."""

    def __init__(self, root: str):
        self.files = self._read(root)
        self.rest = b""

    @staticmethod
    def _read(root: str):
        for directory, subdirectories, names in os.walk(root):
            subdirectories.sort()
            for name in sorted(names):
                path = os.path.join(directory, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    with open(path, "rb") as f:
                        yield f.read()

    def take(self, size: int) -> bytes:
        out = bytearray(self.rest)
        for chunk in self.files:
            out += chunk
            if len(out) >= size:
                break
        if len(out) < size:
            raise SystemExit(f"not enough file bytes for a layer of {size} bytes")
        self.rest = bytes(out[size:])
        return bytes(out[:size])


def tar_bytes(entries) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--layers", type=int, default=40)
    parser.add_argument("--size-mb", type=int, default=2048, help="total layer bytes, in MiB")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--change", type=int, default=None, help="give this layer other bytes")
    parser.add_argument("--from", dest="source", default=None, help="take the layers' bytes from this directory's files")
    args = parser.parse_args()
    files = FileBytes(args.source) if args.source else None

    size = args.size_mb * 1024 * 1024 // args.layers
    diff_ids = []
    # Written under another name and renamed when whole: a stopped run leaves no half archive.
    partial = args.out + ".partial"
    with open(partial, "wb") as out, tarfile.open(fileobj=out, mode="w|", format=tarfile.USTAR_FORMAT) as image:
        for index in range(args.layers):
            seed = args.seed * 100_000 + index + (50_000 if index == args.change else 0)
            data = files.take(size) if files else payload(seed, size)
            if files and index == args.change:
                data = payload(seed, size)
            layer = tar_bytes([(f"nix/store/{index:03d}-synthetic/data", data)])
            digest = hashlib.sha256(layer).hexdigest()
            diff_ids.append("sha256:" + digest)
            info = tarfile.TarInfo(f"{digest}/layer.tar")
            info.size = len(layer)
            info.mtime = 1
            image.addfile(info, io.BytesIO(layer))
        config = json.dumps(
            {
                "created": "1970-01-01T00:00:01+00:00",
                "architecture": "amd64",
                "os": "linux",
                "config": {"Cmd": ["python", "-m", "cog.server.http"], "Labels": {"run.cog.version": "0.22.0"}},
                "rootfs": {"diff_ids": diff_ids, "type": "layers"},
            },
            indent=4,
        ).encode()
        config_name = hashlib.sha256(config).hexdigest() + ".json"
        for name, data in [
            (config_name, config),
            ("manifest.json", json.dumps([{"Config": config_name, "RepoTags": ["synthetic:bench"], "Layers": [d[7:] + "/layer.tar" for d in diff_ids]}]).encode()),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1
            image.addfile(info, io.BytesIO(data))
    os.replace(partial, args.out)


if __name__ == "__main__":
    main()
