"""Audio outputs and the mixer, merged from what alsa-lib, procfs, PortAudio and the sound
server said.

One output per playback path. An idle device's alsa-lib answers (combination sets from its
hw_params space) beat procfs (USB altsets, HDA converter caps), which beats PortAudio
(rates only: it converts formats). A busy device keeps its procfs facts and says `busy`.
Paths through a sound server or a converting plugin are `native: false`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from drivers.alsa import STANDARD_RATES, AlsaConfig, AlsaPcm, AlsaReport
from probe.models import AudioConfig, AudioOutput, Mixer, Sink, SinkCoding, Transport

if TYPE_CHECKING:  # the parsers load only where a machine has what they parse
    from drivers.portaudio import PaReport
    from probe.parsers.asound import PcmInfo, ProcCard, ProcPcm
    from probe.parsers.eld_proc import EldProc
    from probe.parsers.hda_codec import Codec
    from probe.parsers.pipewire import PipeWireGraph
    from probe.parsers.pulse import PulseSink, SampleSpec, ServerInfo
    from probe.parsers.sad import SinkAudio
    from probe.parsers.usb_stream import UsbStream

# Bits a sample occupies in each format (the valid bits may be fewer: 24-in-32).
FORMAT_WIDTH = {
    "S8": 8, "U8": 8, "S16_LE": 16, "S16_BE": 16, "U16_LE": 16, "U16_BE": 16,
    "S24_LE": 24, "S24_BE": 24, "S24_3LE": 24, "S24_3BE": 24, "S20_3LE": 20, "S20_3BE": 20,
    "S32_LE": 32, "S32_BE": 32, "U32_LE": 32, "U32_BE": 32, "FLOAT_LE": 32, "FLOAT_BE": 32,
    "FLOAT64_LE": 64, "FLOAT64_BE": 64, "IEC958_SUBFRAME_LE": 24, "IEC958_SUBFRAME_BE": 24,
    "DSD_U8": 8, "DSD_U16_LE": 16, "DSD_U16_BE": 16, "DSD_U32_LE": 32, "DSD_U32_BE": 32,
}  # fmt: skip

# ALSA PCM plugins that hand audio to a sound server, which mixes and resamples it.
SERVER_PLUGINS = ("pulse", "pipewire", "jack", "oss")
DIRECT_TYPES = ("HW",)
PLUGIN_TYPES = ("IOPLUG", "EXTPLUG")

_PULSE_WORDS = ("device.bus", "device.api", "alsa.name", "device.profile.name")

# (words in the names, transport): first match wins; the names are lower-cased.
_TRANSPORT_WORDS: tuple[tuple[tuple[str, ...], Transport], ...] = (
    (("bluealsa", "bluetooth", "bluez"), Transport.BLUETOOTH),
    (("displayport", " dp"), Transport.DISPLAYPORT),
    (("hdmi",), Transport.HDMI),
    (("s/pdif", "spdif", "iec958", "toslink", "digital"), Transport.SPDIF),
    (("loopback", "dummy", "null"), Transport.VIRTUAL),
    (
        (
            "i2s",
            "snd_rpi",
            "sndrpi",
            "hifiberry",
            "iqaudio",
            "justboom",
            "allo",
            "simple-card",
            "audio-graph",
            "-aif",
        ),
        Transport.I2S,
    ),
    (("analog", "headphone", "headset", "speaker", "line out"), Transport.ANALOG),
)


@dataclass(frozen=True)
class ProcfsAudio:
    """What /proc/asound says, parsed."""

    cards: tuple[ProcCard, ...]
    pcms: tuple[ProcPcm, ...]
    usb_streams: dict[tuple[int, int], UsbStream] = field(default_factory=dict)
    codecs: dict[int, tuple[Codec, ...]] = field(default_factory=dict)
    elds: dict[int, tuple[tuple[str, EldProc], ...]] = field(default_factory=dict)
    usbids: dict[int, tuple[int, int]] = field(default_factory=dict)  # USB cards: vendor, product
    pcm_infos: dict[tuple[int, int], PcmInfo] = field(default_factory=dict)  # playback devices


@dataclass(frozen=True)
class ServerSink:
    name: str
    description: str
    spec: SampleSpec | None  # what it runs at: streams are mixed and resampled to it
    words: str  # its names and properties, for the transport
    virtual: bool  # a null sink or filter: nothing physical behind it


@dataclass(frozen=True)
class ServerAudio:
    """A running sound server, whichever: PulseAudio, or PipeWire (through pw-dump, which
    keeps the real sink formats that pipewire-pulse reports as float32le)."""

    name: str  # "PulseAudio" or "PipeWire"
    source: str  # "pactl" or "pw-dump"
    default_sink: str | None
    rate: int | None  # the server's rate: its default sink's, or the graph clock's
    resamples: bool  # False when it switches its rate to a stream's instead
    sinks: tuple[ServerSink, ...]

    def output_id(self, sink: str) -> str:
        """ "pulse:NAME" or "pipewire:NAME", as ALSA's plugins for them are named."""
        return f"{'pipewire' if self.name == 'PipeWire' else 'pulse'}:{sink}"


