"""probe.schema_check, the small draft 2020-12 checker, against jsonschema as the oracle."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema._utils import equal

from probe import manifest
from probe.schema_check import Checker, SchemaError, ecma_regex
from tests.test_schema import full_manifest

SCHEMA: dict[str, Any] = json.loads(manifest.schema_text())
CHECKER = Checker(SCHEMA)
VALID = manifest.to_document(full_manifest())

Found = list[tuple[tuple[str | int, ...], str]]


def _unique_pairwise(
    validator: Any, unique: Any, instance: Any, schema: Any
) -> Iterator[jsonschema.ValidationError]:
    """jsonschema's uniqueItems sorts first and so calls [[True], [1], [True]] unique; the
    oracle compares every pair with jsonschema's own `equal` instead, as the spec says."""
    if unique and validator.is_type(instance, "array"):
        for i, one in enumerate(instance):
            if any(equal(one, two) for two in instance[i + 1 :]):
                yield jsonschema.ValidationError(f"{instance!r} has non-unique elements")
                return


def _pattern_ecma(
    validator: Any, pattern: str, instance: Any, schema: Any
) -> Iterator[jsonschema.ValidationError]:
    """jsonschema matches with Python's re, whose "$" also matches before a final newline
    and whose \\d takes any Unicode digit; ECMA-262's do neither. This oracle knows only
    what these tests use: a pattern anchored at both ends must match the whole text, with
    ASCII classes, and no "$" or "." inside it outside a class."""
    if not isinstance(instance, str):
        return
    if pattern.startswith("^") and pattern.endswith("$"):
        inner = pattern[1:-1]
        outside_classes = re.sub(r"\[[^\]]*\]", "", inner)
        assert "$" not in outside_classes and "." not in outside_classes
        matched = re.fullmatch(inner, instance, re.ASCII) is not None
    else:
        assert "$" not in pattern and "." not in pattern
        matched = re.search(pattern, instance, re.ASCII) is not None
    if not matched:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_ORACLE = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator,
    {"uniqueItems": _unique_pairwise, "pattern": _pattern_ecma},
)


def _deepest(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """What probe.manifest reports for an anyOf: the deepest error outside the null branch."""
    while error.context:
        real = [e for e in error.context if e.validator_value != "null"] or error.context
        error = max(real, key=lambda e: len(e.absolute_path))
    return error


def oracle(schema: dict[str, Any], instance: Any) -> Found:
    errors = [_deepest(e) for e in _ORACLE(schema).iter_errors(instance)]
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    return [(tuple(e.absolute_path), e.message) for e in errors]


def found(checker: Checker, instance: Any) -> Found:
    return [(v.path, v.message) for v in checker.errors(instance)]


def test_the_manifest_schema_compiles_and_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert CHECKER.errors(VALID) == []
    assert oracle(SCHEMA, VALID) == []


def test_importing_it_does_not_import_jsonschema() -> None:
    code = "import sys, probe.schema_check; print('jsonschema' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("schema", "named"),
    [
        ({"properties": {"a": {"oneOf": [{}]}}}, "'oneOf' at #/properties/a/oneOf"),
        ({"type": "string", "format": "date-time"}, "'format' at #/format"),
        ({"items": {"maximum": 3}}, "'maximum' at #/items/maximum"),
        ({"patternProperties": {"^a": {}}}, "'patternProperties' at #/patternProperties"),
        ({"$defs": {"unused": {"not": {}}}}, "'not' at #/$defs/unused/not"),
        ({"$ref": "https://example.invalid/s.json"}, "$ref 'https://example.invalid/s.json'"),
        ({"$ref": "other.json#/$defs/a"}, "$ref 'other.json#/$defs/a' at #/$ref"),
        ({"$ref": "#anchor"}, "$ref '#anchor' at #/$ref"),
        ({"$ref": "#/$defs/missing", "$defs": {}}, "$ref '#/$defs/missing' at #/$ref"),
        ({"$ref": "#/required", "required": ["a"]}, "#/required is ['a'], not a schema"),
        ({"$schema": "http://json-schema.org/draft-07/schema#"}, "$schema"),
        ({"properties": {"a": {"$id": "a.json"}}}, "$id 'a.json' at #/properties/a/$id"),
        ({"properties": {"a": True}}, "#/properties/a is True, not a schema"),
        ({"items": [{}]}, "#/items is [{}], not a schema"),
        ({"type": "int"}, "type 'int'"),
        ({"type": []}, "type []"),
        ({"pattern": "("}, "pattern '(' does not compile"),
        ({"anyOf": []}, "anyOf is not a non-empty array at #/anyOf"),
        ({"minItems": -1}, "-1 is not a non-negative integer at #/minItems"),
        ({"minLength": 1.5}, "1.5 is not a non-negative integer at #/minLength"),
        ({"minimum": "1"}, "minimum is not a number at #/minimum"),
        ({"required": "a"}, "'a' is not a list of strings at #/required"),
        ({"uniqueItems": 1}, "uniqueItems is not a boolean at #/uniqueItems"),
    ],
)
def test_what_it_cannot_honour_fails_loudly(schema: dict[str, Any], named: str) -> None:
    with pytest.raises(SchemaError) as caught:
        Checker(schema)
    assert named in str(caught.value)


