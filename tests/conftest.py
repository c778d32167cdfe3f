"""Shared helpers: where the captures are, and how to run capprobe as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "fixtures" / "captures"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def capprobe(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `python -m probe ARGS` as its own process, the way an installer would."""
    return subprocess.run(
        [sys.executable, "-m", "probe", *args],
        capture_output=True,
        text=True,
        env=env if env is not None else dict(os.environ),
        timeout=timeout,
        check=False,
    )


def host_macs() -> set[str]:
    """This machine's own MAC addresses (never written to any file the tests keep)."""
    macs = set()
    for entry in Path("/sys/class/net").iterdir():
        try:
            mac = (entry / "address").read_text().strip().lower()
        except OSError:
            continue
        if mac and mac.strip("0:"):
            macs.add(mac)
    return macs


def mac_forms(mac: str) -> set[str]:
    """The spellings a MAC could leak in: with colons, dashes or nothing, any case."""
    bare = mac.replace(":", "").lower()
    return {mac.lower(), bare, mac.replace(":", "-").lower()}


@pytest.fixture
def manifest_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose default manifest location is inside the test's directory."""
    env = dict(os.environ)
    env["CAPPROBE_MANIFEST"] = str(tmp_path / "default" / "manifest.json")
    return env
