"""`capprobe run` on emulated devices and a real PulseAudio: the manifest's outputs and mixer
are exactly what the rig declares."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import capprobe
from tests.rig import alsa as rig
from tests.rig import pipewire as rig_pipewire
from tests.rig import pulse as rig_pulse
from tests.rig.alsa import AlsaSetup, FakeDevice

needs_rig = pytest.mark.skipif(
    rig.missing_build_tools() is not None or rig_pulse.missing_daemon() is not None,
    reason="scripts/setup installs the build tools and pulseaudio",
)

HIRES = [44100, 48000, 88200, 96000, 176400, 192000]
STEREO = FakeDevice("fake_dac_48k16", "Fake stereo DAC", rates=(44100, 48000))
SURROUND = FakeDevice(
    "fake_dac_hires",
    "Fake 7.1 DAC",
    rates=tuple(HIRES),
    formats=("S16_LE", "S24_3LE", "S32_LE"),
    channels_max=8,
)


def run(setup: AlsaSetup, *args: str) -> tuple[dict[str, Any], float]:
    start = time.monotonic()
    result = capprobe("run", "--output", "-", *args, env=setup.environ())
    elapsed = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document, elapsed


def outputs(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in document["audio_outputs"]}


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["status"] for p in document["probes"]}


def details(document: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["detail"] for p in document["probes"]}


@needs_rig
def test_the_manifest_reports_exactly_the_emulated_sets(
    alsa_rig: rig.Rig, pulse_server: rig_pulse.PulseServer
) -> None:
    pcms = [pulse_server.pcm("pa_hdmi51", "hdmi_51"), pulse_server.pcm("pa_hires", "dac_hires")]
    setup = alsa_rig.setup([STEREO, SURROUND], pulse_pcms=pcms, pulse_server=pulse_server.server)
    document, _ = run(setup)
    found = outputs(document)

    stereo = found["alsa:fake_dac_48k16"]
    assert stereo["configs"] == [
        {"format": "S16_LE", "bits": 16, "channels": [2], "rates": [44100, 48000]}
    ]
    assert (stereo["native"], stereo["busy"], stereo["name"]) == (True, False, "Fake stereo DAC")
    assert (stereo["max_rate"], stereo["max_bits"], stereo["max_channels"]) == (48000, 16, 2)
    assert "portaudio" in stereo["sources"]

    hires = found["alsa:fake_dac_hires"]
    channels = list(range(2, 9))
    assert hires["configs"] == [
        {"format": fmt, "bits": bits, "channels": channels, "rates": HIRES}
        for fmt, bits in (("S16_LE", 16), ("S24_3LE", 24), ("S32_LE", 32))
    ]
    assert (hires["max_rate"], hires["max_bits"], hires["max_channels"]) == (192000, 32, 8)

    # the server's sinks are outputs too, but only through its mixer; its ALSA client
    # PCMs (pa_hdmi51, pa_hires) are not outputs of their own
    sink = found["pulse:hdmi_51"]
    assert sink["configs"] == [{"format": "S16_LE", "bits": 16, "channels": [6], "rates": [48000]}]
    assert (sink["native"], sink["transport"]) == (False, "virtual")
    assert found["pulse:dac_hires"]["configs"][0]["rates"] == [192000]
    assert not {"alsa:pa_hdmi51", "alsa:pa_hires", "alsa:default"} & set(found)

    defaults = [o["id"] for o in document["audio_outputs"] if o["is_default"]]
    server_default = pulse_server.pactl("get-default-sink").stdout.strip()
    assert defaults == [f"pulse:{server_default}"]
    rate = {"hdmi_51": 48000, "dac_hires": 192000}[server_default]
    assert document["mixer"] == {"server": "PulseAudio", "rate": rate, "resamples": True}
    assert statuses(document)["audio.alsa"] == "ok"
    assert statuses(document)["audio.server"] == "ok"


@needs_rig
def test_a_busy_device_says_so(alsa_rig: rig.Rig) -> None:
    setup = alsa_rig.setup([STEREO])
    holder = rig.hold_open(setup, STEREO.name)
    try:
        holder.wait_until_open(setup.directory / "locks" / f"{STEREO.name}.lock")
        document, _ = run(setup)
    finally:
        holder.stop()
    held = outputs(document)[f"alsa:{STEREO.name}"]
    assert (held["busy"], held["configs"], held["max_rate"]) == (True, [], None)


@needs_rig
def test_a_hung_device_ends_in_timeouts_not_a_hung_run(alsa_rig: rig.Rig) -> None:
    """PortAudio and alsa-lib both open every PCM; one whose open never returns must cost
    no more than the run's timeout."""
    setup = alsa_rig.setup([STEREO, FakeDevice("fake_stuck", "hangs", hang_on_open=True)])
    document, elapsed = run(setup, "--timeout", "3")
    assert elapsed < 8
    got = statuses(document)
    assert got["audio.alsa"] == "timeout"  # with what did answer kept:
    assert outputs(document)["alsa:fake_dac_48k16"]["configs"] == [
        {"format": "S16_LE", "bits": 16, "channels": [2], "rates": [44100, 48000]}
    ]
    assert outputs(document)["alsa:fake_stuck"]["configs"] == []
    assert got["audio.portaudio"] == "timeout"  # PortAudio opens every PCM at import
    assert got["device_id"] == got["locale"] == "ok"
    assert document["device_id"] is not None


