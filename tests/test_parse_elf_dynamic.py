"""What a CDM asks of the dynamic linker, read from its dynamic section without loading it.

Oracles: binutils' `readelf -d -V` on this machine's own libraries, on objects gcc links
here and on the rig's CDM-shaped objects for other architectures; and this machine's
glibc loader itself, which must accept or refuse the x86_64 rig objects as
`glibc_demand` predicts.
"""

from __future__ import annotations

import functools
import os
import platform
import re
import shutil
import struct
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probe.parsers.binary_header import parse_header
from probe.parsers.elf_dynamic import (
    READ_BUDGET,
    SCAN_CHUNK,
    SCAN_LIMIT,
    SCAN_OVERLAP,
    DynamicInfo,
    ElfError,
    GlibcDemand,
    NeededVersion,
    Reader,
    VersionNeed,
    file_reader,
    find_version_string,
    glibc_demand,
    read_dynamic,
)
from tests.rig import cdm_binaries as rig

READELF = shutil.which("readelf")
needs_readelf = pytest.mark.skipif(READELF is None, reason="binutils' readelf is not installed")
MULTIARCH = sysconfig.get_config_var("MULTIARCH") or ""
LIBRARY_DIRS = [Path("/lib", MULTIARCH), Path("/usr/lib", MULTIARCH), Path("/lib64")]
SYSTEM_LIBRARIES = (
    "libc.so.6",
    "libm.so.6",
    "libasound.so.2",
    "libportaudio.so.2",
    "libopus.so.0",
    "libstdc++.so.6",
    "libz.so.1",
    "libcrypto.so.3",
)
# What binary_header calls each rig architecture.
HEADER_ARCH = {
    "x86_64": "x86_64",
    "aarch64": "aarch64",
    "armhf": "armv7l",
    "i386": "i686",
    "ppc64": "ppc64",
    "mips": "mips",
}
VARIANTS = {  # name: (relr, abi_dt_relr)
    "plain": (False, False),
    "relr": (True, False),
    "relr+abi": (True, True),
}


class CountingReader:
    """A Reader that counts the bytes asked for, and refuses reads no parser should make."""

    def __init__(self, read: Reader) -> None:
        self._read = read
        self.asked = 0

    def __call__(self, offset: int, size: int) -> bytes:
        assert offset >= 0, f"read at offset {offset}"
        assert size >= 0, f"read of {size} bytes"
        self.asked += size
        return self._read(offset, size)


def bytes_reader(data: bytes) -> Reader:
    return lambda offset, size: data[offset : offset + size]


def parse(data: bytes) -> DynamicInfo:
    return read_dynamic(bytes_reader(data), len(data))


def parse_file(path: Path) -> tuple[DynamicInfo, int]:
    """The dynamic info of the file at `path`, and how many bytes that took to read."""
    with path.open("rb") as file:
        reader = CountingReader(file_reader(file))
        info = read_dynamic(reader, os.fstat(file.fileno()).st_size)
    return info, reader.asked


def run_readelf(*args: str) -> subprocess.CompletedProcess[str]:
    assert READELF is not None
    return subprocess.run(
        [READELF, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
        check=True,
    )


def readelf(path: Path) -> tuple[DynamicInfo, str]:
    """`readelf -d -V -W` on `path`, as a DynamicInfo, and whatever it warned on stderr."""
    result = run_readelf("-d", "-V", "-W", str(path))
    needed: list[str] = []
    soname: str | None = None
    relr = False
    needs: list[tuple[str, int, list[NeededVersion]]] = []
    in_needs = False
    for line in result.stdout.splitlines():
        if match := re.search(r"\(NEEDED\)\s+Shared library: \[(.*)\]$", line):
            needed.append(match.group(1))
        elif match := re.search(r"\(SONAME\)\s+Library soname: \[(.*)\]$", line):
            soname = match.group(1)
        elif re.match(r"\s*0x[0-9a-f]+ \(RELR\)\s", line):
            relr = True
        elif line.startswith("Version needs section"):
            in_needs = True
        elif in_needs and (
            match := re.match(r"\s+\S+: Version: \d+\s+File: (\S+)\s+Cnt: (\d+)$", line)
        ):
            needs.append((match.group(1), int(match.group(2)), []))
        elif in_needs and (
            match := re.match(r"\s+\S+:\s+Name: (\S+)\s+Flags: (.+?)\s+Version: \d+$", line)
        ):
            needs[-1][2].append(NeededVersion(match.group(1), "WEAK" in match.group(2)))
        elif in_needs and not line.startswith(" "):
            in_needs = False
    for file, count, versions in needs:
        assert len(versions) == count, f"readelf listed {len(versions)} of {count} for {file}"
    version_needs = tuple(VersionNeed(file, tuple(versions)) for file, _, versions in needs)
    return DynamicInfo(tuple(needed), soname, version_needs, relr), result.stderr


def system_library(name: str) -> Path:
    for directory in LIBRARY_DIRS:
        if (directory / name).is_file():
            return (directory / name).resolve()
    pytest.skip(f"{name} is not installed here")


def host_glibc() -> tuple[int, ...]:
    """This machine's glibc version, from the C library the interpreter runs on."""
    try:
        value = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):
        value = None
    if not value or not value.startswith("glibc "):
        pytest.skip("not a glibc system")
    return tuple(int(part) for part in value.split()[1].split("."))


