"""The manifest is written atomically: a writer killed at any moment leaves the old file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.files import temporaries, write_atomic
from tests.conftest import IS_ROOT, ROOT

SIZE = 2 << 20
WRITER = """
import os, sys
from pathlib import Path
from drivers import files
target, strategy = Path(sys.argv[1]), sys.argv[2]
payloads = [b"A" * {size}, b"B" * {size}]
print("ready", flush=True)
n = 0
while True:
    data = payloads[n % 2]
    if strategy == "named":
        dirfd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        files.replace_via_named(dirfd, target.name, data, 0o644)
        os.close(dirfd)
    else:
        files.write_atomic(target, data)
    n += 1
"""


@pytest.mark.parametrize("strategy", ["anonymous", "named"])
def test_sigkill_at_random_moments_never_leaves_a_torn_manifest(
    tmp_path: Path, strategy: str
) -> None:
    target = tmp_path / "manifest.json"
    target.write_bytes(b"A" * SIZE)
    script = WRITER.format(size=SIZE)
    rng = random.Random(1234)
    leftovers = 0
    for _ in range(25):
        proc = subprocess.Popen(
            [sys.executable, "-c", script, str(target), strategy],
            stdout=subprocess.PIPE,
            cwd=ROOT,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        proc.stdout.close()
        time.sleep(rng.uniform(0.0, 0.06))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        content = target.read_bytes()
        assert content in (b"A" * SIZE, b"B" * SIZE), "the manifest was torn"
        leftovers += len(temporaries(target))
    if strategy == "anonymous":
        # a name exists only between link and rename: microseconds out of each write
        assert leftovers <= 3
    write_atomic(target, b"final")
    assert target.read_bytes() == b"final"
    assert temporaries(target) == [], "the next write must remove what killed writers left"


def test_a_live_writers_temporary_file_is_not_removed(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    ours = tmp_path / f".manifest.json.capprobe-tmp.{os.getppid()}.abcd1234"
    ours.write_bytes(b"someone else is writing")
    stale = tmp_path / ".manifest.json.capprobe-tmp.999999999.abcd1234"
    stale.write_bytes(b"left by a killed writer")
    write_atomic(target, b"new")
    assert ours.exists()
    assert not stale.exists()


@pytest.fixture
def tiny_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB tmpfs, so that a write fails with ENOSPC as on a full disk."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.skipif(not IS_ROOT, reason="mounting a small tmpfs needs root")
def test_a_full_disk_keeps_the_old_manifest_and_leaves_nothing(tiny_filesystem: Path) -> None:
    target = tiny_filesystem / "manifest.json"
    write_atomic(target, b"old manifest")
    with pytest.raises(OSError) as caught:
        write_atomic(target, b"x" * (256 << 10))
    assert caught.value.errno == 28  # ENOSPC
    assert target.read_bytes() == b"old manifest"
    assert sorted(p.name for p in tiny_filesystem.iterdir()) == ["manifest.json"]
