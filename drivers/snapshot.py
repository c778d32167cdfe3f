"""Snapshots: directories that hold what a probe read, so that a run can be replayed on any
machine without touching it.

    DIR/<path>                        each file read, under the path the live system gives
                                      it (DIR/proc/asound/card0/codec#0, DIR/etc/locale.conf)
    DIR/.capprobe/snapshot.json       what files cannot say: the host (kernel, machine,
                                      userspace bits, glibc, euid), the environment
                                      variables the probes read, and what made it
    DIR/.capprobe/answers/NAME.json   the recorded answer of a command or a library call
                                      ("aplay -l", "alsa-lib", ...), as JSON

Every part is optional: a directory holding only proc/asound/card0/stream0 is a snapshot,
and what it lacks is reported as absent.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from drivers.files import Files, write_atomic
from drivers.host import HostInfo

FORMAT = 1
META = ".capprobe/snapshot.json"
ANSWERS = ".capprobe/answers"
_MAX_META = 1 << 20
_MAX_ANSWER = 64 << 20
_UNKNOWN_HOST = HostInfo("linux", "", "", None, None, None)


@dataclass(frozen=True)
class Content:
    """A file of which only some pieces were read (a CDM library's header and dynamic
    section): written sparse, at its real size, so offsets and the size replay."""

    size: int
    pieces: dict[int, bytes]  # offset: the bytes read there


class SnapshotError(ValueError):
    """A snapshot that cannot be replayed or written; the message names the file and why."""


@dataclass(frozen=True)
class Snapshot:
    root: Path
    host: HostInfo
    environment: dict[str, str] = field(default_factory=dict)
    made_by: str = "by hand"

    @property
    def files(self) -> Files:
        return Files(self.root)

    def answer(self, name: str) -> Any | None:
        """The recorded answer called `name`, or None when the snapshot has none."""
        return _read_json(self.root, f"{ANSWERS}/{answer_file(name)}", _MAX_ANSWER)


def answer_file(name: str) -> str:
    """The file name of an answer: "aplay -l" is "aplay_-l.json"."""
    return re.sub(r"[^A-Za-z0-9.+-]+", "_", name).strip("_") + ".json"


def open_snapshot(root: Path) -> Snapshot:
    if not root.is_dir():
        raise SnapshotError(f"{root}: not a directory")
    _check_answers(root)
    meta = _read_json(root, META, _MAX_META)
    if meta is None:
        return Snapshot(root.resolve(), _UNKNOWN_HOST)
    where = root / META
    if not isinstance(meta, dict):
        raise SnapshotError(f"{where}: not a JSON object")
    version = meta.get("format")
    if not isinstance(version, int) or not 1 <= version <= FORMAT:
        raise SnapshotError(f"{where}: format {version!r}; this capprobe reads format {FORMAT}")
    return Snapshot(
        root.resolve(),
        _host(meta.get("host", {}), where),
        _strings(meta.get("environment", {}), where, "environment"),
        str(meta.get("made_by", "unknown")),
    )


def _check_answers(root: Path) -> None:
    """Every answer file is JSON: a damaged one stops the replay before it starts, rather
    than turn into one probe's error."""
    directory = root / ANSWERS
    if directory.is_dir():
        for path in sorted(directory.iterdir()):
            _read_json(root, f"{ANSWERS}/{path.name}", _MAX_ANSWER)


def _read_json(root: Path, relative: str, limit: int) -> Any | None:
    """The JSON file at `relative` inside the snapshot; None when there is none."""
    where = root / relative
    try:
        data = Files(root).read_bytes(f"/{relative}", limit=limit)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise SnapshotError(f"{where}: {e.strerror or e}") from None
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SnapshotError(f"{where}: not JSON: {e}") from None


_HOST_TYPES: dict[str, type] = {
    "system": str,
    "machine": str,
    "kernel": str,
    "pointer_bits": int,
    "glibc_version": str,
    "euid": int,
}


def _host(raw: Any, where: Path) -> HostInfo:
    if not isinstance(raw, dict):
        raise SnapshotError(f"{where}: 'host' is not an object")
    for key, value in raw.items():
        kind = _HOST_TYPES.get(key)
        if kind is None or not (value is None or type(value) is kind):
            raise SnapshotError(f"{where}: host.{key} is {value!r}, not what a host says")
    return HostInfo(
        raw.get("system") or "linux",
        raw.get("machine") or "",
        raw.get("kernel") or "",
        raw.get("pointer_bits"),
        raw.get("glibc_version"),
        raw.get("euid"),
    )


def _strings(raw: Any, where: Path, key: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise SnapshotError(f"{where}: '{key}' is not an object of strings")
    return dict(raw)


def write_snapshot(
    root: Path,
    files: Mapping[str, bytes | Content],
    host: HostInfo,
    environment: Mapping[str, str],
    made_by: str,
    answers: Mapping[str, Any],
    links: Mapping[str, str] | None = None,
    directories: Collection[str] = (),
) -> None:
    """Write a snapshot into `root`, which must not exist or be empty: a snapshot is never
    mixed with what was there. `links` (path: target, as readlink gave it) and
    `directories` (empty ones included) keep the shape of the tree the files lay in."""
    links = links or {}
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise SnapshotError(f"{root}: exists and is not an empty directory")
    for path in [*files, *links, *directories]:
        _inside(path)
    root.mkdir(parents=True, exist_ok=True)
    for path in sorted(directories):
        _place(root, path).mkdir(parents=True, exist_ok=True)
    for path, target in sorted(links.items()):
        _place(root, path).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, _place(root, path))
    for path, data in sorted(files.items()):
        place = _place(root, path)
        place.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Content):
            _write_sparse(place, data)
        else:
            write_atomic(place, data)
    meta = {
        "format": FORMAT,
        "host": asdict(host),
        "environment": dict(environment),
        "made_by": made_by,
    }
    (root / ANSWERS).mkdir(parents=True, exist_ok=True)
    write_atomic(root / META, _json(meta))
    for name, answer in sorted(answers.items()):
        write_atomic(root / ANSWERS / answer_file(name), _json(answer))


def _place(root: Path, path: str) -> Path:
    return root.joinpath(*PurePosixPath(path).parts[1:])


def _write_sparse(place: Path, content: Content) -> None:
    with open(place, "wb") as f:
        for offset, piece in sorted(content.pieces.items()):
            f.seek(offset)
            f.write(piece)
        f.truncate(content.size)


def _inside(path: str) -> None:
    parts = PurePosixPath(path).parts
    if not path.startswith("/") or ".." in parts or len(parts) < 2 or parts[1] == ".capprobe":
        raise SnapshotError(f"{path!r}: a snapshot holds absolute paths of the live system only")


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
