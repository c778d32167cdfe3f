"""The USB stream file parser against real stream0 files (sources in fixtures/SOURCES.md)."""

from __future__ import annotations

import pytest

from probe.parsers.usb_stream import (
    CurrentSetting,
    DsdRaw,
    RateRange,
    StreamFileError,
    UsbStream,
    parse_usb_stream,
)
from tests.conftest import CAPTURES

USB = CAPTURES / "usb"
TOPPING_RATES = (44100, 48000, 88200, 96000, 176400, 192000, 352800, 384000, 705600, 768000)


def text(name: str) -> str:
    return (USB / name).read_text()


def stream(name: str) -> UsbStream:
    return parse_usb_stream(text(name))


def test_header_gives_device_and_pcm_name() -> None:
    s = stream("topping-d50s")
    assert s.device == "Topping D50s at usb-0000:00:14.0-3, high speed"
    assert s.pcm_name == "USB Audio"


def test_running_directions_report_what_they_use_now() -> None:
    s = stream("sound-devices-mixpre6ii")
    assert s.device == "Sound Devices, LLC MixPre-6 II at usb-xhci-hcd.0-2, high speed"
    assert s.playback is not None and s.capture is not None
    assert s.playback.running
    assert s.playback.current == CurrentSetting(
        interface=1, altset=2, packet_size=432, momentary_freq=48002
    )
    assert s.capture.running
    assert s.capture.current == CurrentSetting(2, 2, 432, 48000)


def test_discrete_rates_formats_and_bits_per_altset() -> None:
    s = stream("sound-devices-mixpre6ii")
    assert s.playback is not None
    one, two = s.playback.altsets
    assert (one.interface, one.altset, one.formats, one.bits) == (1, 1, ("S16_LE",), 16)
    assert (two.interface, two.altset, two.formats, two.bits) == (1, 2, ("S24_3LE",), 24)
    for alt in (one, two):
        assert alt.rates == (44100, 48000, 96000)
        assert alt.rate_range is None
        assert alt.channels == 2
        assert alt.sync_type == "ASYNC"
        assert alt.data_interval_us == 1000
        assert alt.channel_map == ("FL", "FR")
        assert alt.dsd is None


def test_same_format_with_different_valid_bits_and_a_dsd_altset() -> None:
    s = stream("topping-d50s")
    assert s.capture is None
    assert s.playback is not None
    assert not s.playback.running
    assert s.playback.current is None
    s32, s32_24, dsd = s.playback.altsets
    assert (s32.formats, s32.bits, s32.dsd) == (("S32_LE",), 32, None)
    assert (s32_24.formats, s32_24.bits, s32_24.dsd) == (("S32_LE",), 24, None)
    # The kernel prints every format bit the altset has: here SPECIAL and DSD_U32_BE.
    assert dsd.formats == ("SPECIAL", "DSD_U32_BE")
    assert dsd.bits == 32
    assert dsd.dsd == DsdRaw(dop=False, bitrev=False)
    for alt in (s32, s32_24, dsd):
        assert alt.rates == TOPPING_RATES
        assert alt.data_interval_us == 125
        # An older kernel's endpoint spelling, "1 OUT (ASYNC)", not "0x01 (1 OUT) (ASYNC)".
        assert alt.sync_type == "ASYNC"


def test_continuous_range_of_one_rate_and_bits_zero() -> None:
    s = stream("macrosilicon-ms2109")
    assert s.playback is None
    assert s.capture is not None
    (alt,) = s.capture.altsets
    assert alt.rate_range == RateRange(48000, 48000)
    assert alt.rates == ()
    assert (alt.interface, alt.altset, alt.formats, alt.channels) == (3, 1, ("S16_LE",), 2)
    # The kernel printed "Bits: 0" (it could not tell); that is kept, not taken as missing.
    assert alt.bits == 0
    assert alt.channel_map == ()


