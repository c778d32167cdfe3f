"""Reading, checking and writing manifests.

A client needs nothing but a JSON parser; `load` is for Python clients that want the file
checked against the schema and turned into typed objects.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from enum import Enum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from drivers.files import Files, write_atomic
from probe.models import Manifest
from probe.schema_check import Checker

MANIFEST_VERSION = 1


class ManifestError(Exception):
    """A file that is not a valid capprobe manifest; the message says where and why."""


@cache
def schema_text() -> str:
    return (resources.files("probe") / "schema" / "manifest-v1.json").read_text("utf-8")


@cache
def _checker() -> Checker:
    return Checker(json.loads(schema_text()))


def problems(document: Any) -> list[str]:
    """Every schema violation in `document`, each naming the deepest failing JSON path."""
    return [f"{_pointer(v.path)}: {v.message}" for v in _checker().errors(document)]


def to_document(manifest: Manifest) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(manifest)))
    return document


def dumps(manifest: Manifest) -> str:
    """The manifest as its canonical text: validated, keys sorted, UTF-8, one trailing newline."""
    document = to_document(manifest)
    found = problems(document)
    if found:
        raise ManifestError("refusing to write an invalid manifest: " + "; ".join(found))
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(manifest: Manifest, path: Path) -> None:
    """Validate, then replace `path` atomically (the previous file survives any crash)."""
    text = dumps(manifest)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))


def parse(text: str, origin: str = "manifest") -> Manifest:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise ManifestError(f"{origin}: not JSON: {e}") from None
    if not isinstance(document, dict):
        raise ManifestError(f"{origin}: not a JSON object")
    version = document.get("manifest_version")
    if version != MANIFEST_VERSION:
        raise ManifestError(
            f"{origin}: manifest_version {version!r} is not one this capprobe reads "
            f"(it reads {MANIFEST_VERSION})"
        )
    found = problems(document)
    if found:
        more = f" (and {len(found) - 5} more)" if len(found) > 5 else ""
        raise ManifestError(f"{origin}: schema violation at " + "; ".join(found[:5]) + more)
    manifest: Manifest = _build(Manifest, document)
    return manifest


def load(path: str | Path) -> Manifest:
    """Read, validate and type a manifest; raises ManifestError with a clear message."""
    path = Path(path)
    try:
        raw = Files().read_bytes(str(path.absolute()), limit=64 << 20)
    except OSError as e:
        raise ManifestError(f"{path}: cannot read: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ManifestError(f"{path}: not UTF-8 text: {e}") from None
    return parse(text, str(path))


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(p) for p in path)


def _build(hint: Any, value: Any) -> Any:
    """Turn schema-checked JSON into the typed objects of probe.models."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _build(inner, value)
    if origin is list:
        (item,) = typing.get_args(hint)
        return [_build(item, v) for v in value]
    if origin is dict:
        _, item = typing.get_args(hint)
        return {k: _build(item, v) for k, v in value.items()}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint)
        return hint(
            **{f.name: _build(hints[f.name], value[f.name]) for f in dataclasses.fields(hint)}
        )
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if hint is float and isinstance(value, int):
        return float(value)
    return value
