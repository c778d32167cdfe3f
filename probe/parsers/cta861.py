"""Sink audio capabilities from raw bytes: a binary ELD or a full EDID with CTA-861 blocks.

Reading the bytes rather than /proc/asound/*/eld#* is the only way to see SAD byte 3:
the kernel drops it for E-AC-3 and MAT (so no Atmos flags) and prints format 0 for
extension types it does not know (so no MPEG-H). Layouts follow CTA-861 and the HDA ELD
format as edid-decode and the kernel read them.

Errors: malformed input raises `CtaParseError` (a ValueError) naming the byte offset.
A wrong block checksum raises `ChecksumError` unless `verify_checksums=False`, in which
case the block is parsed anyway and `SinkAudio.notes` says so: a KVM or splitter that
rewrites an EDID often forgets the checksum while the audio block stays right, and the
caller, not this module, knows whether that is acceptable.
"""

from __future__ import annotations

from dataclasses import dataclass

from probe.parsers.sad import (
    E_AC_3,
    EXT_LPCM_3D,
    EXT_MPEG_H,
    EXTENDED,
    EXTENSION_NAMES,
    FORMAT_NAMES,
    MAT,
    SAMPLE_RATES,
    SAMPLE_SIZES,
    WMA_PRO,
    Connection,
    ShortAudioDescriptor,
    SinkAudio,
    speaker_names,
)

EDID_HEADER = bytes((0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00))
BLOCK = 128
CTA_TAG = 0x02
ELD_FIXED = 20  # 4-byte header + the fixed part of the baseline block, before the name
ELD_MAX_MNL = 16
ELD_VERSIONS = (2, 31)  # CEA-861-D, and the "partial" ELD the kernel also accepts
HDMI_OUI = bytes((0x03, 0x0C, 0x00))  # IEEE OUI 00-0C-03, little-endian in the block
HF_EEODB = 0x78  # extended tag: HDMI Forum EDID Extension Override Data Block
DESCRIPTOR_NAME = 0xFC
# EDID 1.4 digital video interface (base block byte 20, bits 3..0).
_INTERFACES: dict[int, Connection] = {2: "HDMI", 3: "HDMI", 5: "DisplayPort"}

_TAG_AUDIO = 1
_TAG_VENDOR = 3
_TAG_SPEAKERS = 4
_TAG_EXTENDED = 7


