"""ALSA playback PCMs as alsa-lib (libasound.so.2) sees them, probed in a child process.

What is listed:
- every card's playback PCM devices, from the control API (`hw:N,D`), with the card's
  names; these are probed directly, as dacquery does, so conversions cannot hide limits;
- every PCM the ALSA configuration names (`snd_device_name_hint(-1, "pcm")`, outputs
  only): a board's asound.conf outputs, `pulse`, `pipewire`, `jack`, and `default` when
  the configuration lists it (it is what applications get, and its type and plugin tell
  whether that path is direct or goes through a sound server). Not listed: `null`, hint
  names taking arguments (`sysdefault:CARD=x`, `front:`, `surround51:`, `hdmi:`,
  `iec958:`, `dmix:`, `plughw:`, ...: per-card aliases of the devices above), and
  libasound2-plugins' processing wrappers over `default` (rate converters, speex, upmix,
  vdownmix), which are not outputs of their own.

What a probe of one PCM finds: whether it opens (`busy`, `denied`, `absent` are answers,
not errors), its type (`snd_pcm_type_name`: HW, PLUG, IOPLUG, DMIX, ...), the plugin's
own name (first line of `snd_pcm_dump`), and the (format, significant bits, channels,
rates) combinations its hw_params space accepts, tested with `snd_pcm_hw_params_test_*`.

HDMI and DisplayPort sinks: the connected sink's raw ELD, read from the card's control
element iface PCM, name "ELD", device D (HDA and ASoC hdmi-codec drivers; type BYTES,
trimmed to the element's count), is `AlsaPcm.eld` of `hw:N,D`. The control, not
/proc/asound/cardN/eld#C.P (whose second number is a pin, not the PCM device, and which
ASoC boards such as the Raspberry Pi do not have), is what ties an ELD to a PCM device.
An empty or all-zero value means no sink is connected and reads as b"". Control devices
named in the request (`probe(ctls=...)`, e.g. an ALSA ctl plugin) are read the same way,
by the same function, into `AlsaReport.controls`. A control that cannot be read is noted
in `AlsaReport.errors` and otherwise skipped.

alsa-lib runs only in a worker process (`python -m drivers.alsa`), so a plugin that hangs
or a crash in C cannot take the caller down, and costs only the PCM it happened in: the
worker writes one JSON line per finding as soon as it has it, and a line naming each PCM
before probing it (the protocol: `_Collector`). `probe()` reads the lines as they come,
kills the worker's process group when one PCM takes too long or the time is up, reports
the PCM in progress as "timeout" (or "error" when the worker died), and lets a new worker
probe the rest while time and restarts remain; the result is the frozen dataclasses
below, with `AlsaReport.complete` False. The worker sees the caller's ALSA_CONFIG_PATH; it
drops PortAudio's PA_ALSA_* variables and keeps sound-server clients from starting
servers (JACK_NO_START_SERVER, PULSE_BINARY=/bin/false).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TextIO

LIBRARY = "libasound.so.2"
WORKER_VERSION = 3
MAX_RESTARTS = 3  # new workers after stuck or crashed PCMs, at most
MAX_CHANNELS = 32

STANDARD_RATES = (
    5512, 8000, 11025, 16000, 22050, 32000, 44100, 48000,
    64000, 88200, 96000, 176400, 192000, 352800, 384000,
)  # fmt: skip

# Every linear PCM, float, IEC958 and DSD format alsa-lib knows, plus the two companding
# ones; compressed and vendor formats (MPEG, GSM, G.723, IMA ADPCM, SPECIAL) are left out.
FORMATS = (
    "S8", "U8", "S16_LE", "S16_BE", "U16_LE", "U16_BE",
    "S24_LE", "S24_BE", "U24_LE", "U24_BE", "S32_LE", "S32_BE", "U32_LE", "U32_BE",
    "FLOAT_LE", "FLOAT_BE", "FLOAT64_LE", "FLOAT64_BE",
    "S20_LE", "S20_BE", "U20_LE", "U20_BE",
    "S24_3LE", "S24_3BE", "U24_3LE", "U24_3BE", "S20_3LE", "S20_3BE", "U20_3LE", "U20_3BE",
    "S18_3LE", "S18_3BE", "U18_3LE", "U18_3BE",
    "IEC958_SUBFRAME_LE", "IEC958_SUBFRAME_BE",
    "DSD_U8", "DSD_U16_LE", "DSD_U32_LE", "DSD_U16_BE", "DSD_U32_BE",
    "MU_LAW", "A_LAW",
)  # fmt: skip

# Configuration PCMs that are not outputs of their own (see the module docstring).
SKIPPED_HINTS = frozenset(
    {
        "null",
        "lavrate",
        "samplerate",
        "samplerate_best",
        "samplerate_linear",
        "samplerate_medium",
        "samplerate_order",
        "speexrate",
        "speexrate_best",
        "speexrate_medium",
        "speex",
        "upmix",
        "vdownmix",
    }
)

# "timeout": the worker was killed while it waited for this PCM (or control device)
PcmStatus = Literal["ok", "busy", "denied", "absent", "error", "timeout"]
PcmSource = Literal["card", "config", "request"]
_STATUSES: tuple[PcmStatus, ...] = ("ok", "busy", "denied", "absent", "error", "timeout")
_SOURCES: tuple[PcmSource, ...] = ("card", "config", "request")


@dataclass(frozen=True)
class AlsaConfig:
    """A set of combinations the PCM accepts: every format x channels x rate product in it."""

    format: str  # alsa-lib's name: "S16_LE", "S24_3LE", "DSD_U32_BE", ...
    bits: int | None  # significant bits (snd_pcm_hw_params_get_sbits): 24 for 24-in-32
    channels: tuple[int, ...]
    rates: tuple[int, ...]  # the STANDARD_RATES accepted; others were not asked


@dataclass(frozen=True)
class AlsaPcm:
    name: str  # what snd_pcm_open takes: "hw:0,3", "fake_dac", "pulse", "default"
    description: str | None  # the hint's DESC, or the device's name from the control API
    source: PcmSource  # "card": control API; "config": a name hint; "request": asked for
    card: int | None
    device: int | None
    subdevices: int | None
    pcm_type: str | None  # snd_pcm_type_name: "HW", "PLUG", "IOPLUG", "DMIX", ... once opened
    plugin: str | None  # first line of snd_pcm_dump: "Hardware PCM card 0 ...", plugin names
    status: PcmStatus
    errno: int | None  # the open (or hw_params) error, as a positive errno
    detail: str  # the error text and alsa-lib's own messages about this PCM
    configs: tuple[AlsaConfig, ...]
    # The card's ELD control for this device: the sink's ELD, b"" when no sink is connected;
    # None without one (not HDMI/DP, not a card PCM, or unreadable: see AlsaReport.errors).
    eld: bytes | None = None


@dataclass(frozen=True)
class AlsaCard:
    index: int
    id: str | None  # the card's id: "PCH", "HDMI", "Device"
    driver: str | None
    name: str | None  # snd_card_get_name
    longname: str | None  # snd_card_get_longname
    error: str | None  # why its control device could not be read


@dataclass(frozen=True)
class AlsaControl:
    """A control device named in the request, read as a card's is: its ELD elements."""

    name: str  # what snd_ctl_open took: "hw:0", or a ctl plugin's name
    status: PcmStatus  # as for a PCM: whether it opened
    errno: int | None  # the open error, as a positive errno
    detail: str
    elds: tuple[tuple[int, bytes], ...]  # (PCM device, ELD) by device; b"": no sink


