"""The PortAudio child: `python -m drivers.portaudio_child`, run by drivers.portaudio.

PortAudio initialises, and opens every ALSA device it lists, at `import sounddevice`. A
device open twice at once is busy for one of the two openers, so the child first loads
what that import needs, then waits for EOF on stdin before importing it: it is held back
while the ALSA worker has the devices open (drivers.children.start_linux_audio).

Answers one JSON document on stdout: PortAudio's version, host APIs and output devices,
each with the rates of RATES that `check_output_settings` accepts at its maximum channel
count. PortAudio converts sample formats and pads channels (field-notes §4.3), so a check
says only which rates and channel counts a device takes, never its native bit depth.
Without the PortAudio library: the library's message on stderr, exit status 3.
"""

from __future__ import annotations

import json
import sys
from typing import Any

RATES = (44100, 48000, 88200, 96000, 176400, 192000, 352800, 384000)
NO_LIBRARY = 3


def gather() -> dict[str, Any]:
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


def _load_ahead() -> None:
    """What `import sounddevice` needs before PortAudio initialises: its compiled cffi
    module, and the library's path, which ctypes.util.find_library finds by running
    `ldconfig -p` (tens of milliseconds); remembered here for sounddevice's own call."""
    import ctypes.util
    import functools

    import _sounddevice  # noqa: F401

    ctypes.util.find_library = functools.cache(ctypes.util.find_library)
    ctypes.util.find_library("portaudio")


def main() -> int:
    _load_ahead()
    sys.stdin.buffer.read()
    try:
        found = gather()
    except OSError as e:  # sounddevice's "PortAudio library not found"
        print(e, file=sys.stderr)
        return NO_LIBRARY
    json.dump(found, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
