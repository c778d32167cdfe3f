"""Children started ahead: taken over by the probe that asks for the same one, killed at
exit when nobody does."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from drivers import children
from drivers.alsa_protocol import LIBRARY
from tests.rig import alsa as rig
from tests.rig.alsa import FakeDevice

needs_rig = pytest.mark.skipif(
    rig.missing_build_tools() is not None,
    reason=f"the fakehw plugin cannot be built: {rig.missing_build_tools()}",
)


def test_a_child_started_ahead_is_taken_once_and_only_with_the_same_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAPPROBE_TEST_MARKER", "ahead")
    children.start_linux_audio()
    worker = children.alsa_worker("--library", LIBRARY)
    try:
        monkeypatch.setenv("CAPPROBE_TEST_MARKER", "changed")
        other = children.start(worker, children.quiet_environment())
        monkeypatch.setenv("CAPPROBE_TEST_MARKER", "ahead")
        taken = children.start(worker, children.quiet_environment())
        again = children.start(worker, children.quiet_environment())
        portaudio = children.start(children.portaudio_child(), children.quiet_environment())
        assert len({other.pid, taken.pid, again.pid}) == 3
        assert taken.stdin is None and portaudio.stdin is None  # the gate is their stdin
        # PortAudio waits for the worker (and nothing else) to let go of the gate
        assert taken.wait(30) == 0
        out, _ = portaudio.communicate(timeout=30)
        assert b'"devices"' in out
    finally:
        for process in (other, taken, again, portaudio):
            children.kill(process)


@needs_rig
def test_children_nobody_took_are_killed_at_exit(alsa_rig: rig.Rig) -> None:
    """A worker stuck in a device's open would otherwise outlive capprobe."""
    setup = alsa_rig.setup([FakeDevice("fake_stuck", "hangs", hang_on_open=True)])
    script = "from drivers import children; children.start_linux_audio()"
    result = subprocess.run(
        [sys.executable, "-c", script], env=setup.environ(), timeout=30, check=False
    )
    assert result.returncode == 0
    deadline = time.monotonic() + 5
    while rig.processes_with(str(setup.directory), exclude=[os.getpid()]):
        assert time.monotonic() < deadline, "a child outlived its parent"
        time.sleep(0.05)
