"""`pw-dump` output, read from real captures (see fixtures/SOURCES.md) and from a private
PipeWire daemon (tests/rig/pipewire.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from probe.parsers.pipewire import (
    ClockSettings,
    FormatChoice,
    IntRange,
    NodeFormat,
    PipeWireGraph,
    PipeWireParseError,
    PipeWireSink,
    SampleFormat,
    parse_pw_dump,
    sample_format,
)
from tests.conftest import CAPTURES
from tests.rig import pipewire as rig_pipewire

PIPEWIRE = CAPTURES / "pipewire"
DESKTOP = "desktop-usb-dac-nvidia-hdmi-pw1.6.8.json"
STEAMOS = "steamos-sm8250-echo-cancel-sink-pw1.6.8.json"
SCHIIT = "alsa_output.usb-Schiit_Audio_Modi_Multibit-00.analog-stereo"
STEREO = ("FL", "FR")
CLOCK_48K = ClockSettings(
    rate=48000,
    allowed_rates=(48000,),
    force_rate=None,
    quantum=1024,
    min_quantum=32,
    max_quantum=2048,
    force_quantum=None,
)

needs_pipewire = pytest.mark.skipif(
    rig_pipewire.missing_daemon() is not None,
    reason=f"needs {' '.join(rig_pipewire.PACKAGES)} (scripts/setup)",
)


def read(name: str) -> str:
    return (PIPEWIRE / name).read_text()


def sinks_of(graph: PipeWireGraph) -> dict[str, PipeWireSink]:
    return {s.name: s for s in graph.sinks}


def test_usb_dac_running_at_48k_s32_with_its_format_family() -> None:
    graph = parse_pw_dump(read(DESKTOP))
    assert graph.clock == CLOCK_48K
    assert graph.default_sink == SCHIIT
    assert [s.id for s in graph.sinks] == [102, 92]
    dac = sinks_of(graph)[SCHIIT]
    assert dac == PipeWireSink(
        id=102,
        name=SCHIIT,
        description="CM6631A Audio Processor Analog Stereo",
        media_class="Audio/Sink",
        state="running",
        alsa_path="front:3",
        alsa_pcm_card=3,
        alsa_pcm_device=None,
        alsa_card=3,
        alsa_device=0,
        device_api="alsa",
        device_bus="usb",
        audio_format=None,
        audio_rate=None,
        audio_channels=2,
        format=NodeFormat("raw", SampleFormat("S32LE", "S32_LE"), 48000, 2, STEREO, None),
        enum_formats=(
            FormatChoice(
                subtype="raw",
                # S24LE is PipeWire's packed 24-bit format: ALSA's S24_3LE, not S24_LE.
                formats=(
                    SampleFormat("S32LE", "S32_LE"),
                    SampleFormat("S24LE", "S24_3LE"),
                    SampleFormat("S16LE", "S16_LE"),
                ),
                rates=IntRange(default=48000, min=44100, max=192000),
                channels=(2,),
                position=STEREO,
                codecs=(),
            ),
        ),
    )


def test_suspended_hdmi_sink_has_no_format_and_names_its_pcm_in_alsa_device() -> None:
    hdmi = sinks_of(parse_pw_dump(read(DESKTOP)))["alsa_output.pci-0000_01_00.1.hdmi-stereo"]
    assert hdmi.description == "GB203 High Definition Audio Controller Digital Stereo (HDMI)"
    assert (hdmi.state, hdmi.format) == ("suspended", None)
    # api.alsa.path is the "hdmi:0" alias; the PCM is hw:0,3, known only from alsa.device.
    assert (hdmi.alsa_path, hdmi.alsa_pcm_card, hdmi.alsa_pcm_device) == ("hdmi:0", 0, None)
    assert (hdmi.alsa_card, hdmi.alsa_device) == (0, 3)
    assert (hdmi.device_api, hdmi.device_bus) == ("alsa", "pci")
    rates = IntRange(default=48000, min=32000, max=48000)
    assert hdmi.enum_formats == (
        FormatChoice(
            "raw",
            (SampleFormat("S32LE", "S32_LE"), SampleFormat("S16LE", "S16_LE")),
            rates,
            (2,),
            STEREO,
            (),
        ),
        # Passthrough: EAC3 is enabled in the node's Props but needs 192 kHz, so not offered.
        FormatChoice("iec958", (), rates, (), (), ("PCM", "DTS", "AC3", "MPEG", "MPEG2-AAC")),
    )


def test_virtual_echo_cancel_sink_carries_no_alsa_identity() -> None:
    graph = parse_pw_dump(read(STEAMOS))
    assert graph.clock == CLOCK_48K
    assert graph.default_sink is None  # the capture keeps no `default` metadata
    (sink,) = graph.sinks
    assert sink == PipeWireSink(
        id=59,
        name="echo_cancel_fallback_sink",
        description="Echo-Cancel Sink",
        media_class="Audio/Sink",
        state="suspended",
        alsa_path=None,
        alsa_pcm_card=None,
        alsa_pcm_device=None,
        alsa_card=None,
        alsa_device=None,
        device_api=None,
        device_bus=None,
        audio_format=None,
        audio_rate=None,
        audio_channels=2,
        format=None,
        enum_formats=(
            FormatChoice("raw", (SampleFormat("F32P", "FLOAT_LE"),), (48000,), (2,), STEREO, ()),
        ),
    )


@needs_pipewire
def test_live_daemon_reports_the_clock_and_sinks_it_was_configured_with(
    pipewire_server: rig_pipewire.PipeWireServer,
) -> None:
    graph = parse_pw_dump(pipewire_server.pw_dump().stdout)
    assert graph.clock is not None
    assert graph.clock.rate == 96000
    assert graph.clock.allowed_rates == (44100, 48000, 96000, 192000)
    assert (graph.clock.force_rate, graph.clock.force_quantum) == (None, None)
    assert graph.default_sink == "pw_hires"
    sinks = sinks_of(graph)
    assert set(sinks) == {"pw_hdmi51", "pw_hires"}
    hdmi, hires = sinks["pw_hdmi51"], sinks["pw_hires"]
    assert (hdmi.audio_format, hdmi.audio_rate, hdmi.audio_channels) == (
        SampleFormat("S16LE", "S16_LE"),
        48000,
        6,
    )
    assert (hires.audio_format, hires.audio_rate, hires.audio_channels) == (
        SampleFormat("S32LE", "S32_LE"),
        192000,
        2,
    )
    assert hires.description == "Fake hi-res DAC"
    # A null sink converts to float internally: the configured S16LE/S32LE shows only in
    # the props, its EnumFormat offers float at the configured rate and channels.
    floats = (SampleFormat("F32P", "FLOAT_LE"), SampleFormat("F32LE", "FLOAT_LE"))
    surround = ("FL", "FR", "RL", "RR", "FC", "LFE")
    assert hdmi.enum_formats == (FormatChoice("raw", floats, (48000,), (6,), surround, ()),)
    assert hires.enum_formats == (FormatChoice("raw", floats, (192000,), (2,), STEREO, ()),)
    for sink in (hdmi, hires):
        # No session manager links anything, so nothing runs and there is no Format.
        assert (sink.state, sink.format) == ("suspended", None)
        assert (sink.alsa_path, sink.alsa_card, sink.device_api) == (None, None, None)


def test_pipewire_format_names_map_to_alsa_names() -> None:
    assert sample_format("S16LE") == SampleFormat("S16LE", "S16_LE")
    assert sample_format("S24_32LE").alsa == "S24_LE"
    assert sample_format("S24LE").alsa == "S24_3LE"
    assert sample_format("S32LE").alsa == "S32_LE"
    assert sample_format("F32LE").alsa == sample_format("F32P").alsa == "FLOAT_LE"
    assert sample_format("F64LE").alsa == "FLOAT64_LE"
    assert sample_format("S20LE").alsa == "S20_3LE"
    assert sample_format("ULAW").alsa == "MU_LAW"
    # pw-dump prints ids it has no name for as "id-%08x"; ALSA has no name for them either.
    assert sample_format("id-00000123") == SampleFormat("id-00000123", None)


def _desktop() -> list[Any]:
    objects: list[Any] = json.loads(read(DESKTOP))
    return objects


def _object(objects: list[Any], oid: int) -> Any:
    (found,) = [o for o in objects if o["id"] == oid]
    return found


def _reparse(objects: list[Any]) -> PipeWireGraph:
    return parse_pw_dump(json.dumps(objects))


def test_older_dumps_with_string_numbers_and_steps_and_json_strings_are_read() -> None:
    objects = _desktop()
    props = _object(objects, 102)["info"]["props"]
    props["api.alsa.pcm.card"] = "3"
    props["api.alsa.pcm.device"] = "0"
    enum = _object(objects, 102)["info"]["params"]["EnumFormat"][0]
    enum["rate"] = {"default": 48000, "min": 44100, "max": 192000, "step": 44100}
    settings = _object(objects, 32)["metadata"]
    settings[2]["value"] = [44100, 48000]
    default = _object(objects, 39)["metadata"]
    default[3]["value"] = json.dumps({"name": SCHIIT})
    graph = _reparse(objects)
    dac = sinks_of(graph)[SCHIIT]
    assert (dac.alsa_pcm_card, dac.alsa_pcm_device) == (3, 0)
    assert dac.enum_formats[0].rates == IntRange(48000, 44100, 192000, 44100)
    assert graph.clock is not None
    assert graph.clock.allowed_rates == (44100, 48000)
    assert graph.default_sink == SCHIIT


def test_a_dump_without_metadata_or_sinks_is_empty_not_an_error() -> None:
    assert parse_pw_dump("[]") == PipeWireGraph(clock=None, default_sink=None, sinks=())


def test_what_is_not_pw_dump_json_is_a_clear_error() -> None:
    with pytest.raises(PipeWireParseError, match="not JSON"):
        parse_pw_dump("id 30, type PipeWire:Interface:Metadata/3")
    with pytest.raises(PipeWireParseError, match="expected a JSON list"):
        parse_pw_dump('{"id": 0}')
    with pytest.raises(PipeWireParseError, match="object 0 has no type and id"):
        parse_pw_dump('[{"type": "PipeWire:Interface:Node"}]')
    with pytest.raises(PipeWireParseError, match="object 1 is not a JSON object"):
        parse_pw_dump('[{"id": 0, "type": "PipeWire:Interface:Core"}, 7]')


@pytest.mark.parametrize(
    ("oid", "path", "bad", "message"),
    [
        (102, ["info"], [], r"object 102: info is not a JSON object"),
        (102, ["info", "props", "node.name"], None, r"is an Audio/Sink without node\.name"),
        (102, ["info", "props", "api.alsa.pcm.card"], "three", r"api\.alsa\.pcm\.card .*integer"),
        (102, ["info", "props", "device.bus"], True, r"node 102 device\.bus is True, not text"),
        (102, ["info", "params", "EnumFormat"], {}, r"EnumFormat is not a JSON list"),
        (92, ["info", "params", "EnumFormat", 0, "rate"], {"default": "48k"}, r"EnumFormat 0 rate"),
        (92, ["info", "params", "EnumFormat", 1, "iec958Codec"], {"alt1": "AC3"}, r"iec958Codec"),
        (102, ["info", "params", "EnumFormat", 0, "mediaSubtype"], None, r"no mediaSubtype"),
        (102, ["info", "params", "Format", 0, "position"], "FL,FR", r"Format 0 position"),
        (32, ["metadata", 1, "value"], True, r"settings clock\.rate is True, not an integer"),
        (32, ["metadata", 2, "value"], "48000", r"clock\.allowed-rates is '48000', not a list"),
        (32, ["metadata", 0, "key"], None, r"settings metadata entry 0 has no subject and key"),
        (39, ["metadata", 3, "value"], 42, r"default\.audio\.sink is 42, not a node name"),
    ],
)
def test_malformed_fields_name_the_object_and_field(
    oid: int, path: list[Any], bad: Any, message: str
) -> None:
    objects = _desktop()
    target = _object(objects, oid)
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad
    with pytest.raises(PipeWireParseError, match=message):
        _reparse(objects)
