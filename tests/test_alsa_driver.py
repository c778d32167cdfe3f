"""The ALSA driver on emulated devices: fakehw PCMs and a private PulseAudio (tests/rig).

Every device here is real to alsa-lib: it is opened, its hw_params space is refined and
tested, a held device really refuses a second opener, and a hanging open really hangs.
Only the kernel side is missing; the control-API path over `hw:N` cards cannot be
reached without a sound card.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from drivers import alsa, alsa_worker
from drivers.alsa import STANDARD_RATES, AlsaConfig, AlsaReport
from tests.rig import alsa as rig
from tests.rig.alsa import AlsaSetup, FakeDevice
from tests.rig.pulse import PulseServer

needs_rig = pytest.mark.skipif(
    rig.missing_build_tools() is not None,
    reason=f"the fakehw plugin cannot be built: {rig.missing_build_tools()}",
)

HIRES = (44100, 48000, 88200, 96000, 176400, 192000)
DEVICES = (
    FakeDevice("fake_dac_48k16", "Fake stereo DAC 44.1/48 kHz S16", rates=(44100, 48000)),
    FakeDevice(
        "fake_dac_hires",
        "Fake 7.1 DAC up to 192 kHz / 32-bit",
        rates=HIRES,
        formats=("S16_LE", "S24_3LE", "S32_LE"),
        channels_max=8,
    ),
    FakeDevice(
        "fake_usb_dsd",
        "Fake USB DAC with native DSD",
        rates=(*HIRES, 352800, 384000),
        formats=("S32_LE", "S24_3LE", "DSD_U32_BE"),
    ),
    FakeDevice(
        "fake_hdmi",
        "Fake HDMI sink, LPCM and IEC958",
        rates=(32000, *HIRES),
        formats=("S16_LE", "S24_LE", "IEC958_SUBFRAME_LE"),
        channels_max=8,
    ),
    # one receiver whose set is not a product, as its two product parts
    FakeDevice("fake_avr_stereo", "Fake AV receiver, stereo", rates=HIRES, formats=("S24_LE",)),
    FakeDevice(
        "fake_avr_multichannel",
        None,  # no hint description
        rates=HIRES[:4],
        formats=("S24_LE",),
        channels_min=3,
        channels_max=8,
    ),
    FakeDevice(
        "fake_voice",
        "Fake mono voice output",
        rates=(8000, 11025, 16000),
        formats=("U8", "S16_LE"),
        channels_min=1,
        channels_max=1,
    ),
    FakeDevice(
        "fake_usb_continuous",
        "Fake USB DAC with a continuous clock",
        rate_range=(8000, 96000),
        formats=("S16_BE", "FLOAT_LE"),
        channels_min=1,
    ),
)
BITS = {
    "U8": 8,
    "S16_LE": 16,
    "S16_BE": 16,
    "S24_LE": 24,  # 24 in 32: alsa-lib's plugins say 32, the driver caps it at the width
    "S24_3LE": 24,
    "S32_LE": 32,
    "FLOAT_LE": 32,
    "IEC958_SUBFRAME_LE": 32,
    "DSD_U32_BE": 32,
}


def expected_configs(device: FakeDevice) -> tuple[AlsaConfig, ...]:
    channels = tuple(range(device.channels_min, device.channels_max + 1))
    rates = tuple(r for r in STANDARD_RATES if device.accepts(r))
    return tuple(
        AlsaConfig(f, BITS[f], channels, rates) for f in alsa_worker.FORMATS if f in device.formats
    )


def probe_with(setup: AlsaSetup, *names: str, timeout: float = 10.0) -> AlsaReport:
    with pytest.MonkeyPatch.context() as mp:
        setup.apply(mp)
        return alsa.probe(names, timeout=timeout)


@pytest.fixture(scope="module")
def emulated(alsa_rig: rig.Rig, pulse_server: PulseServer) -> AlsaSetup:
    pulse_pcms = [
        pulse_server.pcm("pa_hdmi51", "hdmi_51", "PulseAudio null sink hdmi_51"),
        pulse_server.pcm("pa_hires", "dac_hires", "PulseAudio null sink dac_hires"),
    ]
    return alsa_rig.setup(DEVICES, pulse_pcms=pulse_pcms, pulse_server=pulse_server.server)


@pytest.fixture(scope="module")
def report(emulated: AlsaSetup) -> AlsaReport:
    return probe_with(emulated)


@pytest.fixture(scope="module")
def baseline(alsa_rig: rig.Rig, pulse_server: PulseServer) -> AlsaReport:
    """What the system's own configuration lists, with the same sound server."""
    return probe_with(alsa_rig.setup(pulse_server=pulse_server.server))


