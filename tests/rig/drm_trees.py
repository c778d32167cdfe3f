"""Mirrored /sys/class/drm and /sys/class/graphics trees (snapshot roots for
drivers.files.Files), laid out from the real captures in fixtures/captures/sysfs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.conftest import CAPTURES

SYSFS = CAPTURES / "sysfs"


def connector(
    root: Path,
    entry: str,
    status: str,
    modes: str | None = None,
    enabled: str | None = None,
    edid: bytes | None = None,
) -> Path:
    """/sys/class/drm/ENTRY with the files given; the ones left as None do not exist."""
    path = root / "sys" / "class" / "drm" / entry
    path.mkdir(parents=True, exist_ok=True)
    (path / "status").write_text(status + "\n")
    for name, text in (("modes", modes), ("enabled", enabled)):
        if text is not None:
            (path / name).write_text(text)
    if edid is not None:
        (path / "edid").write_bytes(edid)
    return path


def copy_connectors(root: Path, capture: str) -> None:
    """A capture directory that holds connector directories, as /sys/class/drm."""
    shutil.copytree(SYSFS / "drm" / capture, root / "sys" / "class" / "drm", dirs_exist_ok=True)


def framebuffer(root: Path, fb: str, name: str, virtual_size: str) -> Path:
    path = root / "sys" / "class" / "graphics" / fb
    path.mkdir(parents=True)
    (path / "name").write_text(name + "\n")
    (path / "virtual_size").write_text(virtual_size + "\n")
    return path


def fbset(text: str) -> tuple[str, str]:
    """The driver name and `virtual_size` ("320,240") an `fbset -i` report shows: the
    virtual resolution is the third and fourth number of its geometry line."""
    geometry = re.search(r"geometry (\d+) (\d+) (\d+) (\d+)", text)
    name = re.search(r"Name\s+: (.+)", text)
    assert geometry and name, text
    return name[1].strip(), f"{geometry[3]},{geometry[4]}"


def fbtft_dmesg(text: str) -> tuple[str, str, str]:
    """The framebuffer, driver and size fbtft announces ("graphics fb4: fb_st7735r frame
    buffer, 128x160, ..."); fbtft's virtual size is its visible one."""
    found = re.search(r"graphics (fb\d+): (\S+) frame buffer, (\d+)x(\d+)", text)
    assert found, text
    return found[1], found[2], f"{found[3]},{found[4]}"


def kmsprint(text: str) -> dict[str, tuple[str, str]]:
    """Connector name -> (status, modes file) from `kmsprint` (and `kmsprint -m`): its mode
    lines name each mode "WxH@refresh", the kernel's modes file "WxH"."""
    found: dict[str, tuple[str, str]] = {}
    current = ""
    for line in text.splitlines():
        head = re.match(r"Connector \d+ \(\d+\) (\S+) \((\w+)\)", line)
        mode = re.match(r"\s+\d+ (\d+x\d+i?)@", line)
        if head:
            current = head[1]
            found.setdefault(current, (head[2], ""))
        elif mode:
            status, modes = found[current]
            found[current] = (status, modes + mode[1] + "\n")
    return found


def sysctl(text: str) -> dict[str, str]:
    """Attribute -> value of one connector from FreeBSD drm-kmod's `sysctl` listing, which
    serves the same show functions as Linux's sysfs; a value may run over several lines."""
    found: dict[str, str] = {}
    current = ""
    for line in text.splitlines():
        head = re.match(r"sys\.device\.\S+\.card\d+-[\w-]+\.(\w+): (.*)", line)
        if head:
            current = head[1]
            found[current] = head[2] + "\n"
        else:
            found[current] += line + "\n"
    return found
