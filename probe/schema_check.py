"""A small, exact JSON Schema (draft 2020-12) checker for the keywords the manifest schema uses.

Importing jsonschema costs most of a `capprobe run`'s time budget, so the write path checks
manifests with this instead. The schema is compiled once into closures; a keyword the checker
does not implement makes compilation fail, so a schema change can never be half-checked.
Errors read like jsonschema's; a failed `anyOf` reports its most useful nested error, the
deepest one outside the "null" branch of "X or null".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_ANNOTATIONS = frozenset({"title", "description", "default", "examples"})

Path = tuple[str | int, ...]


class SchemaError(Exception):
    """A schema this checker cannot honour exactly; the message names the keyword and where."""


@dataclass(frozen=True)
class Violation:
    """One way the instance breaks the schema: where (keys and indices) and why."""

    path: Path
    message: str


class _Error(NamedTuple):
    """A violation under construction: `path` is relative to the instance being checked.

    `anyOf` picks among its branches' errors by the depth of `path` (where the error was
    raised), but reports what that error resolves to, `path + tail`, as jsonschema does."""

    path: Path
    message: str
    null: bool = False  # raised by {"type": "null"}, the least useful branch of "X or null"
    tail: Path = ()


_Check = Callable[[Any], Sequence[_Error]]
_OK: tuple[_Error, ...] = ()


def _under(key: str | int, errors: Sequence[_Error]) -> list[_Error]:
    return [e._replace(path=(key, *e.path)) for e in errors]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    """Draft 2020-12: any number with a zero fractional part, so 1.0 counts; true never does."""
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "integer": _is_integer,
    "null": lambda v: v is None,
    "number": _is_number,
    "object": lambda v: isinstance(v, dict),
    "string": lambda v: isinstance(v, str),
}


def _key(value: Any) -> Any:
    """A hashable stand-in for JSON equality: 1 == 1.0, but true != 1, at any depth."""
    if isinstance(value, bool) or value is None:
        return ("const", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, list):
        return ("array", tuple(_key(v) for v in value))
    if isinstance(value, dict):
        return ("object", frozenset((k, _key(v)) for k, v in value.items()))
    return ("string", value)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class Checker:
    """A schema compiled once; `errors` then checks any number of instances against it."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self._root = schema
        self._done: dict[str, _Check] = {}
        self._started: set[str] = set()
        self._check = self._compile(schema, "")

    def errors(self, instance: Any) -> list[Violation]:
        """Every violation, sorted by path, each anyOf reduced to its most useful error."""
        found = [Violation(e.path + e.tail, e.message) for e in self._check(instance)]
        found.sort(key=lambda v: [str(p) for p in v.path])
        return found

    def _compile(self, node: Any, at: str) -> _Check:
        """Compile the subschema at JSON pointer `at`, once (a `$ref` may lead back here)."""
        if at in self._done:
            return self._done[at]
        self._started.add(at)
        if not isinstance(node, dict):
            raise SchemaError(f"#{at} is {node!r}, not a schema object")
        checks: list[_Check] = []
        for keyword, value in node.items():
            where = f"{at}/{_escape(keyword)}"
            if keyword in _ANNOTATIONS:
                continue
            if keyword in ("$schema", "$id"):
                # Elsewhere than the root, or another draft, they would change what $ref
                # and the keywords mean.
                if at or not isinstance(value, str) or (keyword == "$schema" and value != _DRAFT):
                    raise SchemaError(f"unsupported {keyword} {value!r} at #{where}")
                continue
            if keyword == "$defs":
                if not isinstance(value, dict):
                    raise _fail("$defs is not an object", where)
                for name, sub in value.items():
                    self._compile(sub, f"{where}/{_escape(name)}")
                continue
            compile_keyword = _KEYWORDS.get(keyword)
            if compile_keyword is None:
                raise SchemaError(f"unsupported keyword {keyword!r} at #{where}")
            checks.append(compile_keyword(self, value, node, where))
        check = _all(checks)
        self._done[at] = check
        return check

    def _ref(self, ref: Any, at: str) -> _Check:
        """Resolve a local JSON pointer now; a cycle back to a schema being compiled is
        followed at check time instead."""
        if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/")) or "%" in ref:
            raise SchemaError(f"unsupported $ref {ref!r} at #{at}: only local JSON pointers")
        pointer = ref[1:]
        node: Any = self._root
        for token in pointer.split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise SchemaError(f"$ref {ref!r} at #{at} points to nothing")
        if pointer not in self._started:
            return self._compile(node, pointer)
        if pointer in self._done:
            return self._done[pointer]
        done = self._done
        return lambda instance: done[pointer](instance)


