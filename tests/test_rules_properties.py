"""Properties of probe.rules over generated devices: more capability never takes a token
away, the lenient policy grants all the strict one does, and every decision explains
itself."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from probe import audio, decoders, rules, tokens
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
    Sink,
    SinkCoding,
    Status,
    Transport,
    Widevine,
)

PLATFORM = Platform("linux", "x86_64", 64, Libc("glibc", "2.36"), "6.1.0", None)
# Few, telling choices, so that each path of the rules comes up often within the examples.
CONFIGS = [
    AudioConfig("S16_LE", 16, [2], [44100, 48000]),
    AudioConfig("S32_LE", 24, [2], [48000]),
    AudioConfig("S24_3LE", 24, [2], [44100, 96000, 192000]),
    AudioConfig("DSD_U32_BE", 32, [2], [176400]),
]
CODINGS = [
    SinkCoding("E-AC-3", 8, [48000], [], True),
    SinkCoding("E-AC-3", 8, [48000], [], False),
    SinkCoding("E-AC-3", 8, [48000], [], None),
    SinkCoding("MPEG-H 3D Audio", None, [48000], [], None),
]
TRANSPORTS = [Transport.HDMI, Transport.USB, Transport.VIRTUAL]
FFMPEG = ["opus", "flac", "eac3", "eac3_at", "libmpeghdec"]
GSTREAMER = ["flacdec", "dlbaudiodecbin"]


@dataclass(frozen=True)
class Device:
    outputs: tuple[AudioOutput, ...]
    ffmpeg: frozenset[str]
    gstreamer: frozenset[str]
    cdms: tuple[bool, ...]  # compatible or not
    mixer_resamples: bool


def decide(device: Device, policy: Policy) -> Capabilities:
    answer = SourceAnswer(Status.ABSENT, "not installed")
    facts = DecoderFacts(
        ffmpeg=SourceAnswer(Status.OK, "test", tuple(sorted(device.ffmpeg))),
        ffmpeg_build=answer,
        gstreamer=SourceAnswer(Status.OK, "test", tuple(sorted(device.gstreamer))),
        libraries=answer,
        pyav=answer,
    )
    cdms = [cdm(fits) for fits in device.cdms]
    return rules.decide(
        tokens.table(),
        rules.RuleFacts(
            outputs=list(device.outputs),
            mixer=Mixer("PulseAudio", 48000, device.mixer_resamples),
            widevine=Widevine(cdms, any(device.cdms)),
            decoders=decoders.interpret(facts, list(device.outputs)),
            platform=PLATFORM,
            probes={},
        ),
        policy,
    )


def cdm(fits: bool) -> Cdm:
    return Cdm(
        "Google Chrome", "bundled", "/opt/google/chrome/WidevineCdm/libwidevinecdm.so", None,
        "4.10.2830.0", "manifest.json", "elf", "x86_64" if fits else "aarch64", 64, "2.17",
        None, None, [], fits, None if fits else "built for another machine",
    )  # fmt: skip


def output(
    index: int,
    transport: Transport,
    native: bool,
    busy: bool,
    configs: list[AudioConfig],
    sink: Sink | None,
) -> AudioOutput:
    prefix = "alsa:hw:0," if native else "pulse:sink"
    made = audio.output_for(
        f"{prefix}{index}", f"output {index}", transport, native=native, busy=busy,
        configs=configs, sink=sink, sources=["test"],
    )  # fmt: skip
    return replace(made, is_default=index == 0)


def remeasure(o: AudioOutput) -> AudioOutput:
    """`o` with its maxima measured again from its configs."""
    made = audio.output_for(
        o.id, o.name, o.transport, native=o.native, busy=o.busy, configs=o.configs,
        sink=o.sink, sources=o.sources,
    )  # fmt: skip
    return replace(made, is_default=o.is_default)


configs = st.lists(st.sampled_from(CONFIGS), max_size=2, unique_by=id)
codings = st.sampled_from(CODINGS)
sinks = st.none() | st.builds(lambda cs: Sink("TV", cs), st.lists(codings, max_size=2))
outputs = st.tuples(st.sampled_from(TRANSPORTS), st.booleans(), st.booleans(), configs, sinks)


@st.composite
def devices(draw: st.DrawFn) -> Device:
    found = tuple(output(i, *draw(outputs)) for i in range(draw(st.integers(0, 3))))
    return Device(
        found,
        frozenset(draw(st.sets(st.sampled_from(FFMPEG)))),
        frozenset(draw(st.sets(st.sampled_from(GSTREAMER)))),
        tuple(draw(st.lists(st.booleans(), max_size=2))),
        draw(st.booleans()),
    )


@st.composite
def with_more(draw: st.DrawFn, device: Device) -> Device:
    """`device` with one capability added."""
    kinds = ["output", "ffmpeg", "gstreamer", "cdm"]
    if device.outputs:
        kinds += ["config", "coding", "free"]
    kind = draw(st.sampled_from(kinds))
    if kind == "ffmpeg":
        return replace(device, ffmpeg=device.ffmpeg | {draw(st.sampled_from(FFMPEG))})
    if kind == "gstreamer":
        return replace(device, gstreamer=device.gstreamer | {draw(st.sampled_from(GSTREAMER))})
    if kind == "cdm":
        return replace(device, cdms=(*device.cdms, True))
    if kind == "output":
        new = output(len(device.outputs) + 10, *draw(outputs))
        return replace(device, outputs=(*device.outputs, new))
    i = draw(st.integers(0, len(device.outputs) - 1))
    old = device.outputs[i]
    if kind == "config":
        changed = remeasure(replace(old, configs=[*old.configs, draw(st.sampled_from(CONFIGS))]))
    elif kind == "coding":
        sink = old.sink or Sink("TV", [])
        changed = replace(old, sink=Sink(sink.monitor_name, [*sink.codings, draw(codings)]))
    else:
        changed = replace(old, busy=False)
    return replace(device, outputs=(*device.outputs[:i], changed, *device.outputs[i + 1 :]))


@settings(max_examples=200, deadline=None)
@given(st.data(), devices(), st.sampled_from(list(Policy)))
def test_adding_a_capability_never_removes_a_token(
    data: st.DataObject, device: Device, policy: Policy
) -> None:
    more = data.draw(with_more(device))
    before = set(decide(device, policy).qualities)
    after = set(decide(more, policy).qualities)
    assert before <= after, f"lost {before - after}"


@settings(max_examples=200, deadline=None)
@given(devices())
def test_lenient_grants_everything_strict_does(device: Device) -> None:
    strict = decide(device, Policy.STRICT)
    lenient = decide(device, Policy.LENIENT)
    assert set(strict.qualities) <= set(lenient.qualities)


@settings(max_examples=200, deadline=None)
@given(devices(), st.sampled_from(list(Policy)))
def test_every_decision_explains_itself(device: Device, policy: Policy) -> None:
    caps = decide(device, policy)
    assert list(caps.decisions) == tokens.names()
    assert caps.qualities == [t for t, d in caps.decisions.items() if d.granted]
    assert caps.drm_types == (["WIDEVINE"] if any(device.cdms) else [])
    for decision in caps.decisions.values():
        assert decision.reasons and all(r.strip() for r in decision.reasons)
        if not decision.granted:
            assert decision.changes


# A small world, searched in full: every device of up to two outputs from these kinds, with
# these decoders and CDMs, and every single addition to it. Random devices rarely line up
# the several conditions one path of the rules needs; this covers each such path.
KINDS = [
    (Transport.HDMI, True, False, [CONFIGS[2]], Sink("AVR", [CODINGS[0]])),
    (Transport.HDMI, True, False, [CONFIGS[0]], Sink("TV", [CODINGS[1]])),
    (Transport.HDMI, True, False, [CONFIGS[0]], Sink("TV", [CODINGS[2], CODINGS[3]])),
    (Transport.HDMI, True, True, [CONFIGS[2]], Sink("AVR", [CODINGS[0]])),
    (Transport.USB, True, False, [], None),
    (Transport.USB, False, False, [CONFIGS[1]], None),
    (Transport.VIRTUAL, False, False, [CONFIGS[0]], None),
]
DECODER_SETS = [frozenset(), frozenset({"opus", "flac", "eac3"}), frozenset({"eac3_at"})]


def small_world() -> list[Device]:
    kinds = range(len(KINDS))
    shapes = [()] + [(a,) for a in kinds] + [(a, b) for a in kinds for b in kinds if a <= b]
    return [
        Device(
            tuple(output(i, *KINDS[k]) for i, k in enumerate(shape)),
            ffmpeg,
            gstreamer,
            cdms,
            True,
        )
        for shape in shapes
        for ffmpeg in DECODER_SETS
        for gstreamer in (frozenset(), frozenset({"dlbaudiodecbin"}))
        for cdms in ((), (True,))
    ]


def additions(device: Device) -> list[Device]:
    more = [replace(device, outputs=(*device.outputs, output(9, *kind))) for kind in KINDS]
    more += [replace(device, ffmpeg=device.ffmpeg | {name}) for name in FFMPEG]
    more += [replace(device, gstreamer=device.gstreamer | {name}) for name in GSTREAMER]
    more.append(replace(device, cdms=(*device.cdms, True)))
    for i, old in enumerate(device.outputs):
        changed = [replace(old, busy=False)]
        changed += [remeasure(replace(old, configs=[*old.configs, c])) for c in CONFIGS]
        sink = old.sink or Sink("TV", [])
        changed += [replace(old, sink=Sink(sink.monitor_name, [*sink.codings, c])) for c in CODINGS]
        rest = list(device.outputs)
        more += [replace(device, outputs=(*rest[:i], new, *rest[i + 1 :])) for new in changed]
    return more


def test_no_single_addition_in_a_small_world_removes_a_token() -> None:
    checked = 0
    for device in small_world():
        for policy in Policy:
            before = set(decide(device, policy).qualities)
            for more in additions(device):
                after = set(decide(more, policy).qualities)
                assert before <= after, f"{policy.value}: lost {before - after}\n{device}\n{more}"
                checked += 1
    assert checked > 10_000  # the world is searched, not skipped