def expected_rig_info(arch: str, glibc: tuple[str, ...], relr: bool, abi: bool) -> DynamicInfo:
    """What the rig says it wrote, built from its own description rather than its bytes."""
    needs = rig.version_needs(arch, glibc, abi)
    version_needs = tuple(
        VersionNeed(file, tuple(NeededVersion(name, False) for name in names))
        for file, names in needs.items()
    )
    return DynamicInfo(rig.NEEDED, rig.SONAME, version_needs, relr)


# (a) This machine's own libraries, against readelf.


@needs_readelf
@pytest.mark.parametrize("name", SYSTEM_LIBRARIES)
def test_system_library_agrees_with_readelf(name: str) -> None:
    path = system_library(name)
    expected, _ = readelf(path)
    assert expected.needed, "readelf's output was not understood: no NEEDED"
    assert expected.version_needs, "readelf's output was not understood: no version needs"
    info, asked = parse_file(path)
    assert info == expected
    assert asked < 64 * 1024, "headers and dynamic data are a few kilobytes of a big file"


@pytest.mark.parametrize("name", SYSTEM_LIBRARIES)
def test_system_libraries_ask_no_more_glibc_than_this_one(name: str) -> None:
    """They load here, so their demand must be one this machine's glibc meets."""
    demand = glibc_demand(parse_file(system_library(name))[0])
    assert demand.minimum is not None
    assert demand.minimum <= host_glibc()
    assert not demand.relr_trap


def test_this_glibcs_own_libc_has_relr_without_the_trap() -> None:
    """glibc's check applies only to objects that need libc.so.*; libc needs only ld.so."""
    info = parse_file(system_library("libc.so.6"))[0]
    if not info.relr:
        pytest.skip("this libc.so.6 is not linked with DT_RELR")
    assert not any(name.startswith("libc.so.") for name in info.needed)
    demand = glibc_demand(info)
    assert not demand.relr_trap
    assert demand.minimum is not None
    assert (2, 36) <= demand.minimum <= host_glibc()


# (b) The rig's CDM-shaped objects, for every architecture.


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("arch", rig.ARCHES)
def test_rig_objects_read_back_exactly(arch: str, variant: str) -> None:
    relr, abi = VARIANTS[variant]
    elf = rig.cdm_elf(arch, glibc=("GLIBC_2.14", "GLIBC_2.34"), relr=relr, abi_dt_relr=abi)
    assert parse(elf.data) == expected_rig_info(arch, ("GLIBC_2.14", "GLIBC_2.34"), relr, abi)
    header = parse_header(elf.data[:64])
    assert header.arches == (HEADER_ARCH[arch],)
    assert (header.bits, header.byte_order) == (elf.arch.bits, elf.arch.byte_order)


@needs_readelf
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("arch", rig.ARCHES)
def test_readelf_reads_rig_objects_alike_and_without_warnings(
    arch: str, variant: str, tmp_path: Path
) -> None:
    relr, abi = VARIANTS[variant]
    path = tmp_path / "libwidevinecdm.so"
    rig.write_cdm_elf(path, arch, glibc=("GLIBC_2.27",), relr=relr, abi_dt_relr=abi)
    expected, warnings = readelf(path)
    assert warnings == ""
    assert expected == expected_rig_info(arch, ("GLIBC_2.27",), relr, abi)
    assert parse_file(path)[0] == expected


def test_rig_armhf_header_is_eabi5_hard_float() -> None:
    (flags,) = struct.unpack_from("<I", rig.cdm_elf("armhf").data, 36)
    assert flags == 0x05000400


def test_rig_version_hash_is_the_one_glibc_compares() -> None:
    """glibc's loader recognises GLIBC_ABI_DT_RELR by this ELF hash before its name."""
    assert rig.elf_hash("GLIBC_ABI_DT_RELR") == 0xFD0E42


@pytest.mark.parametrize(
    ("glibc", "relr", "abi", "demand"),
    [
        ((), False, False, GlibcDemand((2, 17), False)),
        (("GLIBC_2.14", "GLIBC_2.34"), False, False, GlibcDemand((2, 34), False)),
        (("GLIBC_2.34", "GLIBC_PRIVATE"), False, False, GlibcDemand((2, 34), False)),
        (("GLIBC_2.28",), True, False, GlibcDemand((2, 36), True)),
        (("GLIBC_2.28",), True, True, GlibcDemand((2, 36), False)),
        (("GLIBC_2.28",), False, True, GlibcDemand((2, 36), False)),
        (("GLIBC_2.38",), True, True, GlibcDemand((2, 38), False)),
    ],
)
def test_glibc_demand_of_aarch64_objects(
    glibc: tuple[str, ...], relr: bool, abi: bool, demand: GlibcDemand
) -> None:
    """The ChromeOS arm64 CDM is the `relr` without `abi` case (field notes 2.5)."""
    elf = rig.cdm_elf("aarch64", glibc=glibc, relr=relr, abi_dt_relr=abi)
    assert glibc_demand(parse(elf.data)) == demand