@needs_rig
def test_portaudio_opens_no_device_before_the_alsa_worker_is_done(
    alsa_rig: rig.Rig, tmp_path: Path
) -> None:
    """Both open every device, and an exclusive device open twice is busy for one of the
    two: PortAudio would leave it out, the worker would call it busy. Slow opens make the
    worker take longer than PortAudio's start, so without the wait they would overlap."""
    log = tmp_path / "opens"
    devices = [
        FakeDevice(f"fake_dac_{n}", f"DAC {n}", rates=(44100, 48000), open_log=log)
        for n in range(3)
    ] + [
        FakeDevice("fake_dac_slow", "DAC 3", rates=(44100, 48000), open_log=log, open_delay_ms=400)
    ]
    document, _ = run(alsa_rig.setup(devices))
    assert all(not o["busy"] for o in outputs(document).values())
    assert "4 output devices" in details(document)["audio.portaudio"]
    opens = [line.split() for line in log.read_text().splitlines()]
    order = list(dict.fromkeys(pid for pid, _ in opens))
    assert len(order) == 2  # the worker, then the PortAudio child
    times = {pid: [float(t) for p, t in opens if p == pid] for pid in order}
    assert len(times[order[0]]) == 4  # the worker opens each device once
    assert max(times[order[0]]) < min(times[order[1]])


@needs_rig
def test_a_pipewire_graph_gives_its_sinks_clock_and_default(
    alsa_rig: rig.Rig, pipewire_server: rig_pipewire.PipeWireServer
) -> None:
    setup = alsa_rig.setup([STEREO])
    env = setup.environ()
    del env["PULSE_SERVER"]  # the rig points ALSA's pulse plugin nowhere; clients ask PipeWire
    env["PIPEWIRE_RUNTIME_DIR"] = str(pipewire_server.runtime)
    result = capprobe("run", "--output", "-", env=env)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    found = outputs(document)
    assert found["pipewire:pw_hdmi51"]["configs"] == [
        {"format": "S16_LE", "bits": 16, "channels": [6], "rates": [48000]}
    ]
    assert found["pipewire:pw_hires"]["configs"] == [
        {"format": "S32_LE", "bits": 32, "channels": [2], "rates": [192000]}
    ]
    assert [o["id"] for o in document["audio_outputs"] if o["is_default"]] == ["pipewire:pw_hires"]
    assert document["mixer"] == {"server": "PipeWire", "rate": 96000, "resamples": False}
    assert found["alsa:fake_dac_48k16"]["native"] is True
