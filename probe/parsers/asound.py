"""What the kernel keeps in /proc/asound: the card and PCM lists (`cards`, `pcm`), a USB
card's `usbid` and each PCM stream's `pcmDp/info`. They say what exists, and whether a device
is in use, even when alsa-lib cannot be loaded or a device cannot be opened."""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass

_CARD = re.compile(r"^\s*(\d+)\s+\[([^\]]*)\]:\s*(\S+)\s+-\s+(.*?)\s*$")
_PCM = re.compile(r"^(\d+)-(\d+):\s*(.*)$")
_USBID = re.compile(r"([0-9a-fA-F]{4}):([0-9a-fA-F]{4})")
_NUMBER = re.compile(r"[0-9]+")
_KERNEL_ERROR = re.compile(r"error (-?[0-9]+)")
_STREAMS = ("PLAYBACK", "CAPTURE")


@dataclass(frozen=True)
class ProcCard:
    index: int
    id: str  # "PCH", "vc4hdmi0", "Device"
    driver: str  # "HDA-Intel", "USB-Audio", "vc4-hdmi"
    name: str  # "HDA Intel PCH"
    longname: str | None  # the indented second line


@dataclass(frozen=True)
class ProcPcm:
    card: int
    device: int
    id: str
    name: str
    playback: bool  # only devices with playback substreams matter to outputs
    capture: bool


def parse_cards(text: str) -> list[ProcCard]:
    """`/proc/asound/cards`: " 0 [PCH ]: HDA-Intel - HDA Intel PCH" and its long name below."""
    cards: list[ProcCard] = []
    for line in text.splitlines():
        m = _CARD.match(line)
        if m:
            index, card_id, driver, name = m.groups()
            cards.append(ProcCard(int(index), card_id.strip(), driver, name, None))
        elif cards and line.strip() and cards[-1].longname is None and line.startswith(" "):
            last = cards[-1]
            cards[-1] = ProcCard(last.index, last.id, last.driver, last.name, line.strip())
    return cards


def parse_pcms(text: str) -> list[ProcPcm]:
    """`/proc/asound/pcm`: "00-03: HDMI 0 : HDMI 0 : playback 1"; the id or name may be
    empty (ASoC links), and a direction appears only when it has substreams."""
    pcms = []
    for line in text.splitlines():
        m = _PCM.match(line.strip())
        if not m:
            continue
        fields = [f.strip() for f in m.group(3).split(" : ")]
        directions = {f.split()[0] for f in fields[2:] if f.split()}
        pcm_id = fields[0] if fields else ""
        name = fields[1] if len(fields) > 1 else ""
        pcms.append(
            ProcPcm(
                int(m.group(1)),
                int(m.group(2)),
                pcm_id,
                name,
                "playback" in directions,
                "capture" in directions,
            )
        )
    return pcms


@dataclass(frozen=True)
class PcmInfo:
    """One `/proc/asound/cardN/pcmDp/info` (or `pcmDc`): the kernel's snd_pcm_info of the
    stream's first substream. Kernels since 2.6 print all eleven lines; the fields that may
    be None are the ones nothing depends on, so a trimmed capture still parses."""

    card: int
    device: int
    subdevice: int | None
    stream: str  # "PLAYBACK" or "CAPTURE"
    id: str | None  # "HDMI 0", "USB Audio", "HDA Analog (*)" (SOF)
    name: str | None  # may be "" (ASoC/SOF links print "name: ")
    subname: str | None  # "subdevice #0" unless the driver renamed it
    pcm_class: int | None  # SNDRV_PCM_CLASS_*: 0 generic, 1 multi, 2 modem, 3 digitizer
    subclass: int | None
    subdevices_count: int
    subdevices_avail: int  # count minus the substreams open right now

    @property
    def busy(self) -> bool:
        """Every substream is open (by PipeWire, a dmix, another player), so no one else can
        open the device until one closes; known without trying to open it."""
        return self.subdevices_count > 0 and self.subdevices_avail == 0


