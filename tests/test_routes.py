"""The default-route interface from the kernel's route tables."""

from __future__ import annotations

from probe.routes import default_interface
from tests.conftest import CAPTURES

HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"


def test_real_tables_of_a_ci_like_vm() -> None:
    ipv4 = (CAPTURES / "proc" / "debian12-firecracker-route").read_text()
    ipv6 = (CAPTURES / "proc" / "debian12-firecracker-ipv6_route").read_text()
    assert default_interface(ipv4, ipv6) == "eth0"
    assert default_interface(None, ipv6) == "eth0"  # IPv6-only: the ::/0 route
    assert default_interface(HEADER, None) is None


def test_lowest_metric_wins_and_order_does_not_matter() -> None:
    table = HEADER + (
        "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
        "eth0\t00000000\t01FEA8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
        "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
    )
    assert default_interface(table, None) == "eth0"


def test_reject_and_down_routes_are_not_defaults() -> None:
    table = HEADER + (
        "*\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0\n"
        "eth1\t00000000\t01FEA8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n"  # not RTF_UP
        "wlan0\t00000000\t0101A8C0\t0203\t0\t0\t0\t00000000\t0\t0\t0\n"  # RTF_REJECT
    )
    assert default_interface(table, None) is None


def test_ipv6_unreachable_default_on_lo_is_skipped() -> None:
    zero = "0" * 32
    unreachable = f"{zero} 00 {zero} 00 {zero} ffffffff 00000001 00000000 00200200       lo\n"
    assert default_interface(None, unreachable) is None


def test_truncated_or_garbled_lines_are_skipped() -> None:
    table = HEADER + "eth0\t00000000\n" + "eth1\tzz\tzz\tzz\t0\t0\tzz\t00000000\t0\t0\t0\n"
    assert default_interface(table, "garbage line\n") is None