def from_pulse(info: ServerInfo, sinks: Sequence[PulseSink]) -> ServerAudio:
    found = tuple(
        ServerSink(
            s.name,
            s.description,
            s.spec,
            " ".join(
                [s.name, s.description, s.driver or ""]
                + [s.properties.get(k, "") for k in _PULSE_WORDS]
            ),
            "null-sink" in (s.driver or ""),
        )
        for s in sinks
    )
    default = next((s for s in found if s.name == info.default_sink), None)
    spec = default.spec if default and default.spec else info.default_spec
    name = "PipeWire" if info.is_pipewire else "PulseAudio"
    return ServerAudio(name, "pactl", info.default_sink, spec.rate if spec else None, True, found)


def from_pipewire(graph: PipeWireGraph) -> ServerAudio:
    from probe.parsers.pulse import SampleSpec

    found = []
    for s in graph.sinks:
        spec = None
        fmt = s.format
        if fmt and fmt.format and fmt.format.alsa and fmt.rate and fmt.channels:
            spec = SampleSpec(
                fmt.format.alsa, FORMAT_WIDTH.get(fmt.format.alsa, 32), fmt.channels, fmt.rate
            )
        elif s.audio_format and s.audio_format.alsa and s.audio_rate and s.audio_channels:
            alsa_name = s.audio_format.alsa
            spec = SampleSpec(
                alsa_name, FORMAT_WIDTH.get(alsa_name, 32), s.audio_channels, s.audio_rate
            )
        words = " ".join(
            w or "" for w in (s.name, s.description, s.device_api, s.device_bus, s.alsa_path)
        )
        virtual = s.device_api is None and s.alsa_card is None
        found.append(ServerSink(s.name, s.description or s.name, spec, words, virtual))
    clock = graph.clock
    rate = (clock.force_rate or clock.rate) if clock else None
    resamples = not (clock and len(clock.allowed_rates) > 1)
    return ServerAudio("PipeWire", "pw-dump", graph.default_sink, rate, resamples, tuple(found))


@dataclass(frozen=True)
class AudioFacts:
    alsa: AlsaReport | None = None
    procfs: ProcfsAudio | None = None
    portaudio: PaReport | None = None
    server: ServerAudio | None = None
    edids: dict[str, SinkAudio] = field(default_factory=dict)  # connected DRM connectors


def merge(facts: AudioFacts) -> tuple[list[AudioOutput], Mixer]:
    outputs = _hardware(facts) + _configured(facts) + _server_sinks(facts.server)
    _sink_from_edid(outputs, facts.edids)
    if not outputs and facts.portaudio:
        outputs = _portaudio_only(facts.portaudio)
    _mark_portaudio(outputs, facts.portaudio)
    _mark_default(outputs, facts)
    outputs.sort(key=lambda o: o.id)
    return outputs, _mixer(facts)


def group_configs(items: Iterable[tuple[str, int, int, Sequence[int]]]) -> list[AudioConfig]:
    """(format, bits, channels, rates) items as combination sets: channel counts that take
    the same rates in the same format share one set."""
    grouped: dict[tuple[str, int, tuple[int, ...]], set[int]] = {}
    for fmt, bits, channels, rates in items:
        if rates:
            grouped.setdefault((fmt, bits, tuple(sorted(set(rates)))), set()).add(channels)
    configs = [
        AudioConfig(fmt, bits, sorted(channels), list(rates))
        for (fmt, bits, rates), channels in grouped.items()
    ]
    return sorted(configs, key=_config_order)


