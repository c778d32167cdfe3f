"""The quality-token table (probe/data/tokens.json) as typed data.

The table is data so that a token can be renamed or added without touching the rules
engine (probe/rules.py): the engine knows the kinds of need, the table composes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any

from probe.models import Decoders

CODECS = frozenset(f.name for f in fields(Decoders))
DRMS = frozenset({"widevine"})


class TableError(ValueError):
    """The token table is malformed; the message names the token and the key."""


@dataclass(frozen=True)
class DecoderNeed:
    """Software on this machine decodes `codec` to PCM."""

    codec: str


@dataclass(frozen=True)
class RenderNeed:
    """Software renders `codec`'s objects; with `lenient_decode`, the lenient policy also
    counts a decoder that plays only the bed."""

    codec: str
    lenient_decode: bool


@dataclass(frozen=True)
class PassthroughNeed:
    """An output whose sink decodes `codec`; the lenient policy also counts a sink that
    decodes `lenient_codec` (E-AC-3 without JOC: the bed only)."""

    codec: str
    lenient_codec: str | None


@dataclass(frozen=True)
class DrmNeed:
    drm: str


@dataclass(frozen=True)
class OutputNeed:
    """An output that takes `bits` (or more) at `rate`, or above `rate_above`; with
    neither, any usable output."""

    bits: int | None = None
    rate: int | None = None
    rate_above: int | None = None


@dataclass(frozen=True)
class AnyOf:
    """One of the alternatives, each met in full."""

    alternatives: tuple[tuple[Need, ...], ...]


Need = DecoderNeed | RenderNeed | PassthroughNeed | DrmNeed | OutputNeed | AnyOf


@dataclass(frozen=True)
class TokenSpec:
    token: str
    summary: str
    codec: str
    container: str
    bits: int | None
    rate_min: int
    rate_max: int
    needs: tuple[Need, ...]


@cache
def table() -> tuple[TokenSpec, ...]:
    """The shipped table, in header order."""
    return parse((resources.files("probe") / "data" / "tokens.json").read_text("utf-8"))


def names() -> list[str]:
    return [spec.token for spec in table()]


def parse(text: str) -> tuple[TokenSpec, ...]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise TableError(f"the token table is not JSON: {e}") from None
    rows = document.get("tokens") if isinstance(document, dict) else None
    if not isinstance(rows, list) or not rows:
        raise TableError("the token table has no list of tokens")
    specs = tuple(_token(row, i) for i, row in enumerate(rows))
    seen: set[str] = set()
    for spec in specs:
        if spec.token in seen:
            raise TableError(f"{spec.token}: listed twice")
        seen.add(spec.token)
    return specs


def _token(row: Any, index: int) -> TokenSpec:
    where = f"token #{index + 1}"
    if not isinstance(row, dict):
        raise TableError(f"{where}: not an object")
    token = row.get("token")
    if not isinstance(token, str) or not token.replace("_", "").isalnum() or not token.isupper():
        raise TableError(f"{where}: 'token' must be upper-case letters, digits and '_'")
    rates = row.get("rates")
    if not isinstance(rates, dict):
        raise TableError(f"{token}: 'rates' must be an object with 'min' and 'max'")
    needs = row.get("needs")
    if not isinstance(needs, list) or not needs:
        raise TableError(f"{token}: 'needs' must be a non-empty list")
    return TokenSpec(
        token=token,
        summary=_text(row, "summary", token),
        codec=_text(row, "codec", token),
        container=_text(row, "container", token),
        bits=_optional_number(row, "bits", token),
        rate_min=_number(rates, "min", token),
        rate_max=_number(rates, "max", token),
        needs=tuple(_need(n, token) for n in needs),
    )


def _need(raw: Any, token: str) -> Need:
    if not isinstance(raw, dict) or not raw:
        raise TableError(f"{token}: a need must be a non-empty object, not {raw!r}")
    if "decoder" in raw:
        _only(raw, {"decoder"}, token)
        return DecoderNeed(_codec(raw["decoder"], token))
    if "render" in raw:
        _only(raw, {"render", "lenient"}, token)
        lenient = raw.get("lenient")
        if lenient not in (None, "decode"):
            raise TableError(f"{token}: a render need's 'lenient' can only be \"decode\"")
        return RenderNeed(_codec(raw["render"], token), lenient == "decode")
    if "passthrough" in raw:
        _only(raw, {"passthrough", "lenient"}, token)
        lenient = raw.get("lenient")
        return PassthroughNeed(
            _codec(raw["passthrough"], token), None if lenient is None else _codec(lenient, token)
        )
    if "drm" in raw:
        _only(raw, {"drm"}, token)
        if raw["drm"] not in DRMS:
            raise TableError(f"{token}: unknown DRM {raw['drm']!r}; known: {', '.join(DRMS)}")
        return DrmNeed(raw["drm"])
    if "output" in raw:
        _only(raw, {"output"}, token)
        spec = raw["output"]
        if not isinstance(spec, dict) or not set(spec) <= {"bits", "rate", "rate_above"}:
            raise TableError(f"{token}: an output need takes only 'bits', 'rate', 'rate_above'")
        if "rate" in spec and "rate_above" in spec:
            raise TableError(f"{token}: an output need takes 'rate' or 'rate_above', not both")
        return OutputNeed(
            _optional_number(spec, "bits", token),
            _optional_number(spec, "rate", token),
            _optional_number(spec, "rate_above", token),
        )
    if "any_of" in raw:
        _only(raw, {"any_of"}, token)
        alternatives = raw["any_of"]
        if not isinstance(alternatives, list) or len(alternatives) < 2:
            raise TableError(f"{token}: 'any_of' must list two or more alternatives")
        if not all(isinstance(a, list) and a for a in alternatives):
            raise TableError(f"{token}: each 'any_of' alternative must be a non-empty list")
        return AnyOf(tuple(tuple(_need(n, token) for n in alt) for alt in alternatives))
    raise TableError(f"{token}: unknown need {sorted(raw)}")


def _only(raw: dict[str, Any], allowed: set[str], token: str) -> None:
    extra = set(raw) - allowed
    if extra:
        raise TableError(f"{token}: unexpected keys {sorted(extra)} in need {raw!r}")


def _codec(value: Any, token: str) -> str:
    if value not in CODECS:
        raise TableError(f"{token}: unknown codec {value!r}; known: {', '.join(sorted(CODECS))}")
    return str(value)


def _text(row: dict[str, Any], key: str, token: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value:
        raise TableError(f"{token}: '{key}' must be a non-empty string")
    return value


def _number(row: dict[str, Any], key: str, token: str) -> int:
    value = row.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise TableError(f"{token}: '{key}' must be a positive whole number, not {value!r}")
    return value


def _optional_number(row: dict[str, Any], key: str, token: str) -> int | None:
    return None if row.get(key) is None else _number(row, key, token)