DRAFT = "https://json-schema.org/draft/2020-12/schema"
TREE = {
    "$defs": {
        "node": {
            "type": "object",
            "properties": {
                "value": {"type": "integer"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
            "required": ["value"],
        }
    },
    "$ref": "#/$defs/node",
}
NESTED_ANY_OF = {
    "anyOf": [
        {
            "properties": {
                "a": {"anyOf": [{"properties": {"b": {"properties": {"c": {"type": "integer"}}}}}]}
            }
        },
        {"required": ["x"], "properties": {"x": {"properties": {"y": {"type": "integer"}}}}},
    ]
}

# (schema, instance, the expected (path, message) list); each is also checked against jsonschema.
CASES: list[tuple[dict[str, Any], Any, Found]] = [
    ({"type": "integer"}, 1, []),
    ({"type": "integer"}, 1.0, []),
    ({"type": "integer"}, -0.0, []),
    ({"type": "integer"}, 1.5, [((), "1.5 is not of type 'integer'")]),
    ({"type": "integer"}, True, [((), "True is not of type 'integer'")]),
    ({"type": "integer"}, "24", [((), "'24' is not of type 'integer'")]),
    ({"type": "number"}, 1, []),
    ({"type": "number"}, 0.5, []),
    ({"type": "number"}, False, [((), "False is not of type 'number'")]),
    ({"type": "boolean"}, 0, [((), "0 is not of type 'boolean'")]),
    ({"type": "string"}, None, [((), "None is not of type 'string'")]),
    ({"type": "object"}, [], [((), "[] is not of type 'object'")]),
    ({"type": "array"}, {}, [((), "{} is not of type 'array'")]),
    ({"type": "null"}, 0, [((), "0 is not of type 'null'")]),
    ({"type": ["boolean", "null"]}, None, []),
    ({"type": ["boolean", "null"]}, 1, [((), "1 is not of type 'boolean', 'null'")]),
    ({"enum": [1]}, 1.0, []),
    ({"enum": [1]}, True, [((), "True is not one of [1]")]),
    ({"enum": [True]}, 1, [((), "1 is not one of [True]")]),
    ({"enum": ["hdmi", "usb"]}, "toslink", [((), "'toslink' is not one of ['hdmi', 'usb']")]),
    ({"enum": [[1, {"a": 1}]]}, [1.0, {"a": 1.0}], []),
    (
        {"enum": [[1, {"a": 1}]]},
        [True, {"a": 1}],
        [((), "[True, {'a': 1}] is not one of [[1, {'a': 1}]]")],
    ),
    ({"enum": [None, 0]}, False, [((), "False is not one of [None, 0]")]),
    ({"const": 1}, 1.0, []),
    ({"const": 1}, True, [((), "1 was expected")]),
    ({"const": {"a": [1]}}, {"a": [1.0]}, []),
    ({"const": {"a": [1]}}, {"a": [True]}, [((), "{'a': [1]} was expected")]),
    ({"const": {"a": 1}}, {"a": 1, "b": 1}, [((), "{'a': 1} was expected")]),
    ({"uniqueItems": True}, [1, 2], []),
    ({"uniqueItems": True}, [1, 1.0], [((), "[1, 1.0] has non-unique elements")]),
    ({"uniqueItems": True}, [True, 1], []),
    ({"uniqueItems": True}, [False, 0, None, "", [], {}], []),
    (
        {"uniqueItems": True},
        [{"a": 1}, {"a": 1.0}],
        [((), "[{'a': 1}, {'a': 1.0}] has non-unique elements")],
    ),
    ({"uniqueItems": True}, [{"a": 1}, {"a": True}], []),
    # jsonschema's own uniqueItems calls this one unique; see _unique_pairwise.
    (
        {"uniqueItems": True},
        [[True], [1], [True]],
        [((), "[[True], [1], [True]] has non-unique elements")],
    ),
    ({"uniqueItems": True}, "aa", []),
    ({"uniqueItems": False}, [1, 1], []),
    ({"minItems": 1}, [], [((), "[] should be non-empty")]),
    ({"minItems": 2}, [1], [((), "[1] is too short")]),
    ({"minItems": 1}, "", []),
    ({"minLength": 1}, "", [((), "'' should be non-empty")]),
    ({"minLength": 2}, "\N{GRINNING FACE}", [((), "'\N{GRINNING FACE}' is too short")]),
    ({"minLength": 2}, "\N{GRINNING FACE}!", []),
    ({"minLength": 1}, [], []),
    ({"minimum": 1}, 1, []),
    ({"minimum": 1}, 0, [((), "0 is less than the minimum of 1")]),
    ({"minimum": 0}, -0.5, [((), "-0.5 is less than the minimum of 0")]),
    ({"minimum": 1}, False, []),
    ({"minimum": 1}, "0", []),
    ({"pattern": "b"}, "abc", []),
    ({"pattern": "^a+$"}, "ab", [((), "'ab' does not match '^a+$'")]),
    ({"pattern": "^a+$"}, "aa\n", [((), "'aa\\n' does not match '^a+$'")]),  # ECMA's $
    ({"pattern": "^\\d$"}, "\u0663", [((), "'\u0663' does not match '^\\\\d$'")]),  # ASCII
    ({"pattern": "^a+$"}, 5, []),
    ({"required": ["a", "b"]}, {"b": 1}, [((), "'a' is a required property")]),
    ({"required": ["a"]}, [], []),
    (
        {"properties": {"a": {"type": "string"}}, "additionalProperties": False},
        {"a": 1, "z": 1, "y": 2},
        [
            ((), "Additional properties are not allowed ('y', 'z' were unexpected)"),
            (("a",), "1 is not of type 'string'"),
        ],
    ),
    (
        {"properties": {"a": {}}, "additionalProperties": False},
        {"a": 1, "extra": 1},
        [((), "Additional properties are not allowed ('extra' was unexpected)")],
    ),
    ({"additionalProperties": True}, {"a": 1}, []),
    (
        {"properties": {"a": {}}, "additionalProperties": {"type": "integer"}},
        {"a": "x", "b": "y", "c": 3},
        [(("b",), "'y' is not of type 'integer'")],
    ),
    (
        {"propertyNames": {"pattern": "^[a-z]+$"}},
        {"ok": 1, "Bad Header": 2, "B": 3},
        [((), "'Bad Header' does not match '^[a-z]+$'"), ((), "'B' does not match '^[a-z]+$'")],
    ),
    (
        {"items": {"type": "integer"}},
        [1, "x", 2, None],
        [((1,), "'x' is not of type 'integer'"), ((3,), "None is not of type 'integer'")],
    ),
    (
        {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}]},
        "",
        [((), "'' should be non-empty")],
    ),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 5, [((), "5 is not of type 'string'")]),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, None, []),
    (
        {"anyOf": [{"type": "null"}, {"type": "integer"}]},
        "x",
        [((), "'x' is not of type 'integer'")],
    ),
    ({"anyOf": [{"type": "null"}]}, 1, [((), "1 is not of type 'null'")]),
    (
        {
            "anyOf": [
                {"properties": {"a": {"properties": {"b": {"type": "integer"}}}}},
                {"type": "null"},
            ]
        },
        {"a": {"b": "x"}},
        [(("a", "b"), "'x' is not of type 'integer'")],
    ),
    # The outer anyOf picks among errors by where they were raised: the inner anyOf's at /a
    # is shallower than /x/y, even though it resolves to the deeper /a/b/c; without x, the
    # other branch only fails at the root, so /a wins.
    (
        NESTED_ANY_OF,
        {"a": {"b": {"c": "s"}}, "x": {"y": "t"}},
        [(("x", "y"), "'t' is not of type 'integer'")],
    ),
    (NESTED_ANY_OF, {"a": {"b": {"c": "s"}}}, [(("a", "b", "c"), "'s' is not of type 'integer'")]),
    (
        TREE,
        {"value": 1, "children": [{"value": 2, "children": [{"value": "x"}]}, {}]},
        [
            (("children", 0, "children", 0, "value"), "'x' is not of type 'integer'"),
            (("children", 1), "'value' is a required property"),
        ],
    ),
    (
        {"type": "array", "items": {"$ref": "#"}},
        [[[]], [1]],
        [((1, 0), "1 is not of type 'array'")],
    ),
    (
        {"properties": {"a": {"type": "integer"}, "b": {"$ref": "#/properties/a"}}},
        {"b": "x"},
        [(("b",), "'x' is not of type 'integer'")],
    ),
    (
        {"$defs": {"a/b~": {"type": "null"}}, "$ref": "#/$defs/a~1b~0"},
        1,
        [((), "1 is not of type 'null'")],
    ),
    (
        {"$defs": {"n": {"type": "integer"}}, "$ref": "#/$defs/n", "minimum": 5},
        "x",
        [((), "'x' is not of type 'integer'")],
    ),
    (
        {"$defs": {"n": {"type": "integer"}}, "$ref": "#/$defs/n", "minimum": 5},
        4,
        [((), "4 is less than the minimum of 5")],
    ),
    (
        {
            "$schema": DRAFT,
            "$id": "https://example.invalid/s.json",
            "title": "t",
            "description": "d",
            "default": 1,
            "examples": [1],
            "type": "integer",
        },
        2,
        [],
    ),
    (
        {"type": "object", "required": ["a"], "properties": {"b": {"minimum": 1}}},
        {"b": 0},
        [((), "'a' is a required property"), (("b",), "0 is less than the minimum of 1")],
    ),
]


