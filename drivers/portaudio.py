"""PortAudio through sounddevice, in a child process (drivers.portaudio_child).

PortAudio initialises (and enumerates every device) at `import sounddevice`, which can
block on a stuck JACK or sound server; the child is killed at the deadline instead. It runs
in drivers.children's quiet environment: no PA_ALSA_* switches, no server started. It
may have been started ahead of the run (drivers.children); it touches no device before
it is let (drivers.children).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from drivers import children
from drivers.portaudio_child import NO_LIBRARY


@dataclass(frozen=True)
class PaDevice:
    index: int
    name: str
    host_api: str
    max_output_channels: int
    default_rate: float
    rates: tuple[int, ...]  # those check_output_settings accepts at max channels
    is_default: bool


@dataclass(frozen=True)
class PaReport:
    version: str
    host_apis: tuple[str, ...]
    devices: tuple[PaDevice, ...]


def report(timeout: float) -> PaReport:
    """Ask the child: one started ahead goes on when the ALSA worker is done with the
    devices (drivers.children.start_linux_audio), a new one at once. FileNotFoundError
    when PortAudio is not installed, subprocess.TimeoutExpired when it does not answer in
    time."""
    answer = children.ask(children.portaudio_child(), children.quiet_environment(), timeout, True)
    stderr = answer.stderr.decode("utf-8", "replace").strip()
    if answer.returncode == NO_LIBRARY:
        raise FileNotFoundError(stderr or "PortAudio library not found")
    if answer.returncode != 0:
        last = answer.last_error_line() or f"exit {answer.returncode}"
        raise RuntimeError(f"PortAudio child failed: {last}")
    out = answer.stdout
    data = json.loads(out)
    devices = tuple(PaDevice(**{**d, "rates": tuple(d["rates"])}) for d in data["devices"])
    return PaReport(data["version"], tuple(data["host_apis"]), devices)
