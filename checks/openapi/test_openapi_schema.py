"""Tests for lib/openapi_schema.py (stdlib unittest only).

Each directory under fixtures/ is a model source directory:

  predict.py, train.py, ...  the predictor sources (the script runs with the
                             directory as its working directory)
  args                       command-line references (default: --predict predict.py:Predictor)
  expected.json              the document cog's Go generator produces, byte for byte
                             (cog 0.22.0, compact; merged and indented with --train)
  expected_error             a substring of the one-line error, when generation must fail
  requires                   "pydantic" or "python>=3.11" when the case needs them

The expected documents were written from cog's Go tests (pkg/schema/openapi_spec_test.go,
generator_test.go, pkg/schema/python/parser_test.go) and the predictors and label checks
of its integration tests (integration-tests/tests/*.txtar); each fixture names its source.
CogAssertions below repeats the checks those tests make, verbatim where they are literal.

Environment:
  COGNIX_OPENAPI_PYTHON         interpreter with cog (>= 0.17) installed (default: this one)
  COGNIX_OPENAPI_LEGACY_PYTHON  interpreter with cog 0.16.x installed; legacy tests are
                                skipped without it

Run directly to get a single summary line: `openapi: N passed, M failed`.
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.normpath(os.path.join(HERE, "..", "..", "lib", "openapi_schema.py"))
FIXTURES = os.path.join(HERE, "fixtures")
PYTHON = os.environ.get("COGNIX_OPENAPI_PYTHON") or sys.executable
LEGACY_PYTHON = os.environ.get("COGNIX_OPENAPI_LEGACY_PYTHON") or ""
VERSION = "0.22.0"
ERROR_PREFIX = "cognix: cannot generate the OpenAPI schema: "


def load_script_module():
    spec = importlib.util.spec_from_file_location("cognix_openapi_schema", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = load_script_module()


def fixture_args(case):
    path = os.path.join(FIXTURES, case, "args")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            return handle.read().split()
    return ["--predict", "predict.py:Predictor"]


def run_script(case, python=PYTHON, cwd=None, version=VERSION):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("COG_PREDICT_TYPE_STUB", None)
    env.pop("COG_TRAIN_TYPE_STUB", None)
    command = [python, SCRIPT] + fixture_args(case)
    if version:
        command += ["--cog-version", version]
    return subprocess.run(command, cwd=cwd or os.path.join(FIXTURES, case), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)


_outputs = {}


def output_of(case):
    """The script's stdout for a fixture (cached), failing the test on errors."""
    if case not in _outputs:
        _outputs[case] = run_script(case)
    result = _outputs[case]
    if result.returncode != 0:
        raise AssertionError("generation failed for %s: %s" % (case, result.stderr.decode(errors="replace")))
    return result.stdout.decode("utf-8")


_probes = {}


def python_has(python, requirement):
    key = (python, requirement)
    if key not in _probes:
        if requirement == "pydantic":
            code = "import pydantic"
        elif requirement.startswith("python>="):
            major, minor = requirement[len("python>="):].split(".")
            code = "import sys; sys.exit(sys.version_info < (%d, %d))" % (int(major), int(minor))
        else:
            code = "import %s" % requirement
        _probes[key] = subprocess.run([python, "-c", code], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL).returncode == 0
    return _probes[key]


def fixture_cases():
    return sorted(name for name in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, name)))


def read(case, name):
    with open(os.path.join(FIXTURES, case, name), encoding="utf-8") as handle:
        return handle.read()


def skip_unless_requirements(test, case, python=PYTHON):
    path = os.path.join(FIXTURES, case, "requires")
    if os.path.exists(path):
        for requirement in read(case, "requires").split():
            if not python_has(python, requirement):
                test.skipTest("%s needs %s" % (case, requirement))


class Fixtures(unittest.TestCase):
    """Every fixture: the exact document, or the expected one-line error."""


