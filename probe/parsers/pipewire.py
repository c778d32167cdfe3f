"""What `pw-dump` says about playback: the graph clock, the default sink and every Audio/Sink
node with the formats it runs at and accepts.

Why from PipeWire itself: pipewire-pulse reports every sink to `pactl` as float32le, so the
real device format (S32LE on a USB DAC, S16LE on HDMI) and the rates the device accepts are
only visible here. Facts about the dump, from PipeWire's src/tools/pw-dump.c:
- Property values are printed as JSON numbers or booleans whenever they parse as one, so
  `api.alsa.pcm.card` is 3, not "3" (older dumps printed strings; both are read).
- A SPA choice prints as {"default": d, "alt1": a, ...} (Enum: the allowed values are the
  alternatives, the default usually repeated first) or {"default", "min", "max"[, "step"]}
  (Range/Step); a fixed value prints as itself.
- `settings` metadata values are printed like props: `clock.rate` is 48000, while
  `clock.allowed-rates` stays a string, "[ 48000 ]" (1.x) or "[ 44100, 48000 ]" (0.3).
- A node's `Format` param is empty until the node runs.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard, TypeVar

SINK_CLASS = "Audio/Sink"

# PipeWire's sample format names (spa/param/audio/type-info.h) -> ALSA's. S24LE is 24 bits in
# 3 bytes (ALSA S24_3LE) and S24_32LE 24 bits in 4 (ALSA S24_LE), as in PipeWire's own table
# (spa/plugins/alsa/alsa-pcm.c). Planar formats are in the host's byte order; the devices we
# probe are little-endian, so they map to the LE names.
_ALSA_NAMES = {
    "S8": "S8",
    "U8": "U8",
    "S16LE": "S16_LE",
    "S16BE": "S16_BE",
    "U16LE": "U16_LE",
    "U16BE": "U16_BE",
    "S24_32LE": "S24_LE",
    "S24_32BE": "S24_BE",
    "U24_32LE": "U24_LE",
    "U24_32BE": "U24_BE",
    "S32LE": "S32_LE",
    "S32BE": "S32_BE",
    "U32LE": "U32_LE",
    "U32BE": "U32_BE",
    "S24LE": "S24_3LE",
    "S24BE": "S24_3BE",
    "U24LE": "U24_3LE",
    "U24BE": "U24_3BE",
    "S20LE": "S20_3LE",
    "S20BE": "S20_3BE",
    "U20LE": "U20_3LE",
    "U20BE": "U20_3BE",
    "S18LE": "S18_3LE",
    "S18BE": "S18_3BE",
    "U18LE": "U18_3LE",
    "U18BE": "U18_3BE",
    "F32LE": "FLOAT_LE",
    "F32BE": "FLOAT_BE",
    "F64LE": "FLOAT64_LE",
    "F64BE": "FLOAT64_BE",
    "ULAW": "MU_LAW",
    "ALAW": "A_LAW",
    "U8P": "U8",
    "S8P": "S8",
    "S16P": "S16_LE",
    "S24_32P": "S24_LE",
    "S32P": "S32_LE",
    "S24P": "S24_3LE",
    "F32P": "FLOAT_LE",
    "F64P": "FLOAT64_LE",
}

_ALT_KEY = re.compile(r"alt\d+")
_RATE_LIST = re.compile(r"[\s,]+")
_RANGE_KEYS = ({"default", "min", "max"}, {"default", "min", "max", "step"})

T = TypeVar("T")


class PipeWireParseError(ValueError):
    """The text is not the JSON `pw-dump` prints; the message names the object and field."""


@dataclass(frozen=True)
class SampleFormat:
    """A sample format as PipeWire names it and as ALSA does. `alsa` is None where ALSA has no
    name for it (encoded data, ids pw-dump prints as "id-0000xxxx")."""

    spa: str  # "S24LE", "F32P"
    alsa: str | None  # "S24_3LE", "FLOAT_LE"


@dataclass(frozen=True)
class IntRange:
    """A Range (or Step) choice: any value from `min` to `max` in steps of `step`."""

    default: int
    min: int
    max: int
    step: int = 1


@dataclass(frozen=True)
class NodeFormat:
    """The node's `Format` param: what it is configured to now."""

    subtype: str  # "raw"; "iec958" for passthrough, "dsd"
    format: SampleFormat | None  # None for passthrough
    rate: int | None
    channels: int | None
    position: tuple[str, ...]  # "FL", "FR", ...
    codec: str | None  # iec958 only: "AC3", "DTS", ...


