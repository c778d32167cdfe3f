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

Why two modules: alsa-lib runs only in a worker process (`python -m drivers.alsa_worker`,
which holds the ctypes binding and the combination search), so a plugin that hangs or a
crash in C cannot take the caller down, and costs only the PCM it happened in. This module
is the side capprobe imports, and it never loads alsa-lib or ctypes: it holds the report's
frozen dataclasses, `parse_report`, and `probe()`, the runner, which starts the worker,
reads its JSON lines as they come (the protocol: drivers.alsa_worker), kills the worker's
process group when one PCM takes too long or the time is up, reports the PCM in progress
as "timeout" (or "error" when the worker died), and lets a new worker probe the rest while
time and restarts remain; such a report has `AlsaReport.complete` False. What the two
share (protocol version, rates, statuses, `AlsaConfig`) is in drivers.alsa_protocol, which
imports nothing slow, so the worker starts quickly; its command line is
drivers.children's, which may have started it ahead of the run.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from drivers import children
from drivers.alsa_protocol import (
    LIBRARY,
    SOURCES,
    STANDARD_RATES,
    STATUSES,
    WORKER_VERSION,
    AlsaConfig,
    PcmSource,
    PcmStatus,
)

__all__ = [
    "LIBRARY",
    "STANDARD_RATES",
    "WORKER_VERSION",
    "AlsaCard",
    "AlsaConfig",
    "AlsaControl",
    "AlsaPcm",
    "AlsaReport",
    "PcmSource",
    "PcmStatus",
    "WorkerError",
    "parse_report",
    "probe",
]

MAX_RESTARTS = 3  # new workers after stuck or crashed PCMs, at most


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


# ------------------------------------------------------------------------- the runner


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

    The worker writes one JSON line per finding (see drivers.alsa_worker), so one stuck or
    crashing PCM costs only itself: it is "timeout" (the worker was killed: at `timeout`
    overall, or after `item_timeout` on that PCM, default a quarter of `timeout`) or
    "error" (the worker died). While time and `restarts` remain, a new worker probes the PCMs and
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
    return children.alsa_worker()


class _Collector:
    """The worker's stdout, line by line as it arrives, held to the protocol (described in
    drivers.alsa_worker): a header first, an end last, nothing after it. A "start" line
    not followed by its answer names what the worker was doing when it was killed or died.
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
    process = children.start(argv, children.quiet_environment())
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
        children.kill(process)
    return _Run(lines, limit, waited, process.returncode, stderr.decode("utf-8", "replace"))


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
    if status not in STATUSES or source not in SOURCES:
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
    if status not in STATUSES:
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