@pytest.mark.parametrize(("schema", "instance", "expected"), CASES)
def test_each_keyword(schema: dict[str, Any], instance: Any, expected: Found) -> None:
    assert found(Checker(schema), instance) == expected
    assert oracle(schema, instance) == expected


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("^a+$", "aa", True),
        ("^a+$", "aa\n", False),  # Python's own "$" would match before the newline
        ("^\\d+$", "42", True),
        ("^\\d+$", "\u0664\u0662", False),  # Arabic-Indic digits: \d is ASCII in ECMA-262
        ("^\\w$", "\u00e9", False),
        ("^a.c$", "abc", True),
        ("^a.c$", "a\rc", False),  # "." takes no line terminator
        ("^a.c$", "a\u2028c", False),
        ("^[$.]+$", "$.", True),  # inside a class both are literal
        ("^[$.]+$", "$x", False),
        ("^a\\$$", "a$", True),  # an escaped "$" is a dollar sign
        ("^a\\.c$", "a.c", True),
        ("^a\\.c$", "abc", False),
        ("b", "abc", True),  # unanchored: search, not match
    ],
)
def test_patterns_read_as_ecma_262(pattern: str, text: str, matches: bool) -> None:
    assert (ecma_regex(pattern).search(text) is not None) is matches
    violations = Checker({"pattern": pattern}).errors(text)
    assert (violations == []) is matches