@dataclass(frozen=True)
class FormatChoice:
    """One `EnumFormat` param: a family of formats the node accepts. An empty tuple means the
    param does not restrict that field."""

    subtype: str
    formats: tuple[SampleFormat, ...]  # PipeWire's order, each once
    rates: tuple[int, ...] | IntRange
    channels: tuple[int, ...] | IntRange
    position: tuple[str, ...]
    codecs: tuple[str, ...]  # iec958 only: "PCM", "AC3", "DTS", "EAC3", ...


@dataclass(frozen=True)
class ClockSettings:
    """The graph clock from the `settings` metadata: the rate the graph runs at, and the rates
    it may switch to for a stream (empty: it stays at `rate`). Forced values are None when
    not forced (the metadata says 0)."""

    rate: int | None
    allowed_rates: tuple[int, ...]
    force_rate: int | None
    quantum: int | None
    min_quantum: int | None
    max_quantum: int | None
    force_quantum: int | None


@dataclass(frozen=True)
class PipeWireSink:
    """One Audio/Sink node. The ALSA fields tie it to `hw:C,D` when PipeWire opens a card
    itself; they are None for virtual sinks (null sinks, filters, network sinks). ACP nodes
    name the PCM device in `alsa.device`: their `api.alsa.path` is an alias ("hdmi:0")."""

    id: int
    name: str  # node.name, what the `default` metadata refers to
    description: str | None
    media_class: str
    state: str | None  # "running", "idle", "suspended"
    alsa_path: str | None  # api.alsa.path
    alsa_pcm_card: int | None  # api.alsa.pcm.card
    alsa_pcm_device: int | None  # api.alsa.pcm.device
    alsa_card: int | None  # alsa.card
    alsa_device: int | None  # alsa.device
    device_api: str | None  # "alsa", "bluez5", ...
    device_bus: str | None  # "usb", "pci", ...
    audio_format: SampleFormat | None  # the audio.format prop: a configured format, if any
    audio_rate: int | None
    audio_channels: int | None
    format: NodeFormat | None  # None until the node runs
    enum_formats: tuple[FormatChoice, ...]


@dataclass(frozen=True)
class PipeWireGraph:
    """What one `pw-dump` says about playback."""

    clock: ClockSettings | None  # None when the dump has no `settings` metadata
    default_sink: str | None  # node.name of the sink new streams go to
    sinks: tuple[PipeWireSink, ...]


def sample_format(spa: str) -> SampleFormat:
    """ "S24_32LE" -> SampleFormat("S24_32LE", "S24_LE")."""
    return SampleFormat(spa, _ALSA_NAMES.get(spa))


def parse_pw_dump(text: str) -> PipeWireGraph:
    """The whole `pw-dump` output; objects other than sinks and metadata are skipped."""
    try:
        objects = json.loads(text)
    except json.JSONDecodeError as e:
        raise PipeWireParseError(f"pw-dump: not JSON ({e})") from None
    if not isinstance(objects, list):
        raise PipeWireParseError("pw-dump: expected a JSON list of objects")
    metadata: dict[str, list[Any]] = {}
    sinks = []
    for n, obj in enumerate(objects):
        if not isinstance(obj, dict):
            raise PipeWireParseError(f"pw-dump: object {n} is not a JSON object")
        kind, oid = obj.get("type"), obj.get("id")
        if not isinstance(kind, str) or not _is_int(oid):
            raise PipeWireParseError(f"pw-dump: object {n} has no type and id")
        where = f"pw-dump: object {oid}"
        if kind == "PipeWire:Interface:Metadata":
            name = _mapping(obj.get("props", {}), where, "props").get("metadata.name")
            if isinstance(name, str) and name not in metadata:
                metadata[name] = _list(obj.get("metadata", []), where, "metadata")
        elif kind == "PipeWire:Interface:Node" and obj.get("info") is not None:
            info = _mapping(obj["info"], where, "info")
            props = _mapping(info.get("props", {}), where, "props")
            if props.get("media.class") == SINK_CLASS:
                sinks.append(_sink(oid, info, props, f"pw-dump: node {oid}"))
    settings = metadata.get("settings")
    default = metadata.get("default")
    return PipeWireGraph(
        clock=_clock(_global_entries(settings, "settings")) if settings is not None else None,
        default_sink=_default_sink(_global_entries(default or [], "default")),
        sinks=tuple(sinks),
    )


