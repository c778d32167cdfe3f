"""The decoder rules: fact sets in, the manifest's `decoders` section out."""

from __future__ import annotations

from dataclasses import asdict, replace

import pytest

from probe.decoders import DecoderFacts, SourceAnswer, interpret, summary
from probe.models import AudioOutput, Sink, SinkCoding, Status, Transport

NOTHING = DecoderFacts(
    ffmpeg=SourceAnswer(Status.ABSENT, "ffmpeg -decoders: not installed"),
    ffmpeg_build=SourceAnswer(Status.ABSENT, "ffmpeg -buildconf: not installed"),
    gstreamer=SourceAnswer(Status.ABSENT, "gst-inspect-1.0: not installed"),
    libraries=SourceAnswer(Status.ABSENT, "ldconfig -p: not installed"),
    pyav=SourceAnswer(Status.ABSENT, "PyAV: not installed"),
)


def ok(*names: str) -> SourceAnswer:
    return SourceAnswer(Status.OK, "answered", names)


def facts(**answers: SourceAnswer) -> DecoderFacts:
    return replace(NOTHING, **answers)


def output(output_id: str, *codings: SinkCoding) -> AudioOutput:
    sink = Sink("TV", list(codings)) if codings else None
    return AudioOutput(
        output_id, output_id, Transport.HDMI, False, True, False, [], None, None, None, sink, []
    )


def coding(kind: str, joc: bool | None = None) -> SinkCoding:
    return SinkCoding(kind, 8, [48000], [], joc)


