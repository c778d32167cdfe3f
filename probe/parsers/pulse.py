"""What `pactl -f json info` and `pactl -f json list sinks` say (PulseAudio 16 and later,
and pipewire-pulse)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# PulseAudio sample formats as ALSA names them, with the valid bits each carries.
SAMPLE_FORMATS = {
    "u8": ("U8", 8),
    "s16le": ("S16_LE", 16),
    "s16be": ("S16_BE", 16),
    "s24le": ("S24_3LE", 24),
    "s24be": ("S24_3BE", 24),
    "s24-32le": ("S24_LE", 24),
    "s24-32be": ("S24_BE", 24),
    "s32le": ("S32_LE", 32),
    "s32be": ("S32_BE", 32),
    "float32le": ("FLOAT_LE", 32),
    "float32be": ("FLOAT_BE", 32),
    "alaw": ("A_LAW", 8),
    "ulaw": ("MU_LAW", 8),
}

_SPEC = re.compile(r"^(\S+) (\d+)ch (\d+)Hz$")


class PulseParseError(ValueError):
    """pactl said something that is not the JSON it prints."""


@dataclass(frozen=True)
class SampleSpec:
    format: str  # the ALSA name, "S16_LE"
    bits: int
    channels: int
    rate: int


@dataclass(frozen=True)
class ServerInfo:
    server_name: str  # "pulseaudio", or "PulseAudio (on PipeWire 0.3.65)"
    version: str | None
    default_sink: str | None
    default_spec: SampleSpec | None

    @property
    def is_pipewire(self) -> bool:
        return "pipewire" in self.server_name.lower()


@dataclass(frozen=True)
class PulseSink:
    name: str
    description: str
    driver: str | None
    spec: SampleSpec | None
    properties: dict[str, str]
    formats: tuple[str, ...]  # "pcm", "eac3-iec61937", ...: what the user lets it pass through


def parse_spec(text: str) -> SampleSpec | None:
    """ "s32le 2ch 192000Hz" -> S32_LE, 32 bits, 2 channels, 192000 Hz; None if unknown."""
    m = _SPEC.match(text.strip())
    if not m or m.group(1) not in SAMPLE_FORMATS:
        return None
    name, bits = SAMPLE_FORMATS[m.group(1)]
    return SampleSpec(name, bits, int(m.group(2)), int(m.group(3)))


def parse_info(text: str) -> ServerInfo:
    data = _load(text, dict, "info")
    spec = data.get("default_sample_specification")
    return ServerInfo(
        server_name=str(data.get("server_name", "")),
        version=data.get("server_version"),
        default_sink=data.get("default_sink_name"),
        default_spec=parse_spec(spec) if isinstance(spec, str) else None,
    )


def parse_sinks(text: str) -> list[PulseSink]:
    sinks = []
    for n, entry in enumerate(_load(text, list, "list sinks")):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise PulseParseError(f"pactl list sinks: entry {n} has no name")
        spec = entry.get("sample_specification")
        properties = entry.get("properties") or {}
        sinks.append(
            PulseSink(
                name=entry["name"],
                description=str(entry.get("description") or entry["name"]),
                driver=entry.get("driver"),
                spec=parse_spec(spec) if isinstance(spec, str) else None,
                properties={str(k): str(v) for k, v in properties.items()},
                formats=tuple(str(f) for f in entry.get("formats") or ()),
            )
        )
    return sinks


def _load(text: str, kind: type, what: str) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise PulseParseError(f"pactl {what}: not JSON ({e})") from None
    if not isinstance(data, kind):
        raise PulseParseError(f"pactl {what}: expected a JSON {kind.__name__}")
    return data
