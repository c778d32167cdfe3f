"""/proc/asound/cardN/eld#C.P: the kernel's text rendering of an HDA pin's ELD.

Why a parser of its own: the text is lossy and has kernel-version quirks that would
silently mislead a naive reader.
- SAD byte 3 is gone, so E-AC-3 JOC (Atmos) and MAT object flags are unknown (None).
- Extension types the kernel does not know (MPEG-H, AC-4) print as "[0x0] undefined".
- Old kernels print a wrong decimal list after the rate mask ("[0x1ee0] 44100 ... 384000"
  for 32-192 kHz); the bracketed SNDRV_PCM_RATE mask is right, so only the mask is read.
- The monitor name may end in a newline and padding from the EDID, which shows up as a
  whitespace-only line after `monitor_name`.
- A sink without a speaker allocation is printed as 0xffff (the kernel assumes all).
- With no valid ELD, new kernels print only presence and pin lines; old ones print every
  field zeroed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from probe.parsers.sad import (
    EXTENDED,
    EXTENSION_NAMES,
    FORMAT_NAMES,
    Connection,
    ShortAudioDescriptor,
    SinkAudio,
    speaker_names,
)

# SNDRV_PCM_RATE_* bit -> Hz (include/sound/pcm.h); these are the bits the kernel prints.
_PCM_RATES = {
    0: 5512,
    1: 8000,
    2: 11025,
    3: 16000,
    4: 22050,
    5: 32000,
    6: 44100,
    7: 48000,
    8: 64000,
    9: 88200,
    10: 96000,
    11: 176400,
    12: 192000,
    13: 352800,
    14: 384000,
}
# AC_SUPPCM_BITS_* bit -> sample size (include/sound/hda_verbs.h).
_PCM_BITS = {16: 8, 17: 16, 18: 20, 19: 24, 20: 32}
# The kernel numbers the obsolete extension types 1..3 as coding types 15..17.
_KERNEL_EXT_BASE = 14
_ALL_SPEAKERS = 0xFFFF
_MAX_SADS = 16  # ELD_MAX_SAD: the kernel keeps no more
_CONNECTIONS: dict[str, Connection] = {"HDMI": "HDMI", "Display Port": "DisplayPort"}
_SAD_KEY = re.compile(r"sad(\d+)_(\w+)")
_MASK = re.compile(r"\[(0x[0-9a-fA-F]+)\]")


class EldProcError(ValueError):
    """The text is not an eld# proc file; the message names the line."""


@dataclass(frozen=True)
class EldProc:
    """One eld#C.P file: whether a sink is there, which pin, and what it can play.

    `sink` is None unless `eld_valid`; pin fields are None on the older kernels that do
    not print codec_pin_nid/codec_dev_id/codec_cvt_nid lines.
    """

    monitor_present: bool
    eld_valid: bool
    codec_pin_nid: int | None
    codec_dev_id: int | None
    codec_cvt_nid: int | None
    sink: SinkAudio | None


