"""What an HDMI/DisplayPort sink says it can decode, in one shape for every source.

The kernel's proc text, the binary ELD and the EDID all carry CTA-861 Short Audio
Descriptors (SADs); the parsers in `eld_proc` and `cta861` turn each into the records
below so that callers never care which one they read. Facts that a source cannot show
are None, not False: the proc text hides SAD byte 3, so it cannot say "no Atmos".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Source = Literal["proc-eld", "eld", "edid"]
Connection = Literal["HDMI", "DisplayPort"]

# CTA-861 Audio Format Codes 1..14 (SAD byte 1 bits 6..3); 15 means "see the extension code".
FORMAT_NAMES: dict[int, str] = {
    1: "LPCM",
    2: "AC-3",
    3: "MPEG-1",
    4: "MP3",
    5: "MPEG-2",
    6: "AAC-LC",
    7: "DTS",
    8: "ATRAC",
    9: "DSD",
    10: "E-AC-3",
    11: "DTS-HD",
    12: "MAT",
    13: "DST",
    14: "WMA-Pro",
}

# CTA-861 Audio Coding Extension Type Codes (SAD byte 3 bits 7..3 when the format code is 15).
# 1..3 are obsolete; the kernel still names them, so old sinks can carry them.
EXTENSION_NAMES: dict[int, str] = {
    1: "HE-AAC",
    2: "HE-AACv2",
    3: "MPEG Surround",
    4: "HE-AAC",
    5: "HE-AACv2",
    6: "MPEG-4 AAC-LC",
    7: "DRA",
    8: "HE-AAC+MPEG Surround",
    10: "AAC-LC+MPEG Surround",
    11: "MPEG-H 3D Audio",
    12: "AC-4",
    13: "L-PCM 3D",
    14: "Auro-Cx",
    15: "MPEG-D USAC",
}

E_AC_3 = 10
MAT = 12
WMA_PRO = 14
EXTENDED = 15
EXT_MPEG_H = 11
EXT_LPCM_3D = 13

# SAD byte 2 bit i means SAMPLE_RATES[i] Hz.
SAMPLE_RATES = (32000, 44100, 48000, 88200, 96000, 176400, 192000)
# LPCM SAD byte 3 bit i means SAMPLE_SIZES[i] bits.
SAMPLE_SIZES = (16, 20, 24)

# Speaker allocation bit i. Bits 0..10 use the kernel's names so the proc text and the
# bytes agree; later CTA-861 revisions renamed bit 3 (LS/RS) and bit 6 (BL/BR), which would
# make the same sink read differently depending on the tool. Bits 11..20 are CTA-861 names.
SPEAKER_NAMES = (
    "FL/FR",
    "LFE",
    "FC",
    "RL/RR",
    "RC",
    "FLC/FRC",
    "RLC/RRC",
    "FLW/FRW",
    "FLH/FRH",
    "TC",
    "FCH",
    "LS/RS",
    "LFE2",
    "TpBC",
    "SiL/SiR",
    "TpSiL/TpSiR",
    "TpBL/TpBR",
    "BtFC",
    "BtFL/BtFR",
    "TpLS/TpRS",
    "LSd/RSd",
)


@dataclass(frozen=True)
class ShortAudioDescriptor:
    """One coding format the sink accepts, with its limits.

    `type` is the CTA-861 name ("E-AC-3", "MAT", "MPEG-H 3D Audio", ...), "reserved" for a
    code CTA-861 does not assign, or "unknown" when the kernel printed format 0 (it does so
    for extension types it does not know, such as MPEG-H and AC-4).
    `channels` is None where the format has no channel count (MPEG-H carries a level
    instead, AC-4 and Auro-Cx carry nothing). `joc`, `joc_acmod28` (E-AC-3) and
    `mat_objects` (MAT) are None when the source hides SAD byte 3 and for other formats.
    `raw` is the three SAD bytes when the source had them, for flags not decoded here.
    """

    type: str
    code: int
    ext_code: int | None
    channels: int | None
    rates: tuple[int, ...]
    bits: tuple[int, ...] = ()
    max_bitrate_kbps: int | None = None
    joc: bool | None = None
    joc_acmod28: bool | None = None
    mat_objects: bool | None = None
    mpegh_level: int | None = None
    mpegh_low_complexity: bool | None = None
    wma_profile: int | None = None
    raw: bytes | None = None


@dataclass(frozen=True)
class SinkAudio:
    """The audio side of one connected sink, as one source described it.

    `speakers` is None when the source does not know the allocation (no Speaker
    Allocation block, or the kernel's "assume everything" 0xffff). `notes` says what was
    ignored or tolerated on the way, so a caller can tell a clean read from a rescued one.
    """

    monitor_name: str | None
    connection: Connection | None
    sads: tuple[ShortAudioDescriptor, ...]
    speakers: tuple[str, ...] | None
    source: Source
    notes: tuple[str, ...] = ()


def speaker_names(mask: int) -> tuple[str, ...]:
    """The speaker allocation bits set in `mask`, in CTA-861 bit order."""
    return tuple(name for bit, name in enumerate(SPEAKER_NAMES) if mask >> bit & 1)
