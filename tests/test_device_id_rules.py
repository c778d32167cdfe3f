"""Choosing the primary interface and making the ID: the rules, over plain interface data.

The namespace tests (test_device_id_netns.py) run the same rules on real kernel interfaces;
these cover what a namespace cannot make: physical NICs, Wi-Fi, USB, permanent addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import replace
from pathlib import Path

import pytest

from drivers import network
from drivers.answers import Answers
from drivers.files import Files
from probe import device_id, linux
from probe.device_id import FallbackSource, IdKey, candidates, decide
from probe.models import IdHistory, IdKind
from tests.conftest import CAPTURES

PCI = "/sys/devices/pci0000:00"
KEY = IdKey.vendor(b"0123456789abcdef-test-key\n")

NO_ANSWERS = Answers(lambda name: None)  # a snapshot that holds no answers


def nic(name: str, mac: str, **kw: object) -> network.Interface:
    """A physical onboard NIC unless the keywords say otherwise."""
    fields: dict[str, object] = {
        "name": name,
        "address": mac,
        "permanent_address": None,
        "addr_assign_type": 0,
        "arphrd_type": 1,
        "flags": 0x1003,
        "sysfs_path": f"{PCI}/0000:00:1f.6/net/{name}",
        "device_path": f"{PCI}/0000:00:1f.6",
        "driver": "e1000e",
        "devtype": None,
        "wireless": False,
        "bridge": False,
        "bond": False,
        "tun": False,
        "lower": (),
    }
    fields.update(kw)
    return network.Interface(**fields)  # type: ignore[arg-type]


def virtual(name: str, mac: str, **kw: object) -> network.Interface:
    base = {
        "sysfs_path": f"/sys/devices/virtual/net/{name}",
        "device_path": None,
        "driver": None,
        "addr_assign_type": 3,
    }
    return nic(name, mac, **{**base, **kw})


def expected(mac: str, key: IdKey = KEY) -> str:
    message = f"capprobe/device-id/v1\0mac\0{mac}".encode()
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()


def pick(interfaces: list[network.Interface], default: str | None = None) -> str:
    ranked, _ = candidates(interfaces, default)
    return ranked[0].interface.name


def test_hmac_follows_the_documented_formula() -> None:
    chosen = decide(KEY, candidates([nic("eth0", "3c:22:fb:00:00:01")], None)[0], [], None, "x")
    assert chosen.value == expected("3c:22:fb:00:00:01")
    assert chosen.scheme == f"hmac-sha256:v1:vendor-key:{KEY.fingerprint}"
    builtin = decide(
        IdKey.builtin(), candidates([nic("eth0", "3c:22:fb:00:00:01")], None)[0], [], None, "x"
    )
    assert builtin.value != chosen.value
    assert builtin.scheme == "hmac-sha256:v1:builtin-key"
    assert any("built-in key" in n for n in builtin.source.notes)


def test_key_file_rules() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        IdKey.vendor(b"short\n")
    assert IdKey.vendor(b"0123456789abcdef\n").secret == b"0123456789abcdef"


def test_default_route_wins_among_permanent_physical_nics() -> None:
    eth = nic("eth0", "3c:22:fb:00:00:01")
    wlan = nic("wlan0", "3c:22:fb:00:00:02", wireless=True, device_path=f"{PCI}/0000:00:14.3")
    assert pick([eth, wlan], default="wlan0") == "wlan0"
    assert pick([eth, wlan], default=None) == "eth0"


def test_onboard_ethernet_then_wifi_then_usb_whatever_the_names() -> None:
    usb = nic(
        "enx3c22fb000003", "3c:22:fb:00:00:03", device_path=f"{PCI}/0000:00:14.0/usb2/2-1/2-1:1.0"
    )
    wifi = nic("wlp2s0", "3c:22:fb:00:00:02", wireless=True, device_path=f"{PCI}/0000:02:00.0")
    eth = nic("zeth", "3c:22:fb:00:00:01", device_path=f"{PCI}/0000:03:00.0")
    assert pick([usb, wifi, eth]) == "zeth"
    assert pick([usb, wifi]) == "wlp2s0"
    ranked, _ = candidates([usb, wifi, eth], None)
    assert ranked[0].describe().endswith("onboard Ethernet")


def test_tie_break_is_bus_path_not_link_state() -> None:
    a = nic(
        "eth1", "3c:22:fb:00:00:01", device_path=f"{PCI}/0000:00:1c.0/0000:02:00.0", flags=0x1002
    )
    b = nic(
        "eth0", "3c:22:fb:00:00:02", device_path=f"{PCI}/0000:00:1c.4/0000:03:00.0", flags=0x1003
    )
    assert pick([a, b]) == "eth1"
    assert pick([replace(a, flags=0x1003), replace(b, flags=0x1002)]) == "eth1"


def test_the_permanent_address_is_hashed_not_a_randomized_one() -> None:
    wlan = nic(
        "wlan0",
        "7a:11:22:33:44:55",
        permanent_address="3c:22:fb:00:00:09",
        addr_assign_type=1,
        wireless=True,
    )
    ranked, left_out = candidates([wlan], "wlan0")
    assert not left_out
    assert (ranked[0].mac, ranked[0].permanent, ranked[0].tier) == ("3c:22:fb:00:00:09", True, 0)
    assert decide(KEY, ranked, [], None, "x").value == expected("3c:22:fb:00:00:09")


def test_locally_administered_and_virtual_only_when_nothing_else() -> None:
    local = nic("eth0", "02:00:5e:10:00:42")
    docker = virtual("docker0", "3c:22:fb:00:00:07", bridge=True, devtype="bridge")
    veth = virtual("vethab12cd", "3c:22:fb:00:00:08", driver="veth")
    good = nic("eth1", "3c:22:fb:00:00:01", addr_assign_type=3, device_path=f"{PCI}/0000:04:00.0")
    assert pick([local, docker, veth, good], default="eth0") == "eth1"
    assert pick([local, docker, veth], default="docker0") == "eth0"
    assert pick([docker, veth]) == "vethab12cd"  # a bridge ranks after the ports under it
    chosen = decide(KEY, candidates([local], None)[0], [], None, "x")
    assert "locally administered" in " ".join(chosen.source.notes)
    assert chosen.source.selection.startswith("no physical interface with a permanent")


def test_bridge_on_the_default_route_counts_its_ports() -> None:
    br = virtual("br0", "3c:22:fb:00:00:05", bridge=True, devtype="bridge", lower=("eth0",))
    eth0 = nic("eth0", "3c:22:fb:00:00:05", addr_assign_type=0)
    eth1 = nic("eth1", "3c:22:fb:00:00:06", device_path=f"{PCI}/0000:00:1c.0")
    ranked, _ = candidates([br, eth0, eth1], "br0")
    assert ranked[0].interface.name == "eth0"
    assert ranked[0].on_default_route


def test_unusable_interfaces_are_left_out_with_reasons() -> None:
    ranked, left_out = candidates(
        [
            nic("lo", "00:00:00:00:00:00", flags=0x9, arphrd_type=772, device_path=None),
            virtual("tun0", "", arphrd_type=65534, tun=True),
            virtual("veth0", "9a:bb:cc:dd:ee:01", addr_assign_type=1),
            nic("eth9", "01:00:5e:00:00:01"),
            nic("eth8", "ff:ff:ff:ff:ff:ff"),
        ],
        None,
    )
    assert ranked == []
    reasons = dict(line.split(": ", 1) for line in left_out)
    assert reasons["lo"] == "loopback"
    assert "not an Ethernet-like link" in reasons["tun0"]
    assert "randomized" in reasons["veth0"]
    assert "no usable MAC" in reasons["eth9"]
    assert "no usable MAC" in reasons["eth8"]


def test_fallback_sources_and_their_order() -> None:
    cpuinfo = (CAPTURES / "proc" / "rpi4-model-b-rev1.1-cpuinfo").read_text()
    assert device_id.board_serial(None, cpuinfo) == "10000000a43957f6"
    assert device_id.board_serial(b"10000000a43957f6\0", None) == "10000000a43957f6"
    assert device_id.board_serial(b"0000000000000000\0", "Serial\t\t: 0000000000000000") is None
    x86 = (CAPTURES / "proc" / "debian12-firecracker-cpuinfo").read_text()
    assert device_id.board_serial(None, x86) is None
    assert device_id.product_uuid("03000200-0400-0500-0006-000700080009\n") is None
    assert device_id.product_uuid("4C4C4544-0042-3510-8052-B3C04F4A4E32\n") == (
        "4c4c4544-0042-3510-8052-b3c04f4a4e32"
    )
    assert device_id.machine_id("uninitialized\n") is None
    assert device_id.machine_id("5f0c1e8a9b7d4c2e8f6a1b3c5d7e9f01\n") is not None

    fallbacks = [
        FallbackSource(IdKind.BOARD_SERIAL, "10000000a43957f6", "the board's firmware"),
        FallbackSource(IdKind.MACHINE_ID, "5f0c1e8a9b7d4c2e8f6a1b3c5d7e9f01", "/etc/machine-id"),
    ]
    chosen = decide(KEY, [], fallbacks, None, "x")
    assert chosen.source.kind is IdKind.BOARD_SERIAL
    assert chosen.source.selection.startswith("no usable network interface")
    assert chosen.value == KEY.derive(IdKind.BOARD_SERIAL, "10000000a43957f6")


def test_history_kept_replaced_and_generated() -> None:
    eth = nic("eth0", "3c:22:fb:00:00:01")
    wlan = nic("wlan0", "3c:22:fb:00:00:02", wireless=True, device_path=f"{PCI}/0000:00:14.3")
    first = decide(KEY, candidates([eth, wlan], "wlan0")[0], [], None, "x")
    assert (first.source.interface, first.source.history) == ("wlan0", IdHistory.NEW)
    # the Wi-Fi moved off the default route: the ID stays, and says why
    again = decide(KEY, candidates([eth, wlan], "eth0")[0], [], first, "x")
    assert (again.value, again.source.history, again.source.interface) == (
        first.value,
        IdHistory.KEPT,
        "wlan0",
    )
    assert any("kept from the earlier manifest" in n for n in again.source.notes)
    # the same manifest on another machine: a clone
    other = nic("eth0", "3c:22:fb:00:00:99")
    clone = decide(KEY, candidates([other], None)[0], [], first, "x")
    assert clone.value == expected("3c:22:fb:00:00:99")
    assert clone.source.history is IdHistory.REPLACED
    assert any("copied disk image" in n for n in clone.source.notes)
    # another key: a new ID, and the manifest says the key changed
    rekeyed = decide(IdKey.builtin(), candidates([eth, wlan], "wlan0")[0], [], first, "x")
    assert rekeyed.value != first.value
    assert any("another key" in n for n in rekeyed.source.notes)
    # nothing at all: random, then kept by later runs
    generated = decide(KEY, [], [], None, "f" * 64)
    assert generated.source.kind is IdKind.GENERATED
    assert decide(KEY, [], [], generated, "0" * 64).value == generated.value


def test_identity_probe_on_a_snapshot_of_a_laptop(tmp_path: Path) -> None:
    """A hand-made sysfs/procfs tree with real-shaped links: Wi-Fi holding the default route,
    an unplugged onboard NIC, docker0 and a veth."""
    sysfs = tmp_path / "sys"
    net = sysfs / "class" / "net"
    net.mkdir(parents=True)

    def add(name: str, device: str | None, mac: str, assign: int, extra: dict[str, str]) -> None:
        parent = sysfs / (device.lstrip("/").removeprefix("sys/") if device else "devices/virtual")
        node = parent / "net" / name
        node.mkdir(parents=True)
        (node / "address").write_text(mac + "\n")
        (node / "addr_assign_type").write_text(f"{assign}\n")
        (node / "type").write_text("1\n")
        (node / "flags").write_text("0x1003\n")
        (node / "ifindex").write_text("3\n")
        (node / "iflink").write_text(extra.pop("iflink", "3") + "\n")
        (node / "uevent").write_text(f"INTERFACE={name}\n" + extra.pop("uevent", ""))
        for entry in extra:
            (node / entry).mkdir()
        if device:
            os.symlink(os.path.relpath(parent, node), node / "device")
        os.symlink(os.path.relpath(node, net), net / name)

    add("enp0s31f6", f"{PCI}/0000:00:1f.6", "3c:22:fb:00:00:01", 0, {})
    add(
        "wlp0s20f3", f"{PCI}/0000:00:14.3", "3c:22:fb:00:00:02", 0, {"phy80211": "", "wireless": ""}
    )
    add("docker0", None, "02:42:ac:11:00:01", 3, {"uevent": "DEVTYPE=bridge\n", "bridge": ""})
    add("veth1a2b3c", None, "9e:aa:bb:cc:dd:ee", 1, {"iflink": "9"})
    proc = tmp_path / "proc" / "net"
    proc.mkdir(parents=True)
    (proc / "route").write_text(
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "wlp0s20f3\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
        "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
    )
    files = Files(tmp_path)
    found = {i.name: i for i in network.interfaces(files, NO_ANSWERS)}
    assert found["wlp0s20f3"].wireless
    assert found["wlp0s20f3"].device_path == f"{PCI}/0000:00:14.3"
    assert found["docker0"].bridge and found["docker0"].devtype == "bridge"
    assert found["docker0"].device_path is None
    assert found["enp0s31f6"].driver is None  # no driver link in this hand-made tree
    assert found["enp0s31f6"].permanent_address is None  # no ethtool answer in it

    outcome = linux.identity(files, NO_ANSWERS, KEY, None, "x")
    assert outcome.facts is not None
    assert outcome.facts.source.interface == "wlp0s20f3"
    assert outcome.facts.value == expected("3c:22:fb:00:00:02")
    assert "veth1a2b3c: randomized MAC" in outcome.detail
    assert "3c:22:fb" not in outcome.detail


def test_a_snapshot_link_cannot_lead_outside_it(tmp_path: Path) -> None:
    net = tmp_path / "sys" / "class" / "net"
    net.mkdir(parents=True)
    os.symlink("../../../../../../../../etc", net / "escape")
    files = Files(tmp_path)
    assert files.resolve("/sys/class/net/escape") == "/etc"
    assert not files.exists("/sys/class/net/escape/passwd")
    os.symlink("/etc", net / "absolute")
    assert files.resolve("/sys/class/net/absolute") == "/etc"
    assert not files.exists("/sys/class/net/absolute/passwd")
