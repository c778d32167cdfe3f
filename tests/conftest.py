"""Shared helpers: where the captures are, and how to run capprobe as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rig import alsa as rig_alsa
from tests.rig import pipewire as rig_pipewire
from tests.rig import pulse as rig_pulse

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "fixtures" / "captures"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def capprobe(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `python -m probe ARGS` as its own process, the way an installer would."""
    return subprocess.run(
        [sys.executable, "-m", "probe", *args],
        capture_output=True,
        text=True,
        env=env if env is not None else dict(os.environ),
        timeout=timeout,
        check=False,
    )


def host_macs() -> set[str]:
    """This machine's own MAC addresses (never written to any file the tests keep)."""
    macs = set()
    for entry in Path("/sys/class/net").iterdir():
        try:
            mac = (entry / "address").read_text().strip().lower()
        except OSError:
            continue
        if mac and mac.strip("0:"):
            macs.add(mac)
    return macs


def mac_forms(mac: str) -> set[str]:
    """The spellings a MAC could leak in: with colons, dashes or nothing, any case."""
    bare = mac.replace(":", "").lower()
    return {mac.lower(), bare, mac.replace(":", "-").lower()}


@pytest.fixture
def manifest_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose default manifest location is inside the test's directory."""
    env = dict(os.environ)
    env["CAPPROBE_MANIFEST"] = str(tmp_path / "default" / "manifest.json")
    return env


# --- the audio test rig (tests/rig): emulated ALSA devices and a private PulseAudio ---


@pytest.fixture(scope="session")
def fakehw_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rig's ALSA plugins (tests/rig/fakehw.c, fakectl.c), compiled once per run; the
    path is fakehw's, and fakectl's lies beside it."""
    return rig_alsa.build_plugin(tmp_path_factory.getbasetemp() / "fakehw-cache")


@pytest.fixture(scope="session")
def alsa_rig(fakehw_plugin: Path, tmp_path_factory: pytest.TempPathFactory) -> rig_alsa.Rig:
    """Writes ALSA configurations of emulated devices: `alsa_rig.setup([FakeDevice(...)])`."""
    return rig_alsa.Rig(fakehw_plugin, tmp_path_factory.mktemp("alsa-rig"))


@pytest.fixture(scope="session")
def pulse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[rig_pulse.PulseServer]:
    """A private PulseAudio with two null sinks, stopped at the end of the session:
    `hdmi_51` (s16le 6ch 48000 Hz, 5.1) and `dac_hires` (s32le 2ch 192000 Hz)."""
    sinks = [
        rig_pulse.NullSink("hdmi_51", 48000, "s16le", 6, "surround-51", "Fake HDMI 5.1"),
        rig_pulse.NullSink("dac_hires", 192000, "s32le", 2, None, "Fake hi-res DAC"),
    ]
    with rig_pulse.PulseServer(tmp_path_factory.mktemp("pulse"), sinks) as server:
        yield server


@pytest.fixture(scope="session")
def pipewire_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[rig_pipewire.PipeWireServer]:
    """A private PipeWire, stopped at the end of the session: graph clock 96000 Hz, allowed
    44100/48000/96000/192000; sinks `pw_hdmi51` (S16LE 48000 Hz, 5.1) and `pw_hires` (S32LE
    192000 Hz, stereo, the default)."""
    sinks = [
        rig_pipewire.NullSink(
            "pw_hdmi51", "S16LE", 48000, ("FL", "FR", "RL", "RR", "FC", "LFE"), "Fake HDMI"
        ),
        rig_pipewire.NullSink("pw_hires", "S32LE", 192000, ("FL", "FR"), "Fake hi-res DAC"),
    ]
    directory = tmp_path_factory.mktemp("pipewire")
    with rig_pipewire.PipeWireServer(
        directory, sinks, 96000, (44100, 48000, 96000, 192000), "pw_hires"
    ) as pw:
        yield pw