@needs_readelf
def test_a_weak_version_need_reads_as_weak_and_is_not_demanded(tmp_path: Path) -> None:
    elf = rig.cdm_elf("aarch64", glibc=("GLIBC_2.34",))
    libc_second_aux = elf.verneed + 0x40 + 16 + 16  # after libdl's and libpthread's needs
    path = tmp_path / "libwidevinecdm.so"
    path.write_bytes(patched(elf.data, libc_second_aux + 4, "<H", 2))  # VER_FLG_WEAK
    expected, _ = readelf(path)
    info = parse_file(path)[0]
    assert info == expected
    assert info.version_needs[-1].versions == (
        NeededVersion("GLIBC_2.17", False),
        NeededVersion("GLIBC_2.34", True),
    )
    assert glibc_demand(info).minimum == (2, 17)


def libc_needs(*versions: NeededVersion, relr: bool = False) -> DynamicInfo:
    return DynamicInfo(("libc.so.6",), None, (VersionNeed("libc.so.6", versions),), relr)


def test_versions_compare_as_numbers_not_text() -> None:
    info = libc_needs(NeededVersion("GLIBC_2.9", False), NeededVersion("GLIBC_2.10", False))
    assert glibc_demand(info).minimum == (2, 10)


def test_weak_versions_are_not_demanded() -> None:
    """glibc's loader only warns when a weak version is missing."""
    info = libc_needs(NeededVersion("GLIBC_2.17", False), NeededVersion("GLIBC_2.99", True))
    assert glibc_demand(info).minimum == (2, 17)


def test_weak_abi_dt_relr_still_avoids_the_trap() -> None:
    """glibc's check looks for the name whatever its flags."""
    weak_tag = NeededVersion("GLIBC_ABI_DT_RELR", True)
    info = libc_needs(NeededVersion("GLIBC_2.17", False), weak_tag, relr=True)
    assert glibc_demand(info) == GlibcDemand((2, 36), False)


def test_relr_without_libc_or_version_needs_is_no_trap() -> None:
    """glibc checks only objects with version needs that need libc.so.*."""
    no_needs = DynamicInfo(("libc.so.6",), None, (), True)
    foo_needs = (VersionNeed("libfoo.so.1", (NeededVersion("FOO_1", False),)),)
    no_libc = DynamicInfo(("libfoo.so.1",), None, foo_needs, True)
    assert glibc_demand(no_needs) == GlibcDemand((2, 36), False)
    assert glibc_demand(no_libc) == GlibcDemand((2, 36), False)


HOST_RIG_ARCH = {"x86_64": "x86_64", "aarch64": "aarch64"}.get(platform.machine())