def _global_entries(entries: Sequence[Any], name: str) -> dict[str, Any]:
    """The metadata's subject-0 (whole graph) keys and values; removed keys have no value."""
    values = {}
    for n, entry in enumerate(entries):
        where = f"pw-dump: {name} metadata entry {n}"
        entry = _mapping(entry, where, "entry")
        if not isinstance(entry.get("key"), str) or not _is_int(entry.get("subject")):
            raise PipeWireParseError(f"{where} has no subject and key")
        if entry["subject"] == 0 and entry.get("value") is not None:
            values[entry["key"]] = entry["value"]
    return values


def _clock(values: Mapping[str, Any]) -> ClockSettings:
    def number(key: str) -> int | None:
        return _int(values.get(key), f"pw-dump: settings {key}")

    def forced(key: str) -> int | None:
        return number(key) or None

    return ClockSettings(
        rate=number("clock.rate"),
        allowed_rates=_rate_list(values.get("clock.allowed-rates")),
        force_rate=forced("clock.force-rate"),
        quantum=number("clock.quantum"),
        min_quantum=number("clock.min-quantum"),
        max_quantum=number("clock.max-quantum"),
        force_quantum=forced("clock.force-quantum"),
    )


def _rate_list(value: Any) -> tuple[int, ...]:
    """ "[ 44100, 48000 ]", "[ 48000 ]", "[ ]" or a JSON list -> the rates."""
    where = "pw-dump: settings clock.allowed-rates"
    if value is None:
        return ()
    if isinstance(value, str):
        inner = value.strip()
        if not (inner.startswith("[") and inner.endswith("]")):
            raise PipeWireParseError(f"{where} is {value!r}, not a list of rates")
        value = [v for v in _RATE_LIST.split(inner[1:-1]) if v]
    if not isinstance(value, list):
        raise PipeWireParseError(f"{where} is {value!r}, not a list of rates")
    return tuple(_require_int(v, where) for v in value)


def _default_sink(values: Mapping[str, Any]) -> str | None:
    """`default.audio.sink` is {"name": "..."}; some writers store that JSON as a string."""
    value = values.get("default.audio.sink")
    if isinstance(value, str):
        with contextlib.suppress(json.JSONDecodeError):
            value = json.loads(value)
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise PipeWireParseError(f"pw-dump: default.audio.sink is {value!r}, not a node name")
    return str(value["name"])


def _sink(oid: int, info: Mapping[str, Any], props: Mapping[str, Any], where: str) -> PipeWireSink:
    name = _text(props.get("node.name"), f"{where} node.name")
    if name is None:
        raise PipeWireParseError(f"{where} is an Audio/Sink without node.name")
    params = _mapping(info.get("params", {}), where, "params")
    formats = _list(params.get("Format", []), where, "Format")
    enum_formats = _list(params.get("EnumFormat", []), where, "EnumFormat")
    audio_format = _text(props.get("audio.format"), f"{where} audio.format")

    def prop_int(key: str) -> int | None:
        return _int(props.get(key), f"{where} {key}")

    def prop_text(key: str) -> str | None:
        return _text(props.get(key), f"{where} {key}")

    current = [_node_format(f, f"{where} Format {n}") for n, f in enumerate(formats)]
    choices = [_format_choice(f, f"{where} EnumFormat {n}") for n, f in enumerate(enum_formats)]
    state = info.get("state")
    return PipeWireSink(
        id=oid,
        name=name,
        description=prop_text("node.description"),
        media_class=SINK_CLASS,
        state=state if isinstance(state, str) else None,
        alsa_path=prop_text("api.alsa.path"),
        alsa_pcm_card=prop_int("api.alsa.pcm.card"),
        alsa_pcm_device=prop_int("api.alsa.pcm.device"),
        alsa_card=prop_int("alsa.card"),
        alsa_device=prop_int("alsa.device"),
        device_api=prop_text("device.api"),
        device_bus=prop_text("device.bus"),
        audio_format=sample_format(audio_format) if audio_format else None,
        audio_rate=prop_int("audio.rate"),
        audio_channels=prop_int("audio.channels"),
        # A node has one current format; the list form is how pw-dump prints every param.
        format=next((f for f in current if f is not None), None),
        enum_formats=tuple(c for c in choices if c is not None),
    )


