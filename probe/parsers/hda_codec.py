"""What `/proc/asound/cardN/codec#M` says about an HD-Audio codec (sound/pci/hda/hda_proc.c).

The codec-wide `Default PCM` block is only the function group's default: a converter widget
that prints its own `PCM:` block overrides it, and it is the converter (the DAC for playback)
that limits what reaches the jack. So every node keeps its own caps where it has them, and
says whether its caps are its own or the default it inherits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PcmSource = Literal["node", "default"]

_NODE = re.compile(r"^Node 0x([0-9a-fA-F]+) \[([^\]]+)\] wcaps 0x([0-9a-fA-F]+):?(.*)$")
_PCM_LINE = re.compile(r"^(rates|bits|formats) \[0x[0-9a-fA-F]+\]:(.*)$")
_CONVERTER = re.compile(r"^Converter: stream=(\d+), channel=(\d+)")
_DEVICE_NAME = re.compile(r'^Device: name="([^"]*)"(?:.*\bdevice=(\d+))?')
_CONNECTION = re.compile(r"^Connection: (\d+)$")
_HEX_LIST = re.compile(r"^(?:0x[0-9a-fA-F]+\*?\s*)+$")


class CodecDumpError(ValueError):
    """The text is not an HD-Audio codec dump at all."""


@dataclass(frozen=True)
class PcmCaps:
    """One `rates`/`bits`/`formats` triple; empty tuples where the codec lists nothing."""

    rates: tuple[int, ...]
    bits: tuple[int, ...]
    formats: tuple[str, ...]  # "PCM", "AC3", ...

    @property
    def empty(self) -> bool:
        return not (self.rates or self.bits or self.formats)


@dataclass(frozen=True)
class Converter:
    """The stream tag and first channel the driver set on a converter (0 = idle)."""

    stream: int
    channel: int


@dataclass(frozen=True)
class Node:
    nid: int
    widget_type: str  # "Audio Output", "Audio Input", "Pin Complex", "Audio Mixer", ...
    wcaps: int
    name: str | None  # the PCM device bound to the node: `Device: name="ALC285 Analog"`
    pcm_device: int | None  # its number, `device=0`: the node serves hw:CARD,pcm_device
    digital: bool  # "Digital" on the node's caps line
    pcm: PcmCaps | None  # own caps, else the codec's Default PCM; None if neither exists
    pcm_source: PcmSource
    converter: Converter | None
    connections: tuple[int, ...]  # the node's inputs, in the order the codec lists them


@dataclass(frozen=True)
class Codec:
    name: str
    address: int | None
    vendor_id: int | None
    subsystem_id: int | None
    revision_id: int | None
    default_pcm: PcmCaps | None  # None when the dump has no Default PCM block (a modem)
    nodes: tuple[Node, ...]

    @property
    def dacs(self) -> tuple[Node, ...]:
        """The playback converters, whose caps (not the default's) bound what can be played."""
        return tuple(n for n in self.nodes if n.widget_type == "Audio Output")

    def node(self, nid: int) -> Node:
        for n in self.nodes:
            if n.nid == nid:
                return n
        raise KeyError(f"no node 0x{nid:02x} in codec {self.name!r}")


def parse_codec(text: str) -> Codec:
    """One codec#M file; lines before its `Codec:` line are ignored."""
    codecs = parse_codecs(text)
    if len(codecs) > 1:
        raise CodecDumpError(
            f"the text holds {len(codecs)} codecs ({', '.join(c.name for c in codecs)}); "
            "use parse_codecs for an alsa-info dump"
        )
    return codecs[0]


def parse_codecs(text: str) -> tuple[Codec, ...]:
    """Every codec in the text, as `cat codec#*` or alsa-info.sh prints them one after another."""
    blocks: list[list[str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("Codec:"):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    if not blocks:
        raise CodecDumpError("not an HD-Audio codec dump: no 'Codec:' line found")
    return tuple(_parse_block(block) for block in blocks)


class _PcmBuilder:
    """Collects a PCM block's lines; the block may be cut short in a partial dump."""

    def __init__(self) -> None:
        self.rates: tuple[int, ...] = ()
        self.bits: tuple[int, ...] = ()
        self.formats: tuple[str, ...] = ()

    def add(self, key: str, values: str) -> None:
        words = values.split()
        if key == "formats":
            self.formats = tuple(words)
        elif key == "rates":
            self.rates = _ints(words)
        else:
            self.bits = _ints(words)

    def build(self) -> PcmCaps:
        return PcmCaps(self.rates, self.bits, self.formats)


class _NodeBuilder:
    def __init__(self, nid: int, widget_type: str, wcaps: int, caps_text: str) -> None:
        self.nid = nid
        self.widget_type = widget_type.strip()
        self.wcaps = wcaps
        self.digital = "Digital" in caps_text.split()
        self.name: str | None = None
        self.pcm_device: int | None = None
        self.pcm: _PcmBuilder | None = None
        self.converter: Converter | None = None
        self.connections: tuple[int, ...] = ()

    def build(self, default: PcmCaps | None) -> Node:
        own = self.pcm.build() if self.pcm else None
        return Node(
            nid=self.nid,
            widget_type=self.widget_type,
            wcaps=self.wcaps,
            name=self.name,
            pcm_device=self.pcm_device,
            digital=self.digital,
            pcm=own if own is not None else default,
            pcm_source="node" if own is not None else "default",
            converter=self.converter,
            connections=self.connections,
        )


def _parse_block(lines: list[str]) -> Codec:
    name = lines[0].partition(":")[2].strip()
    header: dict[str, int | None] = {}
    default: _PcmBuilder | None = None
    nodes: list[_NodeBuilder] = []
    pcm: _PcmBuilder | None = None  # the block the next rates/bits/formats lines belong to
    awaiting_connections = False

    for line in lines[1:]:
        pcm_line = _PCM_LINE.match(line)
        if pcm_line and pcm is not None:
            pcm.add(pcm_line.group(1), pcm_line.group(2))
            continue
        pcm = None
        if awaiting_connections:
            awaiting_connections = False
            if _HEX_LIST.match(line) and nodes:
                nodes[-1].connections = tuple(int(w.rstrip("*"), 16) for w in line.split())
                continue

        node = _NODE.match(line)
        if node:
            nid, wtype, wcaps, caps_text = node.groups()
            nodes.append(_NodeBuilder(int(nid, 16), wtype, int(wcaps, 16), caps_text))
        elif line == "Default PCM:" and not nodes:
            default = pcm = _PcmBuilder()
        elif line == "PCM:" and nodes:
            nodes[-1].pcm = pcm = _PcmBuilder()
        elif nodes:
            awaiting_connections = _node_detail(nodes[-1], line)
        else:
            key, _, value = line.partition(":")
            if key in ("Address", "Vendor Id", "Subsystem Id", "Revision Id"):
                header[key] = _int(value.strip())

    default_pcm = default.build() if default else None
    return Codec(
        name=name,
        address=header.get("Address"),
        vendor_id=header.get("Vendor Id"),
        subsystem_id=header.get("Subsystem Id"),
        revision_id=header.get("Revision Id"),
        default_pcm=default_pcm,
        nodes=tuple(n.build(default_pcm) for n in nodes),
    )


def _node_detail(node: _NodeBuilder, line: str) -> bool:
    """Record a line inside a node; True when it announces a connection list on the next line."""
    converter = _CONVERTER.match(line)
    if converter:
        node.converter = Converter(int(converter.group(1)), int(converter.group(2)))
        return False
    device = _DEVICE_NAME.match(line)
    if device:
        node.name = device.group(1)
        node.pcm_device = int(device.group(2)) if device.group(2) else None
        return False
    connection = _CONNECTION.match(line)
    return bool(connection and int(connection.group(1)) > 0)


def _ints(words: list[str]) -> tuple[int, ...]:
    return tuple(int(w) for w in words if w.isdigit())


def _int(text: str) -> int | None:
    """ "0x10ec0285" or "3" -> the number; None when the line is cut or garbled."""
    try:
        return int(text, 0)
    except ValueError:
        return None
