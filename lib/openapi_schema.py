#!/usr/bin/env python3
"""Generate a Cog model's OpenAPI schema inside the model's own Python environment.

Usage (run with the model's source directory as the current directory):

    python openapi_schema.py --predict predict.py:Predictor \
        [--train train.py:Trainer] [--cog-version 0.22.0]

The JSON document is written to stdout without a trailing newline, byte for byte
what cog would store in the image (`run.cog.openapi_schema` label and
`/src/.cog/openapi_schema.json`):

* SDKs that still ship the runtime generator (`cog.command.openapi_schema`,
  cog <= 0.16.x) are asked for the document the way cog's build did; the result is
  re-encoded exactly as the cog CLI of that era stored it (Go's `json.Marshal` of
  the decoded document: compact, keys sorted).
* Newer SDKs are introspected with `cog._inspector` and the document is built the
  way cog's static (Go) generator builds it: compact JSON for a single predictor,
  merged and indented with two spaces when both --predict and --train are given.

Besides the runtime view, the model's source is read with `ast` for what only the
source carries and the Go generator reads from it: whether `default=` was passed to
`Input()`, literal spellings of strings and numbers, and `@cog.streaming`.

With --config-from-predictor, the script prints instead what cog's build adds to the
configuration from the predictor: `{"concurrency":{"max":N}}` for `@cog.concurrent(max=N)`
when cog.yaml sets no concurrency (pass it with --concurrency), else `{}`.

Exit status 1 with a single line on stderr when the predictor cannot be loaded or
inspected; 2 on bad usage.
"""

import argparse
import ast
import dataclasses
import decimal
import enum
import importlib
import importlib.util
import inspect
import json
import math
import os
import re
import sys
import typing

ERROR_PREFIX = "cognix: cannot generate the OpenAPI schema: "


class SchemaError(Exception):
    """A predictor that cannot be loaded, inspected or described."""


# ---------------------------------------------------------------------------
# JSON encoding with Go's encoding/json conventions
# ---------------------------------------------------------------------------


class OMap(dict):
    """A JSON object whose keys are emitted in insertion order.

    Plain dicts are emitted with sorted keys, as Go does for map[string]any.
    """


def _shortest_digits(value):
    """Shortest round-tripping decimal digits of abs(value) and the decimal point
    position: value == 0.d1d2...dn * 10**dp."""
    dec = decimal.Decimal(repr(abs(value)))
    _, digits, exponent = dec.as_tuple()
    digits = list(digits)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exponent += 1
    text = "".join(str(d) for d in digits)
    return text, len(digits) + exponent


def _fmt_e(neg, digits, dp):
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    exp = dp - 1
    sign = "-" if exp < 0 else "+"
    exp_text = "%02d" % abs(exp)
    return ("-" if neg else "") + mantissa + "e" + sign + exp_text


def _fmt_f(neg, digits, dp):
    if dp <= 0:
        text = "0." + "0" * (-dp) + digits
    elif dp >= len(digits):
        text = digits + "0" * (dp - len(digits))
    else:
        text = digits[:dp] + "." + digits[dp:]
    return ("-" if neg else "") + text


def go_json_float(value):
    """Format a float64 the way encoding/json does."""
    if math.isnan(value) or math.isinf(value):
        raise SchemaError("json: unsupported value: %r" % value)
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    neg = value < 0
    digits, dp = _shortest_digits(value)
    magnitude = abs(value)
    if magnitude < 1e-6 or magnitude >= 1e21:
        text = _fmt_e(neg, digits, dp)
        if len(text) >= 4 and text[-4] == "e" and text[-3] == "-" and text[-2] == "0":
            text = text[:-2] + text[-1]
        return text
    return _fmt_f(neg, digits, dp)


def go_fmt_g(value):
    """Format a float64 the way fmt's %v does (strconv 'g', shortest)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    neg = value < 0
    digits, dp = _shortest_digits(value)
    exp = dp - 1
    if exp < -4 or exp >= 6:
        return _fmt_e(neg, digits, dp)
    return _fmt_f(neg, digits, dp)


_HEX = "0123456789abcdef"


def go_json_string(text):
    """Quote a string the way encoding/json does (HTML-safe escaping).

    Lone surrogates stand for bytes that are not valid UTF-8 and become \\ufffd.
    """
    out = ['"']
    for ch in text:
        code = ord(ch)
        if code < 0x80:
            if ch in '"\\':
                out.append("\\" + ch)
            elif ch in "<>&" or code < 0x20:
                escapes = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
                if ch in escapes:
                    out.append(escapes[ch])
                else:
                    out.append("\\u00" + _HEX[code >> 4] + _HEX[code & 0xF])
            else:
                out.append(ch)
        elif code in (0x2028, 0x2029):
            out.append("\\u%04x" % code)
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _json_items(obj):
    if isinstance(obj, OMap):
        return list(obj.items())
    return sorted(obj.items(), key=lambda item: item[0].encode("utf-8", "surrogatepass"))


def go_marshal(obj):
    """Compact JSON exactly as Go's json.Marshal would write it."""
    if obj is None:
        return "null"
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, float):
        return go_json_float(obj)
    if isinstance(obj, str):
        return go_json_string(obj)
    if isinstance(obj, dict):
        return "{" + ",".join(go_json_string(k) + ":" + go_marshal(v) for k, v in _json_items(obj)) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(go_marshal(v) for v in obj) + "]"
    raise SchemaError("json: unsupported type: %s" % type(obj).__name__)


def go_marshal_indent(obj, indent="  ", level=0):
    """JSON exactly as Go's json.MarshalIndent(v, "", indent) would write it."""
    if isinstance(obj, dict):
        items = _json_items(obj)
        if not items:
            return "{}"
        inner = indent * (level + 1)
        parts = [inner + go_json_string(k) + ": " + go_marshal_indent(v, indent, level + 1) for k, v in items]
        return "{\n" + ",\n".join(parts) + "\n" + indent * level + "}"
    if isinstance(obj, (list, tuple)):
        if not obj:
            return "[]"
        inner = indent * (level + 1)
        parts = [inner + go_marshal_indent(v, indent, level + 1) for v in obj]
        return "[\n" + ",\n".join(parts) + "\n" + indent * level + "]"
    return go_marshal(obj)


def go_roundtrip(text):
    """Decode JSON the way Go's json.Unmarshal into `any` does (numbers are float64)."""

    def reject(name):
        raise SchemaError("invalid JSON value %s" % name)

    return json.loads(text, parse_int=float, parse_float=float, parse_constant=reject)


# ---------------------------------------------------------------------------
# The model of cog's Go generator (pkg/schema)
# ---------------------------------------------------------------------------

T_BOOL, T_FLOAT, T_INTEGER, T_STRING, T_PATH, T_FILE, T_SECRET, T_ANY = (
    "bool", "float", "int", "str", "Path", "File", "Secret", "Any")

REQUIRED, OPTIONAL, REPEATED, OPTIONAL_REPEATED = "required", "optional", "repeated", "optional_repeated"


def primitive_json_type(prim):
    if prim == T_BOOL:
        return {"type": "boolean"}
    if prim == T_FLOAT:
        return {"type": "number"}
    if prim == T_INTEGER:
        return {"type": "integer"}
    if prim == T_STRING:
        return {"type": "string"}
    if prim in (T_PATH, T_FILE):
        return {"type": "string", "format": "uri"}
    if prim == T_SECRET:
        return {"type": "string", "format": "password", "writeOnly": True, "x-cog-secret": True}
    return {"type": "object"}


def title_case(name):
    """snake_case to "Title Case", uppercasing the first byte of each part.

    A part starting with a non-ASCII character is mangled exactly as Go's
    byte-wise strings.ToUpper(p[:1]) + p[1:] does it.
    """
    parts = name.split("_")
    out = []
    for part in parts:
        if not part:
            out.append(part)
            continue
        first = part[0]
        if ord(first) < 0x80:
            out.append(first.upper() + part[1:])
        else:
            encoded = first.encode("utf-8", "surrogatepass")
            tail = "".join(chr(0xDC00 + b) for b in encoded[1:])
            out.append("\ufffd" + tail + part[1:])
    return " ".join(out)