@pytest.mark.parametrize("pattern", ["^\\s+$", "a\\Sb", "[]", "x[^]"])
def test_patterns_python_would_read_otherwise_are_refused(pattern: str) -> None:
    with pytest.raises(SchemaError, match="#/pattern"):
        Checker({"pattern": pattern})


def _pointer(path: tuple[str | int, ...]) -> str:
    return "/" + "/".join(str(p) for p in path)


def _config(document: Any) -> Any:
    return document["audio_outputs"][0]["configs"][0]


# The cases of test_schema.py: each must name the same path, with jsonschema's own message.
@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        (
            lambda d: d["device_id"].update(value="A" * 64),
            "/device_id/value",
            f"'{'A' * 64}' does not match '^[0-9a-f]{{64}}$'",
        ),
        (
            lambda d: d["device_id"].update(value="ab"),
            "/device_id/value",
            "'ab' does not match '^[0-9a-f]{64}$'",
        ),
        (
            lambda d: d["audio_outputs"][0].update(transport="toslink"),
            "/audio_outputs/0/transport",
            "'toslink' is not one of ['hdmi', 'displayport', ",
        ),
        (
            lambda d: _config(d).update(rates=[]),
            "/audio_outputs/0/configs/0/rates",
            "[] should be non-empty",
        ),
        (
            lambda d: _config(d).update(bits="24"),
            "/audio_outputs/0/configs/0/bits",
            "'24' is not of type 'integer'",
        ),
        (
            lambda d: d["probes"][0].update(status="fine"),
            "/probes/0/status",
            "'fine' is not one of",
        ),
        (
            lambda d: d["locale"].update(accept_language="nl-NL"),
            "/locale/accept_language",
            "'nl-NL' is not one of ['de-DE', ",
        ),
        (
            lambda d: d["headers"].update({"Bad Header": "x"}),
            "/headers",
            "'Bad Header' does not match '^[A-Za-z0-9-]+$'",
        ),
        (
            lambda d: d["platform"].update(extra=1),
            "/platform",
            "Additional properties are not allowed ('extra' was unexpected)",
        ),
        (lambda d: d.pop("drm"), "/", "'drm' is a required property"),
        (
            lambda d: d.update(generated_at="yesterday"),
            "/generated_at",
            "'yesterday' does not match '^\\\\d{4}-",
        ),
        (
            lambda d: d["capabilities"]["decisions"]["HI_RES"].update(reasons=[]),
            "/capabilities/decisions/HI_RES/reasons",
            "[] should be non-empty",
        ),
    ],
)
def test_the_violations_test_schema_cares_about(
    change: Callable[[Any], object], pointer: str, message: str
) -> None:
    document = copy.deepcopy(VALID)
    change(document)
    (violation,) = CHECKER.errors(document)
    assert _pointer(violation.path) == pointer
    assert violation.message.startswith(message)
    assert found(CHECKER, document) == oracle(SCHEMA, document)