class CtaParseError(ValueError):
    """The bytes are not an ELD/EDID this module can read; `offset` is where it went wrong."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (offset {offset})")
        self.offset = offset


class ChecksumError(CtaParseError):
    """A 128-byte EDID block does not sum to 0 mod 256."""


def decode_sad(raw: bytes) -> ShortAudioDescriptor:
    """One 3-byte Short Audio Descriptor, byte 3 included."""
    if len(raw) != 3:
        raise CtaParseError(f"a SAD is 3 bytes, got {len(raw)}", 0)
    b0, b1, b2 = raw
    code = b0 >> 3 & 0x0F
    rates = tuple(rate for bit, rate in enumerate(SAMPLE_RATES) if b1 >> bit & 1)
    channels: int | None = (b0 & 0x07) + 1
    if code != EXTENDED:
        return ShortAudioDescriptor(
            type=FORMAT_NAMES.get(code, "reserved"),
            code=code,
            ext_code=None,
            channels=channels,
            rates=rates,
            bits=_sizes(b2) if code == 1 else (),
            max_bitrate_kbps=b2 * 8 if 2 <= code <= 8 else None,
            joc=bool(b2 & 1) if code == E_AC_3 else None,
            joc_acmod28=bool(b2 & 2) if code == E_AC_3 else None,
            mat_objects=bool(b2 & 1) if code == MAT else None,
            wma_profile=b2 & 0x07 if code == WMA_PRO else None,
            raw=bytes(raw),
        )
    ext = b2 >> 3
    if ext == EXT_MPEG_H or ext in (12, 14):
        channels = None  # MPEG-H carries a level there; AC-4 and Auro-Cx carry nothing
    elif ext == EXT_LPCM_3D:
        channels = ((b1 & 0x80) >> 3 | (b0 & 0x80) >> 4 | (b0 & 0x07)) + 1
    return ShortAudioDescriptor(
        type=EXTENSION_NAMES.get(ext, "reserved"),
        code=code,
        ext_code=ext,
        channels=channels,
        rates=rates,
        bits=_sizes(b2) if ext == EXT_LPCM_3D else (),
        mpegh_level=b0 & 0x07 if ext == EXT_MPEG_H else None,
        mpegh_low_complexity=bool(b2 & 1) if ext == EXT_MPEG_H else None,
        raw=bytes(raw),
    )


def parse_eld(data: bytes) -> SinkAudio:
    """A binary ELD: the ALSA `ELD` control of an HDMI PCM, or the HDA ELD buffer."""
    if not data:
        raise CtaParseError("the ELD is empty: no sink has written one", 0)
    version = data[0] >> 3
    if version not in ELD_VERSIONS:
        raise CtaParseError(f"ELD version {version} is not 2 (CEA-861-D)", 0)
    if len(data) < ELD_FIXED:
        raise CtaParseError(f"the ELD is {len(data)} bytes, its fixed part needs {ELD_FIXED}", 0)
    baseline_end = 4 + data[2] * 4
    mnl = data[4] & 0x1F
    if mnl > ELD_MAX_MNL:
        raise CtaParseError(f"monitor name length {mnl} exceeds {ELD_MAX_MNL}", 4)
    sad_count = data[5] >> 4
    conn = (data[5] >> 2) & 0x03
    notes = [] if conn < 2 else [f"ELD connection type {conn} is reserved"]
    sads_start = ELD_FIXED + mnl
    if sads_start > len(data):
        raise CtaParseError(f"the monitor name ({mnl} bytes) is cut off", len(data))
    sads = []
    for index in range(sad_count):
        offset = sads_start + 3 * index
        if offset + 3 > len(data):
            raise CtaParseError(
                f"the ELD declares {sad_count} SADs but SAD {index} is cut off ({len(data)} bytes)",
                offset,
            )
        if offset + 3 > baseline_end:
            raise CtaParseError(
                f"SAD {index} lies past the baseline block, which ends at offset {baseline_end}",
                offset,
            )
        sads.append(decode_sad(data[offset : offset + 3]))
    connection: Connection | None = ("HDMI", "DisplayPort", None, None)[conn]
    return SinkAudio(
        monitor_name=_text(data[ELD_FIXED:sads_start]),
        connection=connection,
        sads=tuple(sads),
        speakers=speaker_names(data[7]) or None,
        source="eld",
        notes=tuple(notes),
    )


def parse_edid(data: bytes, *, verify_checksums: bool = True) -> SinkAudio:
    """A full EDID: the base block, then every CTA-861 extension block it declares.

    The base block's byte 126 says how many blocks must follow; an HF-EEODB in the first
    CTA block may raise that count, and blocks it adds are read when present (older
    kernels and hw-probe only captured 256 bytes). Bytes past the last block are ignored,
    as is a second copy of the base block: several capture tools print the EDID twice.
    """
    if len(data) < BLOCK:
        raise CtaParseError(f"the EDID is {len(data)} bytes, its base block needs {BLOCK}", 0)
    if data[:8] != EDID_HEADER:
        raise CtaParseError("the EDID does not start with the 00 FF FF FF FF FF FF 00 header", 0)
    notes: list[str] = []
    _check_sum(data[:BLOCK], 0, 0, verify_checksums, notes)
    declared = data[126]
    total = declared
    cta_blocks: list[_CtaBlock] = []
    index = 1
    while index <= total:
        offset = index * BLOCK
        block = data[offset : offset + BLOCK]
        if len(block) < BLOCK:
            if index <= declared:
                raise CtaParseError(
                    f"the EDID declares {declared} extension blocks but block {index} is cut "
                    f"off ({len(data)} bytes)",
                    offset,
                )
            notes.append(f"HF-EEODB declares {total} extension blocks; {index - 1} were captured")
            break
        if block[:8] == EDID_HEADER:
            notes.append(f"block {index} repeats the base block (a doubled dump); stopped there")
            break
        _check_sum(block, index, offset, verify_checksums, notes)
        if block[0] == CTA_TAG:
            cta = _parse_cta_block(block, offset)
            cta_blocks.append(cta)
            if index == 1 and cta.eeodb is not None:
                total = cta.eeodb
        else:
            notes.append(f"block {index} has tag 0x{block[0]:02x}, not CTA-861; skipped")
        index += 1
    else:
        trailing = data[index * BLOCK :]
        if trailing.startswith(EDID_HEADER):
            notes.append(f"the {len(trailing)} bytes after the last block repeat the EDID")
        elif trailing:
            notes.append(f"ignored {len(trailing)} bytes after the last block")
    speaker_mask = next((c.speaker_mask for c in cta_blocks if c.speaker_mask), 0)
    return SinkAudio(
        monitor_name=monitor_name(data[:BLOCK]),
        connection=_connection(data[:BLOCK], any(c.hdmi_vsdb for c in cta_blocks)),
        sads=tuple(sad for cta in cta_blocks for sad in cta.sads),
        speakers=speaker_names(speaker_mask) or None,
        source="edid",
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class _CtaBlock:
    """The audio-relevant content of one CTA-861 extension block."""

    sads: tuple[ShortAudioDescriptor, ...] = ()
    speaker_mask: int = 0
    hdmi_vsdb: bool = False
    eeodb: int | None = None


def _parse_cta_block(block: bytes, offset: int) -> _CtaBlock:
    """One CTA-861 block's data block collection; `offset` is where the block starts."""
    dtd_start = block[2]
    if dtd_start == 0:
        return _CtaBlock()  # no DTDs and no data block collection
    if not 4 <= dtd_start < BLOCK:
        raise CtaParseError(
            f"CTA-861 DTD offset {dtd_start} is outside the data area (4..127)", offset + 2
        )
    sads: list[ShortAudioDescriptor] = []
    speaker_mask = 0
    hdmi_vsdb = False
    eeodb = None
    pos = 4
    while pos < dtd_start:
        tag, length = block[pos] >> 5, block[pos] & 0x1F
        end = pos + 1 + length
        if end > dtd_start:
            raise CtaParseError(
                f"CTA-861 data block (tag {tag}, {length} bytes) runs past the data block "
                f"collection, which ends at offset {offset + dtd_start}",
                offset + pos,
            )
        payload = block[pos + 1 : end]
        if tag == _TAG_AUDIO:
            if length % 3:
                raise CtaParseError(
                    f"Audio Data Block is {length} bytes, not a multiple of 3", offset + pos
                )
            sads.extend(decode_sad(payload[i : i + 3]) for i in range(0, length, 3))
        elif tag == _TAG_SPEAKERS and not speaker_mask:
            speaker_mask = int.from_bytes(payload[:3], "little")
        elif tag == _TAG_VENDOR and payload[:3] == HDMI_OUI:
            hdmi_vsdb = True
        elif tag == _TAG_EXTENDED and length >= 2 and payload[0] == HF_EEODB:
            eeodb = payload[1]
        pos = end
    return _CtaBlock(tuple(sads), speaker_mask, hdmi_vsdb, eeodb)


