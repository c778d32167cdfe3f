"""What the ALSA worker (drivers.alsa_worker) and its runner (drivers.alsa) share.

It imports nothing slow: the worker's start-up is on the run's critical path.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

LIBRARY = "libasound.so.2"
WORKER_VERSION = 3

# The rates the worker asks every PCM about; a rate outside them is never claimed.
STANDARD_RATES = (
    5512, 8000, 11025, 16000, 22050, 32000, 44100, 48000,
    64000, 88200, 96000, 176400, 192000, 352800, 384000,
)  # fmt: skip

# "timeout": the worker was killed while it waited for this PCM (or control device)
PcmStatus = Literal["ok", "busy", "denied", "absent", "error", "timeout"]
PcmSource = Literal["card", "config", "request"]
STATUSES: tuple[PcmStatus, ...] = ("ok", "busy", "denied", "absent", "error", "timeout")
SOURCES: tuple[PcmSource, ...] = ("card", "config", "request")


class AlsaConfig(NamedTuple):
    """A set of combinations the PCM accepts: every format x channels x rate product in it."""

    format: str  # alsa-lib's name: "S16_LE", "S24_3LE", "DSD_U32_BE", ...
    bits: int | None  # significant bits (snd_pcm_hw_params_get_sbits): 24 for 24-in-32
    channels: tuple[int, ...]
    rates: tuple[int, ...]  # the STANDARD_RATES accepted; others were not asked