# (facts, the decode / render_objects lists expected for the codecs named; others empty)
RULES = [
    pytest.param(
        facts(ffmpeg=ok("eac3", "ac3", "truehd", "mlp", "flac", "opus", "libopus")),
        {
            "eac3": (["ffmpeg:eac3"], []),
            "eac3_joc": (["ffmpeg:eac3"], []),  # the bed only: no object renderer
            "truehd": (["ffmpeg:truehd"], []),
            "flac": (["ffmpeg:flac"], []),
            "opus": (["ffmpeg:libopus", "ffmpeg:opus"], []),
        },
        id="debian-ffmpeg",
    ),
    pytest.param(
        facts(ffmpeg=ok("mlp", "ac3")),
        {},
        id="mlp-and-ac3-decode-no-manifest-codec",
    ),
    pytest.param(
        facts(ffmpeg=ok("eac3", "eac3_at", "ac3_at")),
        {
            "eac3": (["ffmpeg:eac3", "ffmpeg:eac3_at"], []),
            "eac3_joc": (["ffmpeg:eac3", "ffmpeg:eac3_at"], ["ffmpeg:eac3_at"]),
        },
        id="macos-audiotoolbox-renders-joc",
    ),
    pytest.param(
        facts(
            gstreamer=ok("avdec_eac3", "avdec_truehd", "avdec_mlp", "flacdec", "opusdec"),
            pyav=ok("eac3", "flac", "opus", "libopus", "truehd"),
        ),
        {
            "eac3": (["gstreamer:avdec_eac3", "pyav:eac3"], []),
            "eac3_joc": (["gstreamer:avdec_eac3", "pyav:eac3"], []),
            "truehd": (["gstreamer:avdec_truehd", "pyav:truehd"], []),
            "flac": (["gstreamer:flacdec", "pyav:flac"], []),
            "opus": (["gstreamer:opusdec", "pyav:libopus", "pyav:opus"], []),
        },
        id="gstreamer-libav-and-pyav",
    ),
    pytest.param(
        facts(gstreamer=ok("dlbac3parse", "dlbac3dec", "dlboar", "dlbaudiodecbin", "dlbdap")),
        {
            "eac3": (["gstreamer:dlbac3dec", "gstreamer:dlbaudiodecbin"], []),
            "eac3_joc": (
                ["gstreamer:dlbac3dec", "gstreamer:dlbaudiodecbin"],
                ["gstreamer:dlbaudiodecbin"],
            ),
        },
        id="dolby-gst-home-audio-is-eac3-only",
    ),
    pytest.param(
        facts(
            gstreamer=ok(
                "dlbac3parse",
                "dlbac3dec",
                "dlbtruehdparse",
                "dlbtruehddec",
                "dlbac4parse",
                "dlbac4dec",
                "dlboar",
                "dlbaudiodecbin",
            )
        ),
        {
            "eac3": (["gstreamer:dlbac3dec", "gstreamer:dlbaudiodecbin"], []),
            "eac3_joc": (
                ["gstreamer:dlbac3dec", "gstreamer:dlbaudiodecbin"],
                ["gstreamer:dlbaudiodecbin"],
            ),
            "truehd": (["gstreamer:dlbtruehddec"], ["gstreamer:dlbaudiodecbin+dlbtruehddec"]),
            "ac4": (["gstreamer:dlbac4dec"], ["gstreamer:dlbaudiodecbin+dlbac4dec"]),
        },
        id="dolby-reference-player-set",
    ),
    pytest.param(
        facts(gstreamer=ok("dlbac3parse", "dlbtruehdparse")),
        {},
        id="dolby-parsers-decode-nothing",
    ),
    pytest.param(
        facts(ffmpeg=ok("ac4", "eac3")),
        {
            "ac4": (["ffmpeg:ac4"], []),
            "eac3": (["ffmpeg:eac3"], []),
            "eac3_joc": (["ffmpeg:eac3"], []),
        },
        id="ffmpeg-fork-ac4-is-no-object-renderer",
    ),
    pytest.param(
        facts(ffmpeg=ok("opus"), ffmpeg_build=ok("--enable-nonfree", "--enable-libmpeghdec")),
        {
            "opus": (["ffmpeg:opus"], []),
            "mpegh": (["ffmpeg:libmpeghdec"], ["ffmpeg:libmpeghdec"]),
        },
        id="libmpeghdec-from-buildconf",
    ),
    pytest.param(
        facts(ffmpeg=ok("libmpeghdec"), pyav=ok("libmpeghdec")),
        {"mpegh": (["ffmpeg:libmpeghdec", "pyav:libmpeghdec"],) * 2},
        id="libmpeghdec-decoder-renders-mpegh",
    ),
    pytest.param(
        facts(
            libraries=ok(
                "libopus.so.0", "libopusfile.so.0", "libFLAC.so.12", "libFLAC++.so.10", "libflac.so"
            )
        ),
        {"opus": (["library:libopus.so.0"], []), "flac": (["library:libFLAC.so.12"], [])},
        id="libraries-by-exact-soname-prefix",
    ),
    pytest.param(
        facts(libraries=ok("libMpeghDec.so", "libmpeghdec.so.1", "libmpeghuimanager.so")),
        {"mpegh": (["library:libMpeghDec.so", "library:libmpeghdec.so.1"],) * 2},
        id="mpegh-libraries-both-spellings",
    ),
    pytest.param(
        facts(
            ffmpeg=SourceAnswer(Status.TIMEOUT, "ffmpeg -decoders: no answer within 5 s"),
            gstreamer=SourceAnswer(Status.ERROR, "gst-inspect-1.0: exit status 1"),
        ),
        {},
        id="failed-sources-offer-nothing",
    ),
]


@pytest.mark.parametrize(("found", "expected"), RULES)
def test_decode_and_render_objects(
    found: DecoderFacts, expected: dict[str, tuple[list[str], list[str]]]
) -> None:
    section = asdict(interpret(found, []))
    assert set(section) == {"opus", "flac", "eac3", "eac3_joc", "ac4", "truehd", "mpegh"}
    for codec, support in section.items():
        decode, render = expected.get(codec, ([], []))
        assert (support["decode"], support["render_objects"]) == (decode, render), codec
        assert support["passthrough"] == []


