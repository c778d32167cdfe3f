"""drivers.files.Files.find: a bounded search that reports where and why it stopped."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from drivers.files import Files

NAMES = frozenset({"libwidevinecdm.so"})


@pytest.fixture(params=["live", "snapshot"])
def tree(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Files, str, Path]:
    """A root and the mirrored path of a search place in it, the same tree read live
    (paths on this machine) and as a snapshot (paths inside the root)."""
    (tmp_path / "srv").mkdir()
    if request.param == "live":
        return Files(), str(tmp_path / "srv"), tmp_path / "srv"
    return Files(tmp_path), "/srv", tmp_path / "srv"


def test_finds_libraries_and_follows_links_inside(tree: tuple[Files, str, Path]) -> None:
    files, top, host = tree
    (host / "WidevineCdm/_platform_specific/linux_x64").mkdir(parents=True)
    (host / "WidevineCdm/_platform_specific/linux_x64/libwidevinecdm.so").write_bytes(b"\x7fELF")
    (host / "alias").symlink_to("WidevineCdm")
    found = files.find(top, NAMES, (top,), depth=4)
    assert [f.path for f in found.files] == [
        f"{top}/WidevineCdm/_platform_specific/linux_x64/libwidevinecdm.so"
    ]
    assert found.files[0].info.st_size == 4
    # the alias leads back into a directory searched already: said, not searched twice
    assert found.problems == [(f"{top}/alias", "a link back to a directory already searched")]


def test_link_out_of_the_scopes_is_not_followed(
    tree: tuple[Files, str, Path], tmp_path: Path
) -> None:
    files, top, host = tree
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "libwidevinecdm.so").write_bytes(b"\x7fELF")
    (host / "libwidevinecdm.so").symlink_to(outside / "libwidevinecdm.so")
    (host / "dir").symlink_to(outside)
    found = files.find(top, NAMES, (top,), depth=3)
    assert found.files == []
    reasons = dict(found.problems)
    assert "out of the searched places" in reasons[f"{top}/libwidevinecdm.so"]
    assert "out of the searched places" in reasons[f"{top}/dir"]


def test_dangling_links_loops_and_depth(tree: tuple[Files, str, Path]) -> None:
    files, top, host = tree
    (host / "libwidevinecdm.so").symlink_to("missing.so")
    (host / "a").symlink_to("b")
    (host / "b").symlink_to("a")
    (host / "1/2/3").mkdir(parents=True)
    found = files.find(top, NAMES, (top,), depth=2)
    reasons = dict(found.problems)
    assert reasons[f"{top}/libwidevinecdm.so"] == "a dangling link"
    assert reasons[f"{top}/a"] == "a loop of links"
    assert reasons[f"{top}/1/2/3"] == "more than 2 levels deep"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
def test_unreadable_directory_is_reported() -> None:
    base = Path(tempfile.mkdtemp())
    try:
        base.chmod(0o755)
        (base / "locked").mkdir(mode=0o700)
        pid = os.fork()
        if pid == 0:  # a non-root child sees the directory as other users do
            try:
                os.setuid(65534)
                found = Files().find(str(base), NAMES, (str(base),), depth=2)
                os._exit(0 if found.problems == [(f"{base}/locked", "permission denied")] else 1)
            finally:
                os._exit(2)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        shutil.rmtree(base)


def test_fifo_named_like_a_library_is_listed_not_opened(tree: tuple[Files, str, Path]) -> None:
    files, top, host = tree
    os.mkfifo(host / "libwidevinecdm.so")
    found = files.find(top, NAMES, (top,), depth=1)  # would block forever if it opened it
    assert [f.path.rsplit("/", 1)[1] for f in found.files] == ["libwidevinecdm.so"]
    assert stat.S_ISFIFO(found.files[0].info.st_mode)


def test_missing_place_is_silent(tree: tuple[Files, str, Path]) -> None:
    files, top, _ = tree
    found = files.find(f"{top}/nothing", NAMES, (top,), depth=3)
    assert found.files == [] and found.problems == []
