"""Reading the live system while keeping what was read, for `capprobe snapshot`: which
files and pieces of files, which links were followed, which directories were listed, and
which environment variables were looked at. Nothing else goes into a snapshot.

Everything is kept under the path the live system gives it with every link followed, and
the links themselves are kept as links, so the snapshot has the live tree's shape:
/sys/class/net/eth0 stays a link into /sys/devices.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import socket
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from drivers.files import Files
from drivers.snapshot import Content


class RecordingFiles(Files):
    """The live system, read as `Files` reads it, remembering what it gave."""

    def __init__(self) -> None:
        super().__init__(Path("/"))
        self.contents: dict[str, Content] = {}
        self.links: dict[str, str] = {}
        self.directories: set[str] = set()
        self._lock = threading.RLock()  # the probes read from their own threads

    def resolve(self, path: str) -> str:
        return self._walk(path)  # a component at a time: every link on the way is kept

    def _link(self, link: Path, path: str) -> str:
        target = os.readlink(link)
        with self._lock:
            self.links[path] = target
        return target

    def read_bytes(self, path: str, limit: int = 1 << 20) -> bytes:
        real = self.resolve(path)
        data = super().read_bytes(path, limit)
        # procfs and sysfs files report sizes of 0 or 4096: a whole read is the size
        size = len(data) if len(data) < limit else max(len(data), _size(real))
        self._keep(real, size, {0: data}, whole=len(data) < limit)
        return data

    @contextlib.contextmanager
    def reader(self, path: str) -> Iterator[Callable[[int, int], bytes]]:
        real = self.resolve(path)
        pieces: dict[int, bytes] = {}
        with super().reader(path) as read:

            def keeping(offset: int, size: int) -> bytes:
                data = read(offset, size)
                pieces[offset] = max(data, pieces.get(offset, b""), key=len)
                return data

            try:
                yield keeping
            finally:
                self._keep(real, _size(real), pieces, whole=False)

    def listdir(self, path: str) -> list[str]:
        real = self.resolve(path)
        names = super().listdir(path)
        for name in names:
            self._entry(f"{real.rstrip('/')}/{name}")
        self._entry(real)
        return names

    def exists(self, path: str) -> bool:
        try:
            real = self.resolve(path)
        except OSError:
            return False
        found = super().exists(path)
        if found:
            self._entry(real)
        return found

    def stat(self, path: str) -> os.stat_result:
        real = self.resolve(path)
        info = super().stat(path)
        self._entry(real)
        return info

    def glob(self, directory: str, pattern: str) -> list[str]:
        found = super().glob(directory, pattern)
        with contextlib.suppress(OSError):
            real = self.resolve(directory)
            self._entry(real)
            for path in found:
                self._entry(f"{real.rstrip('/')}/{path.rsplit('/', 1)[1]}")
        return found

    def _scan(self, directory: str) -> list[os.DirEntry[str]]:
        entries = super()._scan(directory)
        real = self.resolve(directory)
        self._entry(real)
        for entry in entries:
            self._entry(f"{real.rstrip('/')}/{entry.name}")
        return entries

    def _entry(self, real: str) -> None:
        """Keep that `real` (links followed up to its last part) exists, as what it is."""
        try:
            info = os.lstat(real)
        except OSError:
            return
        if stat.S_ISLNK(info.st_mode):
            with contextlib.suppress(OSError):
                self._link(Path(real), real)
        elif stat.S_ISDIR(info.st_mode):
            with self._lock:
                self.directories.add(real)
        else:  # its size, for a library found but never read; no bytes
            self._keep(real, info.st_size if stat.S_ISREG(info.st_mode) else 0, {}, whole=False)

    def _keep(self, real: str, size: int, pieces: dict[int, bytes], whole: bool) -> None:
        with self._lock:
            before = self.contents.get(real)
            if before is not None and not whole:
                # the longer of two reads at one offset: a header read after a whole read
                # must not cut the whole file down to its header
                longer = {o: max(p, before.pieces.get(o, b""), key=len) for o, p in pieces.items()}
                pieces = {**before.pieces, **{o: p for o, p in longer.items() if p}}
                size = before.size if before.pieces and 0 in before.pieces else size
            self.contents[real] = Content(size, pieces)


def _size(real: str) -> int:
    try:
        return os.stat(real).st_size
    except OSError:
        return 0


class RecordingEnvironment(Mapping[str, str]):
    """The environment, remembering which variables were looked up (set or not)."""

    def __init__(self, environment: Mapping[str, str]) -> None:
        self._environment = dict(environment)
        self.looked_up: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.looked_up.add(key)
        return self._environment[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.looked_up.add(key)
        return key in self._environment

    def __iter__(self) -> Iterator[str]:
        self.looked_up.update(self._environment)  # whoever lists them all sees them all
        return iter(self._environment)

    def __len__(self) -> int:
        return len(self._environment)

    def kept(self) -> dict[str, str]:
        return {k: v for k, v in self._environment.items() if k in self.looked_up}


def private_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The user names and host names a snapshot of this machine must not hold, beyond those
    its passwd shows: the running user's, the directories of /home, the host's name."""
    users = set()
    if os.geteuid() != 0:
        with contextlib.suppress(KeyError):
            users.add(pwd.getpwuid(os.geteuid()).pw_name)
    with contextlib.suppress(OSError):
        users.update(os.listdir("/home"))
    name = socket.gethostname()
    return tuple(sorted(users)), tuple(sorted({name, name.split(".", 1)[0]}))
