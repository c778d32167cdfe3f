"""Asking a CDM library its version by loading it in a throw-away child (drivers.cdm_child).

This is the one real test that the dynamic linker accepts the library here; it is done
only when asked (`capprobe run --check-load`), in a child killed at the deadline, and
when capprobe runs as root, as the library's owner, so a user's file never runs as root.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

from drivers import children


@dataclass(frozen=True)
class LoadResult:
    version: str | None  # what GetCdmVersion returned
    error: str | None  # the dynamic linker's message, or why the child failed


def check_load(library: str, timeout: float, user: tuple[int, int] | None) -> LoadResult:
    """Raises subprocess.TimeoutExpired when the library does not answer in time."""
    argv = children.cdm_child(library, user)
    process = children.start(argv, children.environment())
    try:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise subprocess.TimeoutExpired(argv, timeout) from None
    finally:
        children.kill(process)
    try:
        answer = json.loads(out)
    except ValueError:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:]
        return LoadResult(
            None,
            f"the loading child ended with exit {process.returncode}"
            + (f": {tail[0]}" if tail else ""),
        )
    return LoadResult(answer.get("version"), answer.get("error"))