@pytest.mark.skipif(
    HOST_RIG_ARCH is None or struct.calcsize("P") != 8, reason="no rig object for this userspace"
)
@pytest.mark.parametrize(
    ("glibc", "relr", "abi", "refusal"),
    [
        ((), False, False, None),
        (("GLIBC_2.17",), False, False, None),
        (("GLIBC_99.0",), False, False, "version `GLIBC_99.0' not found"),
        ((), True, False, "DT_RELR without GLIBC_ABI_DT_RELR dependency"),
        ((), True, True, None),
        ((), False, True, None),
    ],
)
def test_this_machines_loader_decides_as_glibc_demand_says(
    glibc: tuple[str, ...], relr: bool, abi: bool, refusal: str | None, tmp_path: Path
) -> None:
    """The rig object is loaded in a child process (it holds no code to run)."""
    if host_glibc() < (2, 36):
        pytest.skip("before glibc 2.36 the loader ignores DT_RELR and checks nothing about it")
    assert HOST_RIG_ARCH is not None
    path = tmp_path / "libwidevinecdm.so"
    elf = rig.write_cdm_elf(path, HOST_RIG_ARCH, glibc=glibc, relr=relr, abi_dt_relr=abi)
    demand = glibc_demand(parse(elf.data))
    predicted = demand.minimum is not None and demand.minimum <= host_glibc()
    predicted = predicted and not demand.relr_trap
    child = subprocess.run(
        [sys.executable, "-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (child.returncode == 0) == predicted, child.stderr
    if refusal is not None:
        assert refusal in child.stderr
    assert (refusal is None) == predicted


# Objects gcc links here, read against readelf and this machine's loader.

GCC_SOURCE = """
#include <string.h>
static const char *names[] = {"first", "second"};  /* relative relocations */
const char *cdm_name(int i) { return names[i]; }
void cdm_copy(char *to, const char *from, size_t n) { memcpy(to, from, n); }
"""


def gcc_shared_object(tmp_path: Path, *flags: str) -> Path:
    """A shared object gcc compiles and links with `flags`; skips where it cannot."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    source = tmp_path / "cdm.c"
    source.write_text(GCC_SOURCE)
    output = tmp_path / "libcdm.so"
    command = ["gcc", "-shared", "-fPIC", "-O2", "-Wl,-soname,libcdm.so", *flags]
    result = subprocess.run(
        [*command, "-o", str(output), str(source)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        errors = [line for line in result.stderr.splitlines() if "error" in line]
        pytest.skip(f"gcc {' '.join(flags)} cannot build here: {(errors or ['?'])[0]}")
    return output


@needs_readelf
@pytest.mark.parametrize(
    "flags", [(), ("-Wl,-z,pack-relative-relocs",)], ids=["native", "native-relr"]
)
def test_gcc_linked_object_agrees_with_readelf(flags: tuple[str, ...], tmp_path: Path) -> None:
    path = gcc_shared_object(tmp_path, *flags)
    expected, _ = readelf(path)
    info, _ = parse_file(path)
    assert info == expected
    assert info.soname == "libcdm.so"
    assert "libc.so.6" in info.needed
    demand = glibc_demand(info)
    if "-Wl,-z,pack-relative-relocs" in flags:
        assert info.relr
        # GNU ld adds the requirement whenever it links DT_RELR against glibc.
        names = {version.name for need in info.version_needs for version in need.versions}
        assert "GLIBC_ABI_DT_RELR" in names
        assert not demand.relr_trap
        assert demand.minimum is not None and demand.minimum >= (2, 36)
    else:
        assert not info.relr
        assert demand.minimum is not None and demand.minimum < (2, 36)


@needs_readelf
def test_gcc_object_without_its_abi_dt_relr_need_is_refused_as_predicted(tmp_path: Path) -> None:
    """Unlink GLIBC_ABI_DT_RELR from a linked object's chain: it becomes the ChromeOS CDM's
    case, which `glibc_demand` calls a trap and this machine's loader refuses."""
    if host_glibc() < (2, 36):
        pytest.skip("before glibc 2.36 the loader checks nothing about DT_RELR")
    path = gcc_shared_object(tmp_path, "-Wl,-z,pack-relative-relocs")
    data = bytearray(path.read_bytes())
    _unlink_version(data, readelf_version_offsets(path), "GLIBC_ABI_DT_RELR")
    path.write_bytes(data)
    expected, _ = readelf(path)
    info, _ = parse_file(path)
    assert info == expected
    assert info.relr
    assert glibc_demand(info).relr_trap
    child = subprocess.run(
        [sys.executable, "-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode != 0
    assert "DT_RELR without GLIBC_ABI_DT_RELR dependency" in child.stderr


def readelf_version_offsets(path: Path) -> list[tuple[str, int]]:
    """The version needs section's entries as readelf lists them: ("file:NAME" for a
    Verneed, the version name for a Vernaux) and each entry's file offset."""
    out = run_readelf("-V", "-W", str(path)).stdout
    section = out[out.index("Version needs section") :]
    offset = re.search(r"Offset: 0x([0-9a-f]+)", section)
    assert offset is not None
    base = int(offset.group(1), 16)
    entries = []
    for line in section.splitlines():
        if match := re.match(r"\s+(?:0x)?([0-9a-f]+): Version: \d+\s+File: (\S+)", line):
            entries.append(("file:" + match.group(2), base + int(match.group(1), 16)))
        elif match := re.match(r"\s+0x([0-9a-f]+):\s+Name: (\S+)", line):
            entries.append((match.group(2), base + int(match.group(1), 16)))
    return entries


def _unlink_version(data: bytearray, entries: list[tuple[str, int]], name: str) -> None:
    """Take the Vernaux `name` out of its chain (64-bit little-endian object)."""
    index = [entry for entry, _ in entries].index(name)
    offset = entries[index][1]
    (vna_next,) = struct.unpack_from("<I", data, offset + 12)
    previous_name, previous = entries[index - 1]
    owner = max(at for entry, at in entries[:index] if entry.startswith("file:"))
    (vn_cnt,) = struct.unpack_from("<H", data, owner + 2)
    assert vn_cnt > 1, f"{name} is the only version needed of its file"
    if previous_name.startswith("file:"):  # the first of its chain
        (vn_aux,) = struct.unpack_from("<I", data, owner + 8)
        struct.pack_into("<I", data, owner + 8, vn_aux + vna_next)
    else:
        (previous_next,) = struct.unpack_from("<I", data, previous + 12)
        struct.pack_into("<I", data, previous + 12, previous_next + vna_next if vna_next else 0)
    struct.pack_into("<H", data, owner + 2, vn_cnt - 1)


# (c) Malformed and hostile input.


def patched(data: bytes, offset: int, layout: str, *values: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(layout, out, offset, *values)
    return bytes(out)


def rig_object(arch: str = "x86_64") -> rig.CdmElf:
    return rig.cdm_elf(arch, glibc=("GLIBC_2.14",), relr=True, abi_dt_relr=True)


@pytest.mark.parametrize("arch", rig.ARCHES)
def test_every_truncation_fails_clearly_or_reads_all(arch: str) -> None:
    elf = rig_object(arch)
    whole = parse(elf.data)
    dynamic_end = elf.dynamic + len(elf.dynamic_tags) * 2 * elf.arch.word_size
    messages = set()
    for cut in range(len(elf.data)):
        try:
            info = parse(elf.data[:cut])
        except ElfError as error:
            messages.add(re.sub(r"0x[0-9a-f]+|\d+", "N", str(error)))
            continue
        assert cut >= dynamic_end, f"cut at {cut} is inside the dynamic section"
        assert info == whole
    stages = ["ELF identification", "ELF header", "program header table", "dynamic section"]
    for stage in stages:
        assert any(stage in message and "runs past the end" in message for message in messages)


def test_a_file_shorter_than_its_stated_size() -> None:
    """The size came from stat, then the file shrank: the reader returns fewer bytes."""
    elf = rig_object()
    short = elf.data[: elf.dynamic + 8]
    with pytest.raises(ElfError, match=r"dynamic section: the file ended after 8 of 0x\w+ bytes"):
        read_dynamic(bytes_reader(short), len(elf.data))


def test_a_repeated_tag_counts_as_its_last_entry() -> None:
    """glibc's loader keeps the last of each tag: a second, smaller DT_STRSZ cuts the
    version names off where the first would have reached them."""
    elf = rig_object()
    second = elf.dynamic_entry(rig.DT_SYMENT)  # DT_SYMENT comes after DT_STRSZ
    index = _string_index(elf, "GLIBC_2.2.5")
    data = patched(elf.data, second, "<QQ", rig.DT_STRSZ, index)
    with pytest.raises(ElfError, match=rf"vna_name name at string index 0x{index:x} is beyond"):
        parse(data)


def _phdr_field(elf: rig.CdmElf, number: int, field: str) -> tuple[int, str]:
    """Offset and struct layout of program header `number`'s `field`."""
    e = elf.arch.endian
    if elf.arch.bits == 64:
        at, layout = {"type": (0, "I"), "offset": (8, "Q"), "filesz": (32, "Q")}[field]
        return elf.program_headers + number * 56 + at, e + layout
    at = {"type": 0, "offset": 4, "filesz": 16}[field]
    return elf.program_headers + number * 32 + at, e + "I"


def _word(elf: rig.CdmElf) -> str:
    return elf.arch.endian + elf.arch.word


def _set_dynamic(elf: rig.CdmElf, tag: int, value: int) -> bytes:
    return patched(elf.data, elf.dynamic_entry(tag) + elf.arch.word_size, _word(elf), value)


def _string_index(elf: rig.CdmElf, name: str) -> int:
    return elf.data.index(name.encode() + b"\0", elf.dynstr) - elf.dynstr


def _malformed() -> list[pytest.ParameterSet]:
    x64 = rig_object("x86_64")
    arm = rig_object("armhf")
    ppc = rig_object("ppc64")
    data = x64.data
    libc_aux = x64.verneed + 0x40 + 16  # libdl's and libpthread's needs come first
    arm_libc_aux = arm.verneed + 0x40 + 16
    no_null = 16 * (len(x64.dynamic_tags) - 1)
    unknown_tag = 0x6FFFFDFF
    return [
        pytest.param(b"MZ" + data[2:], r"magic 4d5a4c46 is not ELF's", id="not ELF"),
        pytest.param(data[:4] + b"\x03" + data[5:], r"ELF class 3", id="class 3"),
        pytest.param(data[:5] + b"\x00" + data[6:], r"ELF data encoding 0", id="data 0"),
        pytest.param(
            patched(data, 32, "<Q", len(data)),
            r"program header table of 4 .*runs past the end",
            id="phoff beyond EOF",
        ),
        pytest.param(
            patched(data, 32, "<Q", 2**64 - 8),
            r"program header table .*runs past the end",
            id="phoff near 2**64",
        ),
        pytest.param(patched(data, 56, "<H", 0), r"no program headers", id="phnum 0"),
        pytest.param(
            patched(data, 56, "<H", 0xFFFF), r"e_phnum 65535 is more than 256", id="phnum 65535"
        ),
        pytest.param(
            patched(data, 54, "<H", 32), r"e_phentsize 32 is not 56", id="phentsize 32 in ELF64"
        ),
        pytest.param(
            patched(data, *_phdr_field(x64, 2, "type"), 0), r"no PT_DYNAMIC", id="no PT_DYNAMIC"
        ),
        pytest.param(
            patched(data, *_phdr_field(x64, 3, "type"), 2),
            r"2 PT_DYNAMIC program headers",
            id="two PT_DYNAMIC",
        ),
        pytest.param(
            patched(data, *_phdr_field(x64, 2, "offset"), len(data) + 64),
            r"dynamic section .*runs past the end",
            id="PT_DYNAMIC outside the file",
        ),
        pytest.param(
            patched(data, *_phdr_field(x64, 2, "filesz"), 8),
            r"holds no dynamic entry",
            id="PT_DYNAMIC smaller than an entry",
        ),
        pytest.param(
            patched(data, *_phdr_field(x64, 2, "filesz"), no_null),
            r"no DT_NULL ends the dynamic section within its first 14 entries",
            id="no DT_NULL",
        ),
        pytest.param(
            _set_dynamic(x64, rig.DT_STRTAB, 0x500000),
            r"DT_STRTAB .*at address 0x500000 .*in no PT_LOAD",
            id="DT_STRTAB in no PT_LOAD",
        ),
        pytest.param(
            _set_dynamic(x64, rig.DT_STRTAB, x64.dynamic + 0x100),
            r"DT_STRTAB .* in no PT_LOAD",
            id="DT_STRTAB between the segments",
        ),
        pytest.param(
            _set_dynamic(x64, rig.DT_STRSZ, 0x7FFFFFFF),
            r"DT_STRTAB of DT_STRSZ bytes .* in no PT_LOAD",
            id="DT_STRSZ past its segment",
        ),
        pytest.param(
            patched(data, x64.dynamic_entry(rig.DT_STRTAB), "<Q", unknown_tag),
            r"without DT_STRTAB and DT_STRSZ",
            id="no DT_STRTAB",
        ),
        pytest.param(
            _set_dynamic(x64, rig.DT_NEEDED, 0x7000),
            r"DT_NEEDED name at string index 0x7000 is beyond DT_STRSZ",
            id="DT_NEEDED beyond DT_STRSZ",
        ),
        pytest.param(
            _set_dynamic(x64, rig.DT_STRSZ, _string_index(x64, rig.SONAME) + 3),
            r"DT_SONAME name .* has no NUL within 3 bytes",
            id="name without NUL",
        ),
        pytest.param(
            _set_dynamic(x64, rig.DT_VERNEED, 0x900000),
            r"Elf_Verneed 1 of 3 at address 0x900000 .*in no PT_LOAD",
            id="DT_VERNEED in no PT_LOAD",
        ),
        pytest.param(
            patched(data, x64.dynamic_entry(rig.DT_VERNEEDNUM), "<Q", unknown_tag),
            r"DT_VERNEED without DT_VERNEEDNUM",
            id="no DT_VERNEEDNUM",
        ),
        pytest.param(
            _set_dynamic(x64, rig.DT_VERNEEDNUM, 0),
            r"DT_VERNEEDNUM 0 is not 1\.\.1024",
            id="DT_VERNEEDNUM 0",
        ),
        pytest.param(
            _set_dynamic(x64, rig.DT_VERNEEDNUM, 2**64 - 1),
            r"DT_VERNEEDNUM 18446744073709551615 is not",
            id="DT_VERNEEDNUM huge",
        ),
        pytest.param(
            _set_dynamic(x64, rig.DT_VERNEEDNUM, 4),
            r"Elf_Verneed 3 of 4 has vn_next 0: the chain ends before DT_VERNEEDNUM 4",
            id="DT_VERNEEDNUM too many",
        ),
        pytest.param(
            _set_dynamic(x64, rig.DT_VERNEEDNUM, 2),
            r"Elf_Verneed 2 of 2 has vn_next 0x20: the chain goes on past DT_VERNEEDNUM 2",
            id="DT_VERNEEDNUM too few",
        ),
        pytest.param(
            patched(data, x64.verneed, "<H", 2),
            r"Elf_Verneed 1 of 3 has vn_version 2, not 1",
            id="vn_version 2",
        ),
        pytest.param(
            patched(data, x64.verneed + 2, "<H", 0),
            r"Elf_Verneed 1 of 3 \(libdl.so.2\) has vn_cnt 0",
            id="vn_cnt 0",
        ),
        pytest.param(
            patched(data, x64.verneed + 2, "<H", 0xFFFF),
            r"has vn_cnt 65535: not 1 or more within 1024",
            id="vn_cnt 65535",
        ),
        pytest.param(
            patched(ppc.data, ppc.verneed + 2, ">H", 0x4000),
            r"has vn_cnt 16384",
            id="vn_cnt huge, big-endian",
        ),
        pytest.param(
            patched(data, x64.verneed + 2, "<H", 2),
            r"Elf_Vernaux 1 of 2 for libdl.so.2 has vna_next 0: the chain ends before vn_cnt 2",
            id="vn_cnt too many",
        ),
        pytest.param(
            patched(data, x64.verneed + 4, "<I", 0xFFFFFFFF),
            r"vn_file name at string index 0xffffffff is beyond",
            id="vn_file beyond DT_STRSZ",
        ),
        pytest.param(
            patched(data, x64.verneed + 8, "<I", 0xFFFFFFF0),
            r"Elf_Vernaux 1 of 1 for libdl.so.2 at address 0x\w+ .*in no PT_LOAD",
            id="vn_aux overflow",
        ),
        pytest.param(
            patched(data, libc_aux + 12, "<I", 0xFFFFFFF0),
            r"Elf_Vernaux 2 of 3 for libc.so.6 at address 0x1\w{8} .*in no PT_LOAD",
            id="vna_next overflow",
        ),
        pytest.param(
            patched(data, x64.verneed + 16 + 8, "<I", 0x10000),
            r"vna_name name at string index 0x10000",
            id="vna_name beyond DT_STRSZ",
        ),
        # A 32-bit loader's addresses wrap around: these links lead back up the chain.
        pytest.param(
            patched(arm.data, arm_libc_aux + 16 + 12, "<I", 2**32 - 16),
            r"Elf_Vernaux 3 of 3 for libc.so.6 at address 0x\w+: the chain loops back",
            id="vna_next cycle",
        ),
        pytest.param(
            patched(arm.data, arm.verneed + 0x20 + 12, "<I", 2**32 - 32),
            r"Elf_Verneed 3 of 3 at address 0x\w+: the chain loops back",
            id="vn_next cycle",
        ),
    ]


@pytest.mark.parametrize(("data", "message"), _malformed())
def test_malformed_objects(data: bytes, message: str) -> None:
    reader = CountingReader(bytes_reader(data))
    with pytest.raises(ElfError, match=message):
        read_dynamic(reader, len(data))
    assert reader.asked <= READ_BUDGET


def test_the_read_budget_stops_a_flood_of_long_names() -> None:
    """300 DT_NEEDED, each nearly 4 KiB long: more than READ_BUDGET to read them."""
    elf = rig.cdm_elf("x86_64")
    names_at = len(elf.data)
    names = b"A" * 4000 + b"\0"
    dynamic_at = names_at + len(names)
    entries = [(rig.DT_NEEDED, index) for index in range(300)]
    entries += [(rig.DT_STRTAB, names_at), (rig.DT_STRSZ, len(names)), (rig.DT_NULL, 0)]
    dynamic = b"".join(struct.pack("<QQ", tag, value) for tag, value in entries)
    data = elf.data + names + dynamic
    data = patched(data, *_phdr_field(elf, 0, "filesz"), len(data))  # PT_LOAD 0 covers it all
    data = patched(data, *_phdr_field(elf, 2, "offset"), dynamic_at)
    data = patched(data, *_phdr_field(elf, 2, "filesz"), len(dynamic))
    reader = CountingReader(bytes_reader(data))
    with pytest.raises(ElfError, match=r"more than 1048576 bytes in all"):
        read_dynamic(reader, len(data))
    assert reader.asked <= READ_BUDGET


@functools.cache
def _rig_objects() -> tuple[bytes, ...]:
    return tuple(
        rig.cdm_elf(arch, glibc=("GLIBC_2.14",), relr=relr, abi_dt_relr=abi).data
        for arch in rig.ARCHES
        for relr, abi in VARIANTS.values()
    )


_INTERESTING = [0, 1, 2, 3, 4, 8, 16, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 2**32 - 16]
_INTERESTING += [2**32 - 1, 2**63, 2**64 - 16, 2**64 - 1]


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with a few bytes or words overwritten, and perhaps cut short."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(out) - 1))
        if draw(st.booleans()):
            value = draw(st.binary(min_size=1, max_size=8))
        else:
            width = draw(st.sampled_from([2, 4, 8]))
            number = draw(st.sampled_from(_INTERESTING)) % (1 << (8 * width))
            value = number.to_bytes(width, draw(st.sampled_from(["little", "big"])))
        out[at : at + len(value)] = value
    cut = draw(st.one_of(st.none(), st.integers(0, len(out))))
    return bytes(out if cut is None else out[:cut])


def _parse_or_elf_error(data: bytes) -> None:
    """The only outcomes allowed: a DynamicInfo, or an ElfError; either within the budget."""
    reader = CountingReader(bytes_reader(data))
    try:
        assert isinstance(read_dynamic(reader, len(data)), DynamicInfo)
    except ElfError as error:
        assert str(error)
    assert reader.asked <= READ_BUDGET


def _mutated_rig_object(index: int) -> st.SearchStrategy[bytes]:
    return mutations(_rig_objects()[index])


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(range(len(rig.ARCHES) * len(VARIANTS))).flatmap(_mutated_rig_object))
def test_mutated_rig_objects_parse_or_raise_elf_error(data: bytes) -> None:
    _parse_or_elf_error(data)


FUZZED_LIBRARY = next(
    (
        directory / name
        for name in ("libopus.so.0", "libz.so.1", "libasound.so.2")
        for directory in LIBRARY_DIRS
        if (directory / name).is_file()
    ),
    None,
)


@functools.cache
def _real_library_parts() -> tuple[bytes, tuple[tuple[int, int], ...]]:
    """FUZZED_LIBRARY's bytes and the ranges its dynamic-linking data lies in (header and
    program headers, .dynamic, .dynstr, .gnu.version_r), the last three by readelf."""
    assert FUZZED_LIBRARY is not None
    data = FUZZED_LIBRARY.read_bytes()
    (phoff,) = struct.unpack_from("<Q", data, 32)
    (phnum,) = struct.unpack_from("<H", data, 56)
    ranges = [(0, phoff + phnum * 56)]
    sections = run_readelf("-S", "-W", str(FUZZED_LIBRARY)).stdout
    pattern = r"\] (\.dynamic|\.dynstr|\.gnu\.version_r)\s+\S+\s+[0-9a-f]+ ([0-9a-f]+) ([0-9a-f]+)"
    for match in re.finditer(pattern, sections):
        ranges.append((int(match.group(2), 16), int(match.group(3), 16)))
    assert len(ranges) == 4
    return data, tuple(ranges)


@st.composite
def real_library_mutations(draw: st.DrawFn) -> bytes:
    data, ranges = _real_library_parts()
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        start, length = draw(st.sampled_from(ranges))
        at = draw(st.integers(start, start + length - 1))
        value = draw(st.binary(min_size=1, max_size=8))
        out[at : at + len(value)] = value
    return bytes(out)


@pytest.mark.skipif(
    FUZZED_LIBRARY is None or READELF is None or sys.byteorder != "little",
    reason="needs readelf and a 64-bit little-endian libopus, libz or libasound",
)
@settings(max_examples=200, deadline=None)
@given(real_library_mutations())
def test_mutated_real_library_parses_or_raises_elf_error(data: bytes) -> None:
    _parse_or_elf_error(data)


# (d) The version string inside a binary.


def _whole_file_search(path: Path) -> str | None:
    """Kodi's inputstreamhelper: one regex search over the whole file."""
    match = re.search(rb"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+", path.read_bytes())
    return match.group().decode() if match else None


def _scan(path: Path, limit: int = SCAN_LIMIT) -> tuple[str | None, int]:
    with path.open("rb") as file:
        reader = CountingReader(file_reader(file))
        return find_version_string(reader, os.fstat(file.fileno()).st_size, limit), reader.asked


@pytest.mark.parametrize("name", SYSTEM_LIBRARIES)
def test_version_string_of_system_libraries_matches_a_whole_file_search(name: str) -> None:
    path = system_library(name)
    assert _scan(path)[0] == _whole_file_search(path)


def test_version_string_in_a_real_binary_stops_reading_when_found() -> None:
    for name in ("libz.so.1", "libc.so.6", "libcrypto.so.3"):
        for directory in LIBRARY_DIRS:
            path = directory / name
            if path.is_file() and (expected := _whole_file_search(path)) is not None:
                found, asked = _scan(path)
                assert found == expected
                at = path.read_bytes().index(expected.encode())
                chunks = at // SCAN_CHUNK + 1
                assert asked <= chunks * (SCAN_CHUNK + SCAN_OVERLAP)
                return
    pytest.skip("no library here holds a d.d.d.d string")


@pytest.mark.parametrize("arch", rig.CDM_ARCHES)
def test_version_string_of_rig_objects(arch: str) -> None:
    elf = rig.cdm_elf(arch)
    assert find_version_string(bytes_reader(elf.data), len(elf.data)) == rig.CDM_VERSION


@pytest.mark.parametrize(
    "writer",
    [
        lambda path: rig.write_thin_macho(path, "aarch64"),
        lambda path: rig.write_fat_macho(path, ["x86_64", "aarch64"]),
        lambda path: rig.write_pe_dll(path, "x86_64"),
        lambda path: rig.write_pe_dll(path, "i686"),
    ],
    ids=["thin-macho", "fat-macho", "pe32+", "pe32"],
)
def test_version_string_of_other_formats(writer: Callable[[Path], None], tmp_path: Path) -> None:
    """Kodi greps .dylib and .dll files the same way; none of them is ELF."""
    path = tmp_path / "cdm"
    writer(path)
    assert _scan(path)[0] == rig.CDM_VERSION
    assert parse_header(path.read_bytes()[:4096]).format in ("mach-o", "pe")
    with pytest.raises(ElfError, match=r"is not ELF's"):
        parse_file(path)


def test_fat_macho_names_both_slices(tmp_path: Path) -> None:
    path = tmp_path / "libwidevinecdm.dylib"
    rig.write_fat_macho(path, ["x86_64", "aarch64"])
    assert parse_header(path.read_bytes()[:4096]).arches == ("x86_64", "aarch64")


@pytest.mark.parametrize(
    ("version", "at"),
    [
        (rig.CDM_VERSION, SCAN_CHUNK - 11),  # ends on the boundary
        (rig.CDM_VERSION, SCAN_CHUNK - 5),  # straddles it
        (rig.CDM_VERSION, SCAN_CHUNK - 1),
        (rig.CDM_VERSION, SCAN_CHUNK),  # starts the second chunk
        ("4.10.2830.0123", SCAN_CHUNK + SCAN_OVERLAP - 11),  # the first window cuts it short
        (rig.CDM_VERSION, 3 * SCAN_CHUNK - 6),
    ],
)
def test_version_string_across_chunk_boundaries(version: str, at: int) -> None:
    elf = rig.cdm_elf("x86_64", version=version, version_at=at)
    assert elf.version_string == at
    assert elf.data[at : at + len(version)] == version.encode()
    assert find_version_string(bytes_reader(elf.data), len(elf.data)) == version


def test_version_scan_stops_where_a_shrunk_file_ends() -> None:
    """The size came from stat and the file shrank since: the short read is the end."""
    elf = rig.cdm_elf("x86_64", version="", version_at=2 * SCAN_CHUNK)
    reader = CountingReader(bytes_reader(elf.data[: SCAN_CHUNK // 2]))
    assert find_version_string(reader, len(elf.data)) is None
    assert reader.asked == SCAN_CHUNK + SCAN_OVERLAP


def test_no_version_string() -> None:
    elf = rig.cdm_elf("armhf", version="4.10.2830")
    assert find_version_string(bytes_reader(elf.data), len(elf.data)) is None


def test_scanning_a_big_sparse_file_reads_only_up_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "libwidevinecdm.so"
    path.write_bytes(rig.cdm_elf("x86_64", version="").data)
    os.truncate(path, 1 << 30)
    found, asked = _scan(path)
    assert found is None
    windows = -(-SCAN_LIMIT // SCAN_CHUNK)
    assert asked <= SCAN_LIMIT + windows * SCAN_OVERLAP
    assert asked < path.stat().st_size


@pytest.mark.parametrize(
    ("at", "found"), [(3 * SCAN_CHUNK - 100, True), (3 * SCAN_CHUNK + 10, False)]
)
def test_a_version_string_beyond_the_limit_is_not_found(
    at: int, found: bool, tmp_path: Path
) -> None:
    path = tmp_path / "libwidevinecdm.so"
    path.write_bytes(rig.cdm_elf("x86_64", version="").data)
    os.truncate(path, 8 * SCAN_CHUNK)
    with path.open("r+b") as file:
        file.seek(at)
        file.write(rig.CDM_VERSION.encode())
    result, asked = _scan(path, limit=3 * SCAN_CHUNK)
    assert result == (rig.CDM_VERSION if found else None)
    assert asked <= 3 * SCAN_CHUNK + 3 * SCAN_OVERLAP