class InputType:
    """The recursive input type (InputType in types.go)."""

    PRIMITIVE, ANY, ARRAY, UNION = "primitive", "any", "array", "union"

    def __init__(self, kind, primitive=T_ANY, elem=None, variants=None, nullable=False):
        self.kind = kind
        self.primitive = primitive
        self.elem = elem
        self.variants = variants or []
        self.nullable = nullable

    @classmethod
    def prim(cls, primitive):
        if primitive == T_ANY:
            return cls(cls.ANY)
        return cls(cls.PRIMITIVE, primitive=primitive)

    def json_schema(self):
        if self.kind == self.PRIMITIVE:
            schema = primitive_json_type(self.primitive)
        elif self.kind == self.ARRAY:
            schema = {"type": "array", "items": self.elem.json_schema() if self.elem else {"type": "object"}}
        elif self.kind == self.UNION:
            variants = []
            for variant in self.variants:
                variant_schema = variant.json_schema()
                if self.nullable:
                    variant_schema["nullable"] = True
                variants.append(variant_schema)
            schema = {"anyOf": variants}
        else:
            schema = {"type": "object"}
        if self.nullable:
            schema["nullable"] = True
        return schema

    def field_type(self):
        """The flat (primitive, repetition) compatibility view."""
        repetition = OPTIONAL if self.nullable else REQUIRED
        if self.kind == self.PRIMITIVE:
            return self.primitive, repetition
        if self.kind == self.ARRAY:
            repetition = OPTIONAL_REPEATED if self.nullable else REPEATED
            if self.elem is not None and self.elem.kind == self.PRIMITIVE:
                return self.elem.primitive, repetition
            return T_ANY, repetition
        return T_ANY, repetition


class GoInput:
    """One input of the predictor (InputField in types.go)."""

    def __init__(self, name, order, input_type):
        self.name = name
        self.order = order
        self.input_type = input_type
        self.default = None  # a DefaultValue (tagged tuple) or None for "no default"
        self.description = None
        self.ge = None
        self.le = None
        self.min_length = None
        self.max_length = None
        self.regex = None
        self.choices = None  # list of DefaultValue
        self.deprecated = None
        self.accept = None


class SchemaType:
    """The recursive output type (SchemaType in schema_type.go)."""

    PRIMITIVE, ANY, ARRAY, DICT, OBJECT, ITERATOR, CONCAT_ITERATOR = (
        "primitive", "any", "array", "dict", "object", "iterator", "concat")

    def __init__(self, kind, primitive=None, inner=None, fields=None, nullable=False):
        self.kind = kind
        self.primitive = primitive
        self.inner = inner  # items / value type / element type
        self.fields = fields  # list of (name, SchemaType, required) for objects
        self.nullable = nullable

    def json_schema(self, top_level=False):
        result = self._core()
        if top_level:
            result["title"] = "Output"
        if self.nullable:
            result["nullable"] = True
        return result

    def _core(self):
        if self.kind == self.PRIMITIVE:
            return primitive_json_type(self.primitive)
        if self.kind == self.ANY:
            return {"type": "object"}
        if self.kind == self.ARRAY:
            return {"type": "array", "items": self.inner.json_schema() if self.inner else {"type": "object"}}
        if self.kind == self.DICT:
            result = {"type": "object"}
            if self.inner is not None:
                result["additionalProperties"] = self.inner.json_schema()
            return result
        if self.kind == self.OBJECT:
            if self.fields is None:
                return {"type": "object"}
            properties = OMap()
            required = []
            for name, field_type, is_required in self.fields:
                prop = field_type.json_schema()
                prop["title"] = title_case(name)
                if is_required:
                    required.append(name)
                properties[name] = prop
            result = {"type": "object", "properties": properties}
            if required:
                result["required"] = required
            return result
        items = self.inner.json_schema() if self.inner else {"type": "object"}
        if self.kind == self.ITERATOR:
            return {"type": "array", "items": items, "x-cog-array-type": "iterator"}
        return {"type": "array", "items": items, "x-cog-array-type": "iterator",
                "x-cog-array-display": "concatenate"}


# DefaultValue (types.go) as tagged tuples:
#   ("none", None) ("bool", b) ("int", i) ("float", f) ("str", s)
#   ("list", [dv]) ("set", [dv]) ("dict", [(kdv, vdv)])


def default_to_json(dv):
    kind, value = dv
    if kind in ("none", "bool", "int", "float", "str"):
        return value
    if kind in ("list", "set"):
        return [default_to_json(item) for item in value]
    if kind == "dict":
        result = {}
        for key, val in value:
            if key[0] == "str":
                name = key[1]
            else:
                name = go_sprint(default_to_json(key))
            result[name] = default_to_json(val)
        return result
    return None


