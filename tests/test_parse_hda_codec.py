"""The HD-Audio codec parser against real codec#M dumps (sources in fixtures/SOURCES.md)."""

from __future__ import annotations

import pytest

from probe.parsers.hda_codec import (
    Codec,
    CodecDumpError,
    Converter,
    PcmCaps,
    parse_codec,
    parse_codecs,
)
from tests.conftest import CAPTURES

HDA = CAPTURES / "hda"
HDMI = "intel-pantherpoint-hdmi-asus-ux31a"
ALC285 = "realtek-alc285-asus-laptop"
AD1986A = "ad1986a-samsung-p50"
MODEM = "lsi-si3054-modem-samsung-p50"

HDMI_CAPS = PcmCaps(
    rates=(32000, 44100, 48000, 88200, 96000, 176400, 192000),
    bits=(16, 20, 24, 32),
    formats=("PCM", "AC3"),
)
REALTEK_DEFAULT = PcmCaps((44100, 48000, 96000, 192000), (16, 20, 24), ("PCM",))


def text(name: str) -> str:
    return (HDA / name).read_text()


def codec(name: str) -> Codec:
    return parse_codec(text(name))


def test_header_fields() -> None:
    c = codec(ALC285)
    assert c.name == "Realtek ALC285"
    assert c.address == 0
    assert c.vendor_id == 0x10EC0285
    assert c.subsystem_id == 0x10431C52
    assert c.revision_id == 0x100002


def test_hdmi_codec_has_an_empty_default_pcm_but_converters_with_their_own_caps() -> None:
    c = codec(HDMI)
    assert (c.name, c.address, c.vendor_id) == ("Intel PantherPoint HDMI", 3, 0x80862806)
    assert c.default_pcm == PcmCaps((), (), ())
    assert c.default_pcm is not None and c.default_pcm.empty
    assert [n.nid for n in c.dacs] == [0x02, 0x03, 0x04]
    for dac in c.dacs:
        assert dac.pcm == HDMI_CAPS
        assert dac.pcm_source == "node"
        assert dac.digital
        assert dac.converter == Converter(stream=0, channel=0)


def test_hdmi_pins_inherit_the_empty_default_and_list_their_converter() -> None:
    c = codec(HDMI)
    pins = [n for n in c.nodes if n.widget_type == "Pin Complex"]
    assert [(p.nid, p.connections) for p in pins] == [
        (0x05, (0x02,)),
        (0x06, (0x03,)),
        (0x07, (0x04,)),
    ]
    for pin in pins:
        assert pin.digital
        assert pin.pcm_source == "default"
        assert pin.pcm is not None and pin.pcm.empty
        assert pin.converter is None
    assert c.node(0x08).widget_type == "Vendor Defined Widget"


def test_laptop_default_claims_192k_while_dacs_are_narrower() -> None:
    c = codec(ALC285)
    assert c.default_pcm == REALTEK_DEFAULT
    dacs = {n.nid: n for n in c.dacs}
    assert sorted(dacs) == [0x02, 0x03, 0x06]
    assert dacs[0x02].pcm == PcmCaps((48000,), (16, 20, 24), ("PCM",))
    assert dacs[0x06].pcm == PcmCaps((48000,), (16, 20, 24), ("PCM",))
    assert dacs[0x03].pcm == REALTEK_DEFAULT
    assert {n.pcm_source for n in c.dacs} == {"node"}
    assert [n.name for n in c.dacs] == [None, "ALC285 Analog", None]
    assert [n.pcm_device for n in c.dacs] == [None, 0, None]  # `device=0`: it serves hw:C,0
    assert not any(n.digital for n in c.dacs)


def test_laptop_capture_converters_and_connection_lists() -> None:
    c = codec(ALC285)
    adc = c.node(0x07)
    assert (adc.widget_type, adc.name) == ("Audio Input", "ALC285 Analog")
    assert adc.pcm == PcmCaps((48000,), (16, 20, 24), ("PCM",))
    assert adc.connections == (0x24,)
    # "0x02* 0x03 0x06": the star marks the selected input and is not part of the number.
    assert c.node(0x17).connections == (0x02, 0x03, 0x06)
    assert c.node(0x21).connections == (0x02, 0x03)
    assert c.node(0x24).connections == (0x12, 0x13, 0x18)
    assert c.node(0x14).connections == (0x02,)
    assert c.node(0x0A).connections == ()


def test_digital_comes_from_the_caps_line_not_the_pin_default() -> None:
    c = codec(ALC285)
    # Node 0x12 is a digital microphone ("Conn = Digital" in its body), caps line "Stereo Amp-In".
    assert not c.node(0x12).digital
    assert not c.node(0x1D).digital
    assert [n.nid for n in c.nodes if n.digital] == []