def parse_eld_proc(text: str) -> EldProc:
    """Parse the whole text of one /proc/asound/cardN/eld#C.P file."""
    fields: dict[str, tuple[int, str]] = {}
    sad_fields: dict[int, dict[str, tuple[int, str]]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue  # blank, or the padding tail of a monitor name
        key, *rest = line.split(None, 1)
        value = rest[0].strip() if rest else ""
        sad_key = _SAD_KEY.fullmatch(key)
        if sad_key:
            index, name = int(sad_key.group(1)), sad_key.group(2)
            sad_fields.setdefault(index, {})[name] = (number, value)
        else:
            fields[key] = (number, value)

    present = _flag(fields, "monitor_present")
    valid = _flag(fields, "eld_valid")
    return EldProc(
        monitor_present=present,
        eld_valid=valid,
        codec_pin_nid=_optional_int(fields, "codec_pin_nid"),
        codec_dev_id=_optional_int(fields, "codec_dev_id"),
        codec_cvt_nid=_optional_int(fields, "codec_cvt_nid"),
        sink=_sink(fields, sad_fields) if valid else None,
    )


def _sink(
    fields: dict[str, tuple[int, str]], sad_fields: dict[int, dict[str, tuple[int, str]]]
) -> SinkAudio:
    notes: list[str] = []
    count = _int(fields, "sad_count")
    if not 0 <= count <= _MAX_SADS:
        raise EldProcError(
            f"line {fields['sad_count'][0]}: sad_count {count} is not 0..{_MAX_SADS}"
        )
    extra = sorted(i for i in sad_fields if i >= count)
    if extra:
        line = min(n for n, _ in sad_fields[extra[0]].values())
        raise EldProcError(f"line {line}: sad{extra[0]} but sad_count is {count}")
    missing = [i for i in range(count) if i not in sad_fields]
    if missing:
        raise EldProcError(
            f"sad_count is {count} but sad{missing[0]}.. are missing (is the file cut off?)"
        )
    sads = []
    for index in range(count):
        sad = _sad(index, sad_fields[index])
        if sad.code == 0:
            notes.append(f"the kernel hid SAD {index}'s format (an extension type it lacks)")
        sads.append(sad)

    speakers: tuple[str, ...] | None = None
    if "speakers" in fields:
        mask = _mask(fields, "speakers")
        if mask == _ALL_SPEAKERS:
            notes.append("speakers 0xffff is the kernel's guess: the sink gave no allocation")
        else:
            speakers = speaker_names(mask) or None
    connection = fields.get("connection_type", (0, ""))[1]
    return SinkAudio(
        monitor_name=fields.get("monitor_name", (0, ""))[1] or None,
        connection=_CONNECTIONS.get(connection),
        sads=tuple(sads),
        speakers=speakers,
        source="proc-eld",
        notes=tuple(notes),
    )


def _sad(index: int, values: dict[str, tuple[int, str]]) -> ShortAudioDescriptor:
    where = f"sad{index}"
    kernel_code = _mask(values, "coding_type", where)
    if kernel_code > _KERNEL_EXT_BASE:
        code, ext = EXTENDED, kernel_code - _KERNEL_EXT_BASE
        name = EXTENSION_NAMES.get(ext, "reserved")
    else:
        code, ext = kernel_code, None
        name = FORMAT_NAMES.get(code, "unknown")
    rate_mask = _mask(values, "rates", where)
    bits_mask = _mask(values, "bits", where) if "bits" in values else 0
    bitrate = _int(values, "max_bitrate", where) if "max_bitrate" in values else None
    return ShortAudioDescriptor(
        type=name,
        code=code,
        ext_code=ext,
        channels=_int(values, "channels", where),
        rates=tuple(hz for bit, hz in _PCM_RATES.items() if rate_mask >> bit & 1),
        bits=tuple(size for bit, size in _PCM_BITS.items() if bits_mask >> bit & 1),
        max_bitrate_kbps=bitrate // 1000 if bitrate is not None else None,
        wma_profile=_int(values, "profile", where) if "profile" in values else None,
    )


def _flag(fields: dict[str, tuple[int, str]], key: str) -> bool:
    value = _int(fields, key)
    if value not in (0, 1):
        raise EldProcError(f"line {fields[key][0]}: {key} is {value}, not 0 or 1")
    return value == 1


def _optional_int(fields: dict[str, tuple[int, str]], key: str) -> int | None:
    return _int(fields, key) if key in fields else None


def _int(fields: dict[str, tuple[int, str]], key: str, where: str = "") -> int:
    label = f"{where}_{key}" if where else key
    if key not in fields:
        raise EldProcError(f"no {label} line")
    number, value = fields[key]
    try:
        return int(value, 0)
    except ValueError:
        raise EldProcError(f"line {number}: {label} is {value!r}, not a number") from None


def _mask(fields: dict[str, tuple[int, str]], key: str, where: str = "") -> int:
    """The bracketed hex value that leads `[0x1ee0] 32000 ...`-style lines."""
    label = f"{where}_{key}" if where else key
    if key not in fields:
        raise EldProcError(f"no {label} line")
    number, value = fields[key]
    found = _MASK.match(value)
    if not found:
        raise EldProcError(f"line {number}: {label} is {value!r}, not '[0x..] ...'")
    return int(found.group(1), 16)
