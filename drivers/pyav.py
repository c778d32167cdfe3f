"""PyAV's decoders, asked in a child process (drivers.pyav_child) that is killed at the
deadline: loading a broken FFmpeg build must not take this process down or hold it up."""

from __future__ import annotations

import json
import subprocess
import sys
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
    argv = [sys.executable, "-m", "drivers.pyav_child"]
    process = children.start(argv, children.environment())
    try:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise subprocess.TimeoutExpired(argv, timeout) from None
    finally:
        children.kill(process)
    stderr = err.decode("utf-8", "replace").strip()
    if process.returncode == NOT_INSTALLED:
        raise FileNotFoundError(stderr or "PyAV is not installed")
    if process.returncode != 0:
        how = (
            f"killed by signal {-process.returncode}"
            if process.returncode < 0
            else f"exit status {process.returncode}"
        )
        last = stderr.splitlines()[-1:]
        raise RuntimeError(f"the PyAV child failed ({how})" + (f": {last[0]}" if last else ""))
    try:
        data = json.loads(out)
        return PyAvReport(data["version"], data["libavcodec"], tuple(data["audio_decoders"]))
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"the PyAV child answered {out[:80]!r}, not its JSON") from None
