"""Emulated ALSA devices: the fakehw and fakectl plugins and configurations that declare them.

`build_plugin` compiles fakehw.c (playback PCMs) and fakectl.c (control devices with HDMI
ELD elements) once per source version into one cache directory; `Rig.setup` writes an
ALSA configuration for a list of `FakeDevice`s and `FakeControl`s (plus PCMs reaching a
PulseAudio rig, plus raw text) and returns the environment that loads it. Every setup
gets its own directory, so lock files (busy devices) never leak between tests.

A device accepts exactly the product rates x formats x channels. A real device whose set
is not a product (8 channels only up to 96 kHz, ...) is emulated as several PCMs, one per
product part (see fakehw.c for why).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SOURCE = Path(__file__).with_name("fakehw.c")
PLUGIN_FILE = "libasound_module_pcm_fakehw.so"
PLUGIN_NAME = "fakehw: emulated DAC"  # what snd_pcm_dump says first
CTL_SOURCE = Path(__file__).with_name("fakectl.c")
CTL_PLUGIN_FILE = "libasound_module_ctl_fakectl.so"
SYSTEM_CONFIG = "/usr/share/alsa/alsa.conf"  # must come first in ALSA_CONFIG_PATH
_HEADERS = ("alsa/asoundlib.h", "alsa/pcm_external.h", "alsa/control_external.h")
_CFLAGS = ("-O2", "-Wall", "-Wextra", "-DPIC", "-shared", "-fPIC")


def missing_build_tools() -> str | None:
    """Why the plugins cannot be built on this machine (None when they can)."""
    if shutil.which("gcc") is None:
        return "gcc is not installed"
    include = Path("/usr/include")
    if not all((include / header).is_file() for header in _HEADERS):
        return "the alsa-lib headers (libasound2-dev) are not installed"
    return None


def build_plugin(cache: Path) -> Path:
    """fakehw's compiled plugin, with fakectl's beside it (`Rig` finds it there), built into
    `cache` unless these source versions already are."""
    sources = ((SOURCE, PLUGIN_FILE), (CTL_SOURCE, CTL_PLUGIN_FILE))
    key = hashlib.sha256(" ".join(_CFLAGS).encode())
    for source, _ in sources:
        key.update(source.read_bytes())
    directory = cache / f"plugins-{key.hexdigest()[:16]}"
    for source, file in sources:
        _compile(source, directory / file)
    return directory / PLUGIN_FILE


def _compile(source: Path, target: Path) -> None:
    if target.is_file():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    result = subprocess.run(
        ["gcc", *_CFLAGS, "-o", str(partial), str(source), "-lasound"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"building {source.name} failed:\n{result.stderr}")
    os.replace(partial, target)  # a concurrent build of the same source is harmless


@dataclass(frozen=True)
class FakeDevice:
    """One emulated DAC: a `pcm.NAME` of type fakehw."""

    name: str
    description: str | None = None  # None: no hint description
    rates: tuple[int, ...] = (48000,)
    formats: tuple[str, ...] = ("S16_LE",)
    channels_min: int = 2
    channels_max: int = 2
    rate_range: tuple[int, int] | None = None  # continuous rates instead of `rates`
    exclusive: bool = True  # one opener at a time, like a kernel PCM
    hang_on_open: bool = False  # test knob: open never returns
    crash_on_open: bool = False  # test knob: open aborts the opening process
    open_error: int | None = None  # test knob: open fails with this errno
    open_log: Path | None = None  # test knob: each open appends "PID MONOTONIC-SECONDS"
    open_delay_ms: int = 0  # test knob: each open takes this long

    def accepts(self, rate: int) -> bool:
        if self.rate_range is not None:
            return self.rate_range[0] <= rate <= self.rate_range[1]
        return rate in self.rates

    def config(self, lock_dir: Path) -> str:
        lines = [f"pcm.{self.name} {{", "    type fakehw"]
        if self.rate_range is not None:
            lines.append(f"    rate_min {self.rate_range[0]} rate_max {self.rate_range[1]}")
        else:
            lines.append(f"    rates [ {' '.join(str(r) for r in self.rates)} ]")
        lines.append(f"    formats [ {' '.join(quote(f) for f in self.formats)} ]")
        lines.append(f"    channels_min {self.channels_min} channels_max {self.channels_max}")
        if self.exclusive:
            lines.append(f"    lock {quote(str(lock_dir / (self.name + '.lock')))}")
        if self.hang_on_open:
            lines.append("    hang_on_open true")
        if self.crash_on_open:
            lines.append("    crash_on_open true")
        if self.open_error is not None:
            lines.append(f"    open_error {self.open_error}")
        if self.open_delay_ms:
            lines.append(f"    open_delay {self.open_delay_ms}")
        if self.open_log is not None:
            lines.append(f"    open_log {quote(str(self.open_log))}")
        if self.description is not None:
            lines.append(f"    hint {{ show on description {quote(self.description)} }}")
        lines.append("}")
        return "\n".join(lines)


@dataclass(frozen=True)
class FakeElement:
    """One read-only BYTES control element; by default an HDMI PCM's ELD."""

    device: int
    value: bytes  # b"": count 0, as HDA says "no sink"; zeros: as ASoC hdmi-codec says it
    name: str = "ELD"
    iface: str = "PCM"  # snd_ctl_elem_iface_name's spelling: "PCM", "MIXER", "CARD", ...
    read_error: int | None = None  # test knob: reading the value fails with this errno

    def config(self) -> str:
        fields = [f"iface {self.iface}", f"name {quote(self.name)}", f"device {self.device}"]
        fields.append(f"value {quote(self.value.hex())}")
        if self.read_error is not None:
            fields.append(f"read_error {self.read_error}")
        return "{ " + " ".join(fields) + " }"