@dataclass(frozen=True)
class AlsaReport:
    library_version: str
    cards: tuple[AlsaCard, ...]
    pcms: tuple[AlsaPcm, ...]
    errors: tuple[str, ...]  # enumeration failures, unreadable controls, a killed worker, ...
    # A complete report: the worker's own time, after its Python started. Otherwise the
    # parent's, from the first worker's start to the last one's end.
    elapsed_ms: float
    controls: tuple[AlsaControl, ...] = ()  # the ones asked for (`ctls`), in that order
    # False when a worker was killed (a hang) or died (a crash in C) before its last line:
    # then one PCM or control may be "timeout"/"error" for that reason, and `errors` says
    # whether the rest was probed by a new worker or not at all.
    complete: bool = True

    def pcm(self, name: str) -> AlsaPcm:
        for each in self.pcms:
            if each.name == name:
                return each
        raise KeyError(name)

    def control(self, name: str) -> AlsaControl:
        for each in self.controls:
            if each.name == name:
                return each
        raise KeyError(name)


class WorkerError(RuntimeError):
    """The worker crashed or answered something that is not a report."""


# --------------------------------------------------------------------------- parent side


def probe(
    names: Sequence[str] = (),
    *,
    ctls: Sequence[str] = (),
    enumerate_all: bool = True,
    timeout: float = 10.0,
    item_timeout: float | None = None,
    restarts: int = MAX_RESTARTS,
    library: str = LIBRARY,
) -> AlsaReport:
    """Probe the cards' and the configuration's PCMs (unless `enumerate_all` is false) and
    the PCMs in `names`, and read the ELD controls of the control devices in `ctls`, in a
    worker process, keeping whatever it found before a hang or a crash.

    The worker writes one JSON line per finding (see `_Collector`), so one stuck or crashing
    PCM costs only itself: it is "timeout" (the worker was killed: at `timeout` overall, or
    after `item_timeout` on that PCM, default a quarter of `timeout`) or "error" (the
    worker died). While time and `restarts` remain, a new worker probes the PCMs and
    controls not yet answered, skipping that one; the last worker has no per-PCM limit.
    Such a report has `complete` False.

    Raises FileNotFoundError when libasound cannot be loaded, subprocess.TimeoutExpired
    when the worker said nothing at all within `timeout` (it is killed), and WorkerError
    when it dies before its first line or writes something that is not a protocol line.
    """
    started = time.monotonic()
    deadline = started + timeout
    per_item = timeout / 4 if item_timeout is None else item_timeout
    fixed = ["--library", library]
    if not enumerate_all:
        fixed.append("--no-enumerate")
    for name in names:
        fixed += ["--pcm", name]
    skip: list[str] = []
    controls = list(dict.fromkeys(ctls))
    runs: list[_Run] = []
    while True:
        argv = [*_worker_command(), *fixed]
        argv += [arg for name in controls for arg in ("--ctl", name)]
        argv += [arg for name in skip for arg in ("--skip", name)]
        may_restart = len(runs) < restarts
        run = _run_worker(argv, deadline, per_item if may_restart else None)
        if not runs:
            _check_first(run, argv, timeout)
        runs.append(run)
        stuck = run.lines.item
        if run.complete or not may_restart or stuck is None or time.monotonic() >= deadline:
            break
        skip += [str(pcm.get("name")) for pcm in run.lines.pcms]
        answered = {str(control.get("name")) for control in run.lines.controls}
        if "pcm" in stuck:
            skip.append(str(stuck["pcm"].get("name")))
        else:
            answered.add(str(stuck["control"]))
        controls = [name for name in controls if name not in answered]
    return _assemble(runs, started)


def _worker_command() -> list[str]:
    """How to start the worker (tests substitute a scripted one)."""
    return [sys.executable, "-m", "drivers.alsa"]


class _Collector:
    """The worker's stdout, line by line as it arrives: the protocol.

    Every line is one JSON object with a "kind"::

        {"kind": "header", "worker": 3, "library_version": "1.2.8"}       always first
        {"kind": "start", "step": "cards" | "hints"}                     enumeration begins
        {"kind": "card", "card": {AlsaCard's fields}}                     one per card
        {"kind": "start", "pcm": {AlsaPcm's fields, not yet probed}}      before each PCM
        {"kind": "pcm", "pcm": {AlsaPcm's fields}}                        its answer
        {"kind": "start", "control": "NAME"}                              before each control
        {"kind": "control", "control": {AlsaControl's fields}}            its answer
        {"kind": "error", "text": "snd_device_name_hint: ..."}            whenever noted
        {"kind": "end", "errors": ["..."], "elapsed_ms": 19.4}            always last

    or, when it cannot go on, {"kind": "failure", "worker": 3, "error": {"kind": "library"
    | "internal", "name": "libasound.so.2", "detail": "..."}} (first, for the library).
    The fields are parse_report's. A "start" line not followed by its answer names what
    the worker was doing when it was killed or died.
    """

    def __init__(self) -> None:
        self.pending = b""  # an unfinished line
        self.header: dict[str, Any] | None = None
        self.failure: dict[str, Any] | None = None
        self.end: dict[str, Any] | None = None
        self.cards: list[Any] = []
        self.pcms: list[Any] = []
        self.controls: list[Any] = []
        self.errors: list[str] = []
        self.current: dict[str, Any] | None = None  # the last "start" line, until answered
        self.since = 0.0  # when it came (the parent's clock)

    @property
    def item(self) -> dict[str, Any] | None:
        """The "start" line of the PCM or control in progress, if one is."""
        if self.current is not None and ("pcm" in self.current or "control" in self.current):
            return self.current
        return None

    def feed(self, chunk: bytes, now: float) -> None:
        *lines, self.pending = (self.pending + chunk).split(b"\n")
        for raw in lines:
            if raw.strip():
                self._take(raw, now)

    def _take(self, raw: bytes, now: float) -> None:
        try:
            line = json.loads(raw)
        except ValueError:
            line = None
        kind = line.get("kind") if isinstance(line, dict) else None
        if line is None or kind is None:
            raise WorkerError(f"not an alsa worker line: {raw[:200]!r}")
        if kind in ("header", "failure") and line.get("worker") != WORKER_VERSION:
            raise WorkerError(f"alsa worker of another version: {raw[:200]!r}")
        if kind == "failure":
            self.failure = dict(line.get("error") or {})
            return
        if (self.header is None) != (kind == "header"):
            raise WorkerError(f"alsa worker line out of order: {raw[:200]!r}")
        if self.end is not None:
            raise WorkerError(f"alsa worker line after its end: {raw[:200]!r}")
        if kind == "header":
            self.header = line
        elif kind == "start":
            self.current, self.since = line, now
        elif kind == "card" and "card" in line:
            self.cards.append(line["card"])
        elif kind == "pcm" and "pcm" in line:
            self.pcms.append(line["pcm"])
            self.current = None
        elif kind == "control" and "control" in line:
            self.controls.append(line["control"])
            self.current = None
        elif kind == "error" and "text" in line:
            self.errors.append(str(line["text"]))
        elif kind == "end" and isinstance(line.get("errors"), list):
            self.end, self.current = line, None
            self.errors += [str(e) for e in line["errors"]]
        else:
            raise WorkerError(f"not an alsa worker line: {raw[:200]!r}")