def _all(checks: list[_Check]) -> _Check:
    if len(checks) == 1:
        return checks[0]

    def check(instance: Any) -> Sequence[_Error]:
        found: list[_Error] = []
        for each in checks:
            found.extend(each(instance))
        return found

    return check


def _fail(message: str, at: str) -> SchemaError:
    return SchemaError(f"{message} at #{at}")


def _count(value: Any, at: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(f"{value!r} is not a non-negative integer", at)
    return value


def _strings(value: Any, at: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(f"{value!r} is not a list of strings", at)
    return value


def _type(checker: Checker, value: Any, schema: dict[str, Any], at: str) -> _Check:
    names = [value] if isinstance(value, str) else _strings(value, at)
    if not names or any(n not in _TYPES for n in names):
        raise _fail(f"type {value!r} is not a JSON type or a list of them", at)
    tests = [_TYPES[n] for n in names]
    wanted = ", ".join(repr(n) for n in names)
    null = value == "null"

    def check(instance: Any) -> Sequence[_Error]:
        if any(test(instance) for test in tests):
            return _OK
        return [_Error((), f"{instance!r} is not of type {wanted}", null)]

    return check


def _properties(checker: Checker, value: Any, schema: dict[str, Any], at: str) -> _Check:
    if not isinstance(value, dict):
        raise _fail("properties is not an object", at)
    subs = [(name, checker._compile(sub, f"{at}/{_escape(name)}")) for name, sub in value.items()]

    def check(instance: Any) -> Sequence[_Error]:
        if not isinstance(instance, dict):
            return _OK
        found: list[_Error] = []
        for name, sub in subs:
            if name in instance:
                errors = sub(instance[name])
                if errors:
                    found += _under(name, errors)
        return found

    return check


def _required(checker: Checker, value: Any, schema: dict[str, Any], at: str) -> _Check:
    names = _strings(value, at)

    def check(instance: Any) -> Sequence[_Error]:
        if not isinstance(instance, dict):
            return _OK
        return [_Error((), f"{n!r} is a required property") for n in names if n not in instance]

    return check


def _additional(checker: Checker, value: Any, schema: dict[str, Any], at: str) -> _Check:
    known = schema.get("properties", {})
    if value is False:

        def forbid(instance: Any) -> Sequence[_Error]:
            if not isinstance(instance, dict):
                return _OK
            extras = sorted(k for k in instance if k not in known)
            if not extras:
                return _OK
            listed = ", ".join(repr(k) for k in extras)
            verb = "was" if len(extras) == 1 else "were"
            message = f"Additional properties are not allowed ({listed} {verb} unexpected)"
            return [_Error((), message)]

        return forbid
    if value is True:
        return lambda instance: _OK
    sub = checker._compile(value, at)

    def check(instance: Any) -> Sequence[_Error]:
        if not isinstance(instance, dict):
            return _OK
        found: list[_Error] = []
        for name, item in instance.items():
            if name not in known:
                errors = sub(item)
                if errors:
                    found += _under(name, errors)
        return found

    return check


def _property_names(checker: Checker, value: Any, schema: dict[str, Any], at: str) -> _Check:
    sub = checker._compile(value, at)

    def check(instance: Any) -> Sequence[_Error]:
        if not isinstance(instance, dict):
            return _OK
        found: list[_Error] = []
        for name in instance:
            found.extend(sub(name))
        return found

    return check


def _items(checker: Checker, value: Any, schema: dict[str, Any], at: str) -> _Check:
    sub = checker._compile(value, at)

    def check(instance: Any) -> Sequence[_Error]:
        if not isinstance(instance, list):
            return _OK
        found: list[_Error] = []
        for index, item in enumerate(instance):
            errors = sub(item)
            if errors:
                found += _under(index, errors)
        return found

    return check


def _too_short(kind: type[str] | type[list[Any]]) -> Callable[..., _Check]:
    """minLength (for strings, in code points) and minItems (for arrays) alike."""

    def keyword(checker: Checker, value: Any, schema: dict[str, Any], at: str) -> _Check:
        least = _count(value, at)
        words = "should be non-empty" if least == 1 else "is too short"

        def check(instance: Any) -> Sequence[_Error]:
            if isinstance(instance, kind) and len(instance) < least:
                return [_Error((), f"{instance!r} {words}")]
            return _OK

        return check

    return keyword


def _unique_items(checker: Checker, value: Any, schema: dict[str, Any], at: str) -> _Check:
    if not isinstance(value, bool):
        raise _fail("uniqueItems is not a boolean", at)
    if not value:
        return lambda instance: _OK

    def check(instance: Any) -> Sequence[_Error]:
        if isinstance(instance, list) and len({_key(v) for v in instance}) < len(instance):
            return [_Error((), f"{instance!r} has non-unique elements")]
        return _OK

    return check


def _minimum(checker: Checker, value: Any, schema: dict[str, Any], at: str) -> _Check:
    if not _is_number(value):
        raise _fail("minimum is not a number", at)

    def check(instance: Any) -> Sequence[_Error]:
        if _is_number(instance) and instance < value:
            return [_Error((), f"{instance!r} is less than the minimum of {value!r}")]
        return _OK

    return check


# ECMA-262's "." leaves out every line terminator; Python's only "\n".
_ECMA_DOT = "[^\n\r\u2028\u2029]"


def ecma_regex(pattern: str) -> re.Pattern[str]:
    """A JSON Schema pattern (ECMA-262 syntax) as Python must read it to mean the same: "$"
    is the end of the text (Python's also matches before a final newline, which would let
    "x\n" through "^[ -~]+$"), "." excludes every line terminator, and \\d, \\w, \\b are
    ASCII. \\s and \\S, whose sets differ between the two, and the empty classes [] and [^], which
    Python reads differently, are refused (ValueError)."""
    out: list[str] = []
    in_class = escaped = False
    for index, char in enumerate(pattern):
        if escaped:
            if char in "sS":
                raise ValueError(f"\\{char} matches different spaces in ECMA-262 and Python")
            out.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            if pattern.startswith(("]", "^]"), index + 1):
                raise ValueError("an empty class ([] or [^]) means nothing or anything in ECMA-262")
            in_class = True
            out.append(char)
        elif char == "$":
            out.append("\\Z")
        elif char == ".":
            out.append(_ECMA_DOT)
        else:
            out.append(char)
    if escaped:
        raise re.error("pattern ends with a lone backslash")
    return re.compile("".join(out), re.ASCII)


def _pattern(checker: Checker, value: Any, schema: dict[str, Any], at: str) -> _Check:
    if not isinstance(value, str):
        raise _fail("pattern is not a string", at)
    try:
        search = ecma_regex(value).search
    except re.error as e:
        raise _fail(f"pattern {value!r} does not compile ({e})", at) from None
    except ValueError as e:
        raise _fail(f"pattern {value!r}: {e}", at) from None

    def check(instance: Any) -> Sequence[_Error]:
        if isinstance(instance, str) and not search(instance):
            return [_Error((), f"{instance!r} does not match {value!r}")]
        return _OK

    return check


def _enum(checker: Checker, value: Any, schema: dict[str, Any], at: str) -> _Check:
    if not isinstance(value, list):
        raise _fail("enum is not an array", at)
    keys = {_key(v) for v in value}

    def check(instance: Any) -> Sequence[_Error]:
        if _key(instance) in keys:
            return _OK
        return [_Error((), f"{instance!r} is not one of {value!r}")]

    return check


def _const(checker: Checker, value: Any, schema: dict[str, Any], at: str) -> _Check:
    key = _key(value)

    def check(instance: Any) -> Sequence[_Error]:
        return _OK if _key(instance) == key else [_Error((), f"{value!r} was expected")]

    return check


def _any_of(checker: Checker, value: Any, schema: dict[str, Any], at: str) -> _Check:
    if not isinstance(value, list) or not value:
        raise _fail("anyOf is not a non-empty array", at)
    branches = [checker._compile(sub, f"{at}/{i}") for i, sub in enumerate(value)]

    def check(instance: Any) -> Sequence[_Error]:
        errors: list[_Error] = []
        for branch in branches:
            found = branch(instance)
            if not found:
                return _OK
            errors.extend(found)
        # Every failing branch raised something, so `errors` is never empty. As probe.manifest
        # did over jsonschema's errors: skip "is not of type 'null'", take the first deepest.
        pick = max([e for e in errors if not e.null] or errors, key=lambda e: len(e.path))
        return [_Error((), pick.message, tail=pick.path + pick.tail)]

    return check


_KEYWORDS: dict[str, Callable[[Checker, Any, dict[str, Any], str], _Check]] = {
    "$ref": lambda checker, value, schema, at: checker._ref(value, at),
    "additionalProperties": _additional,
    "anyOf": _any_of,
    "const": _const,
    "enum": _enum,
    "items": _items,
    "minItems": _too_short(list),
    "minLength": _too_short(str),
    "minimum": _minimum,
    "pattern": _pattern,
    "properties": _properties,
    "propertyNames": _property_names,
    "required": _required,
    "type": _type,
    "uniqueItems": _unique_items,
}
