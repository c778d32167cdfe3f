"""Quality decisions: which tokens this device earns under a policy, why, and what would
change each.

Pure: it judges the manifest's facts (outputs, mixer, Widevine, decoders, probe statuses)
against the token table (probe/tokens.py) and never asks the machine.

- strict (the default) counts only native, bit-perfect paths: an output that is not
  virtual, was free when probed, and is not reached through a mixer or converting plugin.
- lenient also counts paths through a mixer or converter. They take any rate (they
  resample) but carry no more bits than they run at; and it counts E-AC-3 JOC played as
  its bed alone (decoded, or passed to a sink that decodes E-AC-3 without JOC). Its
  reasons say so.
A passthrough output is always judged strictly: a mixer cannot carry a bitstream.

Each decision lists one reason per need, unmet ones first. Its changes say what would
grant it (for a token not granted) or what it rests on alone (for one granted).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from probe import decoders, widevine
from probe.models import (
    AudioOutput,
    Capabilities,
    Decision,
    Decoders,
    Mixer,
    Platform,
    Policy,
    ProbeRecord,
    Status,
    Transport,
    Widevine,
)
from probe.tokens import (
    AnyOf,
    DecoderNeed,
    DrmNeed,
    Need,
    OutputNeed,
    PassthroughNeed,
    RenderNeed,
    TokenSpec,
)

AUDIO_PROBES = ("audio.alsa", "audio.procfs", "audio.portaudio", "audio.server")
_QUIET = (Status.OK, Status.ABSENT, Status.NOT_APPLICABLE)
_LISTED = 3  # outputs or CDMs named in one reason before "and N more"


@dataclass(frozen=True)
class RuleFacts:
    outputs: Sequence[AudioOutput]
    mixer: Mixer
    widevine: Widevine
    decoders: Decoders
    platform: Platform
    probes: Mapping[str, ProbeRecord]  # by name: a fact missing because a probe failed is
    # "unknown", not "absent"


@dataclass(frozen=True)
class Verdict:
    met: bool
    reason: str
    changes: tuple[str, ...] = ()  # unmet: what would meet it; met: what it rests on alone
    lenient_only: bool = False  # met only through the lenient policy's allowances


@dataclass(frozen=True)
class Point:
    """A bit depth and rate an output takes; `via` names the mixer or converter of a path
    that is not native, and `resampled` says the need's rate is met only by resampling to
    `rate`."""

    bits: int
    rate: int
    via: str | None = None
    resampled: bool = False


def decide(specs: Sequence[TokenSpec], facts: RuleFacts, policy: Policy) -> Capabilities:
    decisions = {spec.token: _decision(spec, facts, policy) for spec in specs}
    return Capabilities(
        qualities=[spec.token for spec in specs if decisions[spec.token].granted],
        drm_types=["WIDEVINE"] if facts.widevine.usable else [],
        policy=policy,
        decisions=decisions,
    )


def _decision(spec: TokenSpec, facts: RuleFacts, policy: Policy) -> Decision:
    verdicts = [judge(need, facts, policy) for need in spec.needs]
    granted = all(v.met for v in verdicts)
    ordered = [v for v in verdicts if not v.met] + [v for v in verdicts if v.met]
    changes = [c for v in ordered if v.met == granted for c in v.changes]
    return Decision(granted, [v.reason for v in ordered], list(dict.fromkeys(changes)))


def judge(need: Need, facts: RuleFacts, policy: Policy) -> Verdict:
    if isinstance(need, DecoderNeed):
        return _decoder(need, facts)
    if isinstance(need, RenderNeed):
        return _render(need, facts, policy)
    if isinstance(need, PassthroughNeed):
        return _passthrough(need, facts, policy)
    if isinstance(need, DrmNeed):
        return _widevine(facts)
    if isinstance(need, OutputNeed):
        return _output(need, facts, policy)
    return _any_of(need, facts, policy)


# --- decoders ---------------------------------------------------------------------------


def _decoder(need: DecoderNeed, facts: RuleFacts) -> Verdict:
    name = decoders.CODEC_NAMES[need.codec]
    found = getattr(facts.decoders, need.codec).decode
    if found:
        return Verdict(True, f"{name} decoder: {', '.join(found)}", _alone(found, "decoder"))
    unknown = _probe_trouble(facts, "decoders")
    if unknown:
        return Verdict(False, f"no {name} decoder known: {unknown[0]}", unknown[1:])
    offers = decoders.RULES[need.codec].decode
    return Verdict(
        False,
        f"no {name} decoder: neither FFmpeg, GStreamer, PyAV nor the linker's cache has one",
        (f"install a decoder for {name}: {_offers_text(offers)}",),
    )


def _render(need: RenderNeed, facts: RuleFacts, policy: Policy) -> Verdict:
    name = decoders.CODEC_NAMES[need.codec]
    support = getattr(facts.decoders, need.codec)
    renderer = decoders.RULES[need.codec].render_objects
    install = f"install a renderer for {name} objects: {_offers_text(renderer)}"
    if support.render_objects:
        found = support.render_objects
        return Verdict(
            True, f"renders {name} objects: {', '.join(found)}", _alone(found, "renderer")
        )
    bed = support.decode
    if bed and need.lenient_decode and policy is Policy.LENIENT:
        return Verdict(
            True,
            f"{_bed_only(bed, name)} (counted by the lenient policy)",
            (f"the strict policy would not count it: {install}",),
            lenient_only=True,
        )
    unknown = _probe_trouble(facts, "decoders")
    if bed:
        changes = [install]
        if need.lenient_decode:
            changes.append("--policy lenient counts bed-only decoding")
        return Verdict(
            False,
            _bed_only(bed, name),
            tuple(changes),
        )
    if unknown:
        return Verdict(False, f"no {name} renderer known: {unknown[0]}", unknown[1:])
    return Verdict(False, f"nothing here renders {name} objects", (install,))


def _offers_text(offers: decoders.Offers) -> str:
    parts = []
    if offers.libavcodec:
        parts.append(f"FFmpeg's {' or '.join(offers.libavcodec)} decoder")
    if offers.gstreamer:
        elements = [e.replace("+", " with ") for e in offers.gstreamer]
        parts.append(f"GStreamer's {' or '.join(elements)}")
    if offers.libraries:
        names = dict.fromkeys(p.split(".so")[0] for p in offers.libraries)
        parts.append(f"the {' or '.join(names)} library")
    return ", or ".join(parts)


# --- passthrough --------------------------------------------------------------------------


def _passthrough(need: PassthroughNeed, facts: RuleFacts, policy: Policy) -> Verdict:
    name = decoders.CODEC_NAMES[need.codec]
    by_id = {o.id: o for o in facts.outputs}
    listed = [by_id[i] for i in getattr(facts.decoders, need.codec).passthrough if i in by_id]
    usable = [o for o in listed if _excluded(o, Policy.STRICT) is None]
    if usable:
        return Verdict(
            True,
            f"{_sink_on(usable[0])} decodes {name}: passthrough{_more(usable)}",
            _alone([o.id for o in usable], "output"),
        )
    blocked = [(o, why) for o in listed if (why := _excluded(o, Policy.STRICT))]
    changes = [f"make {_named(o)} usable (it {why})" for o, why in blocked]
    bed_only: list[AudioOutput] = []
    if need.lenient_codec:
        bed_name = decoders.CODEC_NAMES[need.lenient_codec]
        bed_only = [
            by_id[i]
            for i in getattr(facts.decoders, need.lenient_codec).passthrough
            if i in by_id and _excluded(by_id[i], Policy.STRICT) is None
        ]
    if bed_only and policy is Policy.LENIENT:
        return Verdict(
            True,
            f"{_sink_on(bed_only[0])} decodes {bed_name}{_joc_words(bed_only[0])}: it plays "
            "the bed only (counted by the lenient policy)",
            (f"the strict policy would not count it: connect a sink that decodes {name}",),
            lenient_only=True,
        )
    if bed_only:
        changes.append("--policy lenient counts passthrough of the bed alone")
        reason = f"{_sink_on(bed_only[0])} decodes {bed_name}{_joc_words(bed_only[0])}, not {name}"
    elif blocked:
        reason = f"only {_sink_on(blocked[0][0])} decodes {name}, and it {blocked[0][1]}"
    else:
        reason = f"no output's sink decodes {name}"
        unknown = _trouble(facts, AUDIO_PROBES)
        reason += f" ({unknown})" if unknown else ""
    changes.append(f"connect a receiver, soundbar or TV that decodes {name} over HDMI or S/PDIF")
    return Verdict(False, reason, tuple(changes))


def _sink_on(output: AudioOutput) -> str:
    monitor = output.sink.monitor_name if output.sink else None
    sink = f"the sink {monitor!r}" if monitor else "the sink"
    return f"{sink} on {_named(output)}"


def _joc_words(output: AudioOutput) -> str:
    """What an E-AC-3 sink says of JOC; "" for a sink without E-AC-3."""
    joc = {c.joc for c in (output.sink.codings if output.sink else ()) if c.type == "E-AC-3"}
    if not joc:
        return ""
    return " but says it lacks JOC" if joc == {False} else " without saying it decodes JOC"


# --- Widevine -----------------------------------------------------------------------------


def _widevine(facts: RuleFacts) -> Verdict:
    cdms = facts.widevine.cdms
    fitting = [c for c in cdms if c.compatible]
    if facts.widevine.usable and fitting:
        first = fitting[0]
        more = f", and {len(fitting) - 1} more" if len(fitting) > 1 else ""
        reason = f"Widevine CDM: {first.owner}'s {first.version or '(version unknown)'}, "
        reason += f"{first.path}{more}"
        rests = (f"rests on {first.owner}'s CDM alone",) if len(fitting) == 1 else ()
        return Verdict(True, reason, rests)
    unknown = _probe_trouble(facts, "drm.widevine")
    if unknown and not cdms:
        return Verdict(False, f"Widevine unknown: {unknown[0]}", unknown[1:])
    target = _platform_words(facts.platform)
    if not cdms:
        return Verdict(
            False,
            "no Widevine CDM found",
            (
                f"install a Widevine CDM for {target}: Chrome or Chromium (its component "
                "updater fetches it), Firefox (as a GMP plugin), Kodi's InputStream Helper, "
                "or the board vendor's package",
            ),
        )
    shown = "; ".join(
        f"{c.owner}'s {c.version or '(version unknown)'} at {c.path}: {c.why_not}"
        for c in cdms[:_LISTED]
    )
    more = f"; and {len(cdms) - _LISTED} more" if len(cdms) > _LISTED else ""
    return Verdict(
        False,
        f"no usable Widevine CDM among the {len(cdms)} found: {shown}{more}",
        (f"install a Widevine CDM built for {target}",),
    )


def _platform_words(platform: Platform) -> str:
    arch = widevine.userspace_arch(platform) or "this architecture"
    libc = platform.libc
    if libc and libc.version:
        return f"{arch} and {libc.name} {libc.version}"
    return f"{arch} and {libc.name}" if libc else arch


# --- outputs ------------------------------------------------------------------------------


def _output(need: OutputNeed, facts: RuleFacts, policy: Policy) -> Verdict:
    wanted = _wanted(need)
    counted = [o for o in facts.outputs if _excluded(o, policy) is None]
    matches = [(o, p) for o in counted if (p := _match(o, need, facts.mixer, policy))]
    matches.sort(key=lambda m: (m[1].via is None, m[1].rate, m[1].bits, m[0].is_default))
    matches.reverse()
    native = [(o, p) for o, p in matches if p.via is None]
    if matches:
        best, point = matches[0]
        reason = f"{_named(best)} {_point_words(point, need)}{_more(native or matches)}"
        if native:
            return Verdict(True, reason, _alone([o.id for o, _ in native], "output"))
        strict = "the strict policy would not count it: it needs a native output" + (
            f" that takes {wanted}" if wanted else ""
        )
        return Verdict(True, reason + " (counted by the lenient policy)", (strict,), True)
    changes = []
    for output in facts.outputs:
        why = _excluded(output, policy)
        if why is None or output.transport is Transport.VIRTUAL or not _points(output):
            continue
        could = _match(output, need, facts.mixer, Policy.LENIENT)
        if could is None:
            continue
        if why == _THROUGH_MIXER:
            changes.append(
                f"--policy lenient counts {_named(output)}: it {_point_words(could, need)}"
            )
        else:
            has = f": it takes {wanted}" if wanted else ""
            changes.append(f"make {_named(output)} usable (it {why}){has}")
    changes.append(
        f"connect an output that takes {wanted}" if wanted else "connect an audio output"
    )
    return Verdict(False, _lacking(need, wanted, counted, facts, policy), tuple(changes))


_THROUGH_MIXER = (
    "is reached only through a mixer or converter, which the strict policy does not count"
)


def _excluded(output: AudioOutput, policy: Policy) -> str | None:
    """Why `output` does not count under `policy`; None when it does."""
    if output.transport is Transport.VIRTUAL:
        return "is virtual: nothing plays what it gets"
    if output.busy:
        return "was busy when probed: another program held it"
    if not output.configs and output.max_rate is None:
        return "told nothing of the formats it takes"
    if not output.native and policy is Policy.STRICT:
        return _THROUGH_MIXER
    return None


def _match(output: AudioOutput, need: OutputNeed, mixer: Mixer, policy: Policy) -> Point | None:
    """The best point of `output` that meets `need`, or None. A path through a mixer, under
    the lenient policy, takes any rate: it resamples to its own."""
    via = None if output.native else _mixer_name(output, mixer)
    if need.bits is None and need.rate is None and need.rate_above is None:
        return Point(output.max_bits or 0, output.max_rate or 0, via)
    points = _points(output)
    meeting = [p for p in points if _bits_ok(p, need) and _rate_ok(p.rate, need)]
    if meeting:
        best = max(meeting, key=lambda p: (p.rate, p.bits))
        return Point(best.bits, best.rate, via)
    if output.native or policy is Policy.STRICT:
        return None
    deep = [p for p in points if _bits_ok(p, need)]
    if not deep:
        return None
    best = max(deep, key=lambda p: (p.rate, p.bits))
    return Point(best.bits, best.rate, via, resampled=True)


def _points(output: AudioOutput) -> list[Point]:
    """The PCM points: DSD formats carry no PCM, so they play no FLAC."""
    return [
        Point(c.bits, rate)
        for c in output.configs
        if not c.format.startswith("DSD")
        for rate in c.rates
    ]


def _bits_ok(point: Point, need: OutputNeed) -> bool:
    return need.bits is None or point.bits >= need.bits


def _rate_ok(rate: int, need: OutputNeed) -> bool:
    if need.rate is not None:
        return rate == need.rate
    return need.rate_above is None or rate > need.rate_above


def _lacking(
    need: OutputNeed,
    wanted: str,
    counted: list[AudioOutput],
    facts: RuleFacts,
    policy: Policy,
) -> str:
    """Why no output meets `need`, naming the best candidate and what it has."""
    manner = "natively" if policy is Policy.STRICT else "even through a mixer"
    trouble = _trouble(facts, AUDIO_PROBES)
    if not counted:
        if not facts.outputs:
            return "no audio output found" + (f" ({trouble})" if trouble else "")
        shown = "; ".join(f"{_named(o)} {_excluded(o, policy)}" for o in facts.outputs[:_LISTED])
        more = f"; and {len(facts.outputs) - _LISTED} more" if len(facts.outputs) > _LISTED else ""
        return f"no usable audio output: {shown}{more}"
    points = [(o, p) for o in counted for p in _points(o)]
    if not points:
        return f"no output takes {wanted} {manner}: none told its formats"

    def closeness(item: tuple[AudioOutput, Point]) -> tuple[bool, bool, int, int, int, bool]:
        output, point = item
        bits = need.bits or 0
        return (
            point.bits >= bits,
            _rate_ok(point.rate, need),
            min(point.bits, bits),
            point.rate,
            point.bits,
            output.is_default,
        )

    output, point = max(points, key=closeness)
    best = f"{_named(output)} at {point.bits}-bit/{_khz(point.rate)}"
    return f"no output takes {wanted} {manner}; best is {best}"


def _wanted(need: OutputNeed) -> str:
    """What the need asks of an output, in words; "" when any usable output will do."""
    if need.bits is None and need.rate is None and need.rate_above is None:
        return ""
    depth = f"{need.bits}-bit or more" if need.bits else "any bit depth"
    if need.rate is not None:
        return f"{depth} at {_khz(need.rate)}"
    if need.rate_above is not None:
        return f"{depth} above {_khz(need.rate_above)}"
    return depth


def _point_words(point: Point, need: OutputNeed) -> str:
    """What an output does for `need`, as a verb phrase."""
    manner = f"through {point.via}" if point.via else "natively"
    if need.bits is None and need.rate is None and need.rate_above is None:
        return f"plays {manner}"
    if point.resampled:
        return f"takes {point.bits}-bit {manner}, which resamples to {_khz(point.rate)}"
    upto = "up to " if need.rate_above is not None else ""
    return f"takes {point.bits}-bit at {upto}{_khz(point.rate)} {manner}"


def _mixer_name(output: AudioOutput, mixer: Mixer) -> str:
    if output.id.startswith(("pulse:", "pipewire:")) and mixer.server:
        return mixer.server
    if output.id.startswith("alsa:"):
        return "a converting ALSA plugin"
    return "its host API's converter"


# --- alternatives -------------------------------------------------------------------------


def _any_of(need: AnyOf, facts: RuleFacts, policy: Policy) -> Verdict:
    ways = [[judge(n, facts, policy) for n in alternative] for alternative in need.alternatives]
    met = [way for way in ways if all(v.met for v in way)]
    if met:
        way = next((w for w in met if not any(v.lenient_only for v in w)), met[0])
        rests = tuple(c for v in way for c in v.changes) if len(met) == 1 else ()
        return Verdict(
            True, "; ".join(v.reason for v in way), rests, any(v.lenient_only for v in way)
        )
    unmet = ["; ".join(v.reason for v in way if not v.met) for way in ways]
    reason = (
        f"neither: {unmet[0]}; nor: {unmet[1]}"
        if len(unmet) == 2
        else "none of: " + "; or: ".join(unmet)
    )
    changes = tuple(dict.fromkeys(c for way in ways for v in way if not v.met for c in v.changes))
    return Verdict(False, reason, changes)


# --- words --------------------------------------------------------------------------------


def _named(output: AudioOutput) -> str:
    return f"{output.name!r} ({output.id})"


def _more(items: Sequence[object]) -> str:
    return f", and {len(items) - 1} more" if len(items) > 1 else ""


def _alone(items: Sequence[str], what: str) -> tuple[str, ...]:
    return (f"rests on one {what} alone: {items[0]}",) if len(items) == 1 else ()


def _bed_only(decoders: Sequence[str], name: str) -> str:
    if len(decoders) == 1:
        return f"{decoders[0]} decodes only the bed of {name} and drops its objects"
    return f"{', '.join(decoders)} decode only the bed of {name} and drop its objects"


def _khz(rate: int) -> str:
    return f"{rate / 1000:g} kHz"


def _probe_trouble(facts: RuleFacts, name: str) -> tuple[str, ...]:
    """(why the fact is unknown, what would make it known), or () when the probe answered."""
    record = facts.probes.get(name)
    if record is None or record.status in _QUIET:
        return ()
    said = f"the {name} probe's status is {record.status.value}: {record.detail}"
    if record.status is Status.TIMEOUT:
        return said, "run again with a longer --timeout"
    if record.status is Status.DENIED:
        return said, "run again as root"
    return said, f"fix what the {name} probe reports, and run again"


def _trouble(facts: RuleFacts, names: Iterable[str]) -> str:
    """The probes among `names` that did not answer, with their statuses; "" when all did."""
    failed = [
        f"{n}: {r.status.value}"
        for n in names
        if (r := facts.probes.get(n)) is not None and r.status not in _QUIET
    ]
    return f"no answer from {', '.join(failed)}" if failed else ""
