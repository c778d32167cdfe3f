"""PortAudio through sounddevice, in its child process, on emulated ALSA devices."""

from __future__ import annotations

import subprocess
import time

import pytest

from drivers import portaudio
from tests.rig import alsa as rig
from tests.rig.alsa import FakeDevice

needs_rig = pytest.mark.skipif(
    rig.missing_build_tools() is not None,
    reason=f"the fakehw plugin cannot be built: {rig.missing_build_tools()}",
)


@needs_rig
def test_devices_and_the_rates_portaudio_accepts(
    alsa_rig: rig.Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = alsa_rig.setup(
        [
            FakeDevice("fake_dac_48k16", "stereo", rates=(44100, 48000)),
            FakeDevice(
                "fake_dac_hires",
                "hi-res",
                rates=(44100, 48000, 88200, 96000, 176400, 192000),
                formats=("S16_LE", "S24_3LE", "S32_LE"),
                channels_max=8,
            ),
        ]
    )
    setup.apply(monkeypatch)
    report = portaudio.report(timeout=20)
    assert "ALSA" in report.host_apis
    devices = {d.name: d for d in report.devices}
    assert devices["fake_dac_48k16"].rates == (44100, 48000)
    assert devices["fake_dac_48k16"].max_output_channels == 2
    assert devices["fake_dac_hires"].rates == (44100, 48000, 88200, 96000, 176400, 192000)
    assert devices["fake_dac_hires"].max_output_channels == 8
    assert devices["fake_dac_hires"].host_api == "ALSA"


@needs_rig
def test_a_portaudio_that_hangs_is_killed_at_the_deadline(
    alsa_rig: rig.Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PortAudio opens every PCM while it initialises; one whose open never returns hangs
    `import sounddevice` for good."""
    setup = alsa_rig.setup([FakeDevice("fake_stuck", "hangs", hang_on_open=True)])
    setup.apply(monkeypatch)
    start = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        portaudio.report(timeout=2)
    assert time.monotonic() - start < 6