def usb_configs(stream: UsbStream) -> list[AudioConfig]:
    """The playback altsets of a USB device: each is a format, a channel count and rates."""
    items = []
    for alt in stream.playback.altsets if stream.playback else ():
        if alt.channels is None:
            continue
        if alt.rate_range:
            low, high = alt.rate_range.min, alt.rate_range.max
            rates: tuple[int, ...] = tuple(r for r in STANDARD_RATES if low <= r <= high)
        else:
            rates = alt.rates
        for fmt in alt.formats:
            if fmt not in FORMAT_WIDTH:  # "SPECIAL": the DSD format follows on the same line
                continue
            bits = alt.bits if alt.bits else FORMAT_WIDTH[fmt]
            items.append((fmt, bits, alt.channels, rates))
    return group_configs(items)


def codec_configs(codecs: Sequence[Codec], device: int) -> list[AudioConfig]:
    """What the HDA converters bound to PCM `device` take, as stereo sets: the codec dump
    says which rates and sample sizes a converter handles, not how many channels the
    device opens, so only two are claimed."""
    items = []
    for codec in codecs:
        for node in codec.nodes:
            if node.widget_type != "Audio Output" or node.pcm_device != device or not node.pcm:
                continue
            caps = node.pcm
            if "PCM" not in caps.formats:
                continue
            if 16 in caps.bits:
                items.append(("S16_LE", 16, 2, caps.rates))
            wide = [b for b in caps.bits if b > 16]
            if wide:
                items.append(("S32_LE", max(wide), 2, caps.rates))
    return group_configs(items)


def sink_of(audio: SinkAudio) -> Sink:
    codings = [
        SinkCoding(sad.type, sad.channels, list(sad.rates), list(sad.bits), sad.joc)
        for sad in audio.sads
        if sad.type not in ("reserved", "unknown")
    ]
    return Sink(audio.monitor_name, codings)


def _hardware(facts: AudioFacts) -> list[AudioOutput]:
    """One output per hw:C,D playback device that alsa-lib or procfs knows."""
    alsa_pcms = {
        (p.card, p.device): p
        for p in (facts.alsa.pcms if facts.alsa else ())
        if p.source == "card" and p.card is not None and p.device is not None
    }
    procfs = facts.procfs
    proc_pcms = {(p.card, p.device): p for p in (procfs.pcms if procfs else ()) if p.playback}
    card_names = {c.index: c.name for c in (procfs.cards if procfs else ())}
    card_names.update({c.index: c.name for c in (facts.alsa.cards if facts.alsa else ()) if c.name})
    drivers = {c.index: c.driver for c in (procfs.cards if procfs else ())}
    hdmi_elds = _elds_by_order(procfs, proc_pcms) if procfs else {}
    outputs = []
    for key in sorted(set(alsa_pcms) | set(proc_pcms)):
        card, device = key
        pcm = alsa_pcms.get(key)
        proc = proc_pcms.get(key)
        pcm_name = (pcm.description if pcm else None) or (proc.name or proc.id if proc else "")
        name = f"{card_names.get(card, f'card {card}')}: {pcm_name}".rstrip(": ")
        sources: list[str] = []
        configs: list[AudioConfig] = []
        if pcm is not None and pcm.status == "ok":
            configs = _alsa_configs(pcm.configs)
            sources.append("alsa-lib")
        stream = procfs.usb_streams.get(key) if procfs else None
        if not configs and stream is not None:
            configs = usb_configs(stream)
            sources.append(f"procfs:card{card}/stream{device}")
        if not configs and procfs and procfs.codecs.get(card):
            configs = codec_configs(procfs.codecs[card], device)
            if configs:
                sources.append(f"procfs:card{card}/codec#")
        if not sources:
            sources.append("alsa-lib" if pcm is not None else "procfs:pcm")
        sink = None
        raw_eld = _raw_eld(pcm)
        if raw_eld is not None:
            sink = sink_of(raw_eld)
            sources.append("alsa-ctl:ELD")
        elif key in hdmi_elds:
            file_name, eld = hdmi_elds[key]
            if eld.sink is not None:
                sink = sink_of(eld.sink)
                sources.append(f"procfs:card{card}/{file_name}")
        words = f"{drivers.get(card, '')} {card_names.get(card, '')} {pcm_name}"
        usb = stream is not None or (procfs is not None and card in procfs.usbids)
        transport = Transport.USB if usb or "usb" in words.lower() else None
        busy = pcm is not None and pcm.status == "busy"
        info = procfs.pcm_infos.get(key) if procfs else None
        if (pcm is None or pcm.status in ("timeout", "error")) and info is not None and info.busy:
            busy = True  # alsa-lib could not say; every substream is open, says the kernel
            sources.append(f"procfs:card{card}/pcm{device}p/info")
        connection = _connection(raw_eld) or _connection(
            hdmi_elds[key][1].sink if key in hdmi_elds else None
        )
        if transport is None and connection == "DisplayPort":
            transport = Transport.DISPLAYPORT
        outputs.append(
            output_for(
                f"alsa:hw:{card},{device}",
                name,
                transport or transport_of(words),
                native=True,
                busy=busy,
                configs=configs,
                sink=sink,
                sources=sources,
            )
        )
    return outputs