@dataclass(frozen=True)
class _Run:
    """One worker, after it ended, died, or was killed."""

    lines: _Collector
    limit: Literal["deadline", "item"] | None  # what it was killed at; None: it exited
    waited: float  # seconds the PCM or control in progress had, when killed
    returncode: int | None  # None: it could not even be reaped after SIGKILL
    stderr: str

    @property
    def complete(self) -> bool:
        return self.lines.end is not None

    def death(self) -> str:
        """How the worker stopped before its end, in words."""
        if self.lines.failure is not None:
            return f"failed: {self.lines.failure.get('detail')}"
        code = self.returncode
        if self.limit is not None or code is None:
            return "was killed"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = "unknown"
            return f"died of signal {-code} ({name})"
        return f"exited with status {code}"


_POLL = 0.1  # how often to look whether the worker exited with its pipes held open
_DRAIN = 0.2  # how long to read after it exited (a grandchild may hold the pipes)
_STDERR_KEEP = 65536


def _run_worker(argv: list[str], deadline: float, item_timeout: float | None) -> _Run:
    """Run one worker, reading its lines as they come, until it ends or dies, `deadline`
    comes, or one PCM or control takes longer than `item_timeout`; then kill its group."""
    lines = _Collector()
    stderr = bytearray()
    limit: Literal["deadline", "item"] | None = None
    waited = 0.0
    process = subprocess.Popen(
        argv,
        bufsize=0,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, LC_ALL="C", LANG="C"),
        start_new_session=True,
    )
    assert process.stdout is not None and process.stderr is not None
    out, err = process.stdout.fileno(), process.stderr.fileno()
    try:
        exited: float | None = None
        with selectors.DefaultSelector() as selector:
            selector.register(out, selectors.EVENT_READ)
            selector.register(err, selectors.EVENT_READ)
            while selector.get_map():
                now = time.monotonic()
                stall = deadline
                if lines.item is not None and item_timeout is not None:
                    stall = min(deadline, lines.since + item_timeout)
                if now >= stall:
                    if lines.end is None:  # else the report is whole, only the exit is late
                        limit = "deadline" if stall >= deadline else "item"
                        waited = stall - lines.since if lines.item is not None else 0.0
                    break
                if exited is None and process.poll() is not None:
                    exited = now
                if exited is not None and now >= exited + _DRAIN:
                    break
                for key, _ in selector.select(min(stall, now + _POLL) - now):
                    chunk = os.read(key.fd, 65536)
                    if not chunk:
                        selector.unregister(key.fd)
                    elif key.fd == out:
                        lines.feed(chunk, time.monotonic())
                    else:
                        stderr += chunk
                        del stderr[:-_STDERR_KEEP]
        if limit is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(0.0, deadline - time.monotonic()))
    finally:
        _stop(process)
    return _Run(lines, limit, waited, process.returncode, stderr.decode("utf-8", "replace"))


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill the worker's whole group unless it is gone, and close its pipes."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        # a process in uninterruptible sleep (a stuck driver) dies only when it returns
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(1.0)
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()


def _check_first(run: _Run, argv: list[str], timeout: float) -> None:
    """Raise what a first worker that said nothing useful means."""
    failure = run.lines.failure
    if run.lines.header is None and failure is not None:
        if failure.get("kind") == "library":
            raise FileNotFoundError(errno.ENOENT, str(failure.get("detail")), failure.get("name"))
        raise WorkerError(f"alsa worker failed: {failure.get('detail')}")
    if run.lines.header is not None:
        return
    if run.limit is not None:
        raise subprocess.TimeoutExpired(argv, timeout, stderr=run.stderr)
    raise WorkerError(f"alsa worker {run.death()} without a report: {_tail(run.stderr)}")


def _assemble(runs: Sequence[_Run], started: float) -> AlsaReport:
    """One report from the workers' lines; what one was doing when it stopped is the PCM
    (or control) "timeout" or "error", and `errors` says what became of the rest."""
    first = runs[0].lines
    assert first.header is not None
    pcms: list[Any] = []
    controls: list[Any] = []
    errors: list[str] = []
    for index, run in enumerate(runs):
        lines = run.lines
        pcms += lines.pcms
        controls += lines.controls
        errors += lines.errors
        if run.complete:
            continue
        if lines.header is None:
            errors.append(
                f"alsa worker for the rest {run.death()} before answering: {_tail(run.stderr)}"
            )
            continue
        then = (
            "a new worker probed the rest"
            if index + 1 < len(runs)
            else "it stopped before probing the rest"
        )
        item = lines.item
        if item is not None:
            name = str(item["pcm"].get("name") if "pcm" in item else item["control"])
            if run.limit is not None:
                status, detail = "timeout", f"did not answer within {run.waited:.1f} s"
                errors.append(f"alsa worker killed: {name} {detail}; {then}")
            else:
                status, detail = "error", f"the worker {run.death()} while probing it"
                errors.append(f"alsa worker {run.death()} while probing {name}; {then}")
            answer = {"status": status, "errno": None, "detail": detail}
            if "pcm" in item:
                pcms.append({**item["pcm"], **answer})
            else:
                controls.append({"name": name, **answer, "elds": []})
        else:
            step = (lines.current or {}).get("step")
            where = _STEPS.get(str(step), "after its last answer")
            died = "gave no answer" if run.limit is not None else run.death()
            errors.append(f"alsa worker {died} {where}; nothing after it was probed")
        if run.stderr.strip() and run.limit is None:
            errors.append(f"alsa worker stderr: {_tail(run.stderr)}")
    complete = all(run.complete for run in runs)
    last = runs[-1].lines.end
    elapsed = last["elapsed_ms"] if complete and last else (time.monotonic() - started) * 1000
    document = {
        "worker": WORKER_VERSION,
        "library_version": first.header.get("library_version"),
        "cards": first.cards,  # a new worker lists the same cards again
        "pcms": pcms,
        "controls": controls,
        "errors": list(dict.fromkeys(errors)),  # each worker notes enumeration's once
        "elapsed_ms": round(elapsed, 2),
        "complete": complete,
    }
    return parse_report(document)


