"""Where the manifest goes by default on each OS."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

import pytest

from probe.locations import for_os


def test_linux() -> None:
    assert for_os("linux", {"HOME": "/home/pi"}, True).manifest() == PurePosixPath(
        "/var/lib/capprobe/manifest.json"
    )
    assert for_os("linux", {"HOME": "/home/pi"}, False).manifest() == PurePosixPath(
        "/home/pi/.local/share/capprobe/manifest.json"
    )
    assert for_os("linux", {"HOME": "/home/pi", "XDG_DATA_HOME": "/data"}, False).manifest() == (
        PurePosixPath("/data/capprobe/manifest.json")
    )
    with pytest.raises(LookupError, match="--output"):
        for_os("linux", {}, False).manifest()


def test_macos_and_windows() -> None:
    assert for_os("macos", {}, True).manifest() == PurePosixPath(
        "/Library/Application Support/capprobe/manifest.json"
    )
    assert for_os("windows", {"ProgramData": r"D:\PD"}, True).manifest() == PureWindowsPath(
        r"D:\PD\capprobe\manifest.json"
    )
    assert for_os("windows", {}, False).manifest() == PureWindowsPath(
        r"C:\ProgramData\capprobe\manifest.json"
    )


@pytest.mark.parametrize("os_name", ["linux", "macos", "windows"])
def test_the_environment_overrides_everywhere(os_name: str) -> None:
    location = for_os(os_name, {"CAPPROBE_MANIFEST": "/srv/fleet/m.json"}, True)
    assert str(location.manifest()).replace("\\", "/") == "/srv/fleet/m.json"