def _make_fixture_test(case):
    def test(self):
        skip_unless_requirements(self, case)
        if os.path.exists(os.path.join(FIXTURES, case, "expected_error")):
            result = run_script(case)
            stderr = result.stderr.decode("utf-8", errors="replace")
            self.assertEqual(result.returncode, 1, stderr)
            self.assertEqual(result.stdout, b"")
            lines = [line for line in stderr.splitlines() if line.startswith(ERROR_PREFIX)]
            self.assertEqual(len(lines), 1, stderr)
            self.assertTrue(stderr.endswith(lines[0] + "\n"), stderr)
            self.assertIn(read(case, "expected_error").strip(), lines[0])
        else:
            expected = read(case, "expected.json").rstrip("\n")
            self.assertEqual(output_of(case), expected)
    test.__name__ = "test_" + case
    return test


for _case in fixture_cases():
    setattr(Fixtures, "test_" + _case, _make_fixture_test(_case))


PREDICTOR_CONFIG = os.path.join(HERE, "predictor-config")
CONFIG_ERROR_PREFIX = "cognix: cannot read the predictor: "


class PredictorConfig(unittest.TestCase):
    """--config-from-predictor: what cog's build adds to the configuration from the predictor
    (`concurrency` from @cog.concurrent), for each case under predictor-config/: `expected`
    (the exact output) or `expected_error`, with extra arguments in `args`."""