_STEPS = {
    "cards": "while reading the cards",
    "hints": "while listing the configuration's PCMs",
}


def parse_report(document: Any) -> AlsaReport:
    """The report the parent assembles from the worker's lines, as dataclasses.

    The document (keys as the dataclasses' fields, tuples as lists)::

        {"worker": 3, "library_version": "1.2.8", "elapsed_ms": 19.4, "errors": [],
         "complete": true,
         "cards": [{"index": 0, "id": "PCH", "driver": "HDA-Intel", "name": "HDA Intel PCH",
                    "longname": "...", "error": null}],
         "pcms": [{"name": "fake_dac", "description": "...", "source": "config",
                   "card": null, "device": null, "subdevices": null,
                   "pcm_type": "IOPLUG", "plugin": "fakehw: emulated DAC",
                   "status": "ok", "errno": null, "detail": "",
                   "configs": [{"format": "S16_LE", "bits": 16, "channels": [2],
                                "rates": [44100, 48000]}],
                   "eld": null}],
         "controls": [{"name": "fakectl", "status": "ok", "errno": null, "detail": "",
                       "elds": [{"device": 3, "eld": "10000a00..."},
                                {"device": 7, "eld": ""}]}]}

    ELDs are hex strings ("" when no sink is connected); "complete" may be left out (true).
    """
    if not isinstance(document, dict) or document.get("worker") != WORKER_VERSION:
        raise WorkerError(f"not an alsa worker report: {str(document)[:200]}")
    try:
        return AlsaReport(
            library_version=str(document["library_version"]),
            cards=tuple(_card(c) for c in document["cards"]),
            pcms=tuple(_pcm(p) for p in document["pcms"]),
            controls=tuple(_control(c) for c in document["controls"]),
            errors=tuple(str(e) for e in document["errors"]),
            elapsed_ms=float(document["elapsed_ms"]),
            complete=bool(document.get("complete", True)),
        )
    except (AttributeError, KeyError, TypeError, ValueError) as e:
        raise WorkerError(f"malformed alsa worker report: {type(e).__name__}: {e}") from None


def _card(raw: dict[str, Any]) -> AlsaCard:
    return AlsaCard(
        index=int(raw["index"]),
        id=_opt_str(raw["id"]),
        driver=_opt_str(raw["driver"]),
        name=_opt_str(raw["name"]),
        longname=_opt_str(raw["longname"]),
        error=_opt_str(raw["error"]),
    )


def _pcm(raw: dict[str, Any]) -> AlsaPcm:
    status = raw["status"]
    source = raw["source"]
    if status not in _STATUSES or source not in _SOURCES:
        raise ValueError(f"unknown status {status!r} or source {source!r}")
    return AlsaPcm(
        name=str(raw["name"]),
        description=_opt_str(raw["description"]),
        source=source,
        card=_opt_int(raw["card"]),
        device=_opt_int(raw["device"]),
        subdevices=_opt_int(raw["subdevices"]),
        pcm_type=_opt_str(raw["pcm_type"]),
        plugin=_opt_str(raw["plugin"]),
        status=status,
        errno=_opt_int(raw["errno"]),
        detail=str(raw["detail"]),
        configs=tuple(
            AlsaConfig(
                format=str(c["format"]),
                bits=_opt_int(c["bits"]),
                channels=tuple(int(n) for n in c["channels"]),
                rates=tuple(int(r) for r in c["rates"]),
            )
            for c in raw["configs"]
        ),
        eld=None if raw["eld"] is None else bytes.fromhex(raw["eld"]),
    )


def _control(raw: dict[str, Any]) -> AlsaControl:
    status = raw["status"]
    if status not in _STATUSES:
        raise ValueError(f"unknown status {status!r}")
    return AlsaControl(
        name=str(raw["name"]),
        status=status,
        errno=_opt_int(raw["errno"]),
        detail=str(raw["detail"]),
        elds=tuple((int(e["device"]), bytes.fromhex(e["eld"])) for e in raw["elds"]),
    )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _tail(text: str, lines: int = 5) -> str:
    return " | ".join(text.strip().splitlines()[-lines:]) or "no output"


# ----------------------------------------------------------- the combination search


class Space(Protocol):
    """A hw_params space that can be narrowed; `combinations` needs nothing else."""

    def narrow_format(self, name: str) -> Space | None: ...  # None: format not accepted
    def sbits(self) -> int | None: ...
    def channel_range(self) -> tuple[int, int]: ...
    def narrow_channels(self, channels: int) -> Space | None: ...
    def rate_range(self) -> tuple[int, int]: ...
    def accepts_rate(self, rate: int) -> bool: ...


def combinations(
    space: Space,
    formats: Sequence[str] = FORMATS,
    rates: Sequence[int] = STANDARD_RATES,
    max_channels: int = MAX_CHANNELS,
) -> list[AlsaConfig]:
    """Every accepted (format, channels, rate), as sets in which every product is accepted.

    Narrows by format, then by channel count, then tests rates, so no combination is
    asked that a narrower space already excludes: only the channel counts inside the
    format's range, and only the rates inside the (format, channels) range. Channel
    counts of one format that accept the same rates form one set.
    """
    found: list[AlsaConfig] = []
    for name in formats:
        by_format = space.narrow_format(name)
        if by_format is None:
            continue
        low, high = by_format.channel_range()
        groups: dict[tuple[int, ...], list[int]] = {}
        for channels in range(max(low, 1), min(high, max_channels) + 1):
            narrowed = by_format.narrow_channels(channels)
            if narrowed is None:
                continue
            rate_low, rate_high = narrowed.rate_range()
            accepted = tuple(
                r for r in rates if rate_low <= r <= rate_high and narrowed.accepts_rate(r)
            )
            if accepted:
                groups.setdefault(accepted, []).append(channels)
        bits = by_format.sbits()
        for accepted, counts in sorted(groups.items(), key=lambda item: item[1][0]):
            found.append(AlsaConfig(name, bits, tuple(counts), accepted))
    return found