@dataclass(frozen=True)
class FakeControl:
    """A control device, `ctl.NAME` of type fakectl: what snd_ctl_open(NAME) opens."""

    name: str
    elements: tuple[FakeElement, ...]

    def config(self) -> str:
        lines = [f"ctl.{self.name} {{", "    type fakectl", "    elements ["]
        lines += [f"        {element.config()}" for element in self.elements]
        lines += ["    ]", "}"]
        return "\n".join(lines)


@dataclass(frozen=True)
class PulsePcm:
    """An ALSA PCM of type pulse writing to one sink of a PulseAudio server."""

    name: str
    sink: str
    server: str  # "unix:/path/to/socket"
    description: str | None = None

    def config(self) -> str:
        hint = ""
        if self.description is not None:
            hint = f" hint {{ show on description {quote(self.description)} }}"
        return (
            f"pcm.{self.name} {{ type pulse server {quote(self.server)} "
            f"device {quote(self.sink)}{hint} }}"
        )


@dataclass(frozen=True)
class AlsaSetup:
    config: Path
    directory: Path
    devices: tuple[FakeDevice, ...]
    pulse_pcms: tuple[PulsePcm, ...]
    env: Mapping[str, str] = field(default_factory=dict)  # what to add to the environment

    def environ(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """A whole environment (default: this process's) with the setup's variables."""
        merged = dict(os.environ if base is None else base)
        merged.update(self.env)
        return merged

    def apply(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point this process's environment (and so every child's) at the setup."""
        for key, value in self.env.items():
            monkeypatch.setenv(key, value)

    def device(self, name: str) -> FakeDevice:
        return next(d for d in self.devices if d.name == name)


class Rig:
    """Writes ALSA configurations that use the compiled plugins (`plugin`: what
    `build_plugin` returned, fakehw's, with fakectl's beside it)."""

    def __init__(self, plugin: Path, root: Path) -> None:
        self.plugin = plugin
        self.ctl_plugin = plugin.with_name(CTL_PLUGIN_FILE)
        self.root = root
        self.count = 0

    def setup(
        self,
        devices: Iterable[FakeDevice] = (),
        *,
        controls: Iterable[FakeControl] = (),
        pulse_pcms: Iterable[PulsePcm] = (),
        pulse_server: str | None = None,
        extra: str = "",
    ) -> AlsaSetup:
        """A fresh configuration with these devices and control devices; `pulse_server` is
        where `pulse` and `default` look (by default a socket nobody listens on, so no
        outside server is ever reached), and `extra` is appended as raw ALSA configuration
        text."""
        self.count += 1
        directory = self.root / f"alsa-{self.count}"
        home = directory / "home"
        locks = directory / "locks"
        for each in (home, locks, directory / "run"):
            each.mkdir(parents=True, exist_ok=True)
        (directory / "run").chmod(0o700)
        devices = tuple(devices)
        pulse_pcms = tuple(pulse_pcms)
        names = [d.name for d in devices] + [p.name for p in pulse_pcms]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate PCM names: {names}")
        text = [
            "# written by tests/rig/alsa.py",
            f"pcm_type.fakehw {{ lib {quote(str(self.plugin))} }}",
            f"ctl_type.fakectl {{ lib {quote(str(self.ctl_plugin))} }}",
            *(d.config(locks) for d in devices),
            *(c.config() for c in controls),
            *(p.config() for p in pulse_pcms),
            extra,
        ]
        config = directory / "asound.conf"
        config.write_text("\n".join(text) + "\n")
        env = {
            "ALSA_CONFIG_PATH": f"{SYSTEM_CONFIG}:{config}",
            # alsa.conf also loads ~/.asoundrc and $XDG_CONFIG_HOME/alsa/asoundrc
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_RUNTIME_DIR": str(directory / "run"),
            "PULSE_SERVER": pulse_server or f"unix:{directory / 'run' / 'no-server'}",
        }
        return AlsaSetup(config, directory, devices, pulse_pcms, env)


def quote(text: str) -> str:
    """An ALSA configuration string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hold_open(setup: AlsaSetup, name: str, rate: int = 48000, channels: int = 2) -> Holder:
    """Start a process that keeps `name` open for playback until stopped."""
    return Holder.start(setup, name, rate, channels)


@dataclass
class Holder:
    """`aplay` playing silence into a device for as long as the test needs it busy."""

    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls, setup: AlsaSetup, name: str, rate: int, channels: int) -> Holder:
        argv = ["aplay", "-q", "-D", name, "-t", "raw", "-f", "S16_LE", "-r", str(rate)]
        argv += ["-c", str(channels), "/dev/zero"]
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=setup.environ(),
        )
        return cls(process)

    def wait_until_open(self, lock: Path, timeout: float = 5.0) -> None:
        """Return once the device is held (its lock is taken), or fail with aplay's words."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise AssertionError(f"aplay exited with {self.process.returncode}: {err}")
            if lock.exists():
                with open(lock, "rb") as f:
                    try:
                        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        return
                    fcntl.flock(f, fcntl.LOCK_UN)
            time.sleep(0.01)
        raise AssertionError(f"aplay did not open the device within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()


def processes_with(marker: str, exclude: Sequence[int] = ()) -> list[int]:
    """PIDs whose environment mentions `marker` (to find leftovers of a test's children)."""
    found = []
    needle = marker.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in exclude:
            continue
        try:
            if needle in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found
