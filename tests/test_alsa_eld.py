"""HDMI sinks' ELDs read from ALSA control elements, on the fakectl plugin (tests/rig).

HDA and ASoC hdmi-codec drivers expose each HDMI/DP PCM's ELD as a control element
iface PCM, name "ELD", device = the PCM device, type BYTES. The worker reads a control
device named in the request with the same function it uses for every card's `hw:N`, so
serving real captured ELDs through a ctl plugin runs all of that path but the kernel.
"""

from __future__ import annotations

import errno

import pytest

from drivers import alsa
from drivers.alsa import AlsaControl, AlsaReport
from probe.parsers.cta861 import CtaParseError, parse_eld
from probe.parsers.sad import ShortAudioDescriptor
from tests.conftest import CAPTURES
from tests.rig import alsa as rig
from tests.rig.alsa import FakeControl, FakeElement

needs_rig = pytest.mark.skipif(
    rig.missing_build_tools() is not None,
    reason=f"the fakectl plugin cannot be built: {rig.missing_build_tools()}",
)

ELD = CAPTURES / "eld"
DELL = (ELD / "dell-p1917s-via-extractor-amixer.bin").read_bytes()  # HDMI, 4 SADs
ACER = (ELD / "acer-cm3271k-dp-alsactl.bin").read_bytes()  # DisplayPort, a 95-byte buffer
OTHER = (ELD / "dell-g2422hs-alsactl.bin").read_bytes()  # only behind elements to ignore
ALL_RATES = (32000, 44100, 48000, 88200, 96000, 176400, 192000)
BASE_RATES = (32000, 44100, 48000)

CONTROL = FakeControl(
    "fakectl",
    (
        FakeElement(3, DELL),
        FakeElement(7, bytes(128)),  # hdmi-codec without a sink: its 128 bytes, all zero
        FakeElement(8, ACER),
        FakeElement(9, b""),  # HDA without a sink: count 0
        FakeElement(8, OTHER, iface="MIXER"),  # the right name on the wrong interface
        FakeElement(3, OTHER, name="Playback Channel Map"),  # another PCM element
        FakeElement(10, DELL, read_error=errno.EIO),
    ),
)


def summary(sad: ShortAudioDescriptor) -> tuple[object, ...]:
    return (sad.type, sad.channels, sad.rates, sad.bits, sad.max_bitrate_kbps)


@pytest.fixture(scope="module")
def report(alsa_rig: rig.Rig) -> AlsaReport:
    setup = alsa_rig.setup(controls=[CONTROL])
    with pytest.MonkeyPatch.context() as mp:
        setup.apply(mp)
        return alsa.probe(enumerate_all=False, ctls=("fakectl", "no_such_ctl"))


@pytest.fixture(scope="module")
def control(report: AlsaReport) -> AlsaControl:
    return report.control("fakectl")


@needs_rig
def test_each_eld_element_is_read_exactly_by_its_device(control: AlsaControl) -> None:
    assert (control.status, control.errno, control.detail) == ("ok", None, "")
    assert control.elds == ((3, DELL), (7, b""), (8, ACER), (9, b""))
    assert len(dict(control.elds)[8]) == 95  # the element's count, trailing zeros kept


@needs_rig
def test_the_bytes_decode_to_the_sinks_audio(control: AlsaControl) -> None:
    elds = dict(control.elds)
    dell = parse_eld(elds[3])
    assert (dell.monitor_name, dell.connection) == ("DELL P1917S", "HDMI")
    assert dell.speakers == ("FL/FR", "LFE", "FC", "RL/RR")
    assert [summary(s) for s in dell.sads] == [
        ("LPCM", 2, ALL_RATES, (16, 20, 24), None),
        ("LPCM", 6, ALL_RATES, (16, 20, 24), None),
        ("AC-3", 6, ALL_RATES, (), 640),
        ("DTS", 6, ALL_RATES, (), 1536),
    ]
    acer = parse_eld(elds[8])
    assert (acer.monitor_name, acer.connection) == ("CM3271K", "DisplayPort")
    assert [summary(s) for s in acer.sads] == [("LPCM", 2, BASE_RATES, (16, 20, 24), None)]


@needs_rig
def test_a_zeroed_or_empty_eld_reads_as_no_sink(control: AlsaControl) -> None:
    elds = dict(control.elds)
    assert elds[7] == elds[9] == b""
    with pytest.raises(CtaParseError, match="no sink"):
        parse_eld(elds[7])


@needs_rig
def test_elements_that_are_not_a_pcm_eld_are_ignored(
    control: AlsaControl, report: AlsaReport
) -> None:
    assert OTHER not in dict(control.elds).values()
    assert not [e for e in report.errors if "device 8" in e or "Channel Map" in e]


@needs_rig
def test_an_unreadable_element_is_noted_and_the_others_still_read(
    control: AlsaControl, report: AlsaReport
) -> None:
    assert 10 not in dict(control.elds)
    assert report.errors == ("fakectl ELD device 10: snd_ctl_elem_read: Input/output error",)


@needs_rig
def test_a_control_device_that_does_not_exist_is_absent(report: AlsaReport) -> None:
    missing = report.control("no_such_ctl")
    assert (missing.status, missing.errno, missing.elds) == ("absent", errno.ENOENT, ())
    assert "Invalid CTL no_such_ctl" in missing.detail
    assert [c.name for c in report.controls] == ["fakectl", "no_such_ctl"]


def test_elds_travel_as_hex_and_bad_hex_is_a_worker_error() -> None:
    pcm = {
        "name": "hw:0,3",
        "description": "HDMI 0",
        "source": "card",
        "card": 0,
        "device": 3,
        "subdevices": 1,
        "pcm_type": "HW",
        "plugin": None,
        "status": "busy",
        "errno": errno.EBUSY,
        "detail": "",
        "configs": [],
        "eld": DELL.hex(),
    }
    elds = [{"device": 3, "eld": DELL.hex()}, {"device": 7, "eld": ""}]
    control = {"name": "hw:0", "status": "ok", "errno": None, "detail": "", "elds": elds}
    document = {
        "worker": alsa.WORKER_VERSION,
        "library_version": "1.2.8",
        "cards": [],
        "pcms": [pcm, {**pcm, "name": "hw:0,7", "device": 7, "eld": ""}],
        "controls": [control],
        "errors": [],
        "elapsed_ms": 1.0,
    }
    report = alsa.parse_report(document)
    assert (report.pcm("hw:0,3").eld, report.pcm("hw:0,7").eld) == (DELL, b"")
    assert report.control("hw:0").elds == ((3, DELL), (7, b""))
    with pytest.raises(alsa.WorkerError, match="malformed"):
        alsa.parse_report({**document, "pcms": [{**pcm, "eld": "1g"}]})