def parse_usbid(text: str) -> tuple[int, int]:
    """`/proc/asound/cardN/usbid` of a USB audio card: "046d:0a56" -> (0x046D, 0x0A56).

    The kernel prints "%04x:%04x"; while the device is being unplugged it prints nothing."""
    value = text.strip()
    if not value:
        raise ValueError("usbid is empty (the kernel prints nothing once the device is gone)")
    m = _USBID.fullmatch(value)
    if not m:
        raise ValueError(f"usbid {value[:40]!r} is not VVVV:PPPP (4 hex digits each)")
    return int(m.group(1), 16), int(m.group(2), 16)


def parse_pcm_info(text: str) -> PcmInfo:
    """`/proc/asound/cardN/pcmDp/info` (or `pcmDc/info`, or `pcmDp/subS/info`).

    The kernel (sound/core/pcm.c, snd_pcm_proc_info_read) prints "key: value" lines in a
    fixed order: card, device, subdevice, stream, id, name, subname, class, subclass,
    subdevices_count, subdevices_avail. Values are printed as they are, so a name may be
    empty or contain ": "; only the first ": " separates. If snd_pcm_info() fails the file
    is a single "error %d" line instead (in the kernels read, 2.6 to 6.x, it cannot fail),
    and if the kernel has no substream or no memory the file is empty. Those, and text
    without the required lines, are ValueErrors that say which."""
    fields: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        error = _KERNEL_ERROR.fullmatch(line.strip())
        if error:
            code = int(error.group(1))
            name = errno.errorcode.get(-code, "unknown errno")
            raise ValueError(f"line {number}: the kernel failed to describe the PCM: {code} {name}")
        key, sep, value = line.partition(": ")
        if not sep and line.endswith(":"):  # an empty value whose trailing space was trimmed
            key, sep = line[:-1], ":"
        if not sep or not key or key != key.strip():
            raise ValueError(f"line {number}: {line[:60]!r} is not a 'key: value' line")
        if key in fields:
            raise ValueError(
                f"line {number}: a second {key!r} line (several info files run together?)"
            )
        fields[key] = (number, value.strip())
    if not fields:
        raise ValueError("the info text is empty (the kernel had nothing to describe)")

    stream = _text(fields, "stream")
    if stream not in _STREAMS:
        raise ValueError(f"line {fields['stream'][0]}: stream {stream!r} is not PLAYBACK/CAPTURE")
    count = _count(fields, "subdevices_count")
    avail = _count(fields, "subdevices_avail")
    if avail > count:
        raise ValueError(
            f"line {fields['subdevices_avail'][0]}: subdevices_avail {avail} is more than "
            f"subdevices_count {count}"
        )
    return PcmInfo(
        card=_count(fields, "card"),
        device=_count(fields, "device"),
        subdevice=_optional_count(fields, "subdevice"),
        stream=stream,
        id=_optional_text(fields, "id"),
        name=_optional_text(fields, "name"),
        subname=_optional_text(fields, "subname"),
        pcm_class=_optional_count(fields, "class"),
        subclass=_optional_count(fields, "subclass"),
        subdevices_count=count,
        subdevices_avail=avail,
    )


def _text(fields: dict[str, tuple[int, str]], key: str) -> str:
    if key not in fields:
        raise ValueError(f"no {key!r} line (is this a pcm info file?)")
    return fields[key][1]


def _optional_text(fields: dict[str, tuple[int, str]], key: str) -> str | None:
    return fields[key][1] if key in fields else None


def _count(fields: dict[str, tuple[int, str]], key: str) -> int:
    value = _text(fields, key)
    if not _NUMBER.fullmatch(value):
        raise ValueError(f"line {fields[key][0]}: {key} is {value!r}, not a number")
    return int(value)


def _optional_count(fields: dict[str, tuple[int, str]], key: str) -> int | None:
    return _count(fields, key) if key in fields else None