@needs_rig
def test_the_report_lists_exactly_the_emulated_devices(
    report: AlsaReport, baseline: AlsaReport, emulated: AlsaSetup
) -> None:
    ours = {d.name for d in DEVICES} | {p.name for p in emulated.pulse_pcms}
    assert {p.name for p in report.pcms} == {p.name for p in baseline.pcms} | ours
    assert not ours & {p.name for p in baseline.pcms}
    assert report.cards == ()  # no sound card on a test machine
    assert report.errors == ()
    assert report.complete is True
    for device in DEVICES:
        pcm = report.pcm(device.name)
        assert (pcm.source, pcm.card, pcm.device) == ("config", None, None)
        assert pcm.description == device.description
    assert not {"null", "samplerate", "speexrate", "upmix"} & {p.name for p in report.pcms}


@needs_rig
def test_each_emulated_device_reports_exactly_its_combinations(report: AlsaReport) -> None:
    for device in DEVICES:
        pcm = report.pcm(device.name)
        assert (pcm.status, pcm.errno, pcm.detail) == ("ok", None, ""), device.name
        assert pcm.configs == expected_configs(device), device.name
    hires = report.pcm("fake_dac_hires").configs
    assert [c.format for c in hires] == ["S16_LE", "S32_LE", "S24_3LE"]
    assert hires[0] == AlsaConfig("S16_LE", 16, (2, 3, 4, 5, 6, 7, 8), HIRES)
    assert report.pcm("fake_usb_continuous").configs[0].rates == (
        8000, 11025, 16000, 22050, 32000, 44100, 48000, 64000, 88200, 96000,
    )  # fmt: skip


@needs_rig
def test_emulated_devices_are_ioplug_never_native_hardware(report: AlsaReport) -> None:
    for device in DEVICES:
        pcm = report.pcm(device.name)
        assert (pcm.pcm_type, pcm.plugin) == ("IOPLUG", rig.PLUGIN_NAME)
    assert not [p for p in report.pcms if p.pcm_type == "HW"]


@needs_rig
def test_pulse_pcms_are_seen_with_their_type_and_accept_everything(
    report: AlsaReport, pulse_server: PulseServer
) -> None:
    specs = {s["name"]: s["sample_specification"] for s in pulse_server.list_sinks()}
    assert specs == {s.name: s.sample_spec for s in pulse_server.sinks}
    for name in ("pa_hdmi51", "pa_hires", "pulse", "default"):
        pcm = report.pcm(name)
        assert (pcm.status, pcm.pcm_type) == ("ok", "IOPLUG"), name
        assert pcm.plugin is not None and "PulseAudio" in pcm.plugin, name
        assert pcm.source == "config"
    # the server converts: through ALSA, the sink's own spec cannot be seen
    sixteen = [c for c in report.pcm("pa_hdmi51").configs if c.format == "S16_LE"]
    assert sixteen == [AlsaConfig("S16_LE", 16, tuple(range(1, 33)), STANDARD_RATES)]
    assert report.pcm("pa_hires").configs == report.pcm("pa_hdmi51").configs
    assert report.pcm("pa_hdmi51").description == "PulseAudio null sink hdmi_51"


@needs_rig
def test_aplay_sees_the_same_space(emulated: AlsaSetup, report: AlsaReport, tmp_path: Path) -> None:
    silence = tmp_path / "silence.raw"
    silence.write_bytes(bytes(64))
    result = subprocess.run(
        [
            *("aplay", "-D", "fake_dac_hires", "--dump-hw-params"),
            *("-t", "raw", "-f", "S16_LE", "-r", "44100", "-c", "2", str(silence)),
        ],
        capture_output=True,
        text=True,
        env=emulated.environ(),
        timeout=10,
        check=True,
    )
    dump = dict(
        line.split(":", 1)
        for line in result.stderr.splitlines()
        if line[:1].isupper() and ":" in line
    )
    configs = report.pcm("fake_dac_hires").configs
    assert set(dump["FORMAT"].split()) == {c.format for c in configs}
    assert dump["CHANNELS"].strip() == "[2 8]"
    assert dump["RATE"].strip() == "[44100 192000]"