def go_sprint(value):
    """fmt.Sprintf("%v", value) for JSON-ish values."""
    if value is None:
        return "<nil>"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_fmt_g(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join("%s:%s" % (k, go_sprint(value[k])) for k in sorted(value)) + "]"
    return str(value)


INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def default_from_python(value):
    """A DefaultValue for a runtime Python value (used when the source cannot be read)."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None:
        return ("none", None)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        if INT64_MIN <= value <= INT64_MAX:
            return ("int", value)
        return ("float", float(value))
    if isinstance(value, float):
        return ("float", value)
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, (list, tuple)):
        return ("list", [default_from_python(v) for v in value])
    if isinstance(value, (set, frozenset)):
        items = [default_from_python(v) for v in value]
        try:
            items.sort(key=lambda dv: dv[1])
        except TypeError:
            pass
        return ("set", items)
    if isinstance(value, dict):
        return ("dict", [(default_from_python(k), default_from_python(v)) for k, v in value.items()])
    if isinstance(value, os.PathLike):
        return ("str", os.fspath(value))
    return ("str", str(value))


# ---------------------------------------------------------------------------
# The OpenAPI document (a port of pkg/schema/openapi_spec.go)
# ---------------------------------------------------------------------------


class PredictorInfo:
    def __init__(self, inputs, output, train, streaming, concurrency_max=None, is_async=False):
        self.inputs = inputs
        self.output = output
        self.train = train
        self.streaming = streaming
        # `@cog.concurrent(max=N)` on the predictor (None without it), and whether it is async.
        self.concurrency_max = concurrency_max
        self.is_async = is_async


def build_input_schema(info):
    properties = OMap()
    required = []
    enums = []
    for field in info.inputs:
        prop = {"x-order": field.order}
        primitive, repetition = field.input_type.field_type()
        if field.choices:
            type_name = primitive_json_type(primitive).get("type") or "string"
            enums.append((field.name, {
                "title": field.name,
                "description": "An enumeration.",
                "enum": [default_to_json(c) for c in field.choices],
                "type": type_name,
            }))
            prop["allOf"] = [{"$ref": "#/components/schemas/" + field.name}]
        else:
            prop["title"] = title_case(field.name)
            prop.update(field.input_type.json_schema())

        nullable = repetition in (OPTIONAL, OPTIONAL_REPEATED) or field.input_type.nullable
        if (primitive == T_SECRET and repetition == REQUIRED
                and field.default is not None and field.default[0] == "none"):
            nullable = True
        has_default = field.default is not None
        if has_default and field.default[0] == "none" and not nullable:
            has_default = False
        is_union = field.input_type.kind == InputType.UNION
        if not has_default and (is_union or repetition in (REQUIRED, REPEATED)):
            required.append(field.name)
        if has_default:
            prop["default"] = default_to_json(field.default)
        if nullable:
            prop["nullable"] = True
        if field.description is not None:
            prop["description"] = field.description
        if field.ge is not None:
            prop["minimum"] = float(field.ge)
        if field.le is not None:
            prop["maximum"] = float(field.le)
        if field.min_length is not None:
            prop["minLength"] = field.min_length
        if field.max_length is not None:
            prop["maxLength"] = field.max_length
        if field.regex is not None:
            prop["pattern"] = field.regex
        if field.deprecated:
            prop["deprecated"] = True
        if field.accept is not None:
            prop["x-cog-accept"] = field.accept
        properties[field.name] = prop

    schema = {"title": "Input", "type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema, enums


def _ok_response(schema):
    return {"description": "Successful Response", "content": {"application/json": {"schema": schema}}}


def _validation_error_response():
    return {"description": "Validation Error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}


def build_document(info, version):
    input_schema, enums = build_input_schema(info)
    output_schema = info.output.json_schema(top_level=True)
    if info.train:
        endpoint, request_name, response_name = "/trainings", "TrainingRequest", "TrainingResponse"
        cancel_endpoint, summary = "/trainings/{training_id}/cancel", "Train"
        description = "Run a single training on the model"
        operation_id, cancel_operation_id = "train_trainings_post", "cancel_trainings__training_id__cancel_post"
        cancel_param, input_key, output_key = "training_id", "TrainingInput", "TrainingOutput"
    else:
        endpoint, request_name, response_name = "/predictions", "PredictionRequest", "PredictionResponse"
        cancel_endpoint, summary = "/predictions/{prediction_id}/cancel", "Predict"
        description = "Run a single prediction on the model"
        operation_id, cancel_operation_id = "predict_predictions_post", "cancel_predictions__prediction_id__cancel_post"
        cancel_param, input_key, output_key = "prediction_id", "Input", "Output"

    components = OMap()
    input_schema["title"] = input_key
    components[input_key] = input_schema
    components[output_key] = output_schema
    for name, schema in enums:
        components[name] = schema
    input_ref = "#/components/schemas/" + input_key
    output_ref = "#/components/schemas/" + output_key
    components[request_name] = {
        "title": request_name,
        "type": "object",
        "properties": {"id": {"title": "Id", "type": "string"}, "input": {"$ref": input_ref}},
    }
    components[response_name] = {
        "title": response_name,
        "type": "object",
        "properties": {
            "input": {"$ref": input_ref},
            "output": {"$ref": output_ref},
            "id": {"title": "Id", "type": "string"},
            "version": {"title": "Version", "type": "string"},
            "created_at": {"title": "Created At", "type": "string", "format": "date-time"},
            "started_at": {"title": "Started At", "type": "string", "format": "date-time"},
            "completed_at": {"title": "Completed At", "type": "string", "format": "date-time"},
            "status": {"title": "Status", "type": "string"},
            "error": {"title": "Error", "type": "string"},
            "logs": {"title": "Logs", "type": "string"},
            "metrics": {"title": "Metrics", "type": "object"},
        },
    }
    components["Status"] = {
        "title": "Status",
        "description": "An enumeration.",
        "enum": ["starting", "processing", "succeeded", "canceled", "failed"],
        "type": "string",
    }
    components["HTTPValidationError"] = {
        "title": "HTTPValidationError",
        "type": "object",
        "properties": {"detail": {"title": "Detail", "type": "array",
                                  "items": {"$ref": "#/components/schemas/ValidationError"}}},
    }
    components["ValidationError"] = {
        "title": "ValidationError",
        "required": ["loc", "msg", "type"],
        "type": "object",
        "properties": {
            "loc": {"title": "Location", "type": "array",
                    "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "msg": {"title": "Message", "type": "string"},
            "type": {"title": "Error Type", "type": "string"},
        },
    }

    paths = OMap()
    paths["/"] = {"get": {"summary": "Root", "operationId": "root__get",
                          "responses": {"200": _ok_response({})}}}
    paths["/health-check"] = {"get": {"summary": "Healthcheck", "operationId": "healthcheck_health_check_get",
                                      "responses": {"200": _ok_response({})}}}
    operation = {
        "summary": summary,
        "description": description,
        "operationId": operation_id,
        "requestBody": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/" + request_name}}}},
        "responses": {
            "200": _ok_response({"$ref": "#/components/schemas/" + response_name}),
            "422": _validation_error_response(),
        },
    }
    if not info.train and info.streaming:
        operation["x-cog-streaming"] = True
    paths[endpoint] = {"post": operation}
    paths[cancel_endpoint] = {"post": {
        "summary": "Cancel",
        "operationId": cancel_operation_id,
        "parameters": [{"required": True,
                        "schema": {"title": title_case(cancel_param), "type": "string"},
                        "name": cancel_param,
                        "in": "path"}],
        "responses": {"200": _ok_response({}), "422": _validation_error_response()},
    }}

    document = {
        "openapi": "3.0.2",
        "info": {"title": "Cog", "version": version},
        "paths": paths,
        "components": {"schemas": components},
    }
    remove_title_next_to_ref(document)
    fix_nullable_any_of(document)
    return document


def remove_title_next_to_ref(node):
    if isinstance(node, dict):
        if "$ref" in node:
            node.pop("title", None)
        for child in node.values():
            remove_title_next_to_ref(child)
    elif isinstance(node, list):
        for child in node:
            remove_title_next_to_ref(child)


def fix_nullable_any_of(node):
    if isinstance(node, dict):
        for child in list(node.values()):
            fix_nullable_any_of(child)
        any_of = node.get("anyOf")
        if not isinstance(any_of, list) or len(any_of) != 2:
            return
        non_null, has_null = None, False
        for variant in any_of:
            if not isinstance(variant, dict):
                return
            if variant.get("type") == "null":
                has_null = True
            else:
                non_null = variant
        if has_null and non_null is not None:
            del node["anyOf"]
            for key in sorted(non_null):
                node[key] = non_null[key]
            node["nullable"] = True
    elif isinstance(node, list):
        for child in node:
            fix_nullable_any_of(child)


def merge_documents(predict, train):
    paths = predict.get("paths")
    train_paths = train.get("paths")
    if isinstance(paths, dict) and isinstance(train_paths, dict):
        for key, value in train_paths.items():
            paths.setdefault(key, value)
    components = predict.get("components")
    train_components = train.get("components")
    if isinstance(components, dict) and isinstance(train_components, dict):
        schemas = components.get("schemas")
        train_schemas = train_components.get("schemas")
        if isinstance(schemas, dict) and isinstance(train_schemas, dict):
            for key, value in train_schemas.items():
                schemas.setdefault(key, value)
    return predict


# ---------------------------------------------------------------------------
# The source as cog's tree-sitter parser sees it
# ---------------------------------------------------------------------------


class ParseFailed(Exception):
    """A value that cog's static parser would not resolve."""


def go_string_literal(text):
    """parseStringLiteral: the raw text between the quotes, escapes left as written."""
    if text is None:
        raise ParseFailed()
    if text.startswith('"""') or text.startswith("'''"):
        if len(text.encode("utf-8")) >= 6:
            return text[3:-3]
        raise ParseFailed()
    if text.startswith('"') or text.startswith("'"):
        if len(text.encode("utf-8")) >= 2:
            return text[1:-1]
        raise ParseFailed()
    if text.startswith('r"') or text.startswith("r'"):
        if len(text.encode("utf-8")) >= 3:
            return text[2:-1]
        raise ParseFailed()
    raise ParseFailed()


_GO_FLOAT_RE = re.compile(
    r"[+-]?(?:(?:\d(?:_?\d)*)(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?"
    r"|[+-]?(?:inf|infinity|nan)", re.IGNORECASE)
_GO_INT_RE = re.compile(
    r"[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?[0-7])*|[1-9](?:_?\d)*)")


def go_parse_float(text):
    """strconv.ParseFloat(text, 64)."""
    if text is None:
        raise ParseFailed()
    text = text.strip()
    if not _GO_FLOAT_RE.fullmatch(text):
        raise ParseFailed()
    value = float(text.replace("_", ""))
    if math.isinf(value) and "inf" not in text.lower():
        raise ParseFailed()
    return value


def go_parse_int(text):
    """strconv.ParseInt(text, 0, 64)."""
    if text is None or not _GO_INT_RE.fullmatch(text):
        raise ParseFailed()
    body = text.lstrip("+-")
    sign = -1 if text.startswith("-") else 1
    clean = body.replace("_", "")
    if len(clean) > 1 and clean[0] == "0" and clean[1] in "0123456789_":
        value = int(clean, 8)
    else:
        value = int(clean, 0)
    value *= sign
    if not INT64_MIN <= value <= INT64_MAX:
        raise ParseFailed()
    return value


class SourceFile:
    """A parsed Python file with the views cog's static parser takes of it."""

    _cache = {}

    @classmethod
    def load(cls, path):
        if not path:
            return None
        path = os.path.abspath(path)
        if path not in cls._cache:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
                cls._cache[path] = cls(data)
            except (OSError, SyntaxError, ValueError):
                cls._cache[path] = None
        return cls._cache[path]

    def __init__(self, data):
        self.lines = data.splitlines(keepends=True)
        self.tree = ast.parse(data)
        self.imports = self._collect_imports()
        self.scope = self._collect_scope()
        self._registry = None

    # -- text --------------------------------------------------------------

    def segment(self, node):
        """The exact source text of a node (positions are UTF-8 byte offsets)."""
        try:
            first, last = node.lineno - 1, node.end_lineno - 1
            start, end = node.col_offset, node.end_col_offset
        except AttributeError:
            return None
        if first == last:
            raw = self.lines[first][start:end]
        else:
            raw = self.lines[first][start:] + b"".join(self.lines[first + 1:last]) + self.lines[last][:end]
        return raw.decode("utf-8", "surrogateescape")

    def _char_before(self, node):
        line, col = node.lineno - 1, node.col_offset
        while line >= 0:
            text = self.lines[line][:col].rstrip()
            if text:
                return chr(text[-1])
            line -= 1
            col = None
        return ""

    def _char_after(self, node):
        line, col = node.end_lineno - 1, node.end_col_offset
        while line < len(self.lines):
            text = self.lines[line][col:].lstrip()
            if text and not text.startswith(b"#"):
                return chr(text[0])
            line += 1
            col = 0
        return ""

    def parenthesized(self, node):
        """True when the node is wrapped in redundant parentheses."""
        return self._char_before(node) == "(" and self._char_after(node) == ")"

    # -- module-level views --------------------------------------------------

    def _collect_imports(self):
        imports = {}
        for stmt in self.tree.body:
            if isinstance(stmt, ast.ImportFrom):
                module = "." * (stmt.level or 0) + (stmt.module or "")
                for alias in stmt.names:
                    if alias.name == "*":
                        continue
                    imports[alias.asname or alias.name] = (module, alias.name)
            elif isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    imports[alias.asname or alias.name] = (alias.name, alias.name)
        return imports

    def _collect_scope(self):
        scope = {}
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Assign):
                if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                    continue
                name, value = stmt.targets[0].id, stmt.value
            elif isinstance(stmt, ast.AnnAssign):
                if not isinstance(stmt.target, ast.Name) or stmt.value is None:
                    continue
                name, value = stmt.target.id, stmt.value
            else:
                continue
            try:
                scope[name] = self.parse_default(value, self.segment(value))
            except ParseFailed:
                pass
        return scope

    def find_function(self, code):
        """The FunctionDef whose code object is `code`."""
        first_line = code.co_firstlineno
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name:
                lines = [node.lineno] + [d.lineno for d in node.decorator_list]
                if first_line in lines or min(lines) == first_line:
                    return node
        return None

    def find_class(self, cls):
        candidates = [node for node in ast.walk(self.tree)
                      if isinstance(node, ast.ClassDef) and node.name == cls.__name__]
        line = getattr(cls, "__firstlineno__", None)
        if line is None:
            try:
                line = inspect.getsourcelines(cls)[1]
            except (OSError, TypeError):
                line = None
        for node in candidates:
            lines = [node.lineno] + [d.lineno for d in node.decorator_list]
            if line in lines:
                return node
        return candidates[0] if len(candidates) == 1 else None

    # -- literals (literals.go / module_scope.go) ------------------------------

    def parse_default(self, node, text):
        """parseDefaultValue. `text` is the node's text as the parser sees it
        (None when the value is parenthesized)."""
        if text is None:
            raise ParseFailed()
        if isinstance(node, ast.Constant):
            value = node.value
            if value is None:
                return ("none", None)
            if isinstance(value, bool):
                return ("bool", value)
            if isinstance(value, int):
                return ("int", go_parse_int(text))
            if isinstance(value, float):
                return ("float", go_parse_float(text))
            if isinstance(value, (str, bytes)):
                return ("str", go_string_literal(text))
            raise ParseFailed()
        if isinstance(node, ast.JoinedStr):
            return ("str", go_string_literal(text))
        if isinstance(node, ast.List):
            return ("list", [self.parse_default(e, self.element_text(e)) for e in node.elts])
        if isinstance(node, ast.Set):
            return ("set", [self.parse_default(e, self.element_text(e)) for e in node.elts])
        if isinstance(node, ast.Dict):
            pairs = []
            for key, value in zip(node.keys, node.values):
                if key is None:
                    continue
                try:
                    pairs.append((self.parse_default(key, self.element_text(key)),
                                  self.parse_default(value, self.element_text(value))))
                except ParseFailed:
                    pass
            return ("dict", pairs)
        if isinstance(node, ast.Tuple):
            if not text.startswith("("):
                raise ParseFailed()
            items = []
            for element in node.elts:
                try:
                    items.append(self.parse_default(element, self.element_text(element)))
                except ParseFailed:
                    pass
            return ("list", items)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Invert)):
            stripped = text.strip()
            try:
                return ("int", go_parse_int(stripped))
            except ParseFailed:
                return ("float", go_parse_float(stripped))
        raise ParseFailed()

    def element_text(self, node):
        if self.parenthesized(node):
            return None
        return self.segment(node)

    def resolve_default(self, node, text):
        """resolveDefaultExpr: a literal, or a module-level name bound to one."""
        try:
            return self.parse_default(node, text)
        except ParseFailed:
            if isinstance(node, ast.Name) and text is not None and node.id in self.scope:
                return self.scope[node.id]
            raise

    def resolve_string(self, node, text):
        """resolveStringExpr."""
        try:
            return go_string_literal(text)
        except ParseFailed:
            if isinstance(node, ast.Name) and text is not None:
                value = self.scope.get(node.id)
                if value is not None and value[0] == "str":
                    return value[1]
            raise

    def resolve_choices(self, node, text):
        """parseListLiteral, then resolveChoicesExpr."""
        if text is None:
            raise ParseFailed()
        if isinstance(node, ast.List):
            return [self.parse_default(e, self.element_text(e)) for e in node.elts]
        if isinstance(node, ast.Name):
            value = self.scope.get(node.id)
            if value is not None and value[0] == "list":
                return list(value[1])
            raise ParseFailed()
        if isinstance(node, ast.Call):
            return self._resolve_choices_call(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return (self.resolve_choices(node.left, self.element_text(node.left))
                    + self.resolve_choices(node.right, self.element_text(node.right)))
        raise ParseFailed()

    def _resolve_choices_call(self, node):
        if self.segment(node.func) != "list" or not node.args:
            raise ParseFailed()
        arg = node.args[0]
        if not isinstance(arg, ast.Call) or not isinstance(arg.func, ast.Attribute):
            raise ParseFailed()
        if not isinstance(arg.func.value, ast.Name):
            raise ParseFailed()
        value = self.scope.get(arg.func.value.id)
        if value is None or value[0] != "dict":
            raise ParseFailed()
        if arg.func.attr == "keys":
            return [key for key, _ in value[1]]
        if arg.func.attr == "values":
            return [val for _, val in value[1]]
        raise ParseFailed()

    @staticmethod
    def parse_number(text):
        return go_parse_float(text)

    @staticmethod
    def parse_bool(node, text):
        if isinstance(node, ast.Constant) and isinstance(node.value, bool) and text in ("True", "False"):
            return node.value
        if text == "True":
            return True
        if text == "False":
            return False
        raise ParseFailed()

    # -- Input() calls (inputs.go) ----------------------------------------------

    def is_input_call(self, node):
        if not isinstance(node, ast.Call):
            return False
        name = self.segment(node.func)
        if name == "Input":
            return True
        return self.imports.get(name) == ("cog", "Input")

    def keyword_text(self, keyword):
        """The text of a keyword argument's value as the parser sees it."""
        whole = self.segment(keyword)
        if whole is None:
            return self.segment(keyword.value)
        text = whole.split("=", 1)[1].strip() if "=" in whole else whole
        inner = self.segment(keyword.value)
        if inner is not None and text != inner.strip():
            return None  # parenthesized
        return text

    def parse_input_call(self, node):
        """parseInputCall. Returns (info dict, choices_unresolved)."""
        info = {}
        choices_unresolved = False
        for keyword in node.keywords:
            if keyword.arg is None:
                continue
            key, value = keyword.arg, keyword.value
            text = self.keyword_text(keyword)
            try:
                if key == "default":
                    try:
                        info["default"] = self.resolve_default(value, text)
                    except ParseFailed:
                        info["default"] = ("none", None)
                elif key == "description":
                    info["description"] = self.resolve_string(value, text)
                elif key in ("ge", "le"):
                    info[key] = self.parse_number(text)
                elif key in ("min_length", "max_length"):
                    number = self.parse_number(text)
                    info[key] = int(number) if number >= 0 else int(number) % (2 ** 64)
                elif key == "regex":
                    info["regex"] = go_string_literal(text)
                elif key == "choices":
                    try:
                        info["choices"] = self.resolve_choices(value, text)
                    except ParseFailed:
                        choices_unresolved = True
                elif key == "deprecated":
                    info["deprecated"] = self.parse_bool(value, text)
                elif key == "accept":
                    info["accept"] = go_string_literal(text)
            except ParseFailed:
                pass
        return info, choices_unresolved

    def registry(self):
        """collectInputRegistry: Input() held by class attributes or returned by methods."""
        if self._registry is None:
            attributes, methods = {}, {}
            for stmt in self.tree.body:
                if not isinstance(stmt, ast.ClassDef):
                    continue
                for item in stmt.body:
                    target, value = None, None
                    if isinstance(item, ast.Assign) and len(item.targets) == 1:
                        target, value = item.targets[0], item.value
                    elif isinstance(item, ast.AnnAssign) and item.value is not None:
                        target, value = item.target, item.value
                    if isinstance(target, ast.Name) and self.is_input_call(value):
                        info, unresolved = self.parse_input_call(value)
                        if not unresolved:
                            attributes[stmt.name + "." + target.id] = info
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        params = [a.arg for a in item.args.posonlyargs + item.args.args + item.args.kwonlyargs
                                  if a.arg not in ("self", "cls")]
                        for body_stmt in item.body:
                            if isinstance(body_stmt, ast.Return) and self.is_input_call(body_stmt.value):
                                info, unresolved = self.parse_input_call(body_stmt.value)
                                if not unresolved:
                                    methods[stmt.name + "." + item.name] = (params, info)
                                break
            self._registry = (attributes, methods)
        return self._registry

    def resolve_input_reference(self, node):
        """resolveInputReference. Returns an info dict or None."""
        attributes, methods = self.registry()
        if isinstance(node, ast.Attribute):
            info = attributes.get(self.segment(node))
            return dict(info) if info is not None else None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            entry = methods.get(self.segment(node.func))
            if entry is None:
                return None
            params, base = entry
            info = dict(base)
            values = {}
            for index, arg in enumerate(node.args):
                if index < len(params):
                    values[params[index]] = (arg, self.segment(arg))
            for keyword in node.keywords:
                if keyword.arg is not None:
                    values[keyword.arg] = (keyword.value, self.keyword_text(keyword))
            for name, (value, text) in values.items():
                try:
                    if name == "default":
                        info["default"] = self.parse_default(value, text)
                    elif name == "description":
                        info["description"] = go_string_literal(text)
                    elif name in ("ge", "le"):
                        info[name] = self.parse_number(text)
                except ParseFailed:
                    pass
            return info
        return None

    # -- decorators (annotations.go) ---------------------------------------------

    def is_cog_decorator(self, decorator, name):
        """`@cog.<name>` with `import cog`, or `@<alias>` with `from cog import <name> as <alias>`,
        called or not."""
        expr = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(expr, ast.Attribute):
            text = self.segment(expr) or ""
            module, _, attr = text.partition(".")
            return attr == name and self.imports.get(module) == ("cog", "cog")
        if isinstance(expr, ast.Name):
            return self.imports.get(expr.id) == ("cog", name)
        return False

    def is_cog_streaming(self, decorator):
        return self.is_cog_decorator(decorator, "streaming")

    def concurrency_max(self, decorators):
        """decoratorCogConcurrentMax: the first `@cog.concurrent` gives the maximum: 1 without
        arguments, else its one `max=` integer literal; None without the decorator."""
        for decorator in decorators:
            if not self.is_cog_decorator(decorator, "concurrent"):
                continue
            if not isinstance(decorator, ast.Call) or not (decorator.args or decorator.keywords):
                return 1
            if decorator.args or len(decorator.keywords) != 1 or decorator.keywords[0].arg != "max":
                raise SchemaError("@concurrent only supports literal integer max=... arguments")
            value = decorator.keywords[0].value
            try:
                kind, number = self.parse_default(value, self.element_text(value))
            except ParseFailed:
                kind, number = None, None
            if kind != "int":
                raise SchemaError("@concurrent max must be an integer literal")
            if number < 1:
                raise SchemaError("@concurrent max must be at least 1")
            if number > 2**63 - 1:
                raise SchemaError("@concurrent max is too large")
            return number
        return None


# ---------------------------------------------------------------------------
# Runtime introspection
# ---------------------------------------------------------------------------


def _load_module(path, cache):
    path = os.path.normpath(path)
    if path in cache:
        return cache[path]
    if not os.path.isfile(path):
        raise SchemaError("predictor source %s not found" % path)
    module_name = os.path.basename(path)
    if module_name.endswith(".py"):
        module_name = module_name[:-3]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise SchemaError("cannot load module from %s" % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as error:  # noqa: BLE001 - any failure while importing user code
        if isinstance(error, KeyboardInterrupt):
            raise
        raise SchemaError("failed to import %s: %s: %s" % (path, type(error).__name__, error)) from error
    cache[path] = module
    return module


def _unwrap(function):
    """Follow closures of decorators to the user's function (as cog's inspector does)."""
    def contents(cell):
        try:
            return cell.cell_contents
        except ValueError:  # an empty cell
            return None

    g = function
    while getattr(g, "__closure__", None) is not None:
        inner = [contents(c) for c in g.__closure__ if inspect.isfunction(contents(c))]
        if len(inner) > 1:
            raise SchemaError("unable to inspect function decorator: %s" % function)
        if not inner:
            return g
        g = inner[0]
    return g


def _framework_classes():
    classes = {object}
    try:
        from cog import predictor as cog_predictor

        for name in ("BaseRunner", "BasePredictor"):
            if hasattr(cog_predictor, name):
                classes.add(getattr(cog_predictor, name))
    except ImportError:
        pass
    return classes


def _select_method(cls, train):
    if train:
        method = getattr(cls, "train", None)
        if method is None:
            raise SchemaError("%s.train not found" % cls.__name__)
        return "train", method
    framework = _framework_classes()
    owners = [c for c in inspect.getmro(cls) if c not in framework]
    for name in ("run", "predict"):
        for owner in owners:
            value = owner.__dict__.get(name)
            if value is not None and callable(value):
                return name, getattr(cls, name)
    raise SchemaError("%s must define run() or predict()" % cls.__name__)


def _type_hints(function):
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except Exception:  # noqa: BLE001 - fall back like cog's inspector does
        hints = dict(getattr(function, "__annotations__", {}))
    return hints


def _strip_annotated(tpe, inspector):
    strip = getattr(inspector, "_strip_non_opaque_annotated", None)
    if strip is not None:
        return strip(tpe)
    if typing.get_origin(tpe) is typing.Annotated and not _is_opaque_annotated(tpe):
        return _strip_annotated(typing.get_args(tpe)[0], inspector)
    return tpe


def _is_opaque_marker(meta):
    return type(meta).__name__ == "_OpaqueMarker" and type(meta).__module__.startswith("cog")


def _is_opaque_annotated(tpe):
    if typing.get_origin(tpe) is not typing.Annotated:
        return False
    return any(_is_opaque_marker(meta) for meta in typing.get_args(tpe)[1:])


_ADT_PRIMITIVES = {
    "BOOL": T_BOOL, "FLOAT": T_FLOAT, "INTEGER": T_INTEGER, "STRING": T_STRING,
    "PATH": T_PATH, "FILE": T_FILE, "SECRET": T_SECRET, "ANY": T_ANY,
}


def _input_type_from_adt(field_type, name):
    """InputType for an ADT FieldType (inputTypeFromFieldType in types.go)."""
    variants = getattr(field_type, "union_variants", None)
    repetition = field_type.repetition.name
    if variants is not None:
        union = InputType(InputType.UNION, variants=[_input_type_from_adt(v, name) for v in variants])
        union.nullable = repetition == "OPTIONAL"
        return union
    primitive = _ADT_PRIMITIVES.get(field_type.primitive.name)
    if primitive is None:
        raise SchemaError("input %s: type %s is not supported by the static schema generator"
                          % (name, field_type.python_type_name()))
    result = InputType.prim(primitive)
    if repetition in ("REPEATED", "OPTIONAL_REPEATED"):
        result = InputType(InputType.ARRAY, elem=result)
    if repetition in ("OPTIONAL", "OPTIONAL_REPEATED"):
        result.nullable = True
    return result


def _field_info_class():
    try:
        from cog.input import FieldInfo

        return FieldInfo
    except ImportError:
        return None


_NO_DEFAULT = object()


def _param_nodes(func_node):
    """Map parameter name -> (annotation node, default node) from a FunctionDef."""
    args = func_node.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    result = {a.arg: (a.annotation, d) for a, d in zip(positional, defaults)}
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        result[a.arg] = (a.annotation, d)
    return result


def _plain_default_text(source, annotation, default):
    """The default's text, or None when it is wrapped in parentheses."""
    text = source.segment(default)
    if annotation is None or text is None:
        return text
    try:
        first, last = annotation.end_lineno - 1, default.lineno - 1
        if first == last:
            between = source.lines[first][annotation.end_col_offset:default.col_offset]
        else:
            between = (source.lines[first][annotation.end_col_offset:]
                       + b"".join(source.lines[first + 1:last]) + source.lines[last][:default.col_offset])
    except (AttributeError, IndexError):
        return text
    if b"".join(between.split()) != b"=":
        return None
    return text


def _apply_info(field, info):
    field.default = info.get("default")
    field.description = info.get("description")
    field.ge = info.get("ge")
    field.le = info.get("le")
    field.min_length = info.get("min_length")
    field.max_length = info.get("max_length")
    field.regex = info.get("regex")
    field.choices = info.get("choices")
    field.deprecated = info.get("deprecated")
    field.accept = info.get("accept")


def _apply_runtime_info(field, value, field_info_class, adt_field):
    """Fill a field from the runtime default object (no usable source)."""
    if field_info_class is not None and isinstance(value, field_info_class):
        if value.default is not None:
            field.default = default_from_python(value.default)
        field.description = value.description
        field.ge = value.ge
        field.le = value.le
        field.min_length = value.min_length
        field.max_length = value.max_length
        field.regex = value.regex
        if value.choices is not None:
            field.choices = [default_from_python(c) for c in (adt_field.choices or value.choices)]
        field.deprecated = value.deprecated
        field.accept = getattr(value, "accept", None)
    else:
        field.default = default_from_python(value)


def extract_inputs(function, is_method, inspector, source, func_node):
    spec = inspect.getfullargspec(function)
    if spec.varargs is not None or spec.varkw is not None:
        raise SchemaError("%s() must not have *args or **kwargs" % function.__name__)
    if spec.kwonlyargs:
        raise SchemaError("%s() must not have keyword-only args" % function.__name__)
    hints = _type_hints(function)
    hints = {k: _strip_annotated(v, inspector) for k, v in hints.items()}
    names = spec.args[1:] if is_method else spec.args
    defaults = list(spec.defaults or [])
    values = [_NO_DEFAULT] * (len(names) - len(defaults)) + defaults
    nodes = _param_nodes(func_node) if func_node is not None else {}
    field_info_class = _field_info_class()

    inputs = []
    for order, (name, value) in enumerate(zip(names, values)):
        tpe = hints.get(name)
        if tpe is None:
            raise SchemaError("missing type annotation for input: %s" % name)
        try:
            adt_field = inspector._create_input_field(order, name, tpe, None if value is _NO_DEFAULT else value)
        except (ValueError, AssertionError, TypeError) as error:
            raise SchemaError(str(error)) from error
        field = GoInput(name, order, _input_type_from_adt(adt_field.type, name))

        annotation, default_node = nodes.get(name, (None, None))
        is_field_info = field_info_class is not None and isinstance(value, field_info_class)
        if value is _NO_DEFAULT:
            pass
        elif default_node is None or source is None:
            _apply_runtime_info(field, value, field_info_class, adt_field)
        elif source.is_input_call(default_node):
            info, choices_unresolved = source.parse_input_call(default_node)
            _apply_info(field, info)
            if choices_unresolved and adt_field.choices is not None:
                field.choices = [default_from_python(c) for c in adt_field.choices]
        else:
            reference = source.resolve_input_reference(default_node)
            if reference is not None:
                _apply_info(field, reference)
            elif is_field_info:
                _apply_runtime_info(field, value, field_info_class, adt_field)
            else:
                try:
                    text = _plain_default_text(source, annotation, default_node)
                    field.default = source.resolve_default(default_node, text)
                except ParseFailed:
                    field.default = default_from_python(value)

        primitive, _ = field.input_type.field_type()
        if field.accept is not None and primitive not in (T_PATH, T_FILE):
            raise SchemaError("accept is only valid on Path or File inputs (parameter '%s')" % name)
        if field.input_type.kind == InputType.UNION and (
                field.choices or field.ge is not None or field.le is not None or field.min_length is not None
                or field.max_length is not None or field.regex is not None):
            raise SchemaError("input %s: constraints and choices are not supported on union inputs" % name)
        inputs.append(field)
    return inputs


# -- outputs (schema_type.go) ---------------------------------------------------


def _cog_attr(name):
    try:
        import cog

        return getattr(cog, name, None)
    except ImportError:
        return None


def _is_plain_class(tpe):
    """A class, and not a parameterized generic (list[str] passes isclass on 3.10)."""
    return inspect.isclass(tpe) and typing.get_origin(tpe) is None and not typing.get_args(tpe)


def _is_subclass(tpe, base):
    try:
        return _is_plain_class(tpe) and base is not None and issubclass(tpe, base)
    except TypeError:
        return False


def _is_typeddict(tpe):
    try:
        import typing_extensions

        if typing_extensions.is_typeddict(tpe):
            return True
    except ImportError:
        pass
    check = getattr(typing, "is_typeddict", None)
    return bool(check and check(tpe))


def _is_pydantic_model(tpe):
    if not _is_plain_class(tpe):
        return False
    for base in inspect.getmro(tpe)[1:]:
        if base.__name__ == "BaseModel" and base.__module__.split(".")[0] == "pydantic":
            return True
    return False


def _is_cog_model(tpe):
    base = _cog_attr("BaseModel")
    return _is_subclass(tpe, base) and tpe is not base


def _is_model(tpe):
    return _is_cog_model(tpe) or _is_pydantic_model(tpe) or _is_typeddict(tpe)


def _primitive_for(tpe):
    if tpe is bool:
        return T_BOOL
    if tpe is int:
        return T_INTEGER
    if tpe is float:
        return T_FLOAT
    if tpe is str:
        return T_STRING
    secret, file_type, path_type = _cog_attr("Secret"), _cog_attr("File"), _cog_attr("Path")
    if secret is not None and tpe is secret:
        return T_SECRET
    if _is_subclass(tpe, file_type):
        return T_FILE
    if _is_subclass(tpe, path_type) or _is_subclass(tpe, os.PathLike) or tpe is os.PathLike:
        return T_PATH
    return None


def _is_union(tpe):
    import types

    origin = typing.get_origin(tpe)
    return origin is typing.Union or origin is getattr(types, "UnionType", None)


def _optional_inner(tpe):
    """X for Optional[X] / Union[X, None] / X | None (exactly two members)."""
    if not _is_union(tpe):
        return None
    args = typing.get_args(tpe)
    if len(args) != 2:
        return None
    none_type = type(None)
    if args[0] is none_type:
        return args[1]
    if args[1] is none_type:
        return args[0]
    return None


def _type_name(tpe):
    return getattr(tpe, "__name__", None) or str(tpe)


def _is_bare_list(tpe):
    return tpe is list or tpe is typing.List


def _is_list(tpe):
    return typing.get_origin(tpe) is list


def _opaque_schema(inner):
    if _is_bare_list(inner) or _is_list(inner):
        return SchemaType(SchemaType.ARRAY, inner=SchemaType(SchemaType.PRIMITIVE, primitive=T_ANY))
    return SchemaType(SchemaType.PRIMITIVE, primitive=T_ANY)


def resolve_output(tpe, seen):
    """resolveSchemaType on a runtime annotation."""
    import collections.abc

    if typing.get_origin(tpe) is typing.Annotated:
        args = typing.get_args(tpe)
        if _is_opaque_annotated(tpe):
            if _optional_inner(args[0]) is not None:
                raise SchemaError("output type must not be Optional")
            return _opaque_schema(args[0])
        return resolve_output(args[0], seen)
    if _is_model(tpe):
        return resolve_model(tpe, seen)
    if tpe is typing.Any or tpe is dict or tpe is typing.Dict:
        return SchemaType(SchemaType.ANY)
    if _is_bare_list(tpe):
        return SchemaType(SchemaType.ARRAY, inner=SchemaType(SchemaType.ANY))
    primitive = _primitive_for(tpe)
    if primitive is not None:
        return SchemaType(SchemaType.PRIMITIVE, primitive=primitive)
    origin, args = typing.get_origin(tpe), typing.get_args(tpe)
    if origin is dict:
        if len(args) == 2:
            return SchemaType(SchemaType.DICT, inner=resolve_output(args[1], seen))
        return SchemaType(SchemaType.ANY)
    if _is_union(tpe):
        if _optional_inner(tpe) is not None:
            raise SchemaError("output type must not be Optional")
        raise SchemaError("union types are not supported as output")
    if origin is list:
        if len(args) != 1:
            raise SchemaError("list expects exactly 1 type argument")
        return SchemaType(SchemaType.ARRAY, inner=resolve_output(args[0], seen))
    if origin in (collections.abc.Iterator, collections.abc.AsyncIterator):
        if len(args) != 1:
            raise SchemaError("Iterator expects exactly 1 type argument")
        return SchemaType(SchemaType.ITERATOR, inner=resolve_output(args[0], seen))
    concat = [c for c in (_cog_attr("ConcatenateIterator"), _cog_attr("AsyncConcatenateIterator")) if c is not None]
    if origin is not None and origin in concat:
        if len(args) != 1:
            raise SchemaError("ConcatenateIterator expects exactly 1 type argument")
        if args[0] is not str:
            raise SchemaError("ConcatenateIterator must have str element, not %s" % _type_name(args[0]))
        return SchemaType(SchemaType.CONCAT_ITERATOR, inner=SchemaType(SchemaType.PRIMITIVE, primitive=T_STRING))
    raise SchemaError("unsupported output type %s" % _type_name(tpe))


def _strip_typeddict_qualifier(tpe):
    qualifiers = [getattr(typing, n, None) for n in ("Required", "NotRequired")]
    try:
        import typing_extensions

        qualifiers += [getattr(typing_extensions, n, None) for n in ("Required", "NotRequired")]
    except ImportError:
        pass
    qualifiers = [q for q in qualifiers if q is not None]
    while typing.get_origin(tpe) in qualifiers:
        tpe = typing.get_args(tpe)[0]
    return tpe


def _class_field_defaults(cls):
    """Field name -> whether cog's parser sees a literal default in the class body.

    Only fields annotated in a class body that can be read are reported.
    """

    result = {}
    for klass in reversed(inspect.getmro(cls)):
        if klass is object or "__annotations__" not in klass.__dict__:
            continue
        try:
            source = SourceFile.load(inspect.getsourcefile(klass))
        except TypeError:
            source = None
        node = source.find_class(klass) if source is not None else None
        if node is None:
            continue
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                has_default = False
                if stmt.value is not None:
                    try:
                        source.parse_default(stmt.value, source.element_text(stmt.value))
                        has_default = True
                    except ParseFailed:
                        pass
                result[stmt.target.id] = has_default
    return result


def _model_fields(cls):
    """(name, annotation, runtime_has_default, key_required) for each field, in order."""
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception as error:  # noqa: BLE001
        raise SchemaError("cannot resolve the fields of %s: %s" % (cls.__name__, error)) from error
    if _is_typeddict(cls):
        required_keys = getattr(cls, "__required_keys__", frozenset(hints))
        return [(name, _strip_typeddict_qualifier(t), False, name in required_keys) for name, t in hints.items()]
    fields = []
    if _is_pydantic_model(cls):
        model_fields = getattr(cls, "model_fields", None)
        if isinstance(model_fields, dict):
            for name, info in model_fields.items():
                fields.append((name, hints.get(name, info.annotation), not info.is_required(), None))
            return fields
        legacy = getattr(cls, "__fields__", {})
        for name, info in legacy.items():
            fields.append((name, hints.get(name, getattr(info, "outer_type_", None)),
                           not getattr(info, "required", True), None))
        return fields
    if dataclasses.is_dataclass(cls):
        for field in dataclasses.fields(cls):
            has_default = (field.default is not dataclasses.MISSING
                           or field.default_factory is not dataclasses.MISSING)
            fields.append((field.name, hints.get(field.name, field.type), has_default, None))
        return fields
    for name, tpe in hints.items():
        if typing.get_origin(tpe) is typing.ClassVar:
            continue
        fields.append((name, tpe, hasattr(cls, name), None))
    return fields


def resolve_model(cls, seen):
    if cls in seen:
        return SchemaType(SchemaType.ANY)
    seen = seen | {cls}
    static_defaults = _class_field_defaults(cls)
    fields = []
    for name, tpe, runtime_default, key_required in _model_fields(cls):
        try:
            schema, required = resolve_field(tpe, seen)
        except SchemaError as error:
            raise SchemaError("field %r of %s: %s" % (name, cls.__name__, error)) from error
        if key_required is not None:
            required = key_required
        if static_defaults.get(name, runtime_default):
            required = False
        fields.append((name, schema, required))
    return SchemaType(SchemaType.OBJECT, fields=fields)


def resolve_field(tpe, seen):
    """resolveFieldSchemaType: Optional is allowed (nullable, not required)."""
    if typing.get_origin(tpe) is typing.Annotated:
        args = typing.get_args(tpe)
        if _is_opaque_annotated(tpe):
            inner = _optional_inner(args[0])
            if inner is not None:
                schema = _opaque_schema(inner)
                schema.nullable = True
                return schema, False
            return _opaque_schema(args[0]), True
        return resolve_field(args[0], seen)
    inner = _optional_inner(tpe)
    if inner is not None:
        schema = resolve_output(inner, seen)
        schema.nullable = True
        return schema, False
    return resolve_output(tpe, seen), True


# -- the predictor ------------------------------------------------------------------


def inspect_predictor(ref, train, module_cache):
    # cog's parser reads the decorator before anything else; the SDK's own check, on import,
    # would raise a different message first.
    _static_concurrency(ref, train)
    try:
        from cog import _inspector as inspector
    except ImportError as error:
        raise SchemaError("the installed cog SDK has no cog._inspector (%s)" % error) from error

    path, sep, name = ref.partition(":")
    if not sep or not path or not name:
        raise SchemaError("invalid predictor reference %r (expected file.py:Name)" % ref)
    module = _load_module(path, module_cache)
    if not hasattr(module, name):
        raise SchemaError("%s not found in %s" % (name, path))
    target = getattr(module, name)
    if inspect.isclass(target):
        attribute, function = _select_method(target, train)
        is_method = not isinstance(inspect.getattr_static(target, attribute, None), staticmethod)
    elif inspect.isfunction(target):
        function, is_method = target, False
    else:
        raise SchemaError("invalid predictor %s in %s: not a class or function" % (name, path))

    unwrapped = _unwrap(function)
    if not inspect.isfunction(unwrapped):
        raise SchemaError("%s is not a function" % getattr(function, "__name__", name))
    try:
        source = SourceFile.load(inspect.getsourcefile(unwrapped))
    except TypeError:
        source = None
    func_node = source.find_function(unwrapped.__code__) if source is not None else None
    if func_node is None:
        source = None

    inputs = extract_inputs(unwrapped, is_method, inspector, source, func_node)

    hints = _type_hints(unwrapped)
    if "return" not in hints or hints["return"] is None or hints["return"] == "None":
        raise SchemaError("%s() must have a return type annotation" % unwrapped.__name__)
    if hints["return"] is type(None):
        raise SchemaError("%s() must not return None" % unwrapped.__name__)
    output = resolve_output(hints["return"], frozenset())

    streaming = False
    concurrency_max = None
    if func_node is not None:
        streaming = any(source.is_cog_streaming(d) for d in func_node.decorator_list)
        concurrency_max = source.concurrency_max(func_node.decorator_list)
    if streaming and output.kind not in (SchemaType.ITERATOR, SchemaType.CONCAT_ITERATOR):
        raise SchemaError("@streaming requires Iterator[...], AsyncIterator[...], ConcatenateIterator[...] "
                          "or AsyncConcatenateIterator[...] return type")
    is_async = (isinstance(func_node, ast.AsyncFunctionDef) if func_node is not None
                else inspect.iscoroutinefunction(unwrapped) or inspect.isasyncgenfunction(unwrapped))
    if concurrency_max is not None and concurrency_max > 1 and not is_async:
        raise SchemaError("@concurrent(max > 1) requires an async run() or predict() method")
    return PredictorInfo(inputs, output, train, streaming, concurrency_max, is_async)


def generate_static(predict_ref, train_ref, version):
    modules = {}
    documents = []
    if predict_ref:
        documents.append(build_document(inspect_predictor(predict_ref, False, modules), version))
    if train_ref:
        documents.append(build_document(inspect_predictor(train_ref, True, modules), version))
    if len(documents) == 1:
        return go_marshal(documents[0])
    predict_doc, train_doc = (go_roundtrip(go_marshal(d)) for d in documents)
    return go_marshal_indent(merge_documents(predict_doc, train_doc))


def _static_target(ref, train):
    """The predictor's function node and its file, found in the source without importing it:
    a top-level function, or a class's `train` (trainers) or `run`/`predict` method, looked up
    through base classes defined in the same file. None when the source does not show it."""
    path, _, name = ref.partition(":")
    source = SourceFile.load(path)
    if source is None:
        return None
    top = {node.name: node for node in source.tree.body
           if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    target = top.get(name)
    if isinstance(target, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return source, target
    seen = set()
    while isinstance(target, ast.ClassDef) and target.name not in seen:
        seen.add(target.name)
        methods = {node.name: node for node in target.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for method in (("train",) if train else ("run", "predict")):
            if method in methods:
                return source, methods[method]
        bases = [top.get(base.id) for base in target.bases if isinstance(base, ast.Name)]
        target = next((base for base in bases if isinstance(base, ast.ClassDef)), None)
    return None


def _static_concurrency(ref, train):
    """(`@cog.concurrent`'s maximum or None, whether the predictor is async) read from the
    source, with the parser's check; None when the source does not show the predictor."""
    found = _static_target(ref, train)
    if found is None:
        return None
    source, node = found
    concurrency_max = source.concurrency_max(node.decorator_list)
    is_async = isinstance(node, ast.AsyncFunctionDef)
    if concurrency_max is not None and concurrency_max > 1 and not is_async:
        raise SchemaError("@concurrent(max > 1) requires an async run() or predict() method")
    return concurrency_max, is_async


def config_from_predictor(predict_ref, train_ref, config_max, python_version):
    """What cog's build adds to the configuration from the predictor it builds (the `run` or
    `predict` one, else the trainer): `concurrency` from `@cog.concurrent` when cog.yaml sets
    none, with cog's checks (configWithDecoratorConcurrency and validateEffectiveConcurrency in
    pkg/image/build.go). cog bakes it into the image as COG_MAX_CONCURRENCY and the
    `run.cog.config` label; without it the runtime serves one prediction at a time.

    Like cog's predictor metadata, this reads the source only (the predictor's imports and
    output types do not matter); a predictor the source does not show is imported."""
    ref, train = (predict_ref, False) if predict_ref else (train_ref, True)
    static = _static_concurrency(ref, train)
    if static is not None:
        concurrency_max, is_async = static
    elif legacy_generator_available():
        return {}  # @cog.concurrent arrived in cog 0.22
    else:
        info = inspect_predictor(ref, train, {})
        concurrency_max, is_async = info.concurrency_max, info.is_async
    if config_max is not None:
        if config_max > 1 and not is_async:
            raise SchemaError("concurrency.max > 1 requires an async run() or predict() method")
        return {}
    if concurrency_max is None:
        return {}
    major, _, minor = (python_version or "").partition(".")
    if concurrency_max > 1 and major == "3" and minor.isdigit() and int(minor) < 11:
        raise SchemaError("concurrency requires Python 3.11 or higher")
    return {"concurrency": {"max": concurrency_max}}


# ---------------------------------------------------------------------------
# Legacy SDKs (cog <= 0.16): the runtime generator
# ---------------------------------------------------------------------------


def _has_module(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def legacy_generator_available():
    """True for SDKs that predate cog._inspector (cog <= 0.16.x) and generate the
    schema at run time.

    cog 0.17-0.19 still ship a cog.command.openapi_schema, but cog's CLI generates
    the schema statically for every SDK from 0.17 on, so those take the static path.
    """
    return not _has_module("cog._inspector") and _has_module("cog.command.openapi_schema")


def _last_line(text):
    """The exception line of a traceback in `text`, else its last non-empty line."""
    lines = text.splitlines()
    for line in reversed(lines):
        if re.match(r"[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b", line):
            return line.strip()
    lines = [line.strip() for line in lines if line.strip()]
    return lines[-1] if lines else ""


def generate_legacy(predict_ref, train_ref):
    """Run what `python -m cog.command.openapi_schema` runs, with the references
    given instead of those in cog.yaml, and store it as cog's CLI did.

    Follows the module's generations: create_app(cog_config=Config(...)) from cog
    0.13, create_app(<cog.yaml dict>, is_build=True) before, and the 0.8 form
    without setup checks.
    """

    for var in ("COG_PREDICT_TYPE_STUB", "COG_TRAIN_TYPE_STUB"):
        os.environ.pop(var, None)
    config = {"build": {"gpu": False}}
    if predict_ref:
        config["predict"] = predict_ref
    if train_ref:
        config["train"] = train_ref
    try:
        command = importlib.import_module("cog.command.openapi_schema")
        from cog.server.http import create_app
        from cog.suppress_output import suppress_output
    except ImportError as error:
        raise SchemaError("cannot load the runtime schema generator of cog: %s" % error) from error
    try:
        from cog.config import Config
    except ImportError:
        Config = None
    try:
        from cog.schema import Status
    except ImportError:
        Status = None
    parameters = inspect.signature(create_app).parameters
    try:
        with suppress_output():
            if Config is not None and "cog_config" in parameters:
                app = create_app(cog_config=Config(config=config), shutdown_event=None, is_build=True)
            elif "is_build" in parameters:
                app = create_app(config, shutdown_event=None, is_build=True)
            else:
                app = create_app(config, shutdown_event=None)
            result = getattr(app.state, "setup_result", None)
            if result is not None and Status is not None and result.status == Status.FAILED:
                logs = result.logs
                if isinstance(logs, (list, tuple)):
                    logs = "".join(str(line) for line in logs)
                raise SchemaError(_last_line(str(logs)) or "predictor setup failed")
            schema = app.openapi()
            remove_title = getattr(command, "remove_title_next_to_ref", None)
            if remove_title is not None:
                schema = remove_title(schema)
    except SchemaError:
        raise
    except Exception as error:  # noqa: BLE001
        raise SchemaError(_last_line(str(error)) or type(error).__name__) from error
    text = json.dumps(schema, indent=2)
    return go_marshal(go_roundtrip(text))


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def _default_version():
    try:
        import cog

        return getattr(cog, "__version__", None) or "dev"
    except Exception:  # noqa: BLE001
        return "dev"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print a Cog model's OpenAPI schema.")
    parser.add_argument("--predict", help="predictor reference, e.g. predict.py:Predictor")
    parser.add_argument("--train", help="trainer reference, e.g. train.py:train")
    parser.add_argument("--cog-version", help="cog version recorded in info.version (default: the SDK's)")
    parser.add_argument("--config-from-predictor", action="store_true",
                        help="print, as JSON, what cog's build adds to the configuration from the "
                             "predictor (`concurrency` from @cog.concurrent) instead of the schema")
    parser.add_argument("--concurrency", type=int, help="cog.yaml's concurrency.max, if any")
    parser.add_argument("--python-version", help="cog.yaml's build.python_version")
    args = parser.parse_args(argv)
    if not args.predict and not args.train:
        parser.error("no predict or train reference given")
    prefix = "cognix: cannot read the predictor: " if args.config_from_predictor else ERROR_PREFIX

    real_stdout = os.dup(1)
    sys.stdout.flush()
    os.dup2(2, 1)
    try:
        cwd = os.getcwd()
        if cwd not in sys.path:
            sys.path.insert(0, cwd)
        try:
            import cog  # noqa: F401
        except BaseException as error:  # noqa: BLE001
            if isinstance(error, KeyboardInterrupt):
                raise
            raise SchemaError("cannot import the cog SDK: %s: %s" % (type(error).__name__, error)) from error
        if args.config_from_predictor:
            text = json.dumps(config_from_predictor(args.predict, args.train, args.concurrency, args.python_version),
                              sort_keys=True, separators=(",", ":"))
        elif legacy_generator_available():
            text = generate_legacy(args.predict, args.train)
        else:
            text = generate_static(args.predict, args.train, args.cog_version or _default_version())
    except Exception as error:  # noqa: BLE001 - every failure ends in one line on stderr
        if os.environ.get("COGNIX_OPENAPI_DEBUG"):
            import traceback

            traceback.print_exc()
        message = " ".join(str(error).split())
        if not isinstance(error, SchemaError):
            message = "%s: %s" % (type(error).__name__, message)
        sys.stdout.flush()
        os.write(2, (prefix + message + "\n").encode("utf-8", "replace"))
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    data = text.encode("utf-8", "surrogatepass")
    while data:
        written = os.write(real_stdout, data)
        data = data[written:]
    os.close(real_stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
