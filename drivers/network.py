"""Network interfaces and routes as the Linux kernel exposes them in sysfs and procfs.

Everything but the permanent address and the driver name is read through `Files`, so a
snapshot of sysfs and procfs replays it; those two need ethtool ioctls on the live system,
asked through `Answers` (a snapshot without them falls back to the bus device's driver link
and no permanent address).
"""

from __future__ import annotations

import ctypes
import fcntl
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass

from drivers.answers import Answers, Unrecorded
from drivers.files import Files

_NET = "/sys/class/net"
_SIOCETHTOOL = 0x8946
_ETHTOOL_GDRVINFO = 0x03
_ETHTOOL_GPERMADDR = 0x20
_MAX_ADDR_LEN = 32
_DRVINFO_SIZE = 196  # struct ethtool_drvinfo
IFF_LOOPBACK = 0x8


@dataclass(frozen=True)
class Interface:
    """One entry of /sys/class/net, as raw as it comes."""

    name: str
    address: str | None  # current link-layer address, lower case; None if it has none
    permanent_address: str | None  # ETHTOOL_GPERMADDR; None if unknown, unsupported or zero
    addr_assign_type: int | None  # 0 permanent, 1 random, 2 stolen, 3 set (NET_ADDR_*)
    arphrd_type: int | None  # 1 = Ethernet (Wi-Fi included), 772 = loopback, ...
    flags: int
    sysfs_path: str  # where the kernel keeps it: /sys/devices/virtual/... for virtual ones
    device_path: str | None  # the bus device behind it; None for virtual interfaces
    driver: str | None  # "veth", "bridge", "tun", "r8169", ...: ethtool's, else sysfs's
    devtype: str | None  # DEVTYPE from uevent: "wlan", "bridge", "vlan", "bond", ...
    wireless: bool
    bridge: bool
    bond: bool
    tun: bool
    lower: tuple[str, ...]  # devices under it: bridge ports, bond slaves, vlan parents


def interfaces(files: Files, answers: Answers) -> list[Interface]:
    """Every interface, skipping any that disappears while it is read."""
    found = []
    for name in files.listdir(_NET):
        try:
            found.append(_interface(files, answers, name))
        except FileNotFoundError:
            continue
    return found


def route_tables(files: Files) -> tuple[str | None, str | None]:
    """The text of /proc/net/route and /proc/net/ipv6_route (None where missing)."""
    tables: list[str | None] = []
    for path in ("/proc/net/route", "/proc/net/ipv6_route"):
        try:
            tables.append(files.read_text(path))
        except FileNotFoundError:
            tables.append(None)
    return tables[0], tables[1]


def _interface(files: Files, answers: Answers, name: str) -> Interface:
    base = f"{_NET}/{name}"
    uevent = _uevent(files, f"{base}/uevent")
    device_path = files.resolve(f"{base}/device") if files.exists(f"{base}/device") else None
    driver = _ethtool_answer(answers, f"ethtool -i {name}", lambda: ethtool_driver(name))
    if driver is None and files.exists(f"{base}/device/driver"):
        driver = files.resolve(f"{base}/device/driver").rsplit("/", 1)[-1]
    address = _optional(files, f"{base}/address")
    entries = set(files.listdir(base))
    lower = {e[len("lower_") :] for e in entries if e.startswith("lower_")}
    if "brif" in entries:
        lower.update(files.listdir(f"{base}/brif"))
    return Interface(
        name=name,
        address=address.lower() if address else None,
        permanent_address=_ethtool_answer(
            answers, f"ethtool -P {name}", lambda: permanent_address(name)
        ),
        addr_assign_type=_optional_int(files, f"{base}/addr_assign_type"),
        arphrd_type=_optional_int(files, f"{base}/type"),
        flags=_optional_int(files, f"{base}/flags") or 0,
        sysfs_path=files.resolve(base),
        device_path=device_path,
        driver=driver,
        devtype=uevent.get("DEVTYPE"),
        wireless="wireless" in entries or "phy80211" in entries or uevent.get("DEVTYPE") == "wlan",
        bridge="bridge" in entries,
        bond="bonding" in entries,
        tun="tun_flags" in entries,
        lower=tuple(sorted(lower)),
    )


def _ethtool_answer(answers: Answers, asked: str, live: Callable[[], str | None]) -> str | None:
    try:
        return answers.ask(asked, str | None, live)
    except Unrecorded:
        return None


def permanent_address(name: str) -> str | None:
    """The burnt-in address the driver reports (what `ethtool -P` prints), if any."""
    answer = _ethtool(name, _ETHTOOL_GPERMADDR, 8 + _MAX_ADDR_LEN, _MAX_ADDR_LEN)
    if answer is None:
        return None
    (size,) = struct.unpack_from("=I", answer, 4)
    raw = answer[8 : 8 + min(size, _MAX_ADDR_LEN)]
    if not raw or not any(raw):
        return None
    return ":".join(f"{b:02x}" for b in raw)


def ethtool_driver(name: str) -> str | None:
    """The kernel driver behind an interface (what `ethtool -i` prints as `driver`)."""
    answer = _ethtool(name, _ETHTOOL_GDRVINFO, _DRVINFO_SIZE)
    if answer is None:
        return None
    driver = answer[4:36].split(b"\0", 1)[0].decode("ascii", errors="replace")
    return driver or None


def _ethtool(name: str, command: int, size: int, argument: int = 0) -> bytes | None:
    """One SIOCETHTOOL request; None when the interface or driver does not answer it."""

    class _IfReq(ctypes.Structure):
        _fields_ = [
            ("ifr_name", ctypes.c_char * 16),
            ("ifr_data", ctypes.c_void_p),
            ("_pad", ctypes.c_char * 24),
        ]

    buf = ctypes.create_string_buffer(size)
    struct.pack_into("=II", buf, 0, command, argument)
    req = _IfReq(name.encode()[:15], ctypes.addressof(buf))
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            fcntl.ioctl(sock.fileno(), _SIOCETHTOOL, req)
    except OSError:
        return None
    return buf.raw


def _uevent(files: Files, path: str) -> dict[str, str]:
    try:
        text = files.read_text(path)
    except OSError:
        return {}
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def _optional(files: Files, path: str) -> str | None:
    try:
        value = files.read_text(path).strip()
    except OSError:  # missing, or EINVAL from attributes the device does not implement
        return None
    return value or None


def _optional_int(files: Files, path: str) -> int | None:
    value = _optional(files, path)
    if value is None:
        return None
    try:
        return int(value, 0)
    except ValueError:
        return None