def test_plain_eac3_opus_and_flac_never_render_objects() -> None:
    everything = facts(
        ffmpeg=ok("eac3", "eac3_at", "opus", "flac", "truehd", "ac4", "libmpeghdec"),
        gstreamer=ok("dlbac3dec", "dlbtruehddec", "dlbac4dec", "dlboar", "dlbaudiodecbin"),
    )
    section = interpret(everything, [])
    assert section.eac3.render_objects == section.opus.render_objects == []
    assert section.flac.render_objects == []
    assert section.eac3_joc.render_objects and section.truehd.render_objects


OUTPUTS = [
    output("alsa:hw:0,3", coding("LPCM"), coding("AC-3"), coding("E-AC-3", joc=True)),
    output("alsa:hw:0,7", coding("LPCM"), coding("E-AC-3", joc=False), coding("MAT")),
    output("alsa:hw:1,3", coding("E-AC-3", joc=None), coding("DTS-HD")),  # ELD text: JOC unknown
    output("alsa:hw:2,0", coding("MPEG-H 3D Audio"), coding("AC-4")),
    output("alsa:hw:3,0"),  # analog, no sink
    output("pulse:hdmi", coding("E-AC-3", joc=True), coding("MAT")),
]


def test_passthrough_from_the_sinks_codings() -> None:
    section = interpret(NOTHING, OUTPUTS)
    assert section.eac3.passthrough == ["alsa:hw:0,3", "alsa:hw:0,7", "alsa:hw:1,3", "pulse:hdmi"]
    # JOC only where the sink says so: False and unknown (None) are not claimed
    assert section.eac3_joc.passthrough == ["alsa:hw:0,3", "pulse:hdmi"]
    assert section.truehd.passthrough == ["alsa:hw:0,7", "pulse:hdmi"]
    assert section.mpegh.passthrough == ["alsa:hw:2,0"]
    assert section.ac4.passthrough == ["alsa:hw:2,0"]
    assert section.opus.passthrough == section.flac.passthrough == []
    assert section.eac3.decode == []


def test_without_facts_only_passthrough_is_known() -> None:
    section = interpret(None, OUTPUTS)
    assert section.eac3_joc.passthrough == ["alsa:hw:0,3", "pulse:hdmi"]
    assert all(
        support.decode == support.render_objects == []
        for support in (section.opus, section.eac3, section.truehd, section.mpegh)
    )


def test_the_sections_lists_are_sorted() -> None:
    shuffled = facts(
        pyav=ok("opus", "libopus"),
        ffmpeg=ok("opus", "libopus"),
        gstreamer=ok("opusdec", "avdec_opus"),
        libraries=ok("libopus.so.0", "libopus.so"),
    )
    decode = interpret(shuffled, list(reversed(OUTPUTS))).opus.decode
    assert decode == sorted(decode) and len(decode) == 8
    assert interpret(shuffled, list(reversed(OUTPUTS))).eac3.passthrough[0] == "alsa:hw:0,3"


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        ({}, Status.ABSENT),
        ({"libraries": ok("libopus.so.0")}, Status.OK),
        (
            {
                "ffmpeg": SourceAnswer(Status.TIMEOUT, "t"),
                "pyav": SourceAnswer(Status.ERROR, "e"),
            },
            Status.TIMEOUT,
        ),
        ({"gstreamer": SourceAnswer(Status.ERROR, "e")}, Status.ERROR),
        (
            {"ffmpeg": SourceAnswer(Status.ERROR, "e"), "pyav": ok("opus")},
            Status.OK,
        ),
    ],
)
def test_the_probe_status(answers: dict[str, SourceAnswer], status: Status) -> None:
    found = facts(**answers)
    got, detail = summary(found)
    assert got == status
    assert detail == "; ".join(a.detail for a in found.answers())


def test_the_detail_names_every_source() -> None:
    _, detail = summary(NOTHING)
    assert detail == (
        "ffmpeg -decoders: not installed; ffmpeg -buildconf: not installed; "
        "gst-inspect-1.0: not installed; ldconfig -p: not installed; PyAV: not installed"
    )
