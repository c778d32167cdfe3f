"""The default-route interface, from the kernel's route tables (/proc/net/route, ipv6_route)."""

from __future__ import annotations

RTF_UP = 0x0001
RTF_REJECT = 0x0200


def default_interface(ipv4: str | None, ipv6: str | None) -> str | None:
    """The interface of the best (lowest-metric) IPv4 default route, else of the IPv6 one."""
    return _best(_ipv4_defaults(ipv4 or "")) or _best(_ipv6_defaults(ipv6 or ""))


def _best(routes: list[tuple[int, str]]) -> str | None:
    return min(routes)[1] if routes else None


def _ipv4_defaults(text: str) -> list[tuple[int, str]]:
    found = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 8:
            continue
        iface, destination, _, flags, _, _, metric, mask = fields[:8]
        try:
            usable = int(flags, 16) & (RTF_UP | RTF_REJECT) == RTF_UP
            if destination == mask == "00000000" and usable and iface != "*":
                found.append((int(metric), iface))
        except ValueError:
            continue
    return found


def _ipv6_defaults(text: str) -> list[tuple[int, str]]:
    found = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 10:
            continue
        destination, prefix, _, _, _, metric, _, _, flags, iface = fields
        try:
            usable = int(flags, 16) & (RTF_UP | RTF_REJECT) == RTF_UP
            if int(destination, 16) == 0 and prefix == "00" and usable and iface != "lo":
                found.append((int(metric, 16), iface))
        except ValueError:
            continue
    return found
