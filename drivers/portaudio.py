"""PortAudio through sounddevice, in a child process.

PortAudio initialises (and enumerates every device) at `import sounddevice`, which can
block on a stuck JACK or sound server; the child is killed at the deadline instead. It does
not inherit the PA_ALSA_* variables, which switch hw devices to converting plughw ones.

PortAudio converts sample formats and pads channels (field-notes §4.3), so a check says
only which rates and channel counts a device takes, never its native bit depth.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Any

from drivers import commands

RATES = (44100, 48000, 88200, 96000, 176400, 192000, 352800, 384000)
MISSING_LIBRARY = "PortAudio library not found"


@dataclass(frozen=True)
class PaDevice:
    index: int
    name: str
    host_api: str
    max_output_channels: int
    default_rate: float
    rates: tuple[int, ...]  # of RATES, those check_output_settings accepts at max channels
    is_default: bool


@dataclass(frozen=True)
class PaReport:
    version: str
    host_apis: tuple[str, ...]
    devices: tuple[PaDevice, ...]


def report(timeout: float) -> PaReport:
    """Ask a child process; FileNotFoundError when PortAudio is not installed,
    subprocess.TimeoutExpired when it does not answer in time."""
    variables: dict[str, str | None] = {k: None for k in os.environ if k.startswith("PA_ALSA_")}
    result = commands.run([sys.executable, "-m", "drivers.portaudio"], timeout, variables)
    if MISSING_LIBRARY in result.stderr:
        raise FileNotFoundError(MISSING_LIBRARY)
    if result.returncode != 0:
        tail = result.stderr.strip().splitlines()[-1:] or [f"exit {result.returncode}"]
        raise RuntimeError(f"PortAudio child failed: {tail[0]}")
    data = json.loads(result.stdout)
    devices = tuple(PaDevice(**{**d, "rates": tuple(d["rates"])}) for d in data["devices"])
    return PaReport(data["version"], tuple(data["host_apis"]), devices)


def _gather() -> dict[str, Any]:
    import sounddevice as sd

    apis = [api["name"] for api in sd.query_hostapis()]
    default_out = sd.default.device[1]
    devices = []
    for index, dev in enumerate(sd.query_devices()):
        channels = int(dev["max_output_channels"])
        if channels < 1:
            continue
        rates = []
        for rate in RATES:
            try:
                sd.check_output_settings(device=index, channels=channels, samplerate=rate)
            except sd.PortAudioError:
                continue
            rates.append(rate)
        devices.append(
            {
                "index": index,
                "name": dev["name"],
                "host_api": apis[dev["hostapi"]],
                "max_output_channels": channels,
                "default_rate": float(dev["default_samplerate"]),
                "rates": rates,
                "is_default": index == default_out,
            }
        )
    return {"version": sd.get_portaudio_version()[1], "host_apis": apis, "devices": devices}


if __name__ == "__main__":
    json.dump(_gather(), sys.stdout)
