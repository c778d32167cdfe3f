"""/proc/asound/cards, /proc/asound/pcm, cardN/usbid and cardN/pcmDp/info."""

from __future__ import annotations

import re

import pytest

from probe.parsers.asound import (
    PcmInfo,
    ProcCard,
    ProcPcm,
    parse_cards,
    parse_pcm_info,
    parse_pcms,
    parse_usbid,
)
from tests.conftest import CAPTURES


def test_cards_of_a_real_laptop() -> None:
    text = (CAPTURES / "proc" / "alc269vb-asus-ux31a-cards").read_text()
    assert parse_cards(text) == [
        ProcCard(0, "PCH", "HDA-Intel", "HDA Intel PCH", "HDA Intel PCH at 0xf7d18000 irq 43")
    ]


def test_several_cards_and_no_cards() -> None:
    text = (
        " 0 [vc4hdmi0       ]: vc4-hdmi - vc4-hdmi-0\n"
        "                      vc4-hdmi-0\n"
        " 1 [Headphones     ]: bcm2835_headpho - bcm2835 Headphones\n"
        "                      bcm2835 Headphones\n"
    )
    cards = parse_cards(text)
    assert [(c.index, c.id, c.driver, c.name) for c in cards] == [
        (0, "vc4hdmi0", "vc4-hdmi", "vc4-hdmi-0"),
        (1, "Headphones", "bcm2835_headpho", "bcm2835 Headphones"),
    ]
    assert parse_cards("--- no soundcards ---\n") == []


def test_pcm_list_of_a_real_laptop() -> None:
    text = (CAPTURES / "proc" / "asus-vivobook-14x-pcm").read_text()
    assert parse_pcms(text) == [
        ProcPcm(0, 3, "HDMI 0", "HDMI 0", True, False),
        ProcPcm(1, 0, "ALC294 Analog", "ALC294 Analog", True, True),
    ]


def test_asoc_links_with_empty_names_and_capture_only_devices() -> None:
    text = (
        "00-00: ff890000.i2s-rt5651-aif1 rt5651-aif1-0 :  : playback 1 : capture 1\n"
        "02-01: USB Audio : USB Audio #1 : capture 1\n"
        "garbage\n"
    )
    pcms = parse_pcms(text)
    assert pcms[0] == ProcPcm(0, 0, "ff890000.i2s-rt5651-aif1 rt5651-aif1-0", "", True, True)
    assert pcms[1] == ProcPcm(2, 1, "USB Audio", "USB Audio #1", False, True)
    assert len(pcms) == 2


# --- cardN/usbid and cardN/pcmDp/info (see fixtures/SOURCES.md) ---

PROC = CAPTURES / "proc"


def read(name: str) -> str:
    return (PROC / name).read_text()


def replace_line(text: str, key: str, line: str | None) -> str:
    """The text with the `key: ...` line replaced by `line`, or dropped if None."""
    lines = text.splitlines(keepends=True)
    index = next(i for i, old in enumerate(lines) if old.startswith(f"{key}:"))
    lines[index : index + 1] = [] if line is None else [line + "\n"]
    return "".join(lines)


def test_usbid_of_a_real_usb_headset() -> None:
    assert parse_usbid(read("logitech-h570e-usbid")) == (0x046D, 0x0A56)


