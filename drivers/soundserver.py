"""Sound servers (PulseAudio, PipeWire): found among running processes and asked through their
own tools. Never started: a server that is not running is reported absent, and every query
names its server explicitly, so libpulse has nothing to autospawn.

Servers are found in /proc (through drivers.files, so a snapshot holds what was read): a
process's `comm` is its name (the servers' names fit its 15 characters), `status` its real
uid, `environ` where its socket is (readable by its user and root only).
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping
from dataclasses import dataclass

from drivers import commands
from drivers.files import Files

# Process names of the servers that speak the PulseAudio protocol, and PipeWire's own daemon.
PULSE_PROTOCOL = ("pulseaudio", "pipewire-pulse")
PIPEWIRE = "pipewire"


@dataclass(frozen=True)
class ServerProcess:
    name: str  # "pulseaudio", "pipewire-pulse", "pipewire"
    pid: int
    uid: int
    runtime_dir: str | None  # where its socket is: XDG_RUNTIME_DIR (PIPEWIRE_RUNTIME_DIR)
    home: str | None  # its user's home, where the PulseAudio cookie is


@dataclass(frozen=True)
class PulseAnswers:
    """What `pactl -f json` said about one server (raw JSON text, parsed in probe/)."""

    server: str  # the address asked
    info: str
    sinks: str


def running_servers(files: Files) -> list[ServerProcess]:
    """The sound-server processes running now, whoever owns them."""
    found = []
    for entry in files.glob("/proc", "[0-9]*"):
        try:
            name = files.read_text(f"{entry}/comm").strip()
            if name not in (*PULSE_PROTOCOL, PIPEWIRE):
                continue
            uid = _real_uid(files.read_text(f"{entry}/status"))
        except OSError:  # it exited meanwhile
            continue
        try:
            environ = _environ(files.read_bytes(f"{entry}/environ", limit=1 << 20))
        except OSError:  # another user's, and we are not root
            environ = {}
        runtime_dir = environ.get("XDG_RUNTIME_DIR")
        if name == PIPEWIRE:
            runtime_dir = environ.get("PIPEWIRE_RUNTIME_DIR") or runtime_dir
        try:
            home: str | None = pwd.getpwuid(uid).pw_dir
        except KeyError:
            home = None
        found.append(ServerProcess(name, int(entry.rsplit("/", 1)[1]), uid, runtime_dir, home))
    return sorted(found, key=lambda s: s.pid)


def _real_uid(status: str) -> int:
    for line in status.splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    return -1


def _environ(data: bytes) -> dict[str, str]:
    pairs = (item.decode("utf-8", "replace").partition("=") for item in data.split(b"\0"))
    return {name: value for name, sep, value in pairs if sep}


def pulse_address(server: ServerProcess, env: Mapping[str, str]) -> str | None:
    """Where clients reach a PulseAudio-protocol server: PULSE_SERVER when this process was
    given one, else the socket in the server's runtime directory."""
    if env.get("PULSE_SERVER"):
        return env["PULSE_SERVER"]
    if server.runtime_dir:
        return f"unix:{server.runtime_dir}/pulse/native"
    return None


def ask_pulse(server: ServerProcess, address: str, timeout: float) -> PulseAnswers:
    """`pactl -f json info` and `list sinks` against `address`, authenticated as the server's
    user (its cookie) when we run as someone else, e.g. root at provisioning."""
    env: dict[str, str | None] = {"PULSE_SERVER": address}
    if server.home and server.uid != os.geteuid():
        env["PULSE_COOKIE"] = f"{server.home}/.config/pulse/cookie"
    answers = []
    for args in (["info"], ["list", "sinks"]):
        result = commands.run(["pactl", "-f", "json", *args], timeout, env)
        if result.returncode != 0:
            raise ConnectionError(
                f"pactl {' '.join(args)} at {address} failed: {result.stderr.strip()}"
            )
        answers.append(result.stdout)
    return PulseAnswers(address, answers[0], answers[1])


def dump_pipewire(server: ServerProcess, env: Mapping[str, str], timeout: float) -> str:
    """`pw-dump` of a running PipeWire, reached in its runtime directory (ours when this
    process was given PIPEWIRE_RUNTIME_DIR); FileNotFoundError without pw-dump."""
    runtime = env.get("PIPEWIRE_RUNTIME_DIR") or server.runtime_dir
    variables: dict[str, str | None] = {"PIPEWIRE_REMOTE": None}
    if runtime:
        variables.update(PIPEWIRE_RUNTIME_DIR=runtime, XDG_RUNTIME_DIR=runtime)
    result = commands.run(["pw-dump", "--no-colors"], timeout, variables)
    if result.returncode != 0:
        raise ConnectionError(f"pw-dump at {runtime} failed: {result.stderr.strip()}")
    return result.stdout