def _sink_from_edid(outputs: list[AudioOutput], edids: dict[str, SinkAudio]) -> None:
    """The EDID of a connected HDMI/DP connector, when it can only belong to one output:
    one connector connected, one HDMI/DP device without a sink from its ELD. DRM does not
    say which sound device feeds which connector, so anything less clear is left alone."""
    if len(edids) != 1:
        return
    digital = (Transport.HDMI, Transport.DISPLAYPORT)
    waiting = [o for o in outputs if o.id.startswith("alsa:hw:") and o.transport in digital]
    if len(waiting) != 1 or waiting[0].sink is not None:
        return
    ((connector, edid),) = edids.items()
    waiting[0].sink = sink_of(edid)
    waiting[0].sources.append(f"drm:{connector}/edid")


def _configured(facts: AudioFacts) -> list[AudioOutput]:
    """PCMs the ALSA configuration defines (a board's asound.conf outputs, plugins), but
    not `default` (an alias) nor sound-server clients (the server's sinks stand for them)."""
    outputs = []
    for pcm in facts.alsa.pcms if facts.alsa else ():
        if pcm.source == "card" or pcm.name == "default" or _server_client(pcm):
            continue
        if pcm.status in ("absent", "error", "denied"):
            continue
        native = pcm.pcm_type in DIRECT_TYPES or pcm.pcm_type in PLUGIN_TYPES
        configs = _alsa_configs(pcm.configs) if pcm.status == "ok" else []
        outputs.append(
            output_for(
                f"alsa:{pcm.name}",
                pcm.description or pcm.name,
                transport_of(f"{pcm.name} {pcm.description or ''}"),
                native=native,
                busy=pcm.status == "busy",
                configs=configs,
                sink=None,
                sources=[f"alsa-lib:{(pcm.pcm_type or 'unopened').lower()}"],
            )
        )
    return outputs


def _server_sinks(server: ServerAudio | None) -> list[AudioOutput]:
    """A server's sinks: what reaches them is mixed (and maybe resampled) to their spec."""
    if server is None:
        return []
    outputs = []
    for sink in server.sinks:
        spec = sink.spec
        configs = (
            [AudioConfig(spec.format, spec.bits, [spec.channels], [spec.rate])] if spec else []
        )
        if sink.virtual:
            transport = Transport.VIRTUAL
        elif " usb" in f" {sink.words.lower()}":
            transport = Transport.USB
        else:
            transport = transport_of(sink.words)
        outputs.append(
            output_for(
                server.output_id(sink.name),
                sink.description,
                transport,
                native=False,
                busy=False,
                configs=configs,
                sink=None,
                sources=[server.source],
            )
        )
    return outputs


def _portaudio_only(report: PaReport) -> list[AudioOutput]:
    """When neither alsa-lib nor procfs answered: PortAudio's devices, rates without formats."""
    outputs = []
    for dev in report.devices:
        output = output_for(
            f"portaudio:{dev.host_api}:{dev.name}",
            dev.name,
            transport_of(dev.name),
            native=False,
            busy=False,
            configs=[],
            sink=None,
            sources=["portaudio"],
        )
        output.max_rate = max(dev.rates, default=None)
        output.max_channels = dev.max_output_channels
        outputs.append(output)
    return outputs


def _mark_portaudio(outputs: list[AudioOutput], report: PaReport | None) -> None:
    """Record where PortAudio lists the same device (by name): a second opinion."""
    if report is None:
        return
    for dev in report.devices:
        for output in outputs:
            alsa_name = output.id.removeprefix("alsa:")
            same = dev.name == alsa_name or dev.name.endswith(f"({alsa_name})")
            if same and "portaudio" not in output.sources:
                output.sources.append("portaudio")