def _make_config_test(case):
    def test(self):
        directory = os.path.join(PREDICTOR_CONFIG, case)
        args = []
        if os.path.exists(os.path.join(directory, "args")):
            with open(os.path.join(directory, "args"), encoding="utf-8") as handle:
                args = handle.read().split()
        result = subprocess.run([PYTHON, SCRIPT, "--config-from-predictor", "--predict", "predict.py:Predictor",
                                 "--python-version", "3.12"] + args,
                                cwd=directory, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        stderr = result.stderr.decode("utf-8", errors="replace")
        if os.path.exists(os.path.join(directory, "expected_error")):
            with open(os.path.join(directory, "expected_error"), encoding="utf-8") as handle:
                expected = handle.read().strip()
            self.assertEqual(result.returncode, 1, stderr)
            self.assertEqual(result.stdout, b"")
            self.assertEqual(stderr, CONFIG_ERROR_PREFIX + expected + "\n")
        else:
            with open(os.path.join(directory, "expected"), encoding="utf-8") as handle:
                expected = handle.read().strip()
            self.assertEqual(result.returncode, 0, stderr)
            self.assertEqual(result.stdout.decode("utf-8"), expected)
    test.__name__ = "test_" + case
    return test


for _case in sorted(os.listdir(PREDICTOR_CONFIG)):
    setattr(PredictorConfig, "test_" + _case, _make_config_test(_case))


def doc_of(case):
    return json.loads(output_of(case))


def prop(case, name, component="Input"):
    return doc_of(case)["components"]["schemas"][component]["properties"][name]


def compact(value):
    """json.Marshal of a decoded value (sorted keys, no spaces), for JSONEq-style checks."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class CogAssertions(unittest.TestCase):
    """The checks cog's own tests make, applied to the documents generated here."""

    # integration-tests/tests/*.txtar: `stdout` regexes on the run.cog.openapi_schema label.
    TXTAR_PATTERNS = {
        "txtar_build_openapi_schema": [
            r'"title":"Input"', r'"required":\["text","path"\]', r'"text":', r'"path":',
            r'"type":"string"', r'"format":"uri"', r'"version":"[^"]*"',
        ],
        "txtar_build_openapi_schema_complex": [
            r'"title":"Input"', r'"temperature"', r'"prompt"', r'"style"', r'"api_key"', r'"image"',
            r'"minimum":0', r'"maximum":2', r'"enum":\["fast","balanced","quality"\]',
            r'"x-cog-secret":true', r'"default":"hello"', r'"Output"',
        ],
        "txtar_static_schema_gen": [
            r'"openapi":"3.0.2"', r'"text":', r'"type":"string"', r'"count":', r'"type":"integer"',
            r'"default":5', r'"enum":\["fast","balanced","quality"\]', r'"format":"uri"',
            r'"required":\["text","image"\]', r'"type":"string"',
        ],
        "txtar_dict_input": [
            r'"data":{"title":"Data","type":"object","x-order":0}', r'"required":\["data"\]',
        ],
        "txtar_list_dict_input": [
            r'"messages":{"items":{"type":"object"},"title":"Messages","type":"array","x-order":0}',
            r'"required":\["messages"\]',
        ],
        "txtar_typing_dict_input": [
            r'"data":{"title":"Data","type":"object","x-order":0}',
            r'"items":{"items":{"type":"object"},"title":"Items","type":"array","x-order":1}',
        ],
        "txtar_typeddict_input": [
            r'"data":{"title":"Data","type":"object","x-order":0}',
            r'"items":{"default":null,"items":{"type":"object"},"nullable":true,"title":"Items","type":"array","x-order":1}',
        ],
        "txtar_typeddict_output": [
            r'"type":"object"', r'"name":', r'"count":', r'"required":\["name"\]',
        ],
        "txtar_static_schema_opaque": [
            r'"payload":{"title":"Payload","type":"object","x-order":0}',
            r'"items":{"items":{"type":"object"},"title":"Items","type":"array","x-order":1}',
            r'"result":{"title":"Result","type":"object"}',
            r'"results":{"items":{"type":"object"},"title":"Results","type":"array"}',
            r'"required":\["payload","items"\]', r'"required":\["result","results"\]',
        ],
        "txtar_static_schema_secret_optional": [
            r'"api_key":', r'"format":"password"', r'"x-cog-secret":true', r'"nullable":true',
            r'"default":null', r'"required":\["prompt","api_key_required","seed"\]',
        ],
        "txtar_accept_mime_type": [
            r'"x-cog-accept":"image/\*"', r'"x-cog-accept":"audio/wav,audio/mp3"',
            r'"x-cog-accept":".safetensors,.bin"', r'"prompt":', r'"format":"uri"',
        ],
        "txtar_multi_file_schema": [
            r'"type":"object"', r'"text":', r'"score":', r'"tags":', r'"prompt":', r'"required":\["prompt"\]',
        ],
    }

    def test_txtar_label_patterns(self):
        for case, patterns in self.TXTAR_PATTERNS.items():
            with self.subTest(case=case):
                skip_unless_requirements(self, case)
                text = output_of(case)
                for pattern in patterns:
                    self.assertRegex(text, pattern)

    def test_build_openapi_schema_version_matches_cog_version(self):
        # build_openapi_schema.txtar check_schema_version.py: info.version is cog's version.
        self.assertEqual(doc_of("txtar_build_openapi_schema")["info"]["version"], VERSION)

    # pkg/schema/openapi_spec_test.go

    def test_generates_valid_openapi(self):
        spec = doc_of("simple_string")
        self.assertEqual(spec["openapi"], "3.0.2")
        self.assertEqual(spec["info"]["title"], "Cog")
        self.assertEqual(spec["info"]["version"], VERSION)

    def test_predict_endpoints(self):
        paths = doc_of("simple_string")["paths"]
        self.assertIn("get", paths["/"])
        self.assertIn("get", paths["/health-check"])
        post = paths["/predictions"]["post"]
        self.assertEqual(post["summary"], "Predict")
        self.assertEqual(post["operationId"], "predict_predictions_post")
        self.assertIn("post", paths["/predictions/{prediction_id}/cancel"])

    def test_train_endpoints(self):
        spec = doc_of("train_only")
        post = spec["paths"]["/trainings"]["post"]
        self.assertEqual(post["summary"], "Train")
        self.assertEqual(post["operationId"], "train_trainings_post")
        self.assertIn("post", spec["paths"]["/trainings/{training_id}/cancel"])
        for name in ("TrainingInput", "TrainingOutput", "TrainingRequest", "TrainingResponse"):
            self.assertIn(name, spec["components"]["schemas"])

    def test_fixed_component_schemas(self):
        schemas = doc_of("simple_string")["components"]["schemas"]
        request = schemas["PredictionRequest"]
        self.assertEqual(request["title"], "PredictionRequest")
        self.assertEqual(request["properties"]["input"]["$ref"], "#/components/schemas/Input")
        self.assertEqual(request["properties"]["id"]["type"], "string")
        response = schemas["PredictionResponse"]
        self.assertEqual(response["title"], "PredictionResponse")
        self.assertEqual(response["properties"]["input"]["$ref"], "#/components/schemas/Input")
        self.assertEqual(response["properties"]["output"]["$ref"], "#/components/schemas/Output")
        self.assertEqual(schemas["Status"]["type"], "string")
        self.assertIn("starting", schemas["Status"]["enum"])
        self.assertIn("succeeded", schemas["Status"]["enum"])
        self.assertIn("HTTPValidationError", schemas)
        self.assertIn("ValidationError", schemas)

    def test_input_required_field(self):
        self.assertIn("s", doc_of("simple_string")["components"]["schemas"]["Input"]["required"])

    def test_input_optional_field_not_required(self):
        self.assertNotIn("name", doc_of("optional_inputs")["components"]["schemas"]["Input"].get("required", []))
        self.assertIs(prop("optional_inputs", "name")["nullable"], True)

    def test_input_default_value(self):
        self.assertEqual(prop("defaults", "count")["default"], 42)

    def test_none_default_on_required_type_is_required(self):
        required = doc_of("txtar_static_schema_secret_optional")["components"]["schemas"]["Input"]["required"]
        self.assertIn("prompt", required)
        self.assertIn("seed", required)
        self.assertNotIn("default", prop("txtar_static_schema_secret_optional", "seed"))

    def test_none_default_on_optional_type_emits_null(self):
        image = prop("optional_inputs", "image")
        self.assertIn("default", image)
        self.assertIsNone(image["default"])

    def test_none_default_on_bare_secret_is_optional(self):
        api_key = prop("txtar_static_schema_secret_optional", "api_key")
        self.assertEqual(api_key["type"], "string")
        self.assertEqual(api_key["format"], "password")
        self.assertIs(api_key["x-cog-secret"], True)
        self.assertIs(api_key["writeOnly"], True)
        self.assertIs(api_key["nullable"], True)
        self.assertIn("default", api_key)
        self.assertIsNone(api_key["default"])
        required = doc_of("txtar_static_schema_secret_optional")["components"]["schemas"]["Input"]["required"]
        self.assertIn("prompt", required)
        self.assertNotIn("api_key", required)

    def test_bare_secret_without_default_remains_required(self):
        api_key = prop("txtar_static_schema_secret_optional", "api_key_required")
        self.assertEqual(api_key["format"], "password")
        self.assertNotIn("nullable", api_key)
        self.assertNotIn("default", api_key)
        self.assertIn("api_key_required",
                      doc_of("txtar_static_schema_secret_optional")["components"]["schemas"]["Input"]["required"])

    def test_input_description(self):
        self.assertEqual(prop("constraints", "text")["description"], "The input text")

    def test_input_numeric_constraints(self):
        temperature = prop("constraints", "temperature")
        self.assertEqual(temperature["minimum"], 0)
        self.assertEqual(temperature["maximum"], 1)

    def test_input_string_constraints(self):
        name = prop("constraints", "name")
        self.assertEqual(name["minLength"], 1)
        self.assertEqual(name["maxLength"], 100)
        self.assertEqual(name["pattern"], "^[a-z]+$")

    def test_input_deprecated(self):
        self.assertIs(prop("constraints", "old_param")["deprecated"], True)

    def test_input_x_order(self):
        self.assertEqual(prop("x_order", "alpha")["x-order"], 0)
        self.assertEqual(prop("x_order", "beta")["x-order"], 1)

    def test_input_repeated_type(self):
        items = prop("lists", "items")
        self.assertEqual(items["type"], "array")
        self.assertEqual(items["items"]["type"], "string")

    def test_input_optional_repeated_type(self):
        files = prop("lists", "opt_files")
        self.assertEqual(files["type"], "array")
        self.assertEqual(files["items"], {"format": "uri", "type": "string"})
        self.assertIs(files["nullable"], True)
        self.assertNotIn("opt_files", doc_of("lists")["components"]["schemas"]["Input"]["required"])

    def test_union_input_string_float(self):
        self.assertEqual(compact(prop("unions", "value")),
                         compact(json.loads('{"anyOf":[{"type":"string"},{"type":"number"}],"title":"Value","x-order":0}')))

    def test_required_nullable_union_input(self):
        self.assertIn("nvalue", doc_of("unions")["components"]["schemas"]["Input"]["required"])
        self.assertEqual(compact(prop("unions", "nvalue")), compact(json.loads(
            '{"anyOf":[{"nullable":true,"type":"string"},{"nullable":true,"type":"number"}],'
            '"nullable":true,"title":"Nvalue","x-order":1}')))

    def test_choices_generate_enum(self):
        schemas = doc_of("choices")["components"]["schemas"]
        self.assertEqual(schemas["color"]["title"], "color")
        self.assertEqual(schemas["color"]["type"], "string")
        self.assertEqual(schemas["color"]["enum"], ["red", "blue"])
        self.assertEqual(prop("choices", "color")["allOf"], [{"$ref": "#/components/schemas/color"}])

    def test_integer_choices(self):
        size = doc_of("choices")["components"]["schemas"]["size"]
        self.assertEqual(size["type"], "integer")
        self.assertEqual(size["enum"], [256, 512, 1024])

    def test_outputs(self):
        schemas = lambda case: doc_of(case)["components"]["schemas"]  # noqa: E731
        self.assertEqual(schemas("simple_string")["Output"], {"title": "Output", "type": "string"})
        self.assertEqual(schemas("output_list")["Output"]["items"]["type"], "string")
        self.assertEqual(schemas("output_iterator")["Output"]["x-cog-array-type"], "iterator")
        concat = schemas("output_concatenate_iterator")["Output"]
        self.assertEqual((concat["type"], concat["x-cog-array-type"], concat["x-cog-array-display"]),
                         ("array", "iterator", "concatenate"))
        self.assertEqual((schemas("output_path")["Output"]["type"], schemas("output_path")["Output"]["format"]),
                         ("string", "uri"))
        self.assertEqual(schemas("output_object_no_fields")["Output"]["type"], "object")

    def test_streaming_extension(self):
        self.assertIs(doc_of("streaming_qualified")["paths"]["/predictions"]["post"]["x-cog-streaming"], True)
        self.assertNotIn("x-cog-streaming", doc_of("output_iterator")["paths"]["/predictions"]["post"])
        self.assertNotIn("x-cog-streaming", doc_of("train_streaming")["paths"]["/trainings"]["post"])

    def test_output_object(self):
        output = doc_of("output_object")["components"]["schemas"]["Output"]
        self.assertEqual(output["type"], "object")
        self.assertEqual(output["properties"]["name"], {"title": "Name", "type": "string"})
        self.assertEqual(output["properties"]["score"]["type"], "number")
        self.assertIs(output["properties"]["notes"]["nullable"], True)
        self.assertEqual(output["required"], ["name", "score"])

    def test_multiple_input_types(self):
        self.assertEqual(prop("file_inputs", "count")["default"], 10)
        self.assertEqual(prop("file_inputs", "image")["format"], "uri")
        self.assertEqual(prop("file_inputs", "flag")["type"], "boolean")
        secret = prop("file_inputs", "secret_key")
        self.assertEqual((secret["format"], secret["writeOnly"], secret["x-cog-secret"], secret["nullable"]),
                         ("password", True, True, True))
        required = doc_of("file_inputs")["components"]["schemas"]["Input"]["required"]
        self.assertIn("text", required)
        self.assertIn("image", required)
        for name in ("count", "flag", "secret_key"):
            self.assertNotIn(name, required)

    def test_accept_annotation(self):
        self.assertEqual(prop("txtar_accept_mime_type", "image")["x-cog-accept"], "image/*")
        self.assertEqual(prop("txtar_accept_mime_type", "audio")["x-cog-accept"], "audio/wav,audio/mp3")
        self.assertNotIn("x-cog-accept", prop("txtar_accept_mime_type", "prompt"))

    def test_no_inputs(self):
        input_schema = doc_of("output_path")["components"]["schemas"]["Input"]
        self.assertEqual(input_schema["type"], "object")
        self.assertNotIn("required", input_schema)

    def test_ordered_map_json(self):
        m = gen.OMap()
        m["z"], m["a"], m["m"] = 1, 2, 3
        self.assertEqual(gen.go_marshal(m), '{"z":1,"a":2,"m":3}')
        del m["a"]
        self.assertEqual(gen.go_marshal(m), '{"z":1,"m":3}')

    def test_remove_title_next_to_ref(self):
        schema = {"title": "Foo", "$ref": "#/components/schemas/Bar"}
        gen.remove_title_next_to_ref(schema)
        self.assertEqual(schema, {"$ref": "#/components/schemas/Bar"})
        nested = {"properties": {"inner": {"title": "Inner", "$ref": "#/components/schemas/Foo"}}}
        gen.remove_title_next_to_ref(nested)
        self.assertNotIn("title", nested["properties"]["inner"])

    def test_fix_nullable_any_of(self):
        schema = {"anyOf": [{"type": "string"}, {"type": "null"}]}
        gen.fix_nullable_any_of(schema)
        self.assertEqual(schema, {"type": "string", "nullable": True})
        untouched = {"anyOf": [{"type": "string"}, {"type": "integer"}]}
        gen.fix_nullable_any_of(untouched)
        self.assertEqual(untouched, {"anyOf": [{"type": "string"}, {"type": "integer"}]})

    def test_title_case(self):
        self.assertEqual(gen.title_case("hello_world"), "Hello World")
        self.assertEqual(gen.title_case("segmented_image"), "Segmented Image")
        self.assertEqual(gen.title_case("name"), "Name")

    # pkg/schema/generator_test.go

    def test_generate_from_source(self):
        self.assertIn("s", doc_of("simple_string")["components"]["schemas"]["Input"]["properties"])
        self.assertIn("/trainings", doc_of("train_only")["paths"])

    def test_merge_schemas(self):
        merged = doc_of("predict_and_train")
        for path in ("/predictions", "/predictions/{prediction_id}/cancel", "/trainings",
                     "/trainings/{training_id}/cancel"):
            self.assertIn(path, merged["paths"])
        schemas = merged["components"]["schemas"]
        for name in ("Input", "Output", "TrainingInput", "TrainingOutput", "style"):
            self.assertIn(name, schemas)
        self.assertEqual(schemas["mode"]["enum"], ["fast", "slow"])  # the predict schema wins
        text = output_of("predict_and_train")
        self.assertTrue(text.startswith('{\n  "components": {\n'))


class JsonEncoding(unittest.TestCase):
    """Go encoding/json conventions the documents depend on."""

    def test_floats(self):
        cases = [(0.0, "0"), (-0.0, "-0"), (1.0, "1"), (1.5, "1.5"), (0.7, "0.7"), (123.0, "123"),
                 (-1.5, "-1.5"), (1e20, "100000000000000000000"), (1e21, "1e+21"), (1.5e21, "1.5e+21"),
                 (1e-6, "0.000001"), (1e-7, "1e-7"), (1.5e-10, "1.5e-10"), (2.5e-300, "2.5e-300"),
                 (0.1 + 0.2, "0.30000000000000004")]
        for value, text in cases:
            self.assertEqual(gen.go_json_float(value), text, value)

    def test_strings(self):
        self.assertEqual(gen.go_json_string('<a href="x">&</a>'), '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"')
        self.assertEqual(gen.go_json_string("\b\f\n\r\t\x01\x7f"), '"\\b\\f\\n\\r\\t\\u0001\x7f"')
        self.assertEqual(gen.go_json_string("\u2028\u2029é—"), '"\\u2028\\u2029é—"')
        self.assertEqual(gen.go_json_string("\udcb1"), '"\\ufffd"')

    def test_indent(self):
        value = {"b": [], "a": {"c": [1, {"d": {}}]}}
        self.assertEqual(gen.go_marshal_indent(value),
                         '{\n  "a": {\n    "c": [\n      1,\n      {\n        "d": {}\n      }\n    ]\n  },\n  "b": []\n}')

    def test_go_sprint_of_dict_default_keys(self):
        default = ("dict", [(("int", 1), ("str", "one")), (("float", 1e6), ("bool", True)), (("none", None), ("int", 0))])
        self.assertEqual(gen.default_to_json(default), {"1": "one", "1e+06": True, "<nil>": 0})


class CommandLine(unittest.TestCase):
    def test_no_reference_is_a_usage_error(self):
        result = subprocess.run([PYTHON, SCRIPT], cwd=FIXTURES, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                timeout=120)
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stdout, b"")

    def test_no_trailing_newline(self):
        self.assertFalse(output_of("simple_string").endswith("\n"))

    def test_default_version_is_the_sdks(self):
        result = run_script("simple_string", version=None)
        self.assertEqual(result.returncode, 0, result.stderr)
        version = subprocess.run([PYTHON, "-c", "import cog; print(cog.__version__)"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, timeout=120).stdout.decode().strip()
        self.assertEqual(json.loads(result.stdout)["info"]["version"], version)


_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')


def _assert_sorted_keys(test, text):
    def hook(pairs):
        keys = [key for key, _ in pairs]
        test.assertEqual(keys, sorted(keys, key=lambda k: k.encode("utf-8")))
        return dict(pairs)
    json.loads(text, object_pairs_hook=hook)


@unittest.skipUnless(LEGACY_PYTHON and os.path.exists(LEGACY_PYTHON),
                     "COGNIX_OPENAPI_LEGACY_PYTHON (a cog 0.16.x environment) is not set")
class Legacy(unittest.TestCase):
    """SDKs with the runtime generator: the script runs it and stores its result the way
    cog <= 0.16's CLI did (json.Marshal of the decoded document)."""

    CASES = ["simple_string", "txtar_build_openapi_schema", "txtar_build_openapi_schema_complex",
             "predict_and_train", "defaults"]

    def _reference(self, case):
        """`python -m cog.command.openapi_schema` in a copy of the fixture with a cog.yaml."""
        args = fixture_args(case)
        refs = dict(zip(args[::2], args[1::2]))
        with tempfile.TemporaryDirectory() as tmp:
            workdir = os.path.join(tmp, case)
            shutil.copytree(os.path.join(FIXTURES, case), workdir)
            with open(os.path.join(workdir, "cog.yaml"), "w", encoding="utf-8") as handle:
                handle.write("build:\n  python_version: \"3.11\"\n")
                if "--predict" in refs:
                    handle.write("predict: \"%s\"\n" % refs["--predict"])
                if "--train" in refs:
                    handle.write("train: \"%s\"\n" % refs["--train"])
            env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
            result = subprocess.run([LEGACY_PYTHON, "-m", "cog.command.openapi_schema"], cwd=workdir, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
            self.assertEqual(result.returncode, 0, result.stderr.decode(errors="replace"))
            return json.loads(result.stdout)

    def test_legacy_generator_result_stored_like_cog(self):
        for case in self.CASES:
            with self.subTest(case=case):
                result = run_script(case, python=LEGACY_PYTHON)
                self.assertEqual(result.returncode, 0, result.stderr.decode(errors="replace"))
                text = result.stdout.decode("utf-8")
                self.assertEqual(json.loads(text), self._reference(case))
                self.assertIsNone(re.search(r"\s", _STRING_RE.sub('""', text)), "not compact")
                _assert_sorted_keys(self, text)
                self.assertNotRegex(text, r"[<>&]")

    def test_legacy_output_is_not_polluted(self):
        result = run_script("noisy_import", python=LEGACY_PYTHON)
        self.assertEqual(result.returncode, 0, result.stderr.decode(errors="replace"))
        self.assertEqual(json.loads(result.stdout)["openapi"], "3.0.2")

    def test_legacy_errors_are_one_line(self):
        for case, message in (("err_predictor_not_found", "has no attribute 'Predictor'"),
                              ("err_missing_return_type", "You must set an output type")):
            with self.subTest(case=case):
                result = run_script(case, python=LEGACY_PYTHON)
                self.assertEqual(result.returncode, 1)
                self.assertEqual(result.stdout, b"")
                last = result.stderr.decode(errors="replace").splitlines()[-1]
                self.assertTrue(last.startswith(ERROR_PREFIX), last)
                self.assertIn(message, last)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=int(os.environ.get("OPENAPI_TEST_VERBOSITY", "1")))
    result = runner.run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped) - len(result.expectedFailures)
    print("openapi: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