def test_empty_rates_line_gives_no_rates_at_all() -> None:
    s = stream("nux-mg300")
    assert s.playback is not None and s.capture is not None
    for direction in (s.playback, s.capture):
        (alt,) = direction.altsets
        assert alt.rates == ()
        assert alt.rate_range is None
        assert (alt.formats, alt.bits, alt.channels) == (("S32_LE",), 24, 2)
    assert s.capture.altsets[0].interface == 2


def test_old_kernel_without_bits_and_a_wrapped_first_line() -> None:
    s = stream("audioquest-dragonfly-black-v1.5")
    # The terminal wrapped the long first line after "U"; the kernel printed one line.
    assert (
        s.device == "AudioQuest AudioQuest DragonFly Black v1.5 at usb-20980000.usb-1, full speed"
    )
    assert s.pcm_name == "USB Audio"
    assert s.playback is not None and s.capture is None
    assert s.playback.current == CurrentSetting(2, 1, 360, 48050)
    (alt,) = s.playback.altsets
    assert alt.formats == ("S24_3LE",)
    assert alt.rates == (44100, 48000, 88200, 96000)
    assert alt.bits is None
    assert alt.data_interval_us is None
    assert alt.channel_map == ()
    assert alt.sync_type == "ASYNC"


@pytest.mark.parametrize(
    "name",
    ["topping-d50s", "nux-mg300", "sound-devices-mixpre6ii", "macrosilicon-ms2109"],
)
def test_crlf_tabs_trailing_spaces_and_indentation_change_nothing(name: str) -> None:
    original = text(name)
    crlf_tabs = "\r\n".join(line.replace("    ", "\t") + " \t" for line in original.splitlines())
    flush_left = "\n".join(line.lstrip() for line in original.splitlines())
    assert parse_usb_stream(crlf_tabs) == stream(name)
    assert parse_usb_stream(flush_left) == stream(name)


def test_file_cut_inside_an_altset_keeps_what_is_there() -> None:
    lines = text("topping-d50s").splitlines()
    cut = "\n".join(lines[:16])  # ends at the second altset's "Format: S32_LE"
    s = parse_usb_stream(cut)
    assert s.playback is not None
    first, second = s.playback.altsets
    assert first.rates == TOPPING_RATES
    assert (second.altset, second.formats) == (2, ("S32_LE",))
    assert (second.channels, second.rates, second.bits) == (None, (), None)


def test_wide_continuous_range() -> None:
    # Hand-made: no public capture with a wide continuous range and a citable source was
    # found; the line is what sound/usb/proc.c prints for SNDRV_PCM_RATE_CONTINUOUS.
    handmade = (
        "Some DAC at usb-0000:00:14.0-1, high speed : USB Audio\n"
        "\n"
        "Playback:\n"
        "  Status: Stop\n"
        "  Interface 1\n"
        "    Altset 1\n"
        "    Format: S16_LE S24_3LE\n"
        "    Channels: 2\n"
        "    Endpoint: 0x01 (1 OUT) (ADAPTIVE)\n"
        "    Rates: 8000 - 192000 (continuous)\n"
    )
    s = parse_usb_stream(handmade)
    assert s.playback is not None
    (alt,) = s.playback.altsets
    assert alt.rate_range == RateRange(8000, 192000)
    assert alt.formats == ("S16_LE", "S24_3LE")
    assert alt.sync_type == "ADAPTIVE"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "\r\n",
        "Topping D50s at usb-0000:00:14.0-3, high speed : USB Audio\n",
        (CAPTURES / "hda" / "realtek-alc285-asus-laptop").read_text(),
        (CAPTURES / "proc" / "debian12-firecracker-cpuinfo").read_text(),
    ],
)
def test_not_a_stream_file_is_a_clear_error(bad: str) -> None:
    with pytest.raises(StreamFileError, match="not a USB audio stream file") as caught:
        parse_usb_stream(bad)
    assert isinstance(caught.value, ValueError)