def _node_format(param: Any, where: str) -> NodeFormat | None:
    param = _mapping(param, where, "param")
    subtype = _media_subtype(param, where)
    if subtype is None:
        return None
    spa = _text(param.get("format"), f"{where} format")
    return NodeFormat(
        subtype=subtype,
        format=sample_format(spa) if spa else None,
        rate=_int(param.get("rate"), f"{where} rate"),
        channels=_int(param.get("channels"), f"{where} channels"),
        position=_names(param.get("position"), f"{where} position"),
        codec=_text(param.get("iec958Codec"), f"{where} iec958Codec"),
    )


def _format_choice(param: Any, where: str) -> FormatChoice | None:
    param = _mapping(param, where, "param")
    subtype = _media_subtype(param, where)
    if subtype is None:
        return None
    spa_formats = _choice(param.get("format"), f"{where} format", str)
    return FormatChoice(
        subtype=subtype,
        formats=tuple(sample_format(f) for f in spa_formats),
        rates=_int_choice(param.get("rate"), f"{where} rate"),
        channels=_int_choice(param.get("channels"), f"{where} channels"),
        position=_names(param.get("position"), f"{where} position"),
        codecs=_choice(param.get("iec958Codec"), f"{where} iec958Codec", str),
    )


def _media_subtype(param: Mapping[str, Any], where: str) -> str | None:
    """The audio subtype ("raw", "iec958", "dsd"), or None for a param that is not audio."""
    if param.get("mediaType") != "audio":
        return None
    subtype = param.get("mediaSubtype")
    if not isinstance(subtype, str):
        raise PipeWireParseError(f"{where} has no mediaSubtype")
    return subtype


def _int_choice(value: Any, where: str) -> tuple[int, ...] | IntRange:
    if isinstance(value, dict) and value.keys() in _RANGE_KEYS:
        bounds = [value.get(k, 1) for k in ("default", "min", "max", "step")]
        if not all(_is_int(b) for b in bounds):
            raise PipeWireParseError(f"{where} is {value!r}, not an integer range")
        return IntRange(*bounds)
    return _choice(value, where, int)


def _choice(value: Any, where: str, kind: type[T]) -> tuple[T, ...]:
    """A fixed value or an Enum choice -> the allowed values, each once, in PipeWire's order."""
    if value is None:
        return ()
    if isinstance(value, dict):
        alts = [v for k, v in value.items() if _ALT_KEY.fullmatch(k)]
        if "default" not in value or len(alts) != len(value) - 1:
            raise PipeWireParseError(f"{where} is {value!r}, not a list of choices")
        values = alts or [value["default"]]
    else:
        values = [value]
    if not all(isinstance(v, kind) and not isinstance(v, bool) for v in values):
        raise PipeWireParseError(f"{where} is {value!r}, not {kind.__name__} choices")
    return tuple(dict.fromkeys(values))


def _names(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PipeWireParseError(f"{where} is {value!r}, not a list of names")
    return tuple(value)


def _int(value: Any, where: str) -> int | None:
    return None if value is None else _require_int(value, where)


def _require_int(value: Any, where: str) -> int:
    """An integer printed as a number, or (older dumps) as a string of digits."""
    if _is_int(value):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise PipeWireParseError(f"{where} is {value!r}, not an integer")


def _text(value: Any, where: str) -> str | None:
    """A string; pw-dump prints one that looks like a number as a number, so those come back."""
    if value is None or isinstance(value, str):
        return value
    if _is_int(value):
        return str(value)
    raise PipeWireParseError(f"{where} is {value!r}, not text")


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _mapping(value: Any, where: str, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise PipeWireParseError(f"{where}: {what} is not a JSON object")
    return value


def _list(value: Any, where: str, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise PipeWireParseError(f"{where}: {what} is not a JSON list")
    return value
