"""What `/proc/asound/cardN/streamM` says about a USB audio device (sound/usb/proc.c).

Each altset is one interface setting the device offers; its formats, rates and valid bits
are what the device itself declared, which is what a capability probe wants. The layout
changed across kernels (endpoint spelling, `Bits:` and `Channel map:` arrived later, rate
lists may be empty), so every field the kernel may leave out is optional here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RANGE = re.compile(r"^(\d+)\s*-\s*(\d+)\s*\(continuous\)$")
_SYNC_TYPE = re.compile(r"\((NONE|ASYNC|ADAPTIVE|SYNC)\)\s*$")
_DSD = re.compile(r"DOP=(\d+),\s*bitrev=(\d+)")
_FIRST_INT = re.compile(r"\d+")
_SECTIONS = {"Playback:": "playback", "Capture:": "capture"}


class StreamFileError(ValueError):
    """The text is not a USB audio stream file at all."""


@dataclass(frozen=True)
class RateRange:
    """`Rates: 8000 - 192000 (continuous)`: any rate from min to max, both included."""

    min: int
    max: int


@dataclass(frozen=True)
class DsdRaw:
    """`DSD raw: DOP=0, bitrev=0`: native DSD (dop False) or DSD over PCM, and bit order."""

    dop: bool
    bitrev: bool


@dataclass(frozen=True)
class AltSetting:
    interface: int
    altset: int | None
    formats: tuple[str, ...]  # "S24_3LE"; a DSD altset may list "SPECIAL DSD_U32_BE"
    channels: int | None
    sync_type: str | None  # "ASYNC", "ADAPTIVE", "SYNC", "NONE"
    rates: tuple[int, ...]  # discrete rates in the kernel's order; () if a range or none
    rate_range: RateRange | None
    data_interval_us: int | None
    bits: int | None  # valid bits per sample; None where the kernel prints no `Bits:`
    dsd: DsdRaw | None
    channel_map: tuple[str, ...]  # "FL", "FR", ...; "--" where the kernel has no label


@dataclass(frozen=True)
class CurrentSetting:
    """What a running direction is using now."""

    interface: int | None
    altset: int | None
    packet_size: int | None
    momentary_freq: int | None  # Hz, as the endpoint's feedback measures it


@dataclass(frozen=True)
class Direction:
    running: bool
    current: CurrentSetting | None  # only while running
    altsets: tuple[AltSetting, ...]


@dataclass(frozen=True)
class UsbStream:
    device: str | None  # the card's long name: "Topping D50s at usb-0000:00:14.0-3, high speed"
    pcm_name: str | None  # "USB Audio"
    playback: Direction | None
    capture: Direction | None


class _AltBuilder:
    def __init__(self, interface: int) -> None:
        self.interface = interface
        self.altset: int | None = None
        self.formats: tuple[str, ...] = ()
        self.channels: int | None = None
        self.sync_type: str | None = None
        self.rates: tuple[int, ...] = ()
        self.rate_range: RateRange | None = None
        self.data_interval_us: int | None = None
        self.bits: int | None = None
        self.dsd: DsdRaw | None = None
        self.channel_map: tuple[str, ...] = ()

    def add(self, key: str, value: str) -> None:
        if key == "Altset":
            self.altset = _first_int(value)
        elif key == "Format":
            self.formats = tuple(value.split())
        elif key == "Channels":
            self.channels = _first_int(value)
        elif key == "Endpoint":
            sync = _SYNC_TYPE.search(value)
            self.sync_type = sync.group(1) if sync else None
        elif key == "Rates":
            self._rates(value)
        elif key == "Data packet interval":
            self.data_interval_us = _first_int(value)
        elif key == "Bits":
            self.bits = _first_int(value)
        elif key == "DSD raw":
            dsd = _DSD.search(value)
            self.dsd = DsdRaw(dsd.group(1) != "0", dsd.group(2) != "0") if dsd else None
        elif key == "Channel map":
            self.channel_map = tuple(value.split())

    def _rates(self, value: str) -> None:
        span = _RANGE.match(value)
        if span:
            self.rate_range = RateRange(int(span.group(1)), int(span.group(2)))
        else:
            self.rates = tuple(int(w) for w in value.replace(",", " ").split() if w.isdigit())

    def build(self) -> AltSetting:
        return AltSetting(
            interface=self.interface,
            altset=self.altset,
            formats=self.formats,
            channels=self.channels,
            sync_type=self.sync_type,
            rates=self.rates,
            rate_range=self.rate_range,
            data_interval_us=self.data_interval_us,
            bits=self.bits,
            dsd=self.dsd,
            channel_map=self.channel_map,
        )


class _DirectionBuilder:
    def __init__(self) -> None:
        self.running = False
        self.current: dict[str, int | None] | None = None
        self.altsets: list[_AltBuilder] = []

    def add(self, line: str) -> None:
        if line.startswith("Status:"):
            self.running = line.partition(":")[2].strip() == "Running"
            self.current = {} if self.running else None
            return
        if "=" in line and not self.altsets and self.current is not None:
            key, _, value = line.partition("=")
            self.current[key.strip()] = _first_int(value)
            return
        words = line.split()
        if len(words) == 2 and words[0] == "Interface" and words[1].isdigit():
            self.altsets.append(_AltBuilder(int(words[1])))
        elif len(words) == 2 and words[0] == "Altset" and words[1].isdigit() and self.altsets:
            self.altsets[-1].add("Altset", words[1])
        elif self.altsets and ":" in line:
            key, _, value = line.partition(":")
            self.altsets[-1].add(key.strip(), value.strip())

    def build(self) -> Direction:
        current = None
        if self.current is not None:
            current = CurrentSetting(
                interface=self.current.get("Interface"),
                altset=self.current.get("Altset"),
                packet_size=self.current.get("Packet Size"),
                momentary_freq=self.current.get("Momentary freq"),
            )
        return Direction(self.running, current, tuple(a.build() for a in self.altsets))


def parse_usb_stream(text: str) -> UsbStream:
    """Parse one stream file; a section cut short keeps what it has."""
    header: list[str] = []
    sections: dict[str, _DirectionBuilder] = {}
    section: _DirectionBuilder | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line in _SECTIONS:
            section = sections[_SECTIONS[line]] = _DirectionBuilder()
        elif section is not None:
            section.add(line)
        else:
            header.append(line)
    if not sections:
        raise StreamFileError("not a USB audio stream file: no 'Playback:' or 'Capture:' section")
    # A terminal may wrap the long first line; the kernel prints it as one, so join as is.
    device, _, pcm_name = "".join(header).rpartition(" : ")
    if not device:
        device, pcm_name = pcm_name, ""
    playback, capture = sections.get("playback"), sections.get("capture")
    return UsbStream(
        device=device or None,
        pcm_name=pcm_name or None,
        playback=playback.build() if playback else None,
        capture=capture.build() if capture else None,
    )


def _first_int(text: str) -> int | None:
    found = _FIRST_INT.search(text)
    return int(found.group()) if found else None
