"""Throwaway network namespaces with real links, for tests that need the kernel's own sysfs.

Each `Netns` is a pair: the namespace the probe runs in, and a "wire" namespace that holds
the far end of every veth. Keeping the peers out of the probe's namespace means it sees
exactly the links a test made (a peer would be one more candidate), and pulling a cable is
setting the far end down: the near end loses carrier but keeps its address and routes,
as a real NIC does.

`ip netns exec` (unlike `unshare -n`) mounts a fresh sysfs, so /sys/class/net inside shows
the namespace's links. No namespace is ever connected to the host, so nothing leaves it.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 20.0  # seconds for any one command; a probe run takes about half a second

# The IPv6 knobs a namespace starts with would send router solicitations and DAD probes
# down every veth; those never leave the namespaces, but quiet is easier to reason about.
_QUIET_IPV6 = (
    "for f in /proc/sys/net/ipv6/conf/default/disable_ipv6 "
    "/proc/sys/net/ipv6/conf/all/disable_ipv6; do [ -w $f ] && echo 1 > $f; done; true"
)


class CommandFailed(AssertionError):
    """A helper command failed; the message carries its stderr, which CalledProcessError hides."""


def run(
    argv: Sequence[str],
    *,
    check: bool = True,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        list(argv),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(env) if env is not None else None,
        cwd=cwd,
        check=False,
    )
    if check and result.returncode != 0:
        raise CommandFailed(
            f"{' '.join(argv)} exited with {result.returncode}: {result.stderr.strip()}"
        )
    return result


@dataclass
class Netns:
    name: str
    wire: str
    peers: dict[str, str] = field(default_factory=dict)  # link here -> its peer in `wire`

    @classmethod
    def create(cls) -> Netns:
        """A fresh pair with `lo` up; half-made pairs are removed before the error rises."""
        name = f"capprobe-test-{secrets.token_hex(4)}"
        ns = cls(name, f"{name}-wire")
        try:
            for each in (ns.name, ns.wire):
                run(["ip", "netns", "add", each])
                run(["ip", "-n", each, "link", "set", "lo", "up"])
                run(["ip", "netns", "exec", each, "sh", "-c", _QUIET_IPV6])
        except BaseException:
            ns.delete()
            raise
        return ns

    def delete(self) -> list[str]:
        """Remove both namespaces (their links go with them); the names still present after."""
        for each in (self.name, self.wire):
            run(["ip", "netns", "delete", each], check=False)
        listed = run(["ip", "netns", "list"], check=False).stdout.split()
        return [each for each in (self.name, self.wire) if each in listed]

    # -- commands inside ---------------------------------------------------------------

    def ip(self, *args: str) -> str:
        """`ip` inside the probe's namespace."""
        return run(["ip", "-n", self.name, *args]).stdout

    def wire_ip(self, *args: str) -> str:
        return run(["ip", "-n", self.wire, *args]).stdout

    def exec(
        self, *argv: str, env: Mapping[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """A command inside the namespace, with its own /sys, from the repository root."""
        return run(["ip", "netns", "exec", self.name, *argv], env=env, cwd=REPO, check=check)

    def capprobe_run(
        self, *args: str, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`capprobe run ARGS` inside the namespace; the caller looks at the exit code."""
        return self.exec(sys.executable, "-m", "probe", "run", *args, env=env, check=False)

    def python(self, code: str) -> Any:
        """Run `code` with this interpreter inside the namespace; what it prints, as JSON."""
        return json.loads(self.exec(sys.executable, "-c", code).stdout)

    def sysfs(self, link: str, attribute: str) -> str:
        return self.exec("cat", f"/sys/class/net/{link}/{attribute}").stdout.strip()

    # -- building links ----------------------------------------------------------------

    def veth(self, name: str, mac: str | None = None, *, far_index: int | None = None) -> None:
        """A veth `name`, up with carrier; without `mac` the kernel gives it a random one.

        A veth's iflink is its far end's ifindex in the far end's namespace. The far end
        is made first, with index 1000 and up unless `far_index` says otherwise, so that
        it never equals the near end's small ifindex by accident, as it would if both
        namespaces numbered from 2 (see test_equal_veths_are_ordered_by_name).
        """
        peer = f"w{len(self.peers)}"
        index = str(far_index if far_index is not None else 1000 + len(self.peers))
        address = ["address", mac] if mac else []
        far = ["link", "add", peer, "index", index, "type", "veth"]
        near = ["peer", "name", name, *address, "netns", self.name]
        self.wire_ip(*far, *near)
        self.peers[name] = peer
        self.wire_ip("link", "set", peer, "up")
        self.ip("link", "set", name, "up")

    def bridge(self, name: str, mac: str, *ports: str) -> None:
        self.ip("link", "add", name, "address", mac, "type", "bridge")
        for port in ports:
            self.ip("link", "set", port, "master", name)
        self.ip("link", "set", name, "up")

    def default_route(self, link: str, cidr: str, gateway: str) -> None:
        """Give `link` the address `cidr` (if it lacks it) and the only default route."""
        if cidr.split("/")[0] not in self.ip("-o", "-4", "addr", "show", "dev", link):
            self.ip("addr", "add", cidr, "dev", link)
        self.ip("route", "replace", "default", "via", gateway, "dev", link)

    def unplug(self, link: str) -> None:
        """Pull the cable: the far end goes down, so `link` loses carrier but keeps its routes."""
        self.wire_ip("link", "set", self.peers[link], "down")

    def macs(self) -> list[str]:
        """Every non-zero link-layer address in the probe's namespace, random ones included."""
        links = json.loads(self.ip("-j", "link", "show"))
        found = {str(link.get("address", "")).lower() for link in links}
        return sorted(mac for mac in found if mac and mac.strip("0:"))
