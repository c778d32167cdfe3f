"""Merging the sources into outputs, on real captures: who wins, busy devices, HDMI sinks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from drivers.alsa import AlsaCard, AlsaConfig, AlsaPcm, AlsaReport
from drivers.files import Files
from drivers.portaudio import PaDevice, PaReport
from probe import audio, linux
from probe.audio import AudioFacts, ProcfsAudio
from probe.linux_display import display
from probe.models import AudioConfig, Transport
from probe.parsers import eld_proc, hda_codec, pulse, usb_stream
from probe.parsers.asound import ProcCard, ProcPcm, parse_pcm_info, parse_usbid
from tests.conftest import CAPTURES

HIRES = (44100, 48000, 88200, 96000, 176400, 192000)


def hw(
    card: int, device: int, name: str, status: str = "ok", configs: tuple[AlsaConfig, ...] = ()
) -> AlsaPcm:
    return AlsaPcm(
        name=f"hw:{card},{device}",
        description=name,
        source="card",
        card=card,
        device=device,
        subdevices=1,
        pcm_type="HW" if status == "ok" else None,
        plugin=None,
        status=status,  # type: ignore[arg-type]
        errno=16 if status == "busy" else None,
        detail="",
        configs=configs,
        eld=None,
    )


def report(*pcms: AlsaPcm, cards: tuple[AlsaCard, ...] = ()) -> AlsaReport:
    return AlsaReport("1.2.8", cards, pcms, (), 10.0)


def test_usb_altsets_become_combination_sets() -> None:
    stream = usb_stream.parse_usb_stream((CAPTURES / "usb" / "topping-d50s").read_text())
    rates = [44100, 48000, 88200, 96000, 176400, 192000, 352800, 384000, 705600, 768000]
    assert audio.usb_configs(stream) == [
        AudioConfig("S32_LE", 24, [2], rates),  # `Bits: 24`: 24 valid bits in 32
        AudioConfig("DSD_U32_BE", 32, [2], rates),
        AudioConfig("S32_LE", 32, [2], rates),
    ]
    mixpre = usb_stream.parse_usb_stream((CAPTURES / "usb" / "sound-devices-mixpre6ii").read_text())
    assert {(c.format, c.bits) for c in audio.usb_configs(mixpre)} == {
        ("S16_LE", 16),
        ("S24_3LE", 24),
    }


def test_hda_converters_bound_to_the_device() -> None:
    """The ALC285's Default PCM claims 192 kHz for all; only DAC 0x03 is bound to device 0
    and it has its own caps."""
    codec = hda_codec.parse_codec((CAPTURES / "hda" / "realtek-alc285-asus-laptop").read_text())
    (dac,) = [n for n in codec.dacs if n.pcm_device == 0]
    assert dac.pcm is not None
    assert audio.codec_configs([codec], 0) == [
        AudioConfig("S16_LE", 16, [2], list(dac.pcm.rates)),
        AudioConfig("S32_LE", max(dac.pcm.bits), [2], list(dac.pcm.rates)),
    ]
    assert audio.codec_configs([codec], 3) == []


def test_idle_device_alsa_wins_busy_device_keeps_procfs() -> None:
    stream = usb_stream.parse_usb_stream((CAPTURES / "usb" / "topping-d50s").read_text())
    procfs = ProcfsAudio(
        cards=(ProcCard(1, "D50s", "USB-Audio", "D50s", None),),
        pcms=(ProcPcm(1, 0, "USB Audio", "USB Audio", True, False),),
        usb_streams={(1, 0): stream},
    )
    measured = (AlsaConfig("S32_LE", 24, (2,), HIRES),)
    idle = audio.merge(
        AudioFacts(alsa=report(hw(1, 0, "USB Audio", "ok", measured)), procfs=procfs)
    )
    (out,) = idle[0]
    assert (out.id, out.transport, out.busy, out.sources) == (
        "alsa:hw:1,0",
        Transport.USB,
        False,
        ["alsa-lib"],
    )
    assert out.configs == [AudioConfig("S32_LE", 24, [2], list(HIRES))]
    assert out.name == "D50s: USB Audio"
    busy = audio.merge(AudioFacts(alsa=report(hw(1, 0, "USB Audio", "busy")), procfs=procfs))
    (held,) = busy[0]
    assert held.busy
    assert held.configs == audio.usb_configs(stream)
    assert held.sources == ["procfs:card1/stream0"]
    assert held.max_rate == 768000


def test_the_kernels_pcm_info_says_busy_when_alsa_lib_could_not() -> None:
    """The Logitech H570e's pcm0p/info while it played: every substream open. Its card has
    a usbid and a name without "USB" in it: the usbid alone makes the transport USB."""
    info = parse_pcm_info((CAPTURES / "proc" / "logitech-h570e-pcm0p-info").read_text())
    usbid = parse_usbid((CAPTURES / "proc" / "logitech-h570e-usbid").read_text())
    procfs = ProcfsAudio(
        cards=(ProcCard(1, "H570e", "snd-usb", "Logitech Headset H570e", None),),
        pcms=(ProcPcm(1, 0, "Headset", "Headset", True, True),),
        usbids={1: usbid},
        pcm_infos={(1, 0): info},
    )
    for alsa_said in (None, report(hw(1, 0, "Headset", "timeout"))):
        ((out,), _) = audio.merge(AudioFacts(alsa=alsa_said, procfs=procfs))
        assert (out.busy, out.transport) == (True, Transport.USB)
        assert out.sources[-1] == "procfs:card1/pcm0p/info"
    # alsa-lib's own answer stands: the device was free when the worker opened it
    ((free,), _) = audio.merge(AudioFacts(alsa=report(hw(1, 0, "Headset")), procfs=procfs))
    assert (free.busy, free.sources) == (False, ["alsa-lib"])


def test_the_procfs_probe_reads_usbid_and_pcm_info_where_the_kernel_has_them(
    tmp_path: Path,
) -> None:
    """A mirrored /proc/asound: card 1 is the H570e (usbid, pcm0p/info from its capture),
    card 0 an HDA card whose kernel lacks CONFIG_SND_VERBOSE_PROCFS (no info files) and
    whose usbid, were there one, is garbage: reported, the rest still read."""
    asound = tmp_path / "proc" / "asound"
    (asound / "card0").mkdir(parents=True)
    (asound / "card1" / "pcm0p").mkdir(parents=True)
    (asound / "cards").write_text(
        " 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n"
        "                      HDA Intel PCH at 0xf7d18000 irq 43\n"
        " 1 [H570e          ]: USB-Audio - Logitech Headset H570e\n"
        "                      Logitech Headset H570e at usb-0000:00:14.0-2, full speed\n"
    )
    (asound / "pcm").write_text(
        "00-03: HDMI 0 : HDMI 0 : playback 1\n"
        "01-00: USB Audio : USB Audio : playback 1 : capture 1\n"
    )
    proc = CAPTURES / "proc"
    (asound / "card1" / "usbid").write_text((proc / "logitech-h570e-usbid").read_text())
    info = (proc / "logitech-h570e-pcm0p-info").read_text()
    (asound / "card1" / "pcm0p" / "info").write_text(info)
    (asound / "card0" / "usbid").write_text("not an id\n")
    outcome = linux.audio_procfs(Files(tmp_path))
    assert outcome.facts is not None
    assert outcome.facts.usbids == {1: (0x046D, 0x0A56)}
    assert outcome.facts.pcm_infos == {(1, 0): parse_pcm_info(info)}
    assert "/proc/asound/card0/usbid: " in outcome.detail


def test_hdmi_sink_from_the_eld_file_and_default_hw_0_0() -> None:
    eld = eld_proc.parse_eld_proc((CAPTURES / "eld" / "pioneer-vsx521-nvidia-eld3.0").read_text())
    procfs = ProcfsAudio(
        cards=(ProcCard(0, "NVidia", "HDA-Intel", "HDA NVidia", None),),
        pcms=(ProcPcm(0, 3, "HDMI 0", "HDMI 0", True, False),),
        elds={0: (("eld#3.0", eld),)},
    )
    outputs, mixer = audio.merge(AudioFacts(procfs=procfs))
    (out,) = outputs
    assert out.transport is Transport.HDMI
    assert out.sink is not None
    assert out.sink.monitor_name == "VSX-521"
    assert [c.type for c in out.sink.codings][-3:] == ["E-AC-3", "DTS-HD", "MAT"]
    assert out.sources == ["procfs:pcm", "procfs:card0/eld#3.0"]
    assert not out.is_default  # hw:0,0 does not exist here
    assert (mixer.server, mixer.resamples) == ("none", None)


def test_server_sinks_are_mixer_paths_and_the_default_is_the_servers() -> None:
    info = pulse.parse_info(
        '{"server_name": "PulseAudio (on PipeWire 0.3.65)", "default_sink_name": "usb",'
        ' "default_sample_specification": "float32le 2ch 48000Hz"}'
    )
    sinks = pulse.parse_sinks(
        '[{"name": "usb", "description": "USB DAC", "driver": "PipeWire",'
        ' "sample_specification": "s32le 2ch 96000Hz",'
        ' "properties": {"device.bus": "usb", "device.api": "alsa"}}]'
    )
    outputs, mixer = audio.merge(
        AudioFacts(
            alsa=report(hw(0, 0, "ALC236 Analog", "busy")),
            server=audio.from_pulse(info, sinks),
        )
    )
    found = {o.id: o for o in outputs}
    assert found["pipewire:usb"].is_default
    assert not found["alsa:hw:0,0"].is_default
    usb = found["pipewire:usb"]
    assert (usb.native, usb.transport, usb.sources) == (False, Transport.USB, ["pactl"])
    assert found["alsa:hw:0,0"].transport is Transport.ANALOG
    assert (mixer.server, mixer.rate, mixer.resamples) == ("PipeWire", 96000, True)


def test_portaudio_alone_gives_rates_without_formats() -> None:
    pa = PaReport(
        "V19",
        ("ALSA",),
        (PaDevice(0, "HDA Intel PCH: HDMI 0 (hw:0,3)", "ALSA", 8, 48000.0, (48000,), True),),
    )
    (out,), _ = audio.merge(AudioFacts(portaudio=pa))
    assert (out.native, out.configs, out.max_rate, out.max_channels) == (False, [], 48000, 8)
    assert out.transport is Transport.HDMI
    assert out.sources == ["portaudio"]


def test_the_eld_control_beats_the_proc_file_and_zero_bytes_mean_no_sink() -> None:
    raw = (CAPTURES / "eld" / "dell-p1917s-via-extractor-amixer.bin").read_bytes()
    connected = replace(hw(0, 3, "HDMI 0"), eld=raw)
    unplugged = replace(hw(0, 7, "HDMI 1"), eld=bytes(64))
    outputs, _ = audio.merge(AudioFacts(alsa=report(connected, unplugged)))
    found = {o.id: o for o in outputs}
    sink = found["alsa:hw:0,3"].sink
    assert sink is not None
    assert [(c.type, c.channels) for c in sink.codings] == [
        ("LPCM", 2),
        ("LPCM", 6),
        ("AC-3", 6),
        ("DTS", 6),
    ]
    assert "alsa-ctl:ELD" in found["alsa:hw:0,3"].sources
    assert found["alsa:hw:0,7"].sink is None


def test_an_eld_that_does_not_decode_is_reported_not_hidden() -> None:
    truncated = (CAPTURES / "eld" / "dell-g2422hs-alsactl.bin").read_bytes()[:7]
    broken = replace(hw(0, 3, "HDMI 0"), eld=truncated)
    alsa = report(broken)
    (out,), _ = audio.merge(AudioFacts(alsa=alsa))
    assert out.sink is None
    (problem,) = audio.undecodable_elds(alsa)
    assert problem.startswith("the ELD of hw:0,3 does not decode: ")


@pytest.mark.parametrize(
    ("words", "transport"),
    [
        ("bcm2835_headpho bcm2835 Headphones bcm2835 Headphones", Transport.ANALOG),
        ("vc4-hdmi vc4-hdmi-0 MAI PCM i2s-hifi-0", Transport.HDMI),
        ("RPi-simple snd_rpi_hifiberry_dacplus HiFiBerry DAC+ HiFi pcm512x-hifi-0", Transport.I2S),
        ("HDA-Intel HDA Intel PCH ALC236 Analog", Transport.ANALOG),
        ("HDA-Intel HDA NVidia HDMI 0", Transport.HDMI),
        ("HDA-Intel HD-Audio Generic ALC1220 Digital", Transport.SPDIF),
        ("Loopback Loopback PCM", Transport.VIRTUAL),
        ("bluealsa Bluetooth speaker", Transport.BLUETOOTH),
        ("fake_dac_48k16 Fake stereo DAC", Transport.UNKNOWN),
    ],
)
def test_transport_from_names(words: str, transport: Transport) -> None:
    assert audio.transport_of(words) is transport


def test_a_connected_connectors_edid_gives_the_only_hdmi_output_its_sink(tmp_path: Path) -> None:
    """A Raspberry Pi-like board: the vc4 HDMI device has no ELD here, DRM has the EDID,
    read by the display probe along with the screen."""
    drm = tmp_path / "sys" / "class" / "drm"
    for name, status in (("card1-HDMI-A-1", "connected"), ("card1-HDMI-A-2", "disconnected")):
        (drm / name).mkdir(parents=True)
        (drm / name / "status").write_text(status + "\n")
    edid = (CAPTURES / "edid" / "lg-tv-sscr2-2020-linuxhw.bin").read_bytes()
    (drm / "card1-HDMI-A-1" / "edid").write_bytes(edid)
    (drm / "card1-HDMI-A-2" / "edid").write_bytes(b"")
    outcome = display(Files(tmp_path))
    assert outcome.facts is not None
    sinks = outcome.facts.sinks
    assert list(sinks) == ["card1-HDMI-A-1"]
    procfs = ProcfsAudio(
        cards=(ProcCard(1, "vc4hdmi0", "vc4-hdmi", "vc4-hdmi-0", None),),
        pcms=(ProcPcm(1, 0, "MAI PCM i2s-hifi-0", "MAI PCM i2s-hifi-0", True, False),),
    )
    (out,), _ = audio.merge(AudioFacts(procfs=procfs, edids=sinks))
    assert out.sink is not None
    eac3 = [c for c in out.sink.codings if c.type == "E-AC-3"]
    assert [c.joc for c in eac3] == [True]
    assert out.sources[-1] == "drm:card1-HDMI-A-1/edid"
    # two connected screens: which one the sound device feeds is unknown, so no sink
    two = {"card1-HDMI-A-1": sinks["card1-HDMI-A-1"], "card0-DP-1": sinks["card1-HDMI-A-1"]}
    (alone,), _ = audio.merge(AudioFacts(procfs=procfs, edids=two))
    assert alone.sink is None