# ----------------------------------------------------------------------- worker side

_SND_PCM_STREAM_PLAYBACK = 0
_SND_PCM_NONBLOCK = 1
_SND_CTL_ELEM_IFACE_PCM = 3
_SND_CTL_ELEM_TYPE_BYTES = 4
_ELEM_BYTES_MAX = 512  # a control value's byte array (struct snd_ctl_elem_value)
_SNDERR_PREFIX = re.compile(r"^ALSA lib [^ ]*:\d+:\([^)]*\) ")

_vp = ctypes.c_void_p
_int = ctypes.c_int
_uint = ctypes.c_uint
_str = ctypes.c_char_p
_PROTOTYPES: dict[str, tuple[Any, ...]] = {
    # name: (restype, *argtypes)
    "snd_asoundlib_version": (_str,),
    "snd_strerror": (_str, _int),
    "snd_card_next": (_int, ctypes.POINTER(_int)),
    "snd_card_get_name": (_int, _int, ctypes.POINTER(_vp)),
    "snd_card_get_longname": (_int, _int, ctypes.POINTER(_vp)),
    "snd_ctl_open": (_int, ctypes.POINTER(_vp), _str, _int),
    "snd_ctl_close": (_int, _vp),
    "snd_ctl_card_info_sizeof": (ctypes.c_size_t,),
    "snd_ctl_card_info": (_int, _vp, _vp),
    "snd_ctl_card_info_get_id": (_str, _vp),
    "snd_ctl_card_info_get_driver": (_str, _vp),
    "snd_ctl_pcm_next_device": (_int, _vp, ctypes.POINTER(_int)),
    "snd_ctl_pcm_info": (_int, _vp, _vp),
    "snd_ctl_elem_list_sizeof": (ctypes.c_size_t,),
    "snd_ctl_elem_list": (_int, _vp, _vp),
    "snd_ctl_elem_list_alloc_space": (_int, _vp, _uint),
    "snd_ctl_elem_list_free_space": (None, _vp),
    "snd_ctl_elem_list_get_count": (_uint, _vp),
    "snd_ctl_elem_list_get_used": (_uint, _vp),
    "snd_ctl_elem_list_get_interface": (_int, _vp, _uint),
    "snd_ctl_elem_list_get_name": (_str, _vp, _uint),
    "snd_ctl_elem_list_get_device": (_uint, _vp, _uint),
    "snd_ctl_elem_list_get_id": (None, _vp, _uint, _vp),
    "snd_ctl_elem_id_sizeof": (ctypes.c_size_t,),
    "snd_ctl_elem_info_sizeof": (ctypes.c_size_t,),
    "snd_ctl_elem_info_set_id": (None, _vp, _vp),
    "snd_ctl_elem_info": (_int, _vp, _vp),
    "snd_ctl_elem_info_get_type": (_int, _vp),
    "snd_ctl_elem_info_get_count": (_uint, _vp),
    "snd_ctl_elem_type_name": (_str, _int),
    "snd_ctl_elem_value_sizeof": (ctypes.c_size_t,),
    "snd_ctl_elem_value_set_id": (None, _vp, _vp),
    "snd_ctl_elem_read": (_int, _vp, _vp),
    "snd_ctl_elem_value_get_bytes": (_vp, _vp),
    "snd_pcm_info_sizeof": (ctypes.c_size_t,),
    "snd_pcm_info_set_device": (None, _vp, _uint),
    "snd_pcm_info_set_subdevice": (None, _vp, _uint),
    "snd_pcm_info_set_stream": (None, _vp, _int),
    "snd_pcm_info_get_id": (_str, _vp),
    "snd_pcm_info_get_name": (_str, _vp),
    "snd_pcm_info_get_subdevices_count": (_uint, _vp),
    "snd_device_name_hint": (_int, _int, _str, ctypes.POINTER(_vp)),
    "snd_device_name_get_hint": (_vp, _vp, _str),
    "snd_device_name_free_hint": (_int, _vp),
    "snd_pcm_open": (_int, ctypes.POINTER(_vp), _str, _int, _int),
    "snd_pcm_close": (_int, _vp),
    "snd_pcm_type": (_int, _vp),
    "snd_pcm_type_name": (_str, _int),
    "snd_pcm_dump": (_int, _vp, _vp),
    "snd_output_buffer_open": (_int, ctypes.POINTER(_vp)),
    "snd_output_buffer_string": (ctypes.c_size_t, _vp, ctypes.POINTER(_vp)),
    "snd_output_close": (_int, _vp),
    "snd_pcm_format_value": (_int, _str),
    "snd_pcm_format_width": (_int, _int),
    "snd_pcm_hw_params_sizeof": (ctypes.c_size_t,),
    "snd_pcm_hw_params_any": (_int, _vp, _vp),
    "snd_pcm_hw_params_copy": (None, _vp, _vp),
    "snd_pcm_hw_params_test_format": (_int, _vp, _vp, _int),
    "snd_pcm_hw_params_set_format": (_int, _vp, _vp, _int),
    "snd_pcm_hw_params_get_sbits": (_int, _vp),
    "snd_pcm_hw_params_get_channels_min": (_int, _vp, ctypes.POINTER(_uint)),
    "snd_pcm_hw_params_get_channels_max": (_int, _vp, ctypes.POINTER(_uint)),
    "snd_pcm_hw_params_test_channels": (_int, _vp, _vp, _uint),
    "snd_pcm_hw_params_set_channels": (_int, _vp, _vp, _uint),
    "snd_pcm_hw_params_get_rate_min": (_int, _vp, ctypes.POINTER(_uint), ctypes.POINTER(_int)),
    "snd_pcm_hw_params_get_rate_max": (_int, _vp, ctypes.POINTER(_uint), ctypes.POINTER(_int)),
    "snd_pcm_hw_params_test_rate": (_int, _vp, _vp, _uint, _int),
}


