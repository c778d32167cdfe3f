"""Binary ELDs and full EDIDs, read from real captures (see fixtures/SOURCES.md).

Expected values were decoded by hand from the bytes and agree with the edid-decode
output published next to each EDID capture (linuxhw/EDID prints it under the hex).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probe.parsers.cta861 import (
    ChecksumError,
    CtaParseError,
    decode_sad,
    parse_edid,
    parse_eld,
)
from probe.parsers.sad import ShortAudioDescriptor
from tests.conftest import CAPTURES

ELD = CAPTURES / "eld"
EDID = CAPTURES / "edid"
ALL_RATES = (32000, 44100, 48000, 88200, 96000, 176400, 192000)
BASE_RATES = (32000, 44100, 48000)


def summary(sad: ShortAudioDescriptor) -> tuple[object, ...]:
    return (
        sad.type,
        sad.channels,
        sad.rates,
        sad.bits,
        sad.max_bitrate_kbps,
        sad.joc,
        sad.joc_acmod28,
        sad.mat_objects,
    )


def fixed(data: bytes, block: int) -> bytes:
    """`data` with block `block`'s checksum recomputed, to reach checks past the checksum."""
    start = block * 128
    body = data[start : start + 127]
    return data[:start] + body + bytes([-sum(body) % 256]) + data[start + 128 :]


# --- binary ELD -------------------------------------------------------------------------


def test_eld_files_are_the_published_hex() -> None:
    for hex_path in sorted(ELD.glob("*.hex")):
        text = hex_path.read_text()
        if "value '" in text:
            published = bytes.fromhex(re.findall(r"value '([0-9a-f]*)'", text)[0])
        elif ": values=" in text:
            published = bytes(int(v, 16) for v in text.split(": values=")[1].split(","))
        else:
            published = bytes.fromhex(text)
        assert hex_path.with_suffix(".bin").read_bytes() == published, hex_path.name


def test_dell_monitor_eld_from_alsactl() -> None:
    sink = parse_eld((ELD / "dell-g2422hs-alsactl.bin").read_bytes())
    assert (sink.monitor_name, sink.connection, sink.source) == ("DELL G2422HS", "HDMI", "eld")
    assert sink.speakers == ("FL/FR",)
    assert [summary(s) for s in sink.sads] == [
        ("LPCM", 2, BASE_RATES, (16, 20, 24), None, None, None, None)
    ]
    assert sink.sads[0].raw == bytes.fromhex("090707")


def test_displayport_eld_with_a_padded_name_in_a_95_byte_buffer() -> None:
    data = (ELD / "acer-cm3271k-dp-alsactl.bin").read_bytes()
    assert len(data) == 95 and b"CM3271K\n     " in data
    sink = parse_eld(data)
    assert (sink.monitor_name, sink.connection) == ("CM3271K", "DisplayPort")
    assert [summary(s) for s in sink.sads] == [
        ("LPCM", 2, BASE_RATES, (16, 20, 24), None, None, None, None)
    ]


def test_eld_through_an_hdmi_audio_extractor_with_four_sads() -> None:
    sink = parse_eld((ELD / "dell-p1917s-via-extractor-amixer.bin").read_bytes())
    assert sink.monitor_name == "DELL P1917S"
    assert sink.speakers == ("FL/FR", "LFE", "FC", "RL/RR")
    assert [summary(s) for s in sink.sads] == [
        ("LPCM", 2, ALL_RATES, (16, 20, 24), None, None, None, None),
        ("LPCM", 6, ALL_RATES, (16, 20, 24), None, None, None, None),
        ("AC-3", 6, ALL_RATES, (), 640, None, None, None),
        ("DTS", 6, ALL_RATES, (), 1536, None, None, None),
    ]


def test_eld_without_a_monitor_name() -> None:
    # This ELD (MNL 0) is the one that broke alsa-lib's device naming.
    data = (ELD / "sharp-aquos-no-monitor-name.bin").read_bytes()
    assert data[4] & 0x1F == 0
    sink = parse_eld(data)
    assert (sink.monitor_name, sink.connection, sink.speakers) == (None, "HDMI", ("FL/FR",))
    assert [summary(s) for s in sink.sads] == [
        ("LPCM", 2, BASE_RATES, (16,), None, None, None, None)
    ]


