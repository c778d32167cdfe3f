"""Turning what the host says about itself into the manifest's `platform` section."""

from __future__ import annotations

import re

_OS_NAMES = {"linux": "linux", "darwin": "macos", "win32": "windows", "cygwin": "windows"}
_ARCH_NAMES = {
    "amd64": "x86_64",
    "x64": "x86_64",
    "arm64": "aarch64",
    "i386": "i686",
    "x86": "i686",
}
_PLACEHOLDERS = {
    "",
    "to be filled by o.e.m.",
    "system product name",
    "system manufacturer",
    "default string",
    "not applicable",
    "none",
    "o.e.m.",
}


def os_name(sys_platform: str) -> str | None:
    for prefix, name in _OS_NAMES.items():
        if sys_platform.startswith(prefix):
            return name
    return None


def arch_name(machine: str) -> str | None:
    return _ARCH_NAMES.get(machine.lower(), machine) if machine else None


def musl_version(loader_output: str) -> str | None:
    """The version the musl dynamic loader prints about itself ("Version 1.2.4")."""
    m = re.search(r"^Version\s+(\S+)", loader_output, re.MULTILINE)
    return m.group(1) if m else None


def board_model(
    devicetree_model: bytes | None, dmi_vendor: str | None, dmi_product: str | None
) -> str | None:
    """ "Raspberry Pi 4 Model B Rev 1.4" from the device tree, else "Vendor Product" from DMI,
    ignoring the placeholders firmware writers leave in."""
    if devicetree_model:
        text = devicetree_model.rstrip(b"\0").decode("utf-8", errors="replace").strip()
        if text:
            return text
    parts = [
        p.strip() for p in (dmi_vendor, dmi_product) if p and p.strip().lower() not in _PLACEHOLDERS
    ]
    if parts and parts[-1].lower().startswith(parts[0].lower()):
        parts = parts[-1:]
    return " ".join(parts) or None