class _Lib:
    """libasound's functions with their C signatures, and libc's free()."""

    def __init__(self, path: str) -> None:
        self.dll = ctypes.CDLL(path)
        for name, (restype, *argtypes) in _PROTOTYPES.items():
            function = getattr(self.dll, name)
            function.restype = restype
            function.argtypes = argtypes
        self.free = ctypes.CDLL(None).free
        self.free.restype = None
        self.free.argtypes = [_vp]
        self.hw_params_size = int(self.dll.snd_pcm_hw_params_sizeof())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.dll, name)

    def strerror(self, code: int) -> str:
        return _text(self.dll.snd_strerror(code)) or f"error {code}"

    def take_string(self, pointer: int | None) -> str | None:
        """A malloc'ed C string as text; the C copy is freed."""
        if not pointer:
            return None
        try:
            return ctypes.string_at(pointer).decode("utf-8", errors="replace")
        finally:
            self.free(pointer)


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8", errors="replace")


class _Messages:
    """alsa-lib's messages (SNDERR goes to fd 2), collected per operation."""

    def __init__(self) -> None:
        self.fd = os.memfd_create("alsa-messages", os.MFD_CLOEXEC)
        self.saved = os.dup(2)
        os.dup2(self.fd, 2)

    def take(self) -> list[str]:
        os.lseek(self.fd, 0, os.SEEK_SET)
        chunks = []
        while chunk := os.read(self.fd, 65536):
            chunks.append(chunk)
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        text = b"".join(chunks).decode("utf-8", errors="replace")
        return [_SNDERR_PREFIX.sub("", line) for line in text.splitlines() if line.strip()]

    def restore(self) -> list[str]:
        left = self.take()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        os.close(self.fd)
        return left


class _HwSpace:
    """A copy of a PCM's hw_params, narrowed step by step with snd_pcm_hw_params_set_*."""

    def __init__(
        self, lib: _Lib, pcm: int, formats: dict[str, int], buffer: Any, fmt: int = -1
    ) -> None:
        self.lib = lib
        self.pcm = pcm
        self.formats = formats
        self.buffer = buffer  # keeps the memory alive
        self.address = ctypes.addressof(buffer)
        self.format = fmt  # once narrowed to one

    def _copy(self, fmt: int) -> _HwSpace:
        buffer = ctypes.create_string_buffer(self.lib.hw_params_size)
        self.lib.snd_pcm_hw_params_copy(ctypes.addressof(buffer), self.address)
        return _HwSpace(self.lib, self.pcm, self.formats, buffer, fmt)

    def narrow_format(self, name: str) -> _HwSpace | None:
        value = self.formats.get(name)
        if value is None or self.lib.snd_pcm_hw_params_test_format(self.pcm, self.address, value):
            return None
        narrowed = self._copy(value)
        if self.lib.snd_pcm_hw_params_set_format(self.pcm, narrowed.address, value) < 0:
            return None
        return narrowed

    def sbits(self) -> int | None:
        """Significant bits. Kernel PCMs say it (24 for S32_LE on most HDA codecs); alsa-lib's
        plugins give the physical width instead (32 for S24_LE), so the format's width caps it."""
        bits = int(self.lib.snd_pcm_hw_params_get_sbits(self.address))
        if bits <= 0:
            return None
        width = int(self.lib.snd_pcm_format_width(self.format)) if self.format >= 0 else 0
        return min(bits, width) if width > 0 else bits

    def channel_range(self) -> tuple[int, int]:
        low, high = _uint(0), _uint(0)
        if self.lib.snd_pcm_hw_params_get_channels_min(self.address, ctypes.byref(low)) < 0:
            return (1, 0)
        if self.lib.snd_pcm_hw_params_get_channels_max(self.address, ctypes.byref(high)) < 0:
            return (1, 0)
        return (low.value, high.value)

    def narrow_channels(self, channels: int) -> _HwSpace | None:
        if self.lib.snd_pcm_hw_params_test_channels(self.pcm, self.address, channels):
            return None
        narrowed = self._copy(self.format)
        if self.lib.snd_pcm_hw_params_set_channels(self.pcm, narrowed.address, channels) < 0:
            return None
        return narrowed

    def rate_range(self) -> tuple[int, int]:
        low, high, direction = _uint(0), _uint(0), _int(0)
        get_min = self.lib.snd_pcm_hw_params_get_rate_min
        get_max = self.lib.snd_pcm_hw_params_get_rate_max
        if get_min(self.address, ctypes.byref(low), ctypes.byref(direction)) < 0:
            return (1, 0)
        if get_max(self.address, ctypes.byref(high), ctypes.byref(direction)) < 0:
            return (1, 0)
        return (low.value, high.value)

    def accepts_rate(self, rate: int) -> bool:
        return int(self.lib.snd_pcm_hw_params_test_rate(self.pcm, self.address, rate, 0)) == 0


def _status(code: int) -> PcmStatus:
    if code == errno.EBUSY:
        return "busy"
    if code in (errno.EACCES, errno.EPERM):
        return "denied"
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.ECONNREFUSED):
        return "absent"  # no such device, card, or sound server
    return "error"


