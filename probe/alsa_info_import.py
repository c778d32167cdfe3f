"""An alsa-info.sh report, as support receives it, turned into a snapshot that
`capprobe run --snapshot DIR` replays: the /proc/asound files the report carries go under
their own paths (probe/parsers/alsa_info.py says which, and how their cards are found), its
kernel and machine into the snapshot's host, its `aplay -l` into the answer of that name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import probe
from drivers.commands import CommandResult
from drivers.host import HostInfo
from drivers.plain import to_plain
from drivers.snapshot import write_snapshot
from probe.parsers.alsa_info import parse_report
from probe.parsers.asound import parse_cards


@dataclass(frozen=True)
class ImportSummary:
    root: Path
    version: str | None
    cards: int
    codecs: int  # /proc/asound/cardN/codec#M files written
    streams: int  # /proc/asound/cardN/streamM files written
    notes: tuple[str, ...]  # what the report lacked or had mangled, and so was left out

    def line(self) -> str:
        """One line for the command line to print."""
        version = f"alsa-info.sh {self.version}" if self.version else "alsa-info.sh"
        counts = (
            _count(self.cards, "card"),
            _count(self.codecs, "HD-audio codec"),
            _count(self.streams, "USB stream"),
        )
        line = f"{self.root}: {version} report imported: {', '.join(counts)}"
        return line + "".join(f"; {note}" for note in self.notes)


def import_report(text: str, root: Path) -> ImportSummary:
    """Parse `text`, then write the snapshot into `root`, which must not exist or be empty.
    Raises AlsaInfoError (nothing written) for text that is no usable report, SnapshotError
    for a `root` that holds something."""
    report = parse_report(text)
    version = report.version or "(version unknown)"
    write_snapshot(
        root,
        {path: content.encode() for path, content in report.files.items()},
        HostInfo("linux", report.machine or "", report.kernel_release or "", None, None, None),
        {},
        f"alsa-info.sh {version} report, imported by capprobe {probe.__version__}",
        {"aplay -l": _command_answer(["aplay", "-l"], report.aplay_l)}
        if report.aplay_l is not None
        else {},
    )
    return ImportSummary(
        root,
        report.version,
        len(parse_cards(report.files.get("/proc/asound/cards", ""))),
        sum("/codec#" in path for path in report.files),
        sum("/stream" in path for path in report.files),
        tuple(report.notes),
    )


def _command_answer(argv: list[str], stdout: str) -> dict[str, Any]:
    """What drivers.answers keeps for a command that printed `stdout`."""
    return {"answer": to_plain(CommandResult(tuple(argv), 0, stdout, ""))}


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"
