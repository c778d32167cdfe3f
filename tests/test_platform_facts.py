"""The `platform` section: OS and architecture names, C library, board model."""

from __future__ import annotations

from pathlib import Path

from drivers.answers import Answers
from drivers.files import Files
from drivers.host import HostInfo, host_info
from probe import linux, platform_facts


def test_names() -> None:
    assert platform_facts.os_name("linux") == "linux"
    assert platform_facts.os_name("darwin") == "macos"
    assert platform_facts.os_name("win32") == "windows"
    assert platform_facts.os_name("sunos5") is None
    assert platform_facts.arch_name("AMD64") == "x86_64"
    assert platform_facts.arch_name("ARM64") == "aarch64"
    assert platform_facts.arch_name("armv7l") == "armv7l"


def test_board_model_prefers_the_device_tree_and_skips_dmi_placeholders() -> None:
    assert platform_facts.board_model(b"Raspberry Pi 4 Model B Rev 1.1\0", "x", "y") == (
        "Raspberry Pi 4 Model B Rev 1.1"
    )
    assert platform_facts.board_model(None, "LENOVO", "20XW0055GE") == "LENOVO 20XW0055GE"
    assert platform_facts.board_model(None, "Dell Inc.", "Dell Inc. OptiPlex 7090") == (
        "Dell Inc. OptiPlex 7090"
    )
    assert platform_facts.board_model(None, "System manufacturer", "System Product Name") is None
    assert platform_facts.board_model(b"\0", None, None) is None


def test_musl_loader_banner() -> None:
    banner = "musl libc (x86_64)\nVersion 1.2.4\nDynamic Program Loader\nUsage: ..."
    assert platform_facts.musl_version(banner) == "1.2.4"
    assert platform_facts.musl_version("nonsense") is None


def test_live_platform_probe_matches_this_interpreter() -> None:
    info = host_info()
    outcome = linux.platform(Files(), Answers(), info)
    assert outcome.facts is not None
    assert outcome.facts.os == "linux"
    assert outcome.facts.userspace_bits == info.pointer_bits
    assert outcome.facts.libc is not None
    assert outcome.facts.libc.name == "glibc"  # Debian, as CI runs


def test_snapshot_with_a_musl_loader_and_a_device_tree(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "ld-musl-aarch64.so.1").write_bytes(b"\x7fELF")
    (tmp_path / "proc" / "device-tree").mkdir(parents=True)
    (tmp_path / "proc" / "device-tree" / "model").write_bytes(b"Raspberry Pi 4 Model B Rev 1.4\0")
    info = HostInfo("linux", "aarch64", "6.1.21-v8+", 64, None, 0)
    outcome = linux.platform(Files(tmp_path), Answers(lambda name: None), info)
    facts = outcome.facts
    assert facts is not None
    assert facts.libc is not None
    assert (facts.libc.name, facts.libc.version) == ("musl", None)  # a snapshot without its answer
    assert facts.board_model == "Raspberry Pi 4 Model B Rev 1.4"
    assert "Raspberry Pi 4" in outcome.detail
