"""Consistency of lib/compat/ (stdlib unittest only).

The cog tables are copies and the legacy tables are compiled facts; both are read by the Rust
resolver and the Nix library, so a malformed row or a stale provenance line is a defect no
other test sees. Checked here:

  - every sha256 in SOURCE.md's tables matches the file it names (a table edited without its
    provenance line fails);
  - each legacy table has exactly the keys of the cog table it extends, with the same types;
  - no legacy row repeats a cog row, and no row repeats another;
  - every CUDA a torch or TensorFlow row names has an nvidia/cuda image in
    cuda_compatibility.json or cuda_legacy.json (the resolver drops rows without one);
  - torch rows are internally coherent: a local tag names the row's CUDA, and a row with an
    index or find-links URL points at download.pytorch.org.

Run directly to get a single summary line: `compat-data: N passed, M failed`.
"""

import hashlib
import json
import pathlib
import re
import sys
import unittest

COMPAT = pathlib.Path(__file__).resolve().parents[2] / "lib" / "compat"
PAIRS = {
    "torch_legacy.json": "torch_compatibility.json",
    "tf_legacy.json": "tf_compatibility.json",
    "cuda_legacy.json": "cuda_compatibility.json",
}
ROW_KEY = {
    "torch_compatibility.json": lambda r: (r["Torch"], r["CUDA"]),
    "tf_compatibility.json": lambda r: r["TF"],
    "cuda_compatibility.json": lambda r: r["Tag"],
}


def load(name):
    return json.loads((COMPAT / name).read_text())


def version_key(v):
    return tuple(int(p) for p in v.split("."))


def cuda_known(cuda, images):
    """cog's match: `11.8` matches image `11.8.0`; a written patch must match exactly."""
    want = version_key(cuda)
    for image in images:
        have = version_key(image)
        if have[:2] == want[:2] and (len(want) < 3 or len(have) < 3 or have[2] == want[2]):
            return True
    return False


class Provenance(unittest.TestCase):
    def test_every_listed_sha256_matches(self):
        text = (COMPAT / "SOURCE.md").read_text()
        listed = re.findall(r"^\| `([\w.]+\.json)` \|.*`([0-9a-f]{64})` \|$", text, re.M)
        self.assertEqual(
            sorted(name for name, _ in listed),
            sorted(p.name for p in COMPAT.glob("*.json")),
            "SOURCE.md must list every table in lib/compat exactly once",
        )
        for name, digest in listed:
            actual = hashlib.sha256((COMPAT / name).read_bytes()).hexdigest()
            self.assertEqual(actual, digest, f"{name} changed: update its sha256 in lib/compat/SOURCE.md")


class Shapes(unittest.TestCase):
    def test_legacy_rows_have_the_cog_shape(self):
        for legacy, cog in PAIRS.items():
            reference = load(cog)[0]
            for row in load(legacy):
                self.assertEqual(list(row), list(reference), f"{legacy}: {row}")
                for key, value in row.items():
                    # CUDA is null in the CPU rows of both torch tables.
                    if value is None or reference[key] is None:
                        continue
                    self.assertIsInstance(value, type(reference[key]), f"{legacy}: {key} of {row}")

    def test_no_row_repeats(self):
        for legacy, cog in PAIRS.items():
            key = ROW_KEY[cog]
            cog_keys = {key(r) for r in load(cog)}
            seen = set()
            for row in load(legacy):
                k = key(row)
                self.assertNotIn(k, seen, f"{legacy}: {k} twice")
                self.assertNotIn(k, cog_keys, f"{legacy}: {k} is already in {cog}")
                seen.add(k)

    def test_pythons_are_sorted_minor_versions(self):
        for name in ("torch_legacy.json", "tf_legacy.json"):
            for row in load(name):
                pythons = row["Pythons"]
                self.assertTrue(pythons, f"{name}: {row} lists no Python")
                self.assertTrue(all(re.fullmatch(r"\d+\.\d+", p) for p in pythons), f"{name}: {pythons}")
                self.assertEqual(pythons, sorted(pythons, key=version_key), f"{name}: {pythons}")


class Cuda(unittest.TestCase):
    def test_every_cuda_has_an_image(self):
        images = [r["CUDA"] for r in load("cuda_compatibility.json") + load("cuda_legacy.json")]
        for name in ("torch_legacy.json", "tf_legacy.json"):
            for row in load(name):
                if row["CUDA"] is not None:
                    self.assertTrue(cuda_known(row["CUDA"], images), f"{name}: no image for CUDA {row['CUDA']} ({row})")

    def test_legacy_images_match_their_tags(self):
        for row in load("cuda_legacy.json"):
            self.assertEqual(row["Tag"], f"{row['CUDA']}-cudnn{row['CuDNN']}-devel-ubuntu{row['Ubuntu']}")
            self.assertTrue(row["IsDevel"])


class Torch(unittest.TestCase):
    def test_local_tags_agree_with_cuda(self):
        for row in load("torch_legacy.json"):
            _, _, tag = row["Torch"].partition("+")
            if tag == "cpu":
                self.assertIsNone(row["CUDA"], row)
            elif tag:
                digits = tag.removeprefix("cu")
                self.assertEqual(f"{digits[:-1]}.{digits[-1]}", row["CUDA"], row)
                self.assertTrue(row["Torchvision"].endswith("+" + tag), row)

    def test_wheel_locations(self):
        for row in load("torch_legacy.json"):
            tag = row["Torch"].partition("+")[2]
            urls = [u for u in (row["FindLinks"], row["ExtraIndexURL"]) if u]
            self.assertLessEqual(len(urls), 1, row)
            for url in urls:
                self.assertTrue(url.startswith("https://download.pytorch.org/whl/"), row)
            if tag:
                # A tagged wheel comes from its variant's index, never from PyPI.
                self.assertTrue(row["ExtraIndexURL"].endswith(f"/{tag}/"), row)
            elif urls:
                # Untagged variants (torch < 1.2) live on their CUDA's find-links page.
                variant = "cpu" if row["CUDA"] is None else "cu" + row["CUDA"].replace(".", "")
                self.assertEqual(row["FindLinks"], f"https://download.pytorch.org/whl/{variant}/torch_stable.html", row)


if __name__ == "__main__":
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=1).run(
        unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    )
    failed = len(result.failures) + len(result.errors)
    print(f"compat-data: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
