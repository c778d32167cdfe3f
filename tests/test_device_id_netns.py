"""The device ID against real links the kernel made, each test in its own network namespace.

The unit tests feed `Interface` records to the selection rules; these check that what the
kernel really shows in sysfs and /proc/net/route (addr_assign_type, bridge ports, carrier,
routes) leads `capprobe run` to the documented choice, and that the manifest's `value` is
the documented HMAC, computed here without capprobe's code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.netns import Netns

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("ip") is None,
    reason="needs root and iproute2 for network namespaces",
)

# RFC 7042 documentation addresses (00-00-5E-10-00-00..FF: IANA's OUI, globally
# administered) and the same with the locally-administered bit set.
GLOBAL_A = "00:00:5e:10:00:0a"
GLOBAL_B = "00:00:5e:10:00:0b"
GLOBAL_C = "00:00:5e:10:00:0c"
GLOBAL_D = "00:00:5e:10:00:0d"
LOCAL_A = "02:00:5e:10:00:1a"
DOCKER = "02:42:ac:11:00:01"  # what Docker gives docker0

KEY = b"capprobe netns tests: a device maker's key\n"  # the newline is dropped
OTHER_KEY = b"capprobe netns tests: another maker's key"

NET_ADDR_RANDOM, NET_ADDR_SET = "1", "3"  # /sys/class/net/*/addr_assign_type


def secret(key: bytes) -> bytes:
    return key.rstrip()


def expected_value(kind: str, raw: str, key: bytes = KEY) -> str:
    """The documented ID: HMAC-SHA256(key, "capprobe/device-id/v1\\0KIND\\0RAW")."""
    message = b"capprobe/device-id/v1\0" + kind.encode() + b"\0" + raw.encode()
    return hmac.new(secret(key), message, hashlib.sha256).hexdigest()


def mac_id(mac: str, key: bytes = KEY) -> str:
    return expected_value("mac", mac.lower(), key)


def scheme(key: bytes) -> str:
    return f"hmac-sha256:v1:vendor-key:{hashlib.sha256(secret(key)).hexdigest()[:16]}"


@dataclass
class Run:
    manifest: dict[str, Any]

    @property
    def id(self) -> dict[str, Any]:
        device_id: dict[str, Any] = self.manifest["device_id"]
        return device_id

    @property
    def source(self) -> dict[str, Any]:
        source: dict[str, Any] = self.id["source"]
        return source

    @property
    def detail(self) -> str:
        """The device_id probe's line in `probes`, which lists the links left out."""
        (record,) = [p for p in self.manifest["probes"] if p["name"] == "device_id"]
        return str(record["detail"])


def assert_no_raw_mac(macs: list[str], *texts: str) -> None:
    """Raw identifiers go into the HMAC only: no MAC of the namespace, in any spelling."""
    assert macs
    for text in texts:
        lowered = text.lower()
        for mac in macs:
            for spelling in (mac, mac.replace(":", ""), mac.replace(":", "-")):
                assert spelling not in lowered, f"{spelling} leaked into {text[:200]!r}..."


