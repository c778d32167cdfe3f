"""Running probes: each under its own deadline, all at once, every outcome recorded.

A probe is a named function that gathers one kind of fact through `drivers/` and says how
it went. Probes run on daemon threads, so one that hangs is abandoned at its deadline
(marked `timeout`) instead of holding up the run or the interpreter's exit.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from probe.models import ProbeRecord, Status

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    status: Status
    detail: str
    facts: T | None = None


class Unavailable(Exception):
    """Raised by a probe to end with a status other than ok, and a detail that says why."""

    def __init__(self, status: Status, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Probe(Generic[T]):
    name: str
    gather: Callable[[], Outcome[T]]


@dataclass
class Results:
    outcomes: dict[str, Outcome[Any]]
    records: list[ProbeRecord]

    def get(self, probe: Probe[T]) -> Outcome[T]:
        outcome: Outcome[T] = self.outcomes[probe.name]
        return outcome


def run(probes: Sequence[Probe[Any]], timeout: float, timed: bool = True) -> Results:
    """Run every probe concurrently; none may take longer than `timeout` seconds.

    With `timed` false the records carry no durations, so reproducible runs give
    identical manifests.
    """
    names = [p.name for p in probes]
    if len(set(names)) != len(names):
        raise ValueError(f"probe names must be unique: {names}")
    finished: dict[str, tuple[Outcome[Any], float]] = {}
    lock = threading.Lock()
    events = {p.name: threading.Event() for p in probes}

    def work(probe: Probe[Any]) -> None:
        start = time.monotonic()
        outcome = _guarded(probe)
        with lock:
            finished[probe.name] = (outcome, time.monotonic() - start)
        events[probe.name].set()

    deadline = time.monotonic() + timeout
    for probe in probes:
        threading.Thread(
            target=work, args=(probe,), name=f"probe:{probe.name}", daemon=True
        ).start()
    for probe in probes:
        events[probe.name].wait(max(0.0, deadline - time.monotonic()))

    outcomes: dict[str, Outcome[Any]] = {}
    records = []
    with lock:
        for probe in probes:
            if probe.name in finished:
                outcome, seconds = finished[probe.name]
            else:
                outcome = Outcome(Status.TIMEOUT, f"no answer within {timeout:g} s; abandoned")
                seconds = timeout
            outcomes[probe.name] = outcome
            ms = round(seconds * 1000, 1) if timed else None
            records.append(ProbeRecord(probe.name, outcome.status, outcome.detail, ms))
    records.sort(key=lambda r: r.name)
    return Results(outcomes, records)


def _guarded(probe: Probe[Any]) -> Outcome[Any]:
    try:
        return probe.gather()
    except Unavailable as e:
        return Outcome(e.status, e.detail)
    except FileNotFoundError as e:
        return Outcome(Status.ABSENT, f"not found: {e.filename or e}")
    except PermissionError as e:
        return Outcome(Status.DENIED, f"permission denied: {e.filename or e}")
    except subprocess.TimeoutExpired as e:
        return Outcome(Status.TIMEOUT, f"{e.cmd!r} gave no answer within {e.timeout:g} s")
    except Exception as e:  # a probe's bug must not take the run down; it is recorded
        return Outcome(Status.ERROR, f"{type(e).__name__}: {e}")