def test_malformed_elds_name_the_offset() -> None:
    dell = (ELD / "dell-g2422hs-alsactl.bin").read_bytes()
    with pytest.raises(CtaParseError, match=r"empty.*\(offset 0\)"):
        parse_eld(b"")
    with pytest.raises(CtaParseError, match=r"SAD 0 is cut off \(33 bytes\) \(offset 32\)"):
        parse_eld(dell[:33])
    with pytest.raises(CtaParseError, match=r"fixed part needs 20 \(offset 0\)"):
        parse_eld(dell[:12])
    with pytest.raises(CtaParseError, match=r"version 0 is not 2 \(CEA-861-D\) \(offset 0\)"):
        parse_eld(b"\x00" + dell[1:])
    with pytest.raises(CtaParseError, match=r"name length 31 exceeds 16 \(offset 4\)"):
        parse_eld(dell[:4] + b"\x7f" + dell[5:])
    with pytest.raises(CtaParseError, match=r"past the baseline block.*\(offset 32\)"):
        parse_eld(dell[:2] + b"\x07" + dell[3:])


# --- EDID ---------------------------------------------------------------------------------


def test_edid_files_are_the_published_hex() -> None:
    for hex_path in sorted(EDID.glob("*.hex")):
        text = hex_path.read_text()
        if "0x" in text:
            published = bytes(int(v, 16) for v in re.findall(r"0x([0-9a-f]{2})", text))
        else:
            published = bytes.fromhex("".join(text.split(":", 1)[1].split()))
        assert hex_path.with_suffix(".bin").read_bytes() == published, hex_path.name


def test_denon_avr_advertises_dd_plus_and_truehd_without_object_flags() -> None:
    sink = parse_edid((EDID / "denon-avamp-2018-linuxhw.bin").read_bytes())
    assert (sink.monitor_name, sink.connection, sink.source) == ("DENON-AVAMP", "HDMI", "edid")
    assert sink.speakers == ("FL/FR", "LFE", "FC", "RL/RR", "RC", "RLC/RRC")
    assert [summary(s) for s in sink.sads] == [
        ("LPCM", 8, ALL_RATES, (16, 20, 24), None, None, None, None),
        ("DTS", 6, (44100, 48000, 88200, 96000), (), 1536, None, None, None),
        ("AC-3", 6, BASE_RATES, (), 640, None, None, None),
        ("DTS-HD", 8, ALL_RATES[1:], (), None, None, None, None),
        ("E-AC-3", 8, (44100, 48000), (), None, False, False, None),
        ("MAT", 8, ALL_RATES[1:], (), None, None, None, False),
    ]
    # edid-decode: "Audio Format Code dependent value: 0x01" for DTS-HD.
    assert sink.sads[3].raw == bytes.fromhex("5f7e01")
    # hw-probe stored the 256-byte EDID twice.
    assert sink.notes == ("the 256 bytes after the last block repeat the EDID",)


def test_lg_tv_advertises_joc_and_mat_objects_and_no_speaker_block() -> None:
    sink = parse_edid((EDID / "lg-tv-sscr2-2020-linuxhw.bin").read_bytes())
    assert (sink.monitor_name, sink.connection) == ("LG TV SSCR2", "HDMI")
    assert sink.speakers is None
    assert [summary(s) for s in sink.sads] == [
        ("LPCM", 2, (32000, 44100, 48000, 96000, 192000), (16, 20, 24), None, None, None, None),
        ("AC-3", 6, BASE_RATES, (), 640, None, None, None),
        ("E-AC-3", 8, BASE_RATES, (), None, True, False, None),
        ("MAT", 8, (48000,), (), None, None, None, True),
    ]
    assert [s.raw for s in sink.sads][2:] == [bytes.fromhex("570701"), bytes.fromhex("670403")]


