"""A private PipeWire daemon with null sinks and a graph clock of chosen settings.

`PipeWireServer` is a context manager: entering writes a drop-in configuration (the clock in
`context.properties`; one `support.null-audio-sink` adapter per `NullSink` and an empty
`default` metadata in `context.objects`), starts `pipewire` with its own runtime, config and
home directories, waits until `pw-dump` shows every sink and writes the default sink with
`pw-metadata`, as a session manager would; leaving kills that daemon by its PID.
No session manager and no pipewire-pulse run: nothing links streams, so the sinks stay
suspended and their Format param stays empty. `pipewire_server` is the session fixture.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.rig.daemon import Daemon

PACKAGES = ("pipewire", "pipewire-bin")  # Debian 12; neither removes pulseaudio


def missing_daemon() -> str | None:
    for tool in ("pipewire", "pw-dump", "pw-metadata"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install {' '.join(PACKAGES)})"
    return None


@dataclass(frozen=True)
class NullSink:
    name: str
    format: str  # PipeWire's names: S16LE, S24LE, S24_32LE, S32LE, F32LE
    rate: int
    position: tuple[str, ...]  # ("FL", "FR"); its length is the channel count
    description: str  # no quotes, please

    def config(self) -> str:
        return (
            "{ factory = adapter args = {"
            " factory.name = support.null-audio-sink"
            f' node.name = "{self.name}" node.description = "{self.description}"'
            f" media.class = Audio/Sink audio.format = {self.format} audio.rate = {self.rate}"
            f" audio.channels = {len(self.position)}"
            f" audio.position = [ {' '.join(self.position)} ] object.linger = true }} }}"
        )


class PipeWireServer(Daemon):
    name = "pipewire"

    def __init__(
        self,
        directory: Path,
        sinks: Sequence[NullSink],
        clock_rate: int,
        allowed_rates: Sequence[int],
        default_sink: str,
    ) -> None:
        super().__init__(directory / "pipewire.log")
        self.directory = directory
        self.sinks = tuple(sinks)
        self.clock_rate = clock_rate
        self.allowed_rates = tuple(allowed_rates)
        self.default_sink = default_sink
        self.runtime = directory / "run"

    @property
    def env(self) -> dict[str, str]:
        """The daemon's own environment, also right for pw-dump: both find the socket in
        PIPEWIRE_RUNTIME_DIR, never a user's running PipeWire."""
        env = dict(
            os.environ,
            HOME=str(self.directory / "home"),
            XDG_RUNTIME_DIR=str(self.runtime),
            PIPEWIRE_RUNTIME_DIR=str(self.runtime),
            XDG_CONFIG_HOME=str(self.directory / "config"),
        )
        env.pop("PIPEWIRE_REMOTE", None)
        return env

    def config(self) -> str:
        rates = " ".join(str(r) for r in self.allowed_rates)
        objects = [sink.config() for sink in self.sinks]
        # The store only: PipeWire 0.3.65 ignores metadata.values, so start() fills it in.
        objects.append("{ factory = metadata args = { metadata.name = default } }")
        return (
            f"context.properties = {{\n    default.clock.rate = {self.clock_rate}\n"
            f"    default.clock.allowed-rates = [ {rates} ]\n}}\n"
            "context.objects = [\n" + "".join(f"    {o}\n" for o in objects) + "]\n"
        )

    def prepare(self) -> None:
        drop_in = self.directory / "config" / "pipewire" / "pipewire.conf.d"
        drop_in.mkdir(parents=True, exist_ok=True)
        (drop_in / "50-capprobe-rig.conf").write_text(self.config())
        (self.directory / "home").mkdir(exist_ok=True)
        self.runtime.mkdir(exist_ok=True)
        self.runtime.chmod(0o700)

    def argv(self) -> list[str]:
        return ["pipewire"]

    def ready(self) -> bool:
        if not (self.runtime / "pipewire-0").exists():
            return False
        result = self.pw_dump(check=False)
        return result.returncode == 0 and {s.name for s in self.sinks} <= _node_names(result.stdout)

    def configure(self) -> None:
        self._set_default_sink()

    def _set_default_sink(self) -> None:
        """What a session manager would write, with the type WirePlumber gives it."""
        value = json.dumps({"name": self.default_sink})
        self.client(
            "pw-metadata", "-n", "default", "0", "default.audio.sink", value, "Spa:String:JSON"
        )

    def pw_dump(self, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.client("pw-dump", "--no-colors", check=check)


def _node_names(dump: str) -> set[str]:
    try:
        objects = json.loads(dump)
    except json.JSONDecodeError:
        return set()
    return {
        str(o["info"]["props"].get("node.name"))
        for o in objects
        if o.get("type") == "PipeWire:Interface:Node" and (o.get("info") or {}).get("props")
    }