def _check_sum(block: bytes, index: int, offset: int, strict: bool, notes: list[str]) -> None:
    remainder = sum(block) % 256
    if not remainder:
        return
    message = f"block {index} checksum byte 0x{block[-1]:02x} leaves a remainder of {remainder}"
    if strict:
        raise ChecksumError(message, offset + BLOCK - 1)
    notes.append(f"{message}; parsed anyway")


def monitor_name(base: bytes) -> str | None:
    """The Display Product Name descriptor (tag 0xFC) of the base block, if any."""
    for start in range(54, 126, 18):
        descriptor = base[start : start + 18]
        if descriptor[:2] == b"\0\0" and descriptor[3] == DESCRIPTOR_NAME:
            return _text(descriptor[5:].split(b"\n", 1)[0])
    return None


def _connection(base: bytes, hdmi_vsdb: bool) -> Connection | None:
    """HDMI if an HDMI VSDB is present; else what an EDID 1.4 digital input byte says."""
    if hdmi_vsdb:
        return "HDMI"
    if base[18:20] == b"\x01\x04" and base[20] & 0x80:
        return _INTERFACES.get(base[20] & 0x0F)
    return None


def _sizes(byte: int) -> tuple[int, ...]:
    return tuple(size for bit, size in enumerate(SAMPLE_SIZES) if byte >> bit & 1)


def _text(raw: bytes) -> str | None:
    """A name field as the sink wrote it, without the NUL/newline/space padding."""
    text = raw.split(b"\0", 1)[0].decode("ascii", errors="replace").strip()
    return text or None