SAMSUNG_SADS = [
    ("LPCM", 6, (32000, 44100, 48000, 96000, 192000), (16, 20, 24), None, None, None, None),
    ("LPCM", 2, BASE_RATES, (16, 20, 24), None, None, None, None),
    ("AC-3", 6, BASE_RATES, (), 640, None, None, None),
    ("E-AC-3", 8, BASE_RATES, (), None, True, False, None),
    ("MAT", 8, (48000, 96000, 192000), (), None, None, None, True),
]


def test_samsung_tv_full_edid_with_hf_eeodb_and_a_displayid_block() -> None:
    data = (EDID / "samsung-qcq95s-2023-full.bin").read_bytes()
    assert data[126] == 1  # the base block claims one extension; the HF-EEODB says three
    sink = parse_edid(data)
    assert (sink.monitor_name, sink.connection) == ("QCQ95S", "HDMI")
    assert sink.speakers == ("FL/FR", "LFE", "FC", "RL/RR")
    assert [summary(s) for s in sink.sads] == SAMSUNG_SADS
    assert sink.sads[4].raw == bytes.fromhex("675407")
    assert sink.notes == ("block 3 has tag 0x70, not CTA-861; skipped",)


def test_samsung_tv_as_hw_probe_saw_it_stops_at_the_repeated_base_block() -> None:
    sink = parse_edid((EDID / "samsung-qcq95s-2023-linuxhw.bin").read_bytes())
    assert [summary(s) for s in sink.sads] == SAMSUNG_SADS
    assert sink.notes == ("block 2 repeats the base block (a doubled dump); stopped there",)


def test_blocks_only_the_hf_eeodb_asks_for_may_be_missing() -> None:
    data = (EDID / "samsung-qcq95s-2023-full.bin").read_bytes()[:256]
    sink = parse_edid(data)
    assert [summary(s) for s in sink.sads] == SAMSUNG_SADS
    assert sink.notes == ("HF-EEODB declares 3 extension blocks; 1 were captured",)


def test_a_truncated_edid_names_the_missing_block() -> None:
    data = (EDID / "denon-avamp-2018-linuxhw.bin").read_bytes()
    with pytest.raises(CtaParseError, match=r"declares 1 extension blocks but block 1 .*"):
        parse_edid(data[:200])
    with pytest.raises(CtaParseError, match=r"base block needs 128 \(offset 0\)"):
        parse_edid(data[:127])


def test_a_wrong_checksum_is_an_error_unless_the_caller_accepts_it() -> None:
    data = bytearray((EDID / "denon-avamp-2018-linuxhw.bin").read_bytes())
    assert data[128 + 26 : 128 + 29] == bytes.fromhex("570600")
    data[128 + 28] = 0x01  # E-AC-3 byte 3: claim JOC without fixing the checksum
    with pytest.raises(ChecksumError, match=r"block 1 checksum.*\(offset 255\)"):
        parse_edid(bytes(data))
    sink = parse_edid(bytes(data), verify_checksums=False)
    assert sink.sads[4].joc is True
    assert sink.notes[0] == "block 1 checksum byte 0xf9 leaves a remainder of 1; parsed anyway"


def test_a_bad_base_checksum_is_an_error_at_byte_127() -> None:
    data = bytearray((EDID / "lg-tv-sscr2-2020-linuxhw.bin").read_bytes())
    data[127] ^= 0xFF
    with pytest.raises(ChecksumError, match=r"block 0 .*\(offset 127\)"):
        parse_edid(bytes(data))