def test_every_violation_is_collected() -> None:
    document = copy.deepcopy(VALID)
    del document["drm"]
    document["headers"]["Bad Header"] = "x"
    document["audio_outputs"][0]["transport"] = "toslink"
    document["device_id"]["source"]["kind"] = "imei"
    document["mixer"]["rate"] = 0
    assert [_pointer(v.path) for v in CHECKER.errors(document)] == [
        "/",
        "/audio_outputs/0/transport",
        "/device_id/source/kind",
        "/headers",
        "/mixer/rate",
    ]
    assert found(CHECKER, document) == oracle(SCHEMA, document)


def _property_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        yield from node.get("properties", {})
        for value in node.values():
            yield from _property_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from _property_names(value)


NAMES = sorted({*_property_names(SCHEMA), "extra", "HI_RES", "X-Ok", "Bad Header", ""})
ODD_STRINGS = [
    "",
    " ",
    "\n",
    "null",
    "0",
    "24",
    "a" * 64,
    "a" * 64 + "\n",
    "A" * 64,
    "2026-11-25T00:00:00Z",
    "2026-11-25T00:00:00Z\n",
    "\u0662\u0660\u0662\u0666-11-25T00:00:00Z",
    "hmac-sha256:v1:builtin-key",
    "hmac-sha256:v1:vendor-key:0123456789abcdef",
    "HI_RES",
    "hi_res",
    "de-DE",
    "nl-NL",
    "hdmi",
    "toslink",
    "PipeWire",
    "SL500",
    "strict",
    "ok",
    "x\x00y",
    "\u00e9",
    "\N{GRINNING FACE}",
    "\x7f",
]
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.sampled_from([0, 1, -1, 32, 64, 0.0, 1.0, 32.0, -0.5, 1.5, 1e300]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.sampled_from(ODD_STRINGS),
)
JSON = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=8,
)


