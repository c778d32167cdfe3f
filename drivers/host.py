"""The running process: interpreter, kernel, environment, clock and randomness."""

from __future__ import annotations

import os
import platform
import secrets
import struct
import sys
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class HostInfo:
    """What the interpreter knows about itself and the kernel under it."""

    system: str  # sys.platform: "linux", "darwin", "win32", ...
    machine: str  # the kernel's machine name: "x86_64", "aarch64", "AMD64", ...
    kernel: str
    pointer_bits: int | None  # of this interpreter, i.e. of the userspace it runs in
    glibc_version: str | None  # "2.36" when linked against glibc
    euid: int | None  # None where the OS has no such notion


def host_info() -> HostInfo:
    glibc: str | None = None
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):
        text = None
    if text and text.startswith("glibc "):
        glibc = text.split(" ", 1)[1]
    geteuid = getattr(os, "geteuid", None)
    return HostInfo(
        system=sys.platform,
        machine=platform.machine(),
        kernel=platform.release(),
        pointer_bits=struct.calcsize("P") * 8,
        glibc_version=glibc,
        euid=geteuid() if geteuid else None,
    )


def environ() -> dict[str, str]:
    return dict(os.environ)


def now() -> datetime:
    return datetime.now(UTC)


def random_hex(nbytes: int) -> str:
    return secrets.token_hex(nbytes)