def test_usbid_tolerates_surrounding_whitespace_and_upper_case() -> None:
    assert parse_usbid("  046d:0a56 \n\n") == (0x046D, 0x0A56)
    assert parse_usbid("1D6B:0002") == (0x1D6B, 0x0002)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        (" \n", "empty"),
        ("046d", "not VVVV:PPPP"),
        ("046d:0a5", "not VVVV:PPPP"),
        ("046d:0a567", "not VVVV:PPPP"),
        ("046d-0a56", "not VVVV:PPPP"),
        ("046g:0a56", "not VVVV:PPPP"),
        ("0x46d:0a56", "not VVVV:PPPP"),
        ("+46d:0a56", "not VVVV:PPPP"),
        ("046d:0a56 046d:0a57", "not VVVV:PPPP"),
        ("046d:\n0a56", "not VVVV:PPPP"),
    ],
)
def test_usbid_rejects_anything_else(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_usbid(text)


def test_usb_headset_that_is_playing_is_busy() -> None:
    info = parse_pcm_info(read("logitech-h570e-pcm0p-info"))
    assert info == PcmInfo(
        card=1,
        device=0,
        subdevice=0,
        stream="PLAYBACK",
        id="USB Audio",
        name="USB Audio",
        subname="subdevice #0",
        pcm_class=0,
        subclass=0,
        subdevices_count=1,
        subdevices_avail=0,
    )
    assert info.busy


def test_capture_side_of_the_same_headset_is_free() -> None:
    info = parse_pcm_info(read("logitech-h570e-pcm0c-info"))
    assert (info.card, info.device, info.stream) == (1, 0, "CAPTURE")
    assert (info.subdevices_count, info.subdevices_avail) == (1, 1)
    assert not info.busy


def test_sof_link_with_an_empty_name() -> None:
    text = read("sof-legion-16iax10h-pcm0p-info")
    assert "\nname: \n" in text  # the kernel's "name: %s" with an empty name
    info = parse_pcm_info(text)
    assert info == PcmInfo(0, 0, 0, "PLAYBACK", "HDA Analog (*)", "", "subdevice #0", 0, 0, 1, 1)
    assert not info.busy
    # The same file after an editor trimmed the trailing space reads the same.
    assert parse_pcm_info(text.replace("name: \n", "name:\n")) == info


def test_sof_hdmi_whose_id_and_name_differ() -> None:
    info = parse_pcm_info(read("sof-legion-16iax10h-pcm3p-info"))
    assert (info.device, info.id, info.name) == (3, "HDMI1 (*)", "HDMI 1")


def test_device_with_eight_substreams_is_busy_only_when_all_are_open() -> None:
    """As a Raspberry Pi's bcm2835 outputs have: eight substreams (counts edited in)."""
    text = replace_line(
        read("logitech-h570e-pcm0c-info"), "subdevices_count", "subdevices_count: 8"
    )
    text = replace_line(text, "subdevices_avail", "subdevices_avail: 8")
    info = parse_pcm_info(text)
    assert (info.subdevices_count, info.subdevices_avail, info.busy) == (8, 8, False)
    some_open = parse_pcm_info(replace_line(text, "subdevices_avail", "subdevices_avail: 3"))
    assert (some_open.subdevices_avail, some_open.busy) == (3, False)
    all_open = parse_pcm_info(replace_line(text, "subdevices_avail", "subdevices_avail: 0"))
    assert all_open.busy
    # A stream without substreams has nothing to be busy with (the kernel makes no info file
    # for one, but the property must not call it busy).
    empty = replace_line(
        replace_line(text, "subdevices_avail", "subdevices_avail: 0"),
        "subdevices_count",
        "subdevices_count: 0",
    )
    assert not parse_pcm_info(empty).busy


def test_names_keep_colons_and_spaces_after_the_first_separator() -> None:
    text = replace_line(read("logitech-h570e-pcm0p-info"), "name", "name: USB Audio: Out 1 ")
    assert parse_pcm_info(text).name == "USB Audio: Out 1"


@pytest.mark.parametrize("key", ["subdevice", "id", "name", "subname", "class", "subclass"])
def test_optional_lines_may_be_missing(key: str) -> None:
    info = parse_pcm_info(replace_line(read("logitech-h570e-pcm0p-info"), key, None))
    field = "pcm_class" if key == "class" else key
    assert getattr(info, field) is None
    assert (info.card, info.subdevices_avail, info.busy) == (1, 0, True)


@pytest.mark.parametrize(
    "key", ["card", "device", "stream", "subdevices_count", "subdevices_avail"]
)
def test_required_lines_must_be_there(key: str) -> None:
    text = replace_line(read("logitech-h570e-pcm0p-info"), key, None)
    with pytest.raises(ValueError, match=f"no '{key}' line"):
        parse_pcm_info(text)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("subdevices_avail: one", "line 11: subdevices_avail is 'one', not a number"),
        ("subdevices_avail: -1", "subdevices_avail is '-1', not a number"),
        ("subdevices_avail: ", "subdevices_avail is '', not a number"),
        ("subdevices_avail: 2", "subdevices_avail 2 is more than subdevices_count 1"),
        ("subdevices_count: 1.0", "subdevices_count is '1.0', not a number"),
        ("card: 0x1", "card is '0x1', not a number"),
        ("subclass: x", "subclass is 'x', not a number"),
        ("stream: BOTH", "stream 'BOTH' is not PLAYBACK/CAPTURE"),
        ("stream: playback", "stream 'playback' is not PLAYBACK/CAPTURE"),
    ],
)
def test_bad_values_say_which_line(line: str, message: str) -> None:
    key = line.split(":")[0]
    text = replace_line(read("logitech-h570e-pcm0p-info"), key, line)
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_pcm_info(text)


def test_the_kernels_error_line_is_reported_with_its_errno() -> None:
    # snd_pcm_proc_info_read prints only "error %d" when snd_pcm_info() fails.
    with pytest.raises(ValueError, match=r"line 1: the kernel failed .*: -6 ENXIO"):
        parse_pcm_info("error -6\n")


@pytest.mark.parametrize("text", ["", "\n\n"])
def test_an_empty_file_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        parse_pcm_info(text)


def test_two_info_files_run_together_are_refused() -> None:
    text = read("logitech-h570e-pcm0c-info") + read("logitech-h570e-pcm0p-info")
    with pytest.raises(ValueError, match="line 12: a second 'card' line"):
        parse_pcm_info(text)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("closed\n", 1),  # a closed substream's sub0/status, not an info file
        ("card: 1\ndevice 0\n", 2),
        ("owner_pid   : 1928\n", 1),
    ],
)
def test_lines_that_are_not_key_value_are_refused(text: str, line: int) -> None:
    with pytest.raises(ValueError, match=f"line {line}: .* is not a 'key: value' line"):
        parse_pcm_info(text)
