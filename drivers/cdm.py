"""Asking a CDM library its version by loading it in a throw-away child (drivers.cdm_child).

This is the one real test that the dynamic linker accepts the library here; it is done
only when asked (`capprobe run --check-load`), in a child killed at the deadline, and
when capprobe runs as root, as the library's owner, so a user's file never runs as root.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from drivers import children


@dataclass(frozen=True)
class LoadResult:
    version: str | None  # what GetCdmVersion returned
    error: str | None  # the dynamic linker's message, or why the child failed


def check_load(library: str, timeout: float, user: tuple[int, int] | None) -> LoadResult:
    """Raises subprocess.TimeoutExpired when the library does not answer in time."""
    answer = children.ask(children.cdm_child(library, user), children.environment(), timeout)
    try:
        said = json.loads(answer.stdout)
    except ValueError:
        last = answer.last_error_line()
        ending = f"the loading child ended with {answer.ending()}"
        return LoadResult(None, ending + (f": {last}" if last else ""))
    return LoadResult(said.get("version"), said.get("error"))
