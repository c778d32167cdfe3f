"""The network driver on this machine's own interfaces (the namespace tests cover made-up ones)."""

from __future__ import annotations

from pathlib import Path

import netifaces
import pytest

from drivers import network
from drivers.answers import Answers
from drivers.files import Files

NET = Path("/sys/class/net")


def _physical_with_permanent_address() -> list[str]:
    names = []
    for entry in sorted(NET.iterdir()):
        try:
            permanent = (entry / "addr_assign_type").read_text().strip() == "0"
        except OSError:
            continue
        if permanent and (entry / "device").exists():
            names.append(entry.name)
    return names


@pytest.mark.skipif(
    not _physical_with_permanent_address(),
    reason="this machine has no physical interface with a permanent address",
)
def test_the_ethtool_permanent_address_is_the_burnt_in_one() -> None:
    """For a NIC whose address the kernel marks permanent, ETHTOOL_GPERMADDR must agree."""
    for name in _physical_with_permanent_address():
        current = (NET / name / "address").read_text().strip().lower()
        assert network.permanent_address(name) == current
        assert network.ethtool_driver(name)  # every bus device has a driver


def test_every_interface_is_read_as_netifaces_sees_it() -> None:
    found = network.interfaces(Files(), Answers())
    assert {i.name for i in found} == set(netifaces.interfaces())
    for i in found:
        link = netifaces.ifaddresses(i.name).get(netifaces.AF_LINK, [{}])[0].get("addr")
        if link:
            assert i.address == link.lower()
        assert i.permanent_address is None or len(i.permanent_address) == 17
    loopback = [i for i in found if i.flags & network.IFF_LOOPBACK]
    assert [i.name for i in loopback] == ["lo"]


def test_asking_ethtool_about_a_missing_interface_answers_none() -> None:
    assert network.permanent_address("no-such-if0") is None
    assert network.ethtool_driver("no-such-if0") is None