def _mark_default(outputs: list[AudioOutput], facts: AudioFacts) -> None:
    """The server's default sink; else what PortAudio calls the default; else hw:0,0,
    which alsa.conf makes the default when nothing overrides it."""
    target = None
    if facts.server and facts.server.default_sink:
        target = facts.server.output_id(facts.server.default_sink)
    elif facts.portaudio:
        for dev in facts.portaudio.devices:
            if dev.is_default and dev.name not in ("default", "sysdefault"):
                target = f"alsa:{dev.name}"
    ids = {o.id for o in outputs}
    if target not in ids and not facts.server and "alsa:hw:0,0" in ids:
        target = "alsa:hw:0,0"
    for output in outputs:
        output.is_default = output.id == target


def _mixer(facts: AudioFacts) -> Mixer:
    if facts.server:
        return Mixer(facts.server.name, facts.server.rate, facts.server.resamples)
    if facts.alsa is None and facts.procfs is None:
        return Mixer(None, None, None)
    default = [p for p in facts.alsa.pcms if p.name == "default"] if facts.alsa else []
    direct = bool(default) and default[0].pcm_type in DIRECT_TYPES
    return Mixer("none", None, False if direct else None)


def _alsa_configs(configs: Sequence[AlsaConfig]) -> list[AudioConfig]:
    found = [
        AudioConfig(c.format, _bits(c), sorted(c.channels), sorted(c.rates))
        for c in configs
        if c.channels and c.rates
    ]
    return sorted(found, key=_config_order)


def _config_order(config: AudioConfig) -> tuple[int, str, list[int], list[int]]:
    """Narrow to wide samples, then by name: the order a reader scans for the best."""
    return (config.bits, config.format, config.channels, config.rates)


def _bits(config: AlsaConfig) -> int:
    """The worker's significant bits (already capped at the format's width), else the width."""
    return config.bits or FORMAT_WIDTH.get(config.format, 32)


def _server_client(pcm: AlsaPcm) -> bool:
    words = f"{pcm.name} {pcm.plugin or ''}".lower()
    return pcm.pcm_type in PLUGIN_TYPES and any(w in words for w in SERVER_PLUGINS)


def _elds_by_order(
    procfs: ProcfsAudio, playback: dict[tuple[int, int], ProcPcm]
) -> dict[tuple[int, int], tuple[str, EldProc]]:
    """eld#C.P files matched to a card's HDMI PCM devices in order, when their numbers agree:
    the file's P is a pin index, not the device (field-notes §3.6)."""
    matched = {}
    for card, files in procfs.elds.items():
        hdmi = sorted(d for (c, d), p in playback.items() if c == card and "hdmi" in p.name.lower())
        if len(hdmi) == len(files):
            matched.update({(card, d): f for d, f in zip(hdmi, files, strict=True)})
    return matched


def undecodable_elds(report: AlsaReport) -> list[str]:
    """The ELDs that give their output no sink because their bytes do not decode."""
    from probe.parsers import cta861

    problems = []
    for pcm in report.pcms:
        if pcm.eld and any(pcm.eld):
            try:
                cta861.parse_eld(pcm.eld)
            except cta861.CtaParseError as e:
                problems.append(f"the ELD of {pcm.name} does not decode: {e}")
    return problems


def _raw_eld(pcm: AlsaPcm | None) -> SinkAudio | None:
    """The sink behind an HDMI/DP device from its ELD control's bytes (JOC and MAT bits
    included); None without a sink or with bytes that do not decode."""
    if pcm is None or not pcm.eld or not any(pcm.eld):
        return None
    from probe.parsers import cta861

    try:
        return cta861.parse_eld(pcm.eld)
    except cta861.CtaParseError:
        return None


def _connection(audio: SinkAudio | None) -> str | None:
    return audio.connection if audio else None


def transport_of(words: str) -> Transport:
    """The transport an output's names suggest, for outputs no bus tells: first match wins."""
    text = f" {words.lower()}"
    for needles, transport in _TRANSPORT_WORDS:
        if any(n in text for n in needles):
            return transport
    return Transport.UNKNOWN


def output_for(
    output_id: str,
    name: str,
    transport: Transport,
    *,
    native: bool,
    busy: bool,
    configs: list[AudioConfig],
    sink: Sink | None,
    sources: list[str],
) -> AudioOutput:
    """An output whose maxima are measured from its configs; not yet the default."""
    return AudioOutput(
        id=output_id,
        name=name or output_id,
        transport=transport,
        is_default=False,
        native=native,
        busy=busy,
        configs=configs,
        max_rate=max((r for c in configs for r in c.rates), default=None),
        max_bits=max((c.bits for c in configs), default=None),
        max_channels=max((n for c in configs for n in c.channels), default=None),
        sink=sink,
        sources=sources,
    )