def test_malformed_cta_blocks_name_the_offset() -> None:
    lg = (EDID / "lg-tv-sscr2-2020-linuxhw.bin").read_bytes()[:256]
    audio = lg.index(bytes.fromhex("2c09570715"))
    broken_length = lg[:audio] + b"\x2b" + lg[audio + 1 :]
    with pytest.raises(CtaParseError, match=rf"not a multiple of 3 \(offset {audio}\)"):
        parse_edid(fixed(broken_length, 1))
    short_collection = lg[:130] + bytes([audio - 128 + 2]) + lg[131:]
    with pytest.raises(CtaParseError, match=rf"runs past the data block collection.*{audio}\)"):
        parse_edid(fixed(short_collection, 1))
    header_offset = lg[:130] + b"\x02" + lg[131:]
    with pytest.raises(CtaParseError, match=r"DTD offset 2 .*\(offset 130\)"):
        parse_edid(fixed(header_offset, 1))
    past_the_block = lg[:130] + b"\x88" + lg[131:]
    with pytest.raises(CtaParseError, match=r"DTD offset 136 .*\(offset 130\)"):
        parse_edid(fixed(past_the_block, 1))
    with pytest.raises(CtaParseError, match=r"does not start with .* header \(offset 0\)"):
        parse_edid(b"\x01" + lg[1:])


def test_every_prefix_of_every_capture_parses_or_fails_cleanly() -> None:
    outcomes = set()
    captures = [(parse_eld, p.read_bytes()) for p in ELD.glob("*.bin")]
    captures += [(parse_edid, p.read_bytes()) for p in EDID.glob("*.bin")]
    for parse, data in captures:
        for end in range(len(data) + 1):
            try:
                parse(data[:end])
                outcomes.add("parsed")
            except CtaParseError:
                outcomes.add("error")
    assert outcomes == {"parsed", "error"}


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_raise_anything_but_cta_parse_error(data: bytes) -> None:
    for parse in (parse_eld, parse_edid):
        try:
            sink = parse(data)
        except CtaParseError as error:
            assert 0 <= error.offset <= len(data)
        else:
            assert isinstance(sink.sads, tuple)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 511), st.integers(0, 255))
def test_single_byte_corruption_of_a_real_edid_fails_cleanly(position: int, value: int) -> None:
    data = bytearray((EDID / "samsung-qcq95s-2023-full.bin").read_bytes())
    data[position] = value
    block = position // 128
    try:
        sink = parse_edid(fixed(bytes(data), block))
    except CtaParseError as error:
        assert 0 <= error.offset < len(data)
    else:
        assert sink.source == "edid"


# --- SAD byte 3 beyond the captures -----------------------------------------------------
# No public capture with an MPEG-H, AC-4 or L-PCM 3D SAD was found; these SADs are built
# from the CTA-861 layout as edid-decode reads it, to pin the extension-type decoding.


def test_extension_type_sads() -> None:
    mpegh = decode_sad(bytes((0x7B, 0x06, 11 << 3 | 1)))
    assert (mpegh.type, mpegh.code, mpegh.ext_code) == ("MPEG-H 3D Audio", 15, 11)
    assert (mpegh.channels, mpegh.mpegh_level, mpegh.mpegh_low_complexity) == (None, 3, True)
    assert mpegh.rates == (44100, 48000)
    ac4 = decode_sad(bytes((0x78, 0x06, 12 << 3)))
    assert (ac4.type, ac4.channels, ac4.mpegh_level) == ("AC-4", None, None)
    lpcm3d = decode_sad(bytes((0xFF, 0x87, 13 << 3 | 0x07)))
    assert (lpcm3d.type, lpcm3d.channels, lpcm3d.bits) == ("L-PCM 3D", 32, (16, 20, 24))
    assert lpcm3d.rates == (32000, 44100, 48000)
    heaac = decode_sad(bytes((0x79, 0x06, 4 << 3)))
    assert (heaac.type, heaac.channels) == ("HE-AAC", 2)
    reserved = decode_sad(bytes((0x78, 0x06, 9 << 3)))
    assert (reserved.type, reserved.ext_code) == ("reserved", 9)


def test_e_ac_3_acmod28_and_wma_profile_bits() -> None:
    acmod28 = decode_sad(bytes((0x57, 0x06, 0x03)))
    assert (acmod28.joc, acmod28.joc_acmod28) == (True, True)
    wma = decode_sad(bytes((0x71, 0x06, 0x03)))
    assert (wma.type, wma.channels, wma.wma_profile) == ("WMA-Pro", 2, 3)
    with pytest.raises(CtaParseError, match=r"a SAD is 3 bytes, got 2"):
        decode_sad(b"\x09\x07")