def _locations(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield path
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in items:
        yield from _locations(value, (*path, key))


def _at(document: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        document = document[key]
    return document


def _near_misses(value: Any) -> list[Any]:
    """Values a schema must tell apart from `value`: 1 from 1.0 and true, "x" from "x\n"..."""
    if isinstance(value, bool):
        return [int(value), float(value), not value, None]
    if isinstance(value, int):
        return [float(value), value + 0.5, bool(value), 0, -value, str(value)]
    if isinstance(value, float):
        return [int(value), True, -value, -0.0]
    if isinstance(value, str):
        return ["", value + "\n", value.upper(), value.lower(), value[:1], 1]
    if isinstance(value, list):
        return [[], value + value[:1], [None, *value], [[v] for v in value], {}]
    if isinstance(value, dict):
        return [{}, [value], None, {k: None for k in value}]
    return [False, 0, "", [], {}]


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """The valid manifest with one to three random edits: a value replaced by random JSON, by
    a near miss of itself or by a copy of another part of the document, a key deleted or
    added, an item duplicated."""
    document: Any = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 3))):
        places = list(_locations(document))
        where = draw(st.sampled_from(places))
        target = _at(document, where)
        copied = copy.deepcopy(_at(document, draw(st.sampled_from(places))))
        value = draw(JSON | st.just(copied))
        edit = draw(st.sampled_from(["near", "near", "replace", "delete", "add", "duplicate"]))
        if edit == "near":
            value = copy.deepcopy(draw(st.sampled_from(_near_misses(target))))
        if edit in ("near", "replace") and where:
            _at(document, where[:-1])[where[-1]] = value
        elif edit in ("near", "replace"):
            document = value
        elif edit == "delete" and where:
            del _at(document, where[:-1])[where[-1]]
        elif edit == "add" and isinstance(target, dict):
            target[draw(st.sampled_from(NAMES) | st.text(max_size=4))] = value
        elif edit == "duplicate" and isinstance(target, list) and target:
            target.append(copy.deepcopy(draw(st.sampled_from(target))))
    return document


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_it_agrees_with_jsonschema_on_mutated_manifests(document: Any) -> None:
    assert found(CHECKER, document) == oracle(SCHEMA, document)
