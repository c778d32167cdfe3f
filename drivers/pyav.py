"""PyAV's decoders, asked in a child process (drivers.pyav_child) that is killed at the
deadline: loading a broken FFmpeg build must not take this process down or hold it up."""

from __future__ import annotations

import json
from dataclasses import dataclass

from drivers import children
from drivers.pyav_child import NOT_INSTALLED


@dataclass(frozen=True)
class PyAvReport:
    version: str  # PyAV's, "18.1.0"
    libavcodec: str  # the libavcodec it loaded, "62.28.102"
    audio_decoders: tuple[str, ...]  # FFmpeg decoder names: "eac3", "libopus", ...


def report(timeout: float) -> PyAvReport:
    """FileNotFoundError when PyAV is not installed, subprocess.TimeoutExpired when the child
    does not answer in time, RuntimeError when it crashes, ValueError when it answers
    something other than its JSON."""
    answer = children.ask(children.pyav_child(), children.environment(), timeout)
    if answer.returncode == NOT_INSTALLED:
        raise FileNotFoundError(answer.last_error_line() or "PyAV is not installed")
    if answer.returncode != 0:
        last = answer.last_error_line()
        raise RuntimeError(
            f"the PyAV child failed ({answer.ending()})" + (f": {last}" if last else "")
        )
    out = answer.stdout
    try:
        data = json.loads(out)
        return PyAvReport(data["version"], data["libavcodec"], tuple(data["audio_decoders"]))
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"the PyAV child answered {out[:80]!r}, not its JSON") from None
