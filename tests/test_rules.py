"""probe.rules over device profiles: which tokens each policy grants, and the reasons.

The profiles are built from real captures where a part has one: USB stream files, HDA
codec dumps and EDIDs from fixtures/captures (see fixtures/SOURCES.md), turned into
outputs by the same functions the probe uses, and CDMs judged by probe.widevine.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from probe import audio, decoders, rules, tokens, widevine
from probe.cdm_locations import Layout, Place
from probe.decoders import DecoderFacts, SourceAnswer
from probe.models import (
    AudioConfig,
    AudioOutput,
    Capabilities,
    Cdm,
    Libc,
    Mixer,
    Platform,
    Policy,
    ProbeRecord,
    Sink,
    Status,
    Transport,
)
from probe.parsers import cta861, hda_codec, usb_stream
from probe.parsers.binary_header import BinaryHeader
from probe.parsers.cdm_manifest import parse_manifest
from probe.widevine import CdmFile, LinkNeeds

CAPTURES = Path(__file__).parent.parent / "fixtures" / "captures"
STRICT, LENIENT = Policy.STRICT, Policy.LENIENT
PI = Platform("linux", "aarch64", 64, Libc("glibc", "2.36"), "6.1.0", "Raspberry Pi 4")
PC = Platform("linux", "x86_64", 64, Libc("glibc", "2.36"), "6.1.0", None)


def usb_dac(capture: str, output_id: str = "alsa:hw:1,0", busy: bool = False) -> AudioOutput:
    stream = usb_stream.parse_usb_stream((CAPTURES / "usb" / capture).read_text())
    return output(
        output_id, f"USB DAC {capture}", Transport.USB, audio.usb_configs(stream), busy=busy
    )


def hda_analog() -> AudioOutput:
    codec = hda_codec.parse_codec((CAPTURES / "hda" / "realtek-alc285-asus-laptop").read_text())
    configs = audio.codec_configs([codec], 0)
    return output("alsa:hw:0,0", "HDA Intel PCH: ALC285 Analog", Transport.ANALOG, configs)


def hdmi(edid: str | None, output_id: str = "alsa:hw:0,3", busy: bool = False) -> AudioOutput:
    sink = (
        audio.sink_of(cta861.parse_edid((CAPTURES / "edid" / edid).read_bytes())) if edid else None
    )
    configs = [AudioConfig("S32_LE", 24, [2, 6, 8], [32000, 44100, 48000, 96000, 192000])]
    name = "HDA Intel PCH: HDMI 0"
    return output(output_id, name, Transport.HDMI, configs, sink=sink, busy=busy)


def at_48k_only(output_id: str = "alsa:hw:0,0") -> AudioOutput:
    """An I2S codec that runs at 48 kHz alone (a typical board's audio)."""
    configs = [AudioConfig("S16_LE", 16, [2], [48000]), AudioConfig("S32_LE", 24, [2], [48000])]
    return output(output_id, "sndrpi: I2S codec", Transport.I2S, configs)


def server_sink(name: str, fmt: str, bits: int, rate: int) -> AudioOutput:
    configs = [AudioConfig(fmt, bits, [2], [rate])]
    return output(f"pulse:{name}", f"{name} (PulseAudio)", Transport.USB, configs, native=False)


def output(
    output_id: str,
    name: str,
    transport: Transport,
    configs: list[AudioConfig],
    *,
    native: bool = True,
    busy: bool = False,
    sink: Sink | None = None,
) -> AudioOutput:
    return audio.output_for(
        output_id, name, transport, native=native, busy=busy, configs=configs, sink=sink,
        sources=["test"],
    )  # fmt: skip


CHROME = Place("Google Chrome", "component", "~/.config/google-chrome/WidevineCdm", Layout.CHROMIUM)


def cdm(arch: str, here: Platform) -> Cdm:
    found = CdmFile(
        place=CHROME,
        path=f"{CHROME.path}/4.10.2830.0/_platform_specific/linux_x64/libwidevinecdm.so",
        real="/home/u/.config/google-chrome/WidevineCdm/libwidevinecdm.so",
        home="/home/u",
        user=1000,
        owner=(1000, 1000),
        size=9_000_000,
        regular=True,
        header=BinaryHeader("elf", (arch,), 64, "little"),
        needs=LinkNeeds((2, 17), False, False),
        manifest=parse_manifest('{"version": "4.10.2830.0", "x-cdm-codecs": "vp8,avc1"}'),
    )
    return widevine.judge(found, here, found.path)


def answers(*names: str) -> DecoderFacts:
    missing = SourceAnswer(Status.ABSENT, "not installed")
    return DecoderFacts(
        ffmpeg=SourceAnswer(Status.OK, "ffmpeg -decoders", names),
        ffmpeg_build=missing,
        gstreamer=missing,
        libraries=missing,
        pyav=missing,
    )


DEBIAN_FFMPEG = ("opus", "libopus", "flac", "eac3", "ac3", "truehd")


@dataclass
class Profile:
    outputs: list[AudioOutput]
    cdms: list[Cdm] = field(default_factory=list)
    names: tuple[str, ...] = DEBIAN_FFMPEG
    platform: Platform = field(default_factory=lambda: PC)
    mixer: Mixer = field(default_factory=lambda: Mixer("none", None, False))
    probes: dict[str, Status] = field(default_factory=dict)

    def facts(self) -> rules.RuleFacts:
        records = {
            n: ProbeRecord(n, s, f"{n} said {s.value}", None) for n, s in self.probes.items()
        }
        return rules.RuleFacts(
            outputs=self.outputs,
            mixer=self.mixer,
            widevine=widevine.summarise(self.cdms),
            decoders=decoders.interpret(answers(*self.names), self.outputs),
            platform=self.platform,
            probes=records,
        )


def decide(profile: Profile, policy: Policy = STRICT) -> Capabilities:
    return rules.decide(tokens.table(), profile.facts(), policy)


PROFILES = {
    "rpi4-usb-dac": Profile(
        [at_48k_only(), usb_dac("topping-d50s")], [cdm("aarch64", PI)], platform=PI
    ),
    "widevine-wrong-arch": Profile(
        [at_48k_only(), usb_dac("topping-d50s")], [cdm("x86_64", PI)], platform=PI
    ),
    "dac-only-through-a-48k-mixer": Profile(
        [
            usb_dac("topping-d50s", busy=True),
            server_sink("alsa_output.usb-Topping_D50s", "S24_LE", 24, 48000),
        ],
        [cdm("x86_64", PC)],
        mixer=Mixer("PulseAudio", 48000, True),
    ),
    "hdmi-eac3-without-joc": Profile(
        [hda_analog(), hdmi("denon-avamp-2018-linuxhw.bin")], [cdm("x86_64", PC)]
    ),
    "hdmi-eac3-joc": Profile(
        [hda_analog(), hdmi("lg-tv-sscr2-2020-linuxhw.bin")], [cdm("x86_64", PC)]
    ),
    "mpegh-decoder-without-widevine": Profile(
        [hda_analog()], [], names=(*DEBIAN_FFMPEG, "libmpeghdec")
    ),
    "no-outputs": Profile([], [cdm("x86_64", PC)]),
    "48k-only-board": Profile([at_48k_only()], [cdm("aarch64", PI)], platform=PI),
    "eac3-joc-busy-receiver": Profile(
        [hda_analog(), hdmi("lg-tv-sscr2-2020-linuxhw.bin", busy=True)],
        [cdm("x86_64", PC)],
        names=("opus", "flac"),
    ),
}

# profile: (granted under strict, granted under lenient)
# (FFmpeg's eac3 decodes E-AC-3 JOC's bed, which the lenient policy counts as Atmos.)
EXPECTED = {
    "rpi4-usb-dac": (
        {"STD_RES", "HI_FI", "HI_RES"},
        {"STD_RES", "HI_FI", "HI_RES", "THREE_DIMENSIONAL"},
    ),
    "widevine-wrong-arch": ({"STD_RES"}, {"STD_RES"}),
    "dac-only-through-a-48k-mixer": (
        set(),
        {"STD_RES", "HI_FI", "HI_RES", "THREE_DIMENSIONAL"},
    ),
    "hdmi-eac3-without-joc": (
        {"STD_RES", "HI_FI", "HI_RES"},
        {"STD_RES", "HI_FI", "HI_RES", "THREE_DIMENSIONAL"},
    ),
    "hdmi-eac3-joc": (
        {"STD_RES", "HI_FI", "HI_RES", "THREE_DIMENSIONAL"},
        {"STD_RES", "HI_FI", "HI_RES", "THREE_DIMENSIONAL"},
    ),
    "mpegh-decoder-without-widevine": ({"STD_RES"}, {"STD_RES"}),
    "no-outputs": (set(), set()),
    "48k-only-board": ({"STD_RES"}, {"STD_RES", "THREE_DIMENSIONAL"}),
    "eac3-joc-busy-receiver": ({"STD_RES", "HI_FI", "HI_RES"}, {"STD_RES", "HI_FI", "HI_RES"}),
}


@pytest.mark.parametrize("name", sorted(PROFILES))
@pytest.mark.parametrize("policy", [STRICT, LENIENT], ids=["strict", "lenient"])
def test_profiles_grant_what_each_policy_allows(name: str, policy: Policy) -> None:
    caps = decide(PROFILES[name], policy)
    expected = EXPECTED[name][0 if policy is STRICT else 1]
    assert set(caps.qualities) == expected
    assert caps.qualities == [t for t in tokens.names() if t in expected]  # table order
    assert caps.policy is policy
    assert list(caps.decisions) == tokens.names()
    for token, decision in caps.decisions.items():
        assert decision.granted == (token in expected)
        assert decision.reasons and all(decision.reasons)
        if not decision.granted:
            assert decision.changes, f"{token}: nothing says what would change it"


def reasons(name: str, token: str, policy: Policy = STRICT) -> str:
    return " | ".join(decide(PROFILES[name], policy).decisions[token].reasons)


def changes(name: str, token: str, policy: Policy = STRICT) -> str:
    return " | ".join(decide(PROFILES[name], policy).decisions[token].changes)


def test_drm_types_follow_a_usable_cdm() -> None:
    assert decide(PROFILES["rpi4-usb-dac"]).drm_types == ["WIDEVINE"]
    assert decide(PROFILES["widevine-wrong-arch"]).drm_types == []
    assert decide(PROFILES["mpegh-decoder-without-widevine"]).drm_types == []


def test_a_cdm_of_the_wrong_architecture_is_named_with_why_and_what_fits() -> None:
    said = reasons("widevine-wrong-arch", "HI_RES")
    assert said.startswith("no usable Widevine CDM among the 1 found: Google Chrome's 4.10.2830.0")
    assert "x86_64" in said and "aarch64" in said
    assert "install a Widevine CDM built for aarch64 and glibc 2.36" in changes(
        "widevine-wrong-arch", "HI_RES"
    )
    # what it has is still said, after what it lacks
    assert "'USB DAC topping-d50s' (alsa:hw:1,0) takes 32-bit at up to 768 kHz natively" in said


def test_the_best_candidate_output_and_what_it_lacks_are_named() -> None:
    said = reasons("48k-only-board", "HI_RES")
    assert said.startswith(
        "no output takes 24-bit or more above 48 kHz natively; best is "
        "'sndrpi: I2S codec' (alsa:hw:0,0) at 24-bit/48 kHz"
    )
    assert reasons("48k-only-board", "HI_FI").startswith(
        "no output takes 16-bit or more at 44.1 kHz natively; best is "
        "'sndrpi: I2S codec' (alsa:hw:0,0) at 24-bit/48 kHz"
    )
    assert "connect an output that takes 24-bit or more above 48 kHz" in changes(
        "48k-only-board", "HI_RES"
    )


def test_a_dac_behind_a_48k_mixer_is_hi_res_only_leniently_and_says_so() -> None:
    strict = reasons("dac-only-through-a-48k-mixer", "HI_RES")
    assert "no usable audio output" in strict
    assert "(alsa:hw:1,0) was busy when probed" in strict
    assert "(pulse:alsa_output.usb-Topping_D50s) is reached only through a mixer" in strict
    to_change = changes("dac-only-through-a-48k-mixer", "HI_RES")
    assert "make 'USB DAC topping-d50s' (alsa:hw:1,0) usable (it was busy" in to_change
    assert (
        "--policy lenient counts 'alsa_output.usb-Topping_D50s (PulseAudio)' "
        "(pulse:alsa_output.usb-Topping_D50s): it takes 24-bit through PulseAudio, which "
        "resamples to 48 kHz" in to_change
    )
    lenient = decide(PROFILES["dac-only-through-a-48k-mixer"], LENIENT).decisions["HI_RES"]
    assert lenient.granted
    assert any(
        "24-bit through PulseAudio, which resamples to 48 kHz (counted by the lenient policy)" in r
        for r in lenient.reasons
    )
    assert any(c.startswith("the strict policy would not count it") for c in lenient.changes)


def test_eac3_without_joc_is_bed_only_and_lenient_says_so() -> None:
    strict = reasons("hdmi-eac3-without-joc", "THREE_DIMENSIONAL")
    assert (
        "ffmpeg:eac3 decodes only the bed of E-AC-3 JOC (Dolby Atmos) and drops its objects"
        in strict
    )
    assert (
        "the sink 'DENON-AVAMP' on 'HDA Intel PCH: HDMI 0' (alsa:hw:0,3) decodes E-AC-3 but "
        "says it lacks JOC, not E-AC-3 JOC (Dolby Atmos)" in strict
    )
    to_change = changes("hdmi-eac3-without-joc", "THREE_DIMENSIONAL")
    assert "--policy lenient counts bed-only decoding" in to_change
    assert "--policy lenient counts passthrough of the bed alone" in to_change
    lenient = reasons("hdmi-eac3-without-joc", "THREE_DIMENSIONAL", LENIENT)
    assert "counted by the lenient policy" in lenient


def test_a_receiver_that_decodes_joc_grants_atmos_by_passthrough() -> None:
    said = reasons("hdmi-eac3-joc", "THREE_DIMENSIONAL")
    assert (
        "the sink 'LG TV SSCR2' on 'HDA Intel PCH: HDMI 0' (alsa:hw:0,3) decodes E-AC-3 JOC "
        "(Dolby Atmos): passthrough" in said
    )
    assert "rests on one output alone: alsa:hw:0,3" in changes("hdmi-eac3-joc", "THREE_DIMENSIONAL")


def test_a_busy_receiver_is_not_a_passthrough_path() -> None:
    said = reasons("eac3-joc-busy-receiver", "THREE_DIMENSIONAL")
    assert "only the sink 'LG TV SSCR2' on" in said and "and it was busy when probed" in said
    assert "nothing here renders E-AC-3 JOC (Dolby Atmos) objects" in said
    assert "make 'HDA Intel PCH: HDMI 0' (alsa:hw:0,3) usable (it was busy" in changes(
        "eac3-joc-busy-receiver", "THREE_DIMENSIONAL"
    )


def test_an_mpegh_decoder_without_widevine_is_not_enough() -> None:
    said = reasons("mpegh-decoder-without-widevine", "REAL_AUDIO_360")
    assert said.startswith("no Widevine CDM found")
    assert "MPEG-H 3D Audio decoder: ffmpeg:libmpeghdec" in said
    assert "install a Widevine CDM for x86_64 and glibc 2.36" in changes(
        "mpegh-decoder-without-widevine", "REAL_AUDIO_360"
    )


def test_no_outputs_at_all() -> None:
    said = reasons("no-outputs", "STD_RES")
    assert said.startswith("no audio output found")
    assert "Opus decoder: ffmpeg:libopus, ffmpeg:opus" in said


def test_failed_probes_make_facts_unknown_not_absent() -> None:
    stuck = replace(
        PROFILES["no-outputs"],
        names=(),
        cdms=[],
        probes={
            "decoders": Status.TIMEOUT,
            "drm.widevine": Status.TIMEOUT,
            "audio.alsa": Status.TIMEOUT,
        },
    )
    said = reasons_of(stuck, "HI_FI")
    assert "no FLAC decoder known: the decoders probe's status is timeout" in said
    assert "Widevine unknown: the drm.widevine probe's status is timeout" in said
    assert "no audio output found (no answer from audio.alsa: timeout)" in said
    assert "run again with a longer --timeout" in changes_of(stuck, "HI_FI")


def reasons_of(profile: Profile, token: str) -> str:
    return " | ".join(decide(profile).decisions[token].reasons)


def changes_of(profile: Profile, token: str) -> str:
    return " | ".join(decide(profile).decisions[token].changes)


def test_dsd_is_not_pcm() -> None:
    """A DAC that takes 32-bit above 48 kHz only as DSD plays no FLAC at that rate."""
    dsd_only = output(
        "alsa:hw:1,0",
        "DSD DAC",
        Transport.USB,
        [
            AudioConfig("DSD_U32_BE", 32, [2], [88200, 176400]),
            AudioConfig("S16_LE", 16, [2], [44100]),
        ],
    )
    caps = decide(Profile([dsd_only], [cdm("x86_64", PC)]))
    assert caps.qualities == ["STD_RES", "HI_FI"]


def test_missing_decoders_name_what_to_install() -> None:
    caps = decide(Profile([hda_analog()], [cdm("x86_64", PC)], names=()))
    std = caps.decisions["STD_RES"]
    assert std.reasons[0] == (
        "no Opus decoder: neither FFmpeg, GStreamer, PyAV nor the linker's cache has one"
    )
    assert std.changes == [
        "install a decoder for Opus: FFmpeg's opus or libopus decoder, or GStreamer's opusdec or "
        "avdec_opus, or the libopus library"
    ]


def test_virtual_outputs_play_nothing() -> None:
    null = output(
        "pulse:null",
        "Null Output",
        Transport.VIRTUAL,
        [AudioConfig("S16_LE", 16, [2], [44100])],
        native=False,
    )
    caps = decide(Profile([null], [cdm("x86_64", PC)]), LENIENT)
    assert caps.qualities == []
    assert "'Null Output' (pulse:null) is virtual" in caps.decisions["STD_RES"].reasons[0]