@needs_rig
def test_fakehw_plays_at_the_pace_of_its_sample_clock(emulated: AlsaSetup, tmp_path: Path) -> None:
    quarter_second = tmp_path / "quarter.raw"
    quarter_second.write_bytes(bytes(48000 // 4 * 2 * 2))  # S16_LE stereo at 48 kHz
    start = time.monotonic()
    subprocess.run(
        [
            *("aplay", "-q", "-D", "fake_dac_48k16"),
            *("-t", "raw", "-f", "S16_LE", "-r", "48000", "-c", "2", str(quarter_second)),
        ],
        env=emulated.environ(),
        timeout=10,
        check=True,
    )
    assert 0.24 <= time.monotonic() - start < 1.5


@needs_rig
def test_a_device_held_by_another_process_is_busy(alsa_rig: rig.Rig) -> None:
    device = FakeDevice("fake_held", "Held DAC", rates=(48000,))
    setup = alsa_rig.setup([device])
    holder = rig.hold_open(setup, "fake_held")
    try:
        holder.wait_until_open(setup.directory / "locks" / "fake_held.lock")
        held = probe_with(setup).pcm("fake_held")
    finally:
        holder.stop()
    assert (held.status, held.errno, held.configs) == ("busy", errno.EBUSY, ())
    assert held.detail == "Device or resource busy"
    free = probe_with(setup).pcm("fake_held")
    assert (free.status, free.configs) == ("ok", expected_configs(device))


@needs_rig
def test_broken_denied_and_missing_entries(alsa_rig: rig.Rig) -> None:
    setup = alsa_rig.setup(
        [FakeDevice("fake_denied", "No access", open_error=errno.EACCES)],
        extra="\n".join(
            [
                'pcm.fake_broken { type fakehw formats [ "S16_XX" ] }',
                "pcm.fake_no_card { type hw card 7 device 0 }",
                "pcm.fake_no_plugin { type nosuchplugin }",
            ]
        ),
    )
    # alsa-lib's hints leave out hw entries whose card does not exist: ask for it
    report = probe_with(setup, "no_such_pcm", "fake_denied", "fake_no_card")
    denied = report.pcm("fake_denied")
    assert (denied.status, denied.errno, denied.source) == ("denied", errno.EACCES, "config")
    broken = report.pcm("fake_broken")
    assert (broken.status, broken.errno) == ("error", errno.EINVAL)
    assert "unknown format S16_XX" in broken.detail
    no_card = report.pcm("fake_no_card")
    assert (no_card.source, no_card.status, no_card.errno) == ("request", "absent", errno.ENOENT)
    no_plugin = report.pcm("fake_no_plugin")  # its plugin library is not installed
    assert (no_plugin.status, no_plugin.errno) == ("absent", errno.ENXIO)
    assert "libasound_module_pcm_nosuchplugin.so" in no_plugin.detail
    unknown = report.pcm("no_such_pcm")
    assert (unknown.source, unknown.status, unknown.errno) == ("request", "absent", errno.ENOENT)
    assert "Unknown PCM no_such_pcm" in unknown.detail
    assert [p.name for p in report.pcms].count("fake_denied") == 1  # asked for and listed


@needs_rig
def test_a_sound_server_that_is_not_running_is_absent_and_not_started(alsa_rig: rig.Rig) -> None:
    setup = alsa_rig.setup()
    pulse = probe_with(setup, "pulse", "default").pcm("pulse")
    assert (pulse.status, pulse.errno) == ("absent", errno.ECONNREFUSED)
    assert rig.processes_with(str(setup.directory), exclude=[os.getpid()]) == []


def stuck_between(alsa_rig: rig.Rig, *, hang: bool = False, crash: bool = False) -> AlsaSetup:
    """A device that hangs or crashes in open, between two that answer (hints keep the
    configuration's order, so one is probed before it and one after)."""
    return alsa_rig.setup(
        [
            FakeDevice("fake_before", "Answers first", rates=(44100, 48000)),
            FakeDevice("fake_stuck", "Stuck in open", hang_on_open=hang, crash_on_open=crash),
            FakeDevice("fake_after", "Answers last", rates=HIRES, channels_max=6),
        ]
    )


def probe_stuck(setup: AlsaSetup, **options: Any) -> tuple[AlsaReport, float]:
    with pytest.MonkeyPatch.context() as mp:
        setup.apply(mp)
        start = time.monotonic()
        report = alsa.probe(timeout=2.0, **options)
    seconds = time.monotonic() - start
    assert rig.processes_with(str(setup.directory), exclude=[os.getpid()]) == []
    return report, seconds


def assert_answered(report: AlsaReport, setup: AlsaSetup, *names: str) -> None:
    for name in names:
        pcm = report.pcm(name)
        assert (pcm.status, pcm.detail) == ("ok", ""), name
        assert pcm.configs == expected_configs(setup.device(name)), name


@needs_rig
def test_a_hanging_pcm_costs_only_itself(alsa_rig: rig.Rig) -> None:
    setup = stuck_between(alsa_rig, hang=True)
    report, seconds = probe_stuck(setup)
    assert seconds < 3  # the stuck PCM had a quarter of the time, a new worker did the rest
    assert_answered(report, setup, "fake_before", "fake_after")
    stuck = report.pcm("fake_stuck")
    assert (stuck.status, stuck.errno, stuck.configs) == ("timeout", None, ())
    assert stuck.detail == "did not answer within 0.5 s"
    assert (stuck.source, stuck.description) == ("config", "Stuck in open")
    assert report.complete is False
    assert [p.name for p in report.pcms].count("fake_stuck") == 1
    assert report.errors == (
        "alsa worker killed: fake_stuck did not answer within 0.5 s; a new worker probed the rest",
    )
    assert {"pulse", "oss"} <= {p.name for p in report.pcms}  # the system's, listed after ours


@needs_rig
def test_without_restarts_a_hang_keeps_what_came_before(alsa_rig: rig.Rig) -> None:
    setup = stuck_between(alsa_rig, hang=True)
    report, seconds = probe_stuck(setup, restarts=0)
    assert 1.5 < seconds < 3  # the one worker waits for it until the deadline
    assert_answered(report, setup, "fake_before")
    stuck = report.pcm("fake_stuck")
    assert stuck.status == "timeout"
    waited = re.fullmatch(r"did not answer within (\d\.\d) s", stuck.detail)
    assert waited and 1.0 <= float(waited[1]) <= 2.0  # the deadline, less the worker's start
    assert "fake_after" not in {p.name for p in report.pcms}  # never reached: listed nowhere
    assert report.complete is False
    (error,) = report.errors
    assert error.endswith("; it stopped before probing the rest")


@needs_rig
@pytest.mark.parametrize("restarts", [alsa.MAX_RESTARTS, 0])
def test_a_crash_in_alsa_lib_costs_only_the_crashed_pcm(alsa_rig: rig.Rig, restarts: int) -> None:
    setup = stuck_between(alsa_rig, crash=True)
    report, _ = probe_stuck(setup, restarts=restarts)
    crashed = report.pcm("fake_stuck")
    died = f"died of signal {signal.SIGABRT} (SIGABRT)"
    assert (crashed.status, crashed.errno, crashed.configs) == ("error", None, ())
    assert crashed.detail == f"the worker {died} while probing it"
    assert report.complete is False
    assert_answered(report, setup, "fake_before")
    if restarts:
        assert_answered(report, setup, "fake_after")
        then = "a new worker probed the rest"
    else:
        assert "fake_after" not in {p.name for p in report.pcms}
        then = "it stopped before probing the rest"
    assert report.errors == (f"alsa worker {died} while probing fake_stuck; {then}",)


@needs_rig
def test_portaudio_variables_do_not_reach_alsa_lib(alsa_rig: rig.Rig) -> None:
    # open_error is read from the worker's environment by alsa-lib's igetenv at open time
    setup = alsa_rig.setup(
        extra="\n".join(
            f"pcm.{name} {{ type fakehw "
            f"open_error {{ @func igetenv vars [ {variable} ] default 0 }} }}"
            for name, variable in [
                ("fake_env_portaudio", "PA_ALSA_PLUGHW"),
                ("fake_env_control", "CAPPROBE_TEST_VARIABLE"),
            ]
        )
    )
    with pytest.MonkeyPatch.context() as mp:
        setup.apply(mp)
        mp.setenv("PA_ALSA_PLUGHW", str(errno.EACCES))
        mp.setenv("CAPPROBE_TEST_VARIABLE", str(errno.EACCES))
        report = alsa.probe()
    assert report.pcm("fake_env_portaudio").status == "ok"
    assert report.pcm("fake_env_control").status == "denied"  # the knob itself works


def test_a_missing_library_is_file_not_found() -> None:
    with pytest.raises(FileNotFoundError, match="libasound-capprobe-missing"):
        alsa.probe(library="libasound-capprobe-missing.so.2")


# ---- the line protocol, with a scripted worker in place of alsa-lib

HEADER = {"kind": "header", "worker": alsa.WORKER_VERSION, "library_version": "9.9.9"}
END = {"kind": "end", "errors": [], "elapsed_ms": 1.0}


def scripted(monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """Make `probe` start `body` instead of the worker: Python with `emit(line)` (a JSON
    line, flushed), `hang()`, and `args` (the worker's arguments)."""
    prelude = (
        "import json, sys, time\n"
        "args = sys.argv[1:]\n"
        "def emit(line):\n"
        "    print(line if isinstance(line, str) else json.dumps(line), flush=True)\n"
        "def hang():\n"
        "    time.sleep(60)\n"
    )
    monkeypatch.setattr(alsa, "_worker_command", lambda: [sys.executable, "-c", prelude + body])


def test_a_worker_that_says_nothing_is_timeout_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    scripted(monkeypatch, "hang()")
    start = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        alsa.probe(timeout=0.5)
    assert time.monotonic() - start < 2


def test_a_line_that_is_not_one_is_a_worker_error(monkeypatch: pytest.MonkeyPatch) -> None:
    scripted(monkeypatch, f"emit({HEADER!r}); emit('Segmentation fault?'); hang()")
    start = time.monotonic()
    with pytest.raises(alsa.WorkerError, match="not an alsa worker line"):
        alsa.probe(timeout=5)
    assert time.monotonic() - start < 2  # given up at once, not at the deadline


def test_a_worker_that_dies_before_its_header_is_a_worker_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scripted(monkeypatch, "sys.stderr.write('boom\\n'); sys.exit(7)")
    with pytest.raises(alsa.WorkerError, match="exited with status 7 without a report: boom"):
        alsa.probe(timeout=5)


def test_a_hang_while_enumerating_keeps_the_header(monkeypatch: pytest.MonkeyPatch) -> None:
    card = {"index": 0, "id": "X", "driver": "d", "name": "n", "longname": "l", "error": None}
    scripted(
        monkeypatch,
        f"emit({HEADER!r}); emit({{'kind': 'start', 'step': 'cards'}}); "
        f"emit({{'kind': 'card', 'card': {card!r}}}); "
        f"emit({{'kind': 'start', 'step': 'hints'}}); hang()",
    )
    report = alsa.probe(timeout=1.0)
    assert (report.library_version, report.pcms, report.complete) == ("9.9.9", (), False)
    assert [c.id for c in report.cards] == ["X"]
    assert report.errors == (
        "alsa worker gave no answer while listing the configuration's PCMs; "
        "nothing after it was probed",
    )


def test_a_stuck_control_device_is_timeout_and_the_rest_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer: dict[str, Any] = {"status": "ok", "errno": None, "detail": "", "elds": []}
    scripted(
        monkeypatch,
        f"emit({HEADER!r})\n"
        "for name in [a for f, a in zip(args, args[1:]) if f == '--ctl']:\n"
        "    emit({'kind': 'start', 'control': name})\n"
        "    if name == 'ctl_stuck':\n"
        "        hang()\n"
        f"    emit({{'kind': 'control', 'control': {{'name': name, **{answer!r}}}}})\n"
        f"emit({END!r})\n",
    )
    report = alsa.probe(ctls=("ctl_a", "ctl_stuck", "ctl_b"), timeout=4.0, item_timeout=0.3)
    assert [(c.name, c.status) for c in report.controls] == [
        ("ctl_a", "ok"),
        ("ctl_stuck", "timeout"),
        ("ctl_b", "ok"),
    ]
    assert report.control("ctl_stuck").detail == "did not answer within 0.3 s"
    assert report.complete is False


def test_an_internal_failure_keeps_what_came_before(monkeypatch: pytest.MonkeyPatch) -> None:
    pcm: dict[str, Any] = {
        "name": "first",
        "description": None,
        "source": "request",
        "card": None,
        "device": None,
        "subdevices": None,
        "pcm_type": None,
        "plugin": None,
        "status": "absent",
        "errno": errno.ENOENT,
        "detail": "",
        "configs": [],
        "eld": None,
    }
    failure = {"kind": "internal", "detail": "RuntimeError('bug')"}
    scripted(
        monkeypatch,
        f"emit({HEADER!r}); emit({{'kind': 'pcm', 'pcm': {pcm!r}}}); "
        f"emit({{'kind': 'start', 'pcm': {{**{pcm!r}, 'name': 'second'}}}}); "
        f"emit({{'kind': 'failure', 'worker': {alsa.WORKER_VERSION}, 'error': {failure!r}}})",
    )
    report = alsa.probe(timeout=5.0, restarts=0)
    assert report.pcm("first").status == "absent"
    second = report.pcm("second")
    assert (second.status, second.detail) == (
        "error",
        "the worker failed: RuntimeError('bug') while probing it",
    )
    assert report.complete is False


def test_a_report_that_is_not_one_is_a_worker_error() -> None:
    with pytest.raises(alsa.WorkerError):
        alsa.parse_report({"worker": alsa.WORKER_VERSION, "cards": []})
    with pytest.raises(alsa.WorkerError):
        alsa.parse_report([])


# ---- the combination search on a space that is not a product (no ioplug can give one)


@dataclass
class SetSpace:
    """A hw_params space given by its accepted (format, channels, rate) triples."""

    accepted: frozenset[tuple[str, int, int]]
    asked: list[tuple[str, int, int]] = field(default_factory=list)
    fmt: str | None = None
    channels: int | None = None

    def _narrow(self, fmt: str | None, channels: int | None) -> SetSpace | None:
        left = {
            t
            for t in self.accepted
            if (fmt is None or t[0] == fmt) and (channels is None or t[1] == channels)
        }
        return SetSpace(frozenset(left), self.asked, fmt, channels) if left else None

    def narrow_format(self, name: str) -> SetSpace | None:
        return self._narrow(name, None)

    def sbits(self) -> int | None:
        return BITS[self.fmt] if self.fmt else None

    def channel_range(self) -> tuple[int, int]:
        counts = [t[1] for t in self.accepted]
        return (min(counts), max(counts))

    def narrow_channels(self, channels: int) -> SetSpace | None:
        return self._narrow(self.fmt, channels)

    def rate_range(self) -> tuple[int, int]:
        rates = [t[2] for t in self.accepted]
        return (min(rates), max(rates))

    def accepts_rate(self, rate: int) -> bool:
        assert self.fmt is not None and self.channels is not None
        self.asked.append((self.fmt, self.channels, rate))
        return (self.fmt, self.channels, rate) in self.accepted


def test_combinations_split_where_the_space_is_not_a_product() -> None:
    """A DAC taking 8 channels only up to 96 kHz, and S32_LE only up to 96 kHz."""
    up_to_96k = HIRES[:4]
    triples = {("S16_LE", 2, r) for r in HIRES}
    triples |= {("S16_LE", c, r) for c in range(3, 9) for r in up_to_96k}
    triples |= {("S32_LE", c, r) for c in range(2, 9) for r in up_to_96k}
    space = SetSpace(frozenset(triples))
    assert alsa_worker.combinations(space) == [
        AlsaConfig("S16_LE", 16, (2,), HIRES),
        AlsaConfig("S16_LE", 16, (3, 4, 5, 6, 7, 8), up_to_96k),
        AlsaConfig("S32_LE", 32, (2, 3, 4, 5, 6, 7, 8), up_to_96k),
    ]
    # only rates inside each (format, channels) range were asked, each once
    assert len(space.asked) == len(set(space.asked))
    inside = {r for r in STANDARD_RATES if 44100 <= r <= 96000}  # 64000 too: in range
    assert {r for f, c, r in space.asked if (f, c) != ("S16_LE", 2)} == inside