class _Worker:
    def __init__(
        self, lib: _Lib, messages: _Messages, send: Callable[[dict[str, Any]], None]
    ) -> None:
        self.lib = lib
        self.messages = messages
        self.send = send  # one protocol line out, at once: a later hang must not lose it
        self.formats = {
            name: value
            for name in FORMATS
            if (value := int(lib.snd_pcm_format_value(name.encode()))) >= 0
        }

    def _note(self, what: str, code: int | None = None) -> None:
        parts = [what]
        if code is not None:
            parts.append(self.lib.strerror(code))
        parts += self.messages.take()
        self.send({"kind": "error", "text": ": ".join(parts)})

    # ---- enumeration

    def cards(self) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """Each card as it is read, with its playback devices as PCM entries (not yet
        probed): the caller sends a card before the next one can hang."""
        index = _int(-1)
        while True:
            code = self.lib.snd_card_next(ctypes.byref(index))
            if code < 0:
                self._note("snd_card_next", code)
                break
            if index.value < 0:
                break
            yield self._card(index.value)

    def _names(self, index: int) -> tuple[str | None, str | None]:
        name, longname = _vp(), _vp()
        short = long = None
        if self.lib.snd_card_get_name(index, ctypes.byref(name)) == 0:
            short = self.lib.take_string(name.value)
        if self.lib.snd_card_get_longname(index, ctypes.byref(longname)) == 0:
            long = self.lib.take_string(longname.value)
        return short, long

    def _card(self, index: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        name, longname = self._names(index)
        card: dict[str, Any] = {
            "index": index,
            "id": None,
            "driver": None,
            "name": name,
            "longname": longname,
            "error": None,
        }
        ctl = _vp()
        code = self.lib.snd_ctl_open(ctypes.byref(ctl), f"hw:{index}".encode(), 0)
        if code < 0:
            card["error"] = "; ".join([self.lib.strerror(code), *self.messages.take()])
            return card, []
        devices: list[dict[str, Any]] = []
        try:
            info = ctypes.create_string_buffer(int(self.lib.snd_ctl_card_info_sizeof()))
            if self.lib.snd_ctl_card_info(ctl, ctypes.addressof(info)) == 0:
                card["id"] = _text(self.lib.snd_ctl_card_info_get_id(ctypes.addressof(info)))
                card["driver"] = _text(
                    self.lib.snd_ctl_card_info_get_driver(ctypes.addressof(info))
                )
            pcm_info = ctypes.create_string_buffer(int(self.lib.snd_pcm_info_sizeof()))
            address = ctypes.addressof(pcm_info)
            device = _int(-1)
            while self.lib.snd_ctl_pcm_next_device(ctl, ctypes.byref(device)) == 0:
                if device.value < 0:
                    break
                self.lib.snd_pcm_info_set_device(address, device.value)
                self.lib.snd_pcm_info_set_subdevice(address, 0)
                self.lib.snd_pcm_info_set_stream(address, _SND_PCM_STREAM_PLAYBACK)
                if self.lib.snd_ctl_pcm_info(ctl, address) < 0:
                    continue  # a capture-only device
                devices.append(
                    _entry(
                        f"hw:{index},{device.value}",
                        _text(self.lib.snd_pcm_info_get_name(address))
                        or _text(self.lib.snd_pcm_info_get_id(address)),
                        "card",
                        card=index,
                        device=device.value,
                        subdevices=int(self.lib.snd_pcm_info_get_subdevices_count(address)),
                    )
                )
            self.messages.take()  # capture-only devices make alsa-lib complain; not news
            elds = self.elds(ctl.value, f"hw:{index}")
        finally:
            self.lib.snd_ctl_close(ctl)
        for entry in devices:
            eld = elds.get(entry["device"])
            entry["eld"] = None if eld is None else eld.hex()
        return card, devices

    def control(self, name: str) -> dict[str, Any]:
        """A control device named in the request, read as `_card` reads a card's."""
        entry: dict[str, Any] = {
            "name": name,
            "status": "error",
            "errno": None,
            "detail": "",
            "elds": [],
        }
        ctl = _vp()
        self.messages.take()
        code = self.lib.snd_ctl_open(ctypes.byref(ctl), name.encode(), 0)
        if code < 0:
            entry["status"] = _status(-code)
            entry["errno"] = -code
            entry["detail"] = "; ".join([self.lib.strerror(code), *self.messages.take()])
            return entry
        try:
            elds = self.elds(ctl.value, name)
        finally:
            self.lib.snd_ctl_close(ctl)
        entry["status"] = "ok"
        entry["detail"] = "; ".join(self.messages.take())
        entry["elds"] = [{"device": d, "eld": elds[d].hex()} for d in sorted(elds)]
        return entry

    def elds(self, ctl: int | None, label: str) -> dict[int, bytes]:
        """The ELD elements (iface PCM, name "ELD") of an open control device, by PCM
        device: b"" when no sink is connected. Failures are noted and the element skipped."""
        lib = self.lib
        elements = ctypes.create_string_buffer(int(lib.snd_ctl_elem_list_sizeof()))
        address = ctypes.addressof(elements)
        code = lib.snd_ctl_elem_list(ctl, address)  # no space yet: only the count
        if code < 0:
            self._note(f"{label}: snd_ctl_elem_list", code)
            return {}
        count = int(lib.snd_ctl_elem_list_get_count(address))
        if count == 0:
            return {}  # calloc(0) may be NULL, which alloc_space takes for ENOMEM
        code = lib.snd_ctl_elem_list_alloc_space(address, count)
        if code < 0:
            self._note(f"{label}: snd_ctl_elem_list_alloc_space", code)
            return {}
        found: dict[int, bytes] = {}
        try:
            code = lib.snd_ctl_elem_list(ctl, address)
            if code < 0:
                self._note(f"{label}: snd_ctl_elem_list", code)
                return {}
            element = ctypes.create_string_buffer(int(lib.snd_ctl_elem_id_sizeof()))
            for i in range(lib.snd_ctl_elem_list_get_used(address)):
                if (
                    lib.snd_ctl_elem_list_get_interface(address, i) != _SND_CTL_ELEM_IFACE_PCM
                    or lib.snd_ctl_elem_list_get_name(address, i) != b"ELD"
                ):
                    continue
                device = int(lib.snd_ctl_elem_list_get_device(address, i))
                lib.snd_ctl_elem_list_get_id(address, i, ctypes.addressof(element))
                eld = self._eld(ctl, ctypes.addressof(element), f"{label} ELD device {device}")
                if eld is not None:
                    found[device] = eld
        finally:
            lib.snd_ctl_elem_list_free_space(address)
        return found

    def _eld(self, ctl: int | None, element: int, label: str) -> bytes | None:
        """One ELD element's bytes, trimmed to its count; None (noted) when unreadable."""
        lib = self.lib
        info_buffer = ctypes.create_string_buffer(int(lib.snd_ctl_elem_info_sizeof()))
        info = ctypes.addressof(info_buffer)
        lib.snd_ctl_elem_info_set_id(info, element)
        code = lib.snd_ctl_elem_info(ctl, info)
        if code < 0:
            self._note(f"{label}: snd_ctl_elem_info", code)
            return None
        kind = int(lib.snd_ctl_elem_info_get_type(info))
        if kind != _SND_CTL_ELEM_TYPE_BYTES:
            self._note(f"{label}: type {_text(lib.snd_ctl_elem_type_name(kind))}, not BYTES")
            return None
        count = min(int(lib.snd_ctl_elem_info_get_count(info)), _ELEM_BYTES_MAX)
        value_buffer = ctypes.create_string_buffer(int(lib.snd_ctl_elem_value_sizeof()))
        value = ctypes.addressof(value_buffer)
        lib.snd_ctl_elem_value_set_id(value, element)
        code = lib.snd_ctl_elem_read(ctl, value)
        if code < 0:
            self._note(f"{label}: snd_ctl_elem_read", code)
            return None
        data = ctypes.string_at(lib.snd_ctl_elem_value_get_bytes(value), count)
        return data if any(data) else b""  # hdmi-codec zeroes it, HDA empties it: no sink

    def hinted(self) -> list[dict[str, Any]]:
        """The configuration's output PCMs, in the order alsa-lib lists them."""
        hints = _vp()
        code = self.lib.snd_device_name_hint(-1, b"pcm", ctypes.byref(hints))
        if code < 0:
            self._note("snd_device_name_hint", code)
            return []
        found: list[dict[str, Any]] = []
        try:
            array = ctypes.cast(hints, ctypes.POINTER(_vp))
            i = 0
            while array[i]:
                hint = array[i]
                i += 1
                name = self.lib.take_string(self.lib.snd_device_name_get_hint(hint, b"NAME"))
                description = self.lib.take_string(self.lib.snd_device_name_get_hint(hint, b"DESC"))
                direction = self.lib.take_string(self.lib.snd_device_name_get_hint(hint, b"IOID"))
                if not name or direction == "Input" or ":" in name or name in SKIPPED_HINTS:
                    continue
                if description:
                    description = " ".join(description.split())
                found.append(_entry(name, description or None, "config"))
        finally:
            self.lib.snd_device_name_free_hint(hints)
        self.messages.take()
        return found

    # ---- probing

    def probe(self, entry: dict[str, Any]) -> dict[str, Any]:
        pcm = _vp()
        self.messages.take()
        code = self.lib.snd_pcm_open(
            ctypes.byref(pcm), entry["name"].encode(), _SND_PCM_STREAM_PLAYBACK, _SND_PCM_NONBLOCK
        )
        if code < 0:
            return self._failed(entry, code)
        try:
            entry["pcm_type"] = _text(self.lib.snd_pcm_type_name(self.lib.snd_pcm_type(pcm)))
            entry["plugin"] = self._plugin(pcm.value)
            buffer = ctypes.create_string_buffer(self.lib.hw_params_size)
            code = self.lib.snd_pcm_hw_params_any(pcm, ctypes.addressof(buffer))
            if code < 0:
                return self._failed(entry, code)
            space = _HwSpace(self.lib, int(pcm.value or 0), self.formats, buffer)
            entry["configs"] = [
                {"format": c.format, "bits": c.bits, "channels": c.channels, "rates": c.rates}
                for c in combinations(space, formats=list(self.formats))
            ]
            entry["status"] = "ok"
        finally:
            self.lib.snd_pcm_close(pcm)
        entry["detail"] = "; ".join(self.messages.take())
        return entry

    def _failed(self, entry: dict[str, Any], code: int) -> dict[str, Any]:
        entry["status"] = _status(-code)
        entry["errno"] = -code
        entry["detail"] = "; ".join([self.lib.strerror(code), *self.messages.take()])
        return entry

    def _plugin(self, pcm: int | None) -> str | None:
        output = _vp()
        if self.lib.snd_output_buffer_open(ctypes.byref(output)) < 0:
            return None
        try:
            if self.lib.snd_pcm_dump(pcm, output) < 0:
                return None
            text = _vp()
            size = int(self.lib.snd_output_buffer_string(output, ctypes.byref(text)))
            if not text.value or not size:
                return None
            dump = ctypes.string_at(text.value, size).decode("utf-8", errors="replace")
            first = dump.splitlines()[0].strip() if dump.strip() else ""
            return first.rstrip(":").strip() or None
        finally:
            self.lib.snd_output_close(output)


def _entry(
    name: str,
    description: str | None,
    source: PcmSource,
    card: int | None = None,
    device: int | None = None,
    subdevices: int | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "source": source,
        "card": card,
        "device": device,
        "subdevices": subdevices,
        "pcm_type": None,
        "plugin": None,
        "status": "error",
        "errno": None,
        "detail": "",
        "configs": [],
        "eld": None,
    }


def _quiet_environment() -> None:
    """What alsa-lib and the sound-server clients it loads must not see or do."""
    for key in [k for k in os.environ if k.startswith("PA_ALSA_")]:
        del os.environ[key]  # PortAudio's switches; os.environ also unsets them for C
    os.environ["JACK_NO_START_SERVER"] = "1"
    os.environ["PULSE_BINARY"] = "/bin/false"  # what libpulse would autospawn


def worker(argv: Sequence[str]) -> int:
    """Probe, writing one JSON line per finding on stdout (the real one, whatever alsa-lib
    prints) as soon as it is known; see `probe` for the protocol."""
    start = time.monotonic()
    library, names, ctls, skip, enumerate_all = LIBRARY, [], [], set(), True
    args = list(argv)
    while args:
        flag = args.pop(0)
        if flag == "--library" and args:
            library = args.pop(0)
        elif flag == "--pcm" and args:
            names.append(args.pop(0))
        elif flag == "--ctl" and args:
            ctls.append(args.pop(0))
        elif flag == "--skip" and args:
            skip.add(args.pop(0))
        elif flag == "--no-enumerate":
            enumerate_all = False
        else:
            print(
                "usage: python -m drivers.alsa [--library L] [--no-enumerate]"
                " [--pcm NAME]... [--ctl NAME]... [--skip PCM]..."
            )
            return 2
    _quiet_environment()
    send = _sender(os.fdopen(os.dup(1), "w", encoding="utf-8"))
    os.dup2(2, 1)  # anything a plugin prints on stdout goes where its errors go
    try:
        lib = _Lib(library)
    except OSError as e:
        failure = {"kind": "library", "name": library, "detail": str(e)}
        send({"kind": "failure", "worker": WORKER_VERSION, "error": failure})
        return 3
    try:
        version = _text(lib.snd_asoundlib_version()) or ""
        send({"kind": "header", "worker": WORKER_VERSION, "library_version": version})
        messages = _Messages()
        work = _Worker(lib, messages, send)
        entries: list[dict[str, Any]] = []
        if enumerate_all:
            send({"kind": "start", "step": "cards"})
            for card, devices in work.cards():
                send({"kind": "card", "card": card})
                entries += devices
            send({"kind": "start", "step": "hints"})
            entries += work.hinted()
        seen = {e["name"] for e in entries}
        entries += [_entry(n, None, "request") for n in dict.fromkeys(names) if n not in seen]
        for entry in entries:
            if entry["name"] not in skip:
                send({"kind": "start", "pcm": entry})  # what the parent reports if it hangs
                send({"kind": "pcm", "pcm": work.probe(entry)})
        for name in dict.fromkeys(ctls):
            send({"kind": "start", "control": name})
            send({"kind": "control", "control": work.control(name)})
        elapsed = round((time.monotonic() - start) * 1000, 2)
        send({"kind": "end", "errors": messages.restore(), "elapsed_ms": elapsed})
    except Exception as e:  # reported as data; the parent keeps what came before it
        failure = {"kind": "internal", "detail": repr(e)}
        send({"kind": "failure", "worker": WORKER_VERSION, "error": failure})
    return 0


def _sender(stream: TextIO) -> Callable[[dict[str, Any]], None]:
    def send(line: dict[str, Any]) -> None:
        stream.write(json.dumps(line) + "\n")
        stream.flush()  # the parent sees it even if the next call never returns

    return send


if __name__ == "__main__":
    sys.exit(worker(sys.argv[1:]))