def test_old_kernel_dacs_without_pcm_block_inherit_the_default() -> None:
    c = codec(AD1986A)
    assert c.name == "Analog Devices AD1986A"
    assert c.default_pcm == PcmCaps(
        (8000, 11025, 16000, 22050, 32000, 44100, 48000), (16, 20, 24), ("PCM",)
    )
    for nid in (0x03, 0x04, 0x05):
        dac = c.node(nid)
        assert dac.widget_type == "Audio Output"
        assert dac.pcm_source == "default"
        assert dac.pcm == c.default_pcm
    assert c.node(0x04).converter == Converter(stream=1, channel=0)


def test_old_kernel_spdif_converter_has_its_own_narrow_caps() -> None:
    c = codec(AD1986A)
    spdif = c.node(0x02)
    assert spdif.digital
    assert spdif.pcm_source == "node"
    assert spdif.pcm == PcmCaps((44100, 48000), (16,), ("PCM", "AC3"))
    assert spdif.connections == (0x01, 0x06)
    assert c.node(0x06).pcm == PcmCaps(
        (8000, 11025, 16000, 22050, 32000, 44100, 48000), (16, 20), ("PCM",)
    )


def test_every_widget_type_is_kept() -> None:
    c = codec(AD1986A)
    assert len(c.nodes) == 0x2B - 0x02 + 1
    assert {n.widget_type for n in c.nodes} == {
        "Audio Output",
        "Audio Input",
        "Audio Mixer",
        "Audio Selector",
        "Beep Generator Widget",
        "Pin Complex",
        "Power Widget",
    }
    assert c.node(0x0F).connections == (0x1F, 0x20, 0x1D, 0x1D, 0x27, 0x28, 0x29, 0x2A)


def test_modem_codec_has_no_default_pcm_and_no_nodes() -> None:
    c = codec(MODEM)
    assert (c.name, c.address, c.vendor_id, c.subsystem_id) == (
        "LSI Si3054",
        1,
        0x11C13026,
        0x2117144D,
    )
    assert c.default_pcm is None
    assert c.nodes == ()
    assert c.dacs == ()


def test_several_codecs_one_after_another() -> None:
    # How `cat codec#*` and alsa-info.sh print this machine: the AD1986A, then its modem codec.
    both = text(AD1986A) + text(MODEM)
    names = [c.name for c in parse_codecs(both)]
    assert names == ["Analog Devices AD1986A", "LSI Si3054"]
    with pytest.raises(CodecDumpError, match=r"holds 2 codecs.*parse_codecs"):
        parse_codec(both)


def test_lines_before_the_codec_are_ignored() -> None:
    # alsa-info.sh puts its section title and a collapse marker before the first codec.
    dump = "!!HDA-Intel Codec information\n!!---------------------------\n--startcollapse--\n\n"
    assert parse_codec(dump + text(HDMI)) == codec(HDMI)


def test_crlf_tabs_and_trailing_spaces_change_nothing() -> None:
    original = text(ALC285)
    mangled = "\r\n".join(line.replace("  ", "\t", 1) + "  " for line in original.splitlines())
    assert parse_codec(mangled) == codec(ALC285)


def test_dump_cut_inside_a_pcm_block_keeps_what_is_there() -> None:
    lines = text(ALC285).splitlines()
    cut = lines[: lines.index("    rates [0x40]: 48000") + 1]
    c = parse_codec("\n".join(cut))
    assert c.default_pcm == REALTEK_DEFAULT
    assert [n.nid for n in c.nodes] == [0x02]
    assert c.node(0x02).pcm == PcmCaps((48000,), (), ())
    assert c.node(0x02).pcm_source == "node"


def test_dump_cut_in_the_header_keeps_the_name() -> None:
    c = parse_codec("\n".join(text(ALC285).splitlines()[:4]))
    assert (c.name, c.address, c.vendor_id) == ("Realtek ALC285", 0, 0x10EC0285)
    assert (c.subsystem_id, c.default_pcm, c.nodes) == (None, None, ())


def test_missing_node_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="0x30"):
        codec(HDMI).node(0x30)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "\n\n",
        "hello, not a codec\n",
        (CAPTURES / "usb" / "topping-d50s").read_text(),
        (CAPTURES / "proc" / "debian12-firecracker-cpuinfo").read_text(),
    ],
)
def test_not_a_codec_dump_is_a_clear_error(bad: str) -> None:
    with pytest.raises(CodecDumpError, match="not an HD-Audio codec dump") as caught:
        parse_codec(bad)
    assert isinstance(caught.value, ValueError)