class Prober:
    """Runs `capprobe run` in a namespace and checks every run for leaked MACs."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.keys: dict[bytes, Path] = {}
        self.count = 0
        # --output is always given, but a stray default location must not be the host's.
        self.env = {**os.environ, "CAPPROBE_MANIFEST": str(tmp_path / "default-manifest.json")}

    def key_file(self, key: bytes) -> Path:
        if key not in self.keys:
            path = self.tmp_path / f"key-{len(self.keys)}"
            path.write_bytes(key)
            self.keys[key] = path
        return self.keys[key]

    def fresh(self) -> Path:
        self.count += 1
        return self.tmp_path / f"manifest-{self.count}.json"

    def run(self, ns: Netns, output: Path | None = None, key: bytes = KEY) -> Run:
        """One run writing `output` (a new path unless given, so no earlier ID is kept)."""
        output = output or self.fresh()
        result = ns.capprobe_run(
            "--output", str(output), "--id-key-file", str(self.key_file(key)), env=self.env
        )
        assert result.returncode == 0, result.stderr
        text = output.read_text()
        assert_no_raw_mac(ns.macs(), text, result.stdout, result.stderr)
        manifest = json.loads(text)
        assert manifest["device_id"]["scheme"] == scheme(key)
        assert manifest["headers"]["X-Amzn-Device-Id"] == manifest["device_id"]["value"]
        return Run(manifest)


@pytest.fixture
def make_netns() -> Iterator[Callable[[], Netns]]:
    """Namespaces on demand, every one deleted afterwards, whatever the test did."""
    made: list[Netns] = []

    def make() -> Netns:
        ns = Netns.create()
        made.append(ns)
        return ns

    yield make
    left = [name for ns in made for name in ns.delete()]
    assert not left, f"namespaces not deleted: {left}"


@pytest.fixture
def ns(make_netns: Callable[[], Netns]) -> Netns:
    return make_netns()


@pytest.fixture
def prober(tmp_path: Path) -> Prober:
    return Prober(tmp_path)


def test_globally_administered_beats_locally_administered_on_the_default_route(
    ns: Netns, prober: Prober
) -> None:
    ns.veth("lan0", GLOBAL_A)
    ns.veth("lan1", LOCAL_A)
    ns.default_route("lan1", "198.51.100.2/24", "198.51.100.1")

    run = prober.run(ns)

    assert run.source["interface"] == "lan0"
    assert run.source["kind"] == "mac"
    assert run.id["value"] == mac_id(GLOBAL_A)
    assert run.source["history"] == "new"
    # `ip link add ... address` makes NET_ADDR_SET and a veth has no burnt-in address, so
    # no link in a namespace is permanent, and the manifest must not claim it is.
    assert ns.sysfs("lan0", "addr_assign_type") == NET_ADDR_SET
    assert run.source["permanent"] is False
    assert run.source["selection"].startswith("no physical interface with a permanent")
    assert "virtual interface with a globally administered MAC" in run.source["selection"]
    assert "on the default route" not in run.source["selection"]


def test_the_default_route_decides_between_equals_and_carrier_does_not(
    ns: Netns, prober: Prober
) -> None:
    ns.veth("lanA", GLOBAL_A)
    ns.veth("lanB", GLOBAL_B)
    ns.default_route("lanB", "203.0.113.2/24", "203.0.113.1")

    on_b = prober.run(ns)
    assert on_b.source["interface"] == "lanB"
    assert on_b.id["value"] == mac_id(GLOBAL_B)
    assert "on the default route" in on_b.source["selection"]

    ns.default_route("lanA", "198.51.100.2/24", "198.51.100.1")
    ns.ip("route", "add", "default", "via", "203.0.113.1", "dev", "lanB", "metric", "600")
    on_a = prober.run(ns)  # the lowest metric wins, as it does for the kernel
    assert on_a.source["interface"] == "lanA"
    assert on_a.id["value"] == mac_id(GLOBAL_A)

    ns.unplug("lanA")
    assert ns.sysfs("lanA", "carrier") == "0"
    assert "linkdown" in ns.ip("route", "show", "default")
    unplugged = prober.run(ns)
    assert unplugged.source["interface"] == "lanA"
    assert unplugged.id["value"] == mac_id(GLOBAL_A)


def test_an_unplugged_cable_keeps_the_earlier_id(ns: Netns, prober: Prober) -> None:
    ns.veth("lanA", GLOBAL_A)
    ns.veth("lanB", GLOBAL_B)
    ns.default_route("lanB", "203.0.113.2/24", "203.0.113.1")
    path = prober.fresh()

    first = prober.run(ns, path)
    assert first.source["interface"] == "lanB"
    assert first.source["history"] == "new"

    ns.unplug("lanB")
    ns.ip("link", "set", "lanB", "down")  # which also takes its routes away
    ns.default_route("lanA", "198.51.100.2/24", "198.51.100.1")
    assert prober.run(ns).source["interface"] == "lanA"  # what a new ID would come from

    second = prober.run(ns, path)
    assert second.id["value"] == first.id["value"] == mac_id(GLOBAL_B)
    assert second.source["history"] == "kept"
    assert second.source["interface"] == "lanB"
    assert any("a new ID would come from lanA" in note for note in second.source["notes"])


def test_a_bridge_port_is_preferred_to_its_bridge(ns: Netns, prober: Prober) -> None:
    ns.veth("port0", GLOBAL_B)
    ns.bridge("br0", GLOBAL_A, "port0")
    ns.default_route("br0", "198.51.100.2/24", "198.51.100.1")
    assert ns.sysfs("br0", "address") == GLOBAL_A  # a set address is not a port's

    run = prober.run(ns)

    assert run.source["interface"] == "port0"
    assert run.id["value"] == mac_id(GLOBAL_B)
    assert "on the default route" in run.source["selection"]


def test_equal_veths_are_ordered_by_name(ns: Netns, prober: Prober) -> None:
    ns.veth("zeth", GLOBAL_B, far_index=2)  # ifindex 2 here, far end's ifindex 2 there
    ns.veth("aeth", GLOBAL_A)
    assert ns.sysfs("zeth", "iflink") == ns.sysfs("zeth", "ifindex") == "2"

    assert prober.run(ns).source["interface"] == "aeth"


def test_docker_links_do_not_displace_the_uplink(ns: Netns, prober: Prober) -> None:
    ns.veth("veth1a2b3c")  # as Docker makes them: the kernel picks a random MAC
    ns.bridge("docker0", DOCKER, "veth1a2b3c")
    ns.veth("uplink0", GLOBAL_C)
    ns.default_route("uplink0", "203.0.113.2/24", "203.0.113.1")
    assert ns.sysfs("veth1a2b3c", "addr_assign_type") == NET_ADDR_RANDOM

    run = prober.run(ns)
    assert run.source["interface"] == "uplink0"
    assert run.id["value"] == mac_id(GLOBAL_C)
    assert re.search(r"left out .*veth1a2b3c: randomized MAC", run.detail), run.detail

    # Without the uplink the locally administered bridge is the best there is; the random
    # veth is still never a candidate.
    ns.ip("link", "delete", "uplink0")
    fallback = prober.run(ns)
    assert fallback.source["interface"] == "docker0"
    assert fallback.id["value"] == mac_id(DOCKER)
    assert "veth1a2b3c: randomized MAC" in fallback.detail
    assert any("locally administered" in note for note in fallback.source["notes"])


def test_a_cloned_image_gets_a_new_id(make_netns: Callable[[], Netns], prober: Prober) -> None:
    original, clone = make_netns(), make_netns()
    original.veth("lan0", GLOBAL_A)
    clone.veth("lan0", GLOBAL_D)  # same name, the clone's own card
    path = prober.fresh()

    first = prober.run(original, path)
    assert first.id["value"] == mac_id(GLOBAL_A)

    copied = prober.run(clone, path)  # the manifest came along with the disk image
    assert copied.id["value"] == mac_id(GLOBAL_D) != first.id["value"]
    assert copied.source["history"] == "replaced"
    assert any("copied disk image" in note for note in copied.source["notes"])


def test_the_key_decides_the_id(ns: Netns, prober: Prober) -> None:
    ns.veth("lan0", GLOBAL_A)
    path = prober.fresh()

    first = prober.run(ns, path)
    again = prober.run(ns)
    other = prober.run(ns, key=OTHER_KEY)
    assert first.id["value"] == again.id["value"] == mac_id(GLOBAL_A)
    assert other.id["value"] == mac_id(GLOBAL_A, OTHER_KEY) != first.id["value"]

    rekeyed = prober.run(ns, path, key=OTHER_KEY)  # an earlier ID under another key
    assert rekeyed.id["value"] == other.id["value"]
    assert rekeyed.source["history"] == "replaced"
    assert any("another key" in note for note in rekeyed.source["notes"])


_PLACEHOLDER_UUIDS = {
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "03000200-0400-0500-0006-000700080009",
    "00020003-0004-0005-0006-000700080009",
}


def _read(*paths: str) -> str | None:
    for path in paths:
        try:
            return Path(path).read_bytes().rstrip(b"\0").decode().strip().lower()
        except (OSError, UnicodeDecodeError):
            continue
    return None


def fallback_identifier() -> tuple[str, str]:
    """The first identifier other than a MAC, read here in the documented order (board
    serial, DMI product UUID, machine-id) rather than trusted to the probe."""
    serial = _read("/proc/device-tree/serial-number", "/sys/firmware/devicetree/base/serial-number")
    for line in [] if serial else (_read("/proc/cpuinfo") or "").splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "serial" and value.strip().strip("0"):
            serial = value.strip()
            break
    if serial and serial.strip("0"):
        return "board-serial", serial
    uuid = _read("/sys/class/dmi/id/product_uuid")
    if uuid and uuid not in _PLACEHOLDER_UUIDS:
        return "dmi-product-uuid", uuid
    machine_id = _read("/etc/machine-id", "/var/lib/dbus/machine-id")
    assert machine_id and re.fullmatch(r"[0-9a-f]{32}", machine_id), "no identifier to compare"
    return "machine-id", machine_id


def test_without_a_usable_mac_the_id_comes_from_elsewhere(ns: Netns, prober: Prober) -> None:
    ns.veth("veth0")  # random MAC, the only link besides lo

    run = prober.run(ns)

    kind, raw = fallback_identifier()
    assert run.source["kind"] == kind != "mac"
    assert run.id["value"] == expected_value(kind, raw)
    assert run.source["interface"] is None
    assert run.source["permanent"] is None
    assert run.source["selection"].startswith(f"no usable network interface; the {kind} from")
    assert "lo: loopback" in run.detail
    assert "veth0: randomized MAC" in run.detail


def test_no_raw_mac_in_any_output(ns: Netns, prober: Prober) -> None:
    """Every run above is checked too; this one has every kind of link, and stdout output."""
    ns.veth("lan0", GLOBAL_A)
    ns.veth("lan1", LOCAL_A)
    ns.veth("port0", GLOBAL_B)
    ns.veth("vethdead")
    ns.bridge("br0", GLOBAL_C, "port0", "vethdead")
    ns.default_route("lan1", "198.51.100.2/24", "198.51.100.1")
    macs = ns.macs()
    assert {GLOBAL_A, GLOBAL_B, GLOBAL_C, LOCAL_A} < set(macs)

    prober.run(ns)
    result = ns.capprobe_run(
        "--output", "-", "--id-key-file", str(prober.key_file(KEY)), env=prober.env
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["device_id"]["value"] == mac_id(GLOBAL_A)
    assert_no_raw_mac(macs, result.stdout, result.stderr)


ORACLE = """
import json, netifaces
from drivers import network
from drivers.answers import Answers
from drivers.files import Files
from probe import routes
files = Files()
print(json.dumps({
    "driver": {i.name: i.address for i in network.interfaces(files, Answers())},
    "netifaces": {
        name: netifaces.ifaddresses(name)[netifaces.AF_LINK][0]["addr"].lower()
        for name in netifaces.interfaces()
    },
    "route": routes.default_interface(*network.route_tables(files)),
    "gateway": netifaces.gateways()["default"][netifaces.AF_INET][1],
}))
"""


def test_the_driver_agrees_with_netifaces(ns: Netns) -> None:
    ns.veth("lanA", GLOBAL_A)
    ns.veth("lanB", LOCAL_A)
    ns.veth("port0", GLOBAL_B)
    ns.veth("veth9")
    ns.bridge("br0", GLOBAL_C, "port0")
    ns.default_route("lanB", "203.0.113.2/24", "203.0.113.1")

    seen = ns.python(ORACLE)

    assert seen["driver"] == seen["netifaces"]
    assert set(seen["driver"]) == {"lo", "lanA", "lanB", "port0", "veth9", "br0"}
    assert seen["route"] == seen["gateway"] == "lanB"
