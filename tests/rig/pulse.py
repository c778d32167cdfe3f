"""A private PulseAudio daemon with null sinks of chosen sample specs.

`PulseServer` is a context manager: entering starts `pulseaudio` in user mode (as root
too) with its own HOME and runtime directory, no default.pa (`-n`), an anonymous unix
socket and one null sink per `NullSink`, and returns once `pactl info` answers; leaving
kills that daemon by its PID. Nothing else ever starts a daemon: the ALSA rig points
`PULSE_SERVER` at a dead socket unless it is given this server's address, and the probe's
worker disables libpulse's autospawn.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.rig.alsa import PulsePcm
from tests.rig.daemon import Daemon


def missing_daemon() -> str | None:
    for tool in ("pulseaudio", "pactl"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@dataclass(frozen=True)
class NullSink:
    name: str
    rate: int = 48000
    format: str = "s16le"  # PulseAudio's names: s16le, s24le, s24-32le, s32le, float32le
    channels: int = 2
    channel_map: str | None = None  # "surround-51", "front-left,front-right", ...
    description: str | None = None  # no quotes, please

    def module(self) -> str:
        args = [
            f"sink_name={self.name}",
            f"rate={self.rate}",
            f"format={self.format}",
            f"channels={self.channels}",
        ]
        if self.channel_map:
            args.append(f"channel_map={self.channel_map}")
        if self.description:
            args.append(f"sink_properties='device.description=\"{self.description}\"'")
        return "module-null-sink " + " ".join(args)

    @property
    def sample_spec(self) -> str:
        """As `pactl` prints it: "s16le 6ch 48000Hz"."""
        return f"{self.format} {self.channels}ch {self.rate}Hz"


class PulseServer(Daemon):
    name = "pulseaudio"

    def __init__(self, directory: Path, sinks: Sequence[NullSink]) -> None:
        super().__init__(directory / "pulseaudio.log")
        self.directory = directory
        self.sinks = tuple(sinks)
        self.runtime = directory / "run"
        self.socket = self.runtime / "pa.sock"
        self.server = f"unix:{self.socket}"

    @property
    def env(self) -> dict[str, str]:
        """The daemon's own environment, also right for pactl."""
        return dict(
            os.environ,
            HOME=str(self.directory / "home"),
            XDG_RUNTIME_DIR=str(self.runtime),
            XDG_CONFIG_HOME=str(self.directory / "home" / ".config"),
            PULSE_SERVER=self.server,
        )

    def prepare(self) -> None:
        (self.directory / "home").mkdir(parents=True, exist_ok=True)
        self.runtime.mkdir(parents=True, exist_ok=True)
        self.runtime.chmod(0o700)

    def argv(self) -> list[str]:
        argv = [
            "pulseaudio",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "-n",
            "--disallow-exit",
            "--disable-shm=yes",
            "--use-pid-file=no",
            "--realtime=no",
            "--high-priority=no",
            "--log-target=stderr",
            "-L",
            f"module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
            "-L",
            "module-device-restore",
        ]
        for sink in self.sinks:
            argv += ["-L", sink.module()]
        return argv

    def ready(self) -> bool:
        return self.socket.exists() and self.pactl("info", check=False).returncode == 0

    def pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.client("pactl", f"--server={self.server}", *args, check=check)

    def list_sinks(self) -> list[dict[str, Any]]:
        sinks: list[dict[str, Any]] = json.loads(self.pactl("-f", "json", "list", "sinks").stdout)
        return sinks

    def pcm(self, name: str, sink: str, description: str | None = None) -> PulsePcm:
        """An ALSA PCM that plays into `sink` of this server."""
        if sink not in {s.name for s in self.sinks}:
            raise ValueError(f"no sink {sink!r} on this server")
        return PulsePcm(name, sink, self.server, description)
