"""Probes run together, each under its own deadline, and every outcome is recorded."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

from drivers import commands
from probe import framework
from probe.framework import Outcome, Probe, Unavailable
from probe.models import Status


def test_a_hung_probe_times_out_and_the_others_finish() -> None:
    release = threading.Event()

    def wait_for_release() -> Outcome[None]:
        release.wait()
        return Outcome(Status.OK, "late")

    hung = Probe("hung", wait_for_release)
    quick = Probe("quick", lambda: Outcome(Status.OK, "fine", 42))
    start = time.monotonic()
    results = framework.run([hung, quick], timeout=0.5)
    elapsed = time.monotonic() - start
    release.set()
    assert elapsed < 2
    assert results.get(quick).facts == 42
    assert results.get(hung).status is Status.TIMEOUT
    assert "0.5 s" in results.get(hung).detail
    assert [r.name for r in results.records] == ["hung", "quick"]
    assert results.records[0].ms == 500


def test_probes_run_concurrently() -> None:
    barrier = threading.Barrier(3, timeout=5)

    def meet() -> Outcome[None]:
        barrier.wait()  # only returns when all three run at the same time
        return Outcome(Status.OK, "met")

    results = framework.run([Probe(f"p{i}", meet) for i in range(3)], timeout=10)
    assert {r.status for r in results.records} == {Status.OK}


def test_failures_become_statuses_with_details() -> None:
    def missing() -> Outcome[None]:
        raise FileNotFoundError(2, "No such file", "/proc/asound/cards")

    def denied() -> Outcome[None]:
        raise PermissionError(13, "Permission denied", "/sys/class/dmi/id/product_uuid")

    def broken() -> Outcome[None]:
        raise KeyError("surprise")

    def hung_tool() -> Outcome[None]:
        commands.run(["sleep", "30"], timeout=0.2)
        return Outcome(Status.OK, "never")

    def not_here() -> Outcome[None]:
        raise Unavailable(Status.NOT_APPLICABLE, "no ALSA on this OS")

    probes = [Probe(f.__name__, f) for f in (missing, denied, broken, hung_tool, not_here)]
    results = framework.run(probes, timeout=10)
    got = {r.name: (r.status, r.detail) for r in results.records}
    assert got["missing"] == (Status.ABSENT, "not found: /proc/asound/cards")
    assert got["denied"] == (Status.DENIED, "permission denied: /sys/class/dmi/id/product_uuid")
    assert got["broken"] == (Status.ERROR, "KeyError: 'surprise'")
    assert got["hung_tool"][0] is Status.TIMEOUT
    assert "sleep" in got["hung_tool"][1]
    assert got["not_here"] == (Status.NOT_APPLICABLE, "no ALSA on this OS")


def test_untimed_runs_record_no_durations() -> None:
    results = framework.run([Probe("a", lambda: Outcome(Status.OK, ""))], timeout=1, timed=False)
    assert results.records[0].ms is None


def test_a_hung_command_is_killed_with_its_children() -> None:
    marker = f"{30 + os.getpid() % 1000 / 1000:.3f}"  # a sleep only this test starts
    start = time.monotonic()
    try:
        commands.run(["sh", "-c", f"sleep {marker} & sleep {marker}; wait"], timeout=0.3)
    except subprocess.TimeoutExpired:
        pass
    else:
        raise AssertionError("the command should have timed out")
    assert time.monotonic() - start < 5
    time.sleep(0.1)
    assert not [p for p in Path("/proc").glob("[0-9]*") if _cmdline(p) == f"sleep {marker}"]


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""
