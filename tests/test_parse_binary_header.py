"""Format and architecture of a CDM library from its first bytes: ELF, Mach-O, PE."""

from __future__ import annotations

import contextlib
import platform
import struct
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probe import platform_facts
from probe.parsers.binary_header import BinaryHeader, BinaryHeaderError, parse_header


def elf(machine: int, bits: int = 64, order: str = "little") -> bytes:
    """The ELF identification and the start of the file header, as a linker writes them."""
    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 1 if order == "little" else 2, 1])
    ident += bytes(16 - len(ident))
    e = "<" if order == "little" else ">"
    return ident + struct.pack(e + "HHI", 3, machine, 1) + bytes(40)  # ET_DYN, EV_CURRENT


def macho(cputype: int, bits: int = 64) -> bytes:
    """A little-endian thin Mach-O dylib header, as written on x86_64 and arm64 Macs."""
    magic = 0xFEEDFACF if bits == 64 else 0xFEEDFACE
    return struct.pack("<IIiIIII", magic, cputype, 3, 6, 20, 2000, 0x85) + bytes(4)


def fat(*cputypes: int) -> bytes:
    table = b"".join(
        struct.pack(">IIIII", cpu, 0, 0x4000 * (i + 1), 0x1000, 14)
        for i, cpu in enumerate(cputypes)
    )
    return struct.pack(">II", 0xCAFEBABE, len(cputypes)) + table


def fat64(*cputypes: int) -> bytes:
    table = b"".join(
        struct.pack(">IIQQII", cpu, 0, 0x4000 * (i + 1), 0x1000, 14, 0)
        for i, cpu in enumerate(cputypes)
    )
    return struct.pack(">II", 0xCAFEBABF, len(cputypes)) + table


def pe(machine: int, optional_magic: int | None = 0x20B, lfanew: int = 0x80) -> bytes:
    """A DOS stub pointing at "PE\\0\\0", the COFF file header and the optional header magic."""
    dos = b"MZ" + bytes(0x3A) + struct.pack("<I", lfanew)
    dos += bytes(lfanew - len(dos))
    coff = struct.pack("<4sHHIIIHH", b"PE\0\0", machine, 6, 0, 0, 0, 0xF0, 0x2022)
    return dos + coff + (b"" if optional_magic is None else struct.pack("<H", optional_magic))


X86 = 7
X86_64 = 0x01000007
ARM64 = 0x0100000C


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (elf(62), BinaryHeader("elf", ("x86_64",), 64, "little")),
        (elf(183), BinaryHeader("elf", ("aarch64",), 64, "little")),
        (elf(40, bits=32), BinaryHeader("elf", ("armv7l",), 32, "little")),
        (elf(3, bits=32), BinaryHeader("elf", ("i686",), 32, "little")),
        (elf(243), BinaryHeader("elf", ("riscv64",), 64, "little")),
        (elf(243, bits=32), BinaryHeader("elf", ("riscv32",), 32, "little")),
        (elf(21), BinaryHeader("elf", ("ppc64le",), 64, "little")),
        (elf(8, bits=32, order="big"), BinaryHeader("elf", ("mips",), 32, "big")),
        (macho(X86_64), BinaryHeader("mach-o", ("x86_64",), 64, "little")),
        (macho(ARM64), BinaryHeader("mach-o", ("aarch64",), 64, "little")),
        (macho(X86, bits=32), BinaryHeader("mach-o", ("i686",), 32, "little")),
        (fat(X86_64, ARM64), BinaryHeader("mach-o", ("x86_64", "aarch64"), 64, None)),
        (fat64(ARM64, X86_64), BinaryHeader("mach-o", ("aarch64", "x86_64"), 64, None)),
        (fat(X86, X86_64), BinaryHeader("mach-o", ("i686", "x86_64"), None, None)),
        (pe(0x8664), BinaryHeader("pe", ("x86_64",), 64, "little")),
        (pe(0x14C, 0x10B), BinaryHeader("pe", ("i686",), 32, "little")),
        (pe(0xAA64), BinaryHeader("pe", ("aarch64",), 64, "little")),
        (pe(0x1C4, 0x10B), BinaryHeader("pe", ("armv7l",), 32, "little")),
    ],
)
def test_cdm_shaped_headers(data: bytes, expected: BinaryHeader) -> None:
    assert parse_header(data + bytes(4096 - len(data))) == expected


def test_the_names_are_those_platform_facts_gives_machines() -> None:
    """Where a Python reports the machine differently, arch_name brings it to our name."""
    assert parse_header(pe(0x8664)).arches == (platform_facts.arch_name("AMD64"),)
    assert parse_header(macho(ARM64)).arches == (platform_facts.arch_name("arm64"),)
    assert parse_header(elf(3, bits=32)).arches == (platform_facts.arch_name("i386"),)
    assert parse_header(elf(40, bits=32)).arches == (platform_facts.arch_name("armv7l"),)


def test_big_endian_elf_reads_e_machine_big_endian() -> None:
    data = elf(21, order="big")
    assert data[18:20] == b"\x00\x15"
    assert parse_header(data) == BinaryHeader("elf", ("ppc64",), 64, "big")


def test_big_endian_thin_macho() -> None:
    data = struct.pack(">II", 0xFEEDFACE, 12)
    assert parse_header(data) == BinaryHeader("mach-o", ("armv7l",), 32, "big")


def test_fat_slices_of_one_arch_name_it_once() -> None:
    """x86_64 and x86_64h are two slices with one cputype; one name is enough to compare."""
    assert parse_header(fat(X86_64, X86_64, ARM64)).arches == ("x86_64", "aarch64")


def test_pe_without_optional_header_in_data_has_no_bits() -> None:
    assert parse_header(pe(0x8664, optional_magic=None)).bits is None


def test_this_machines_own_executable() -> None:
    """The interpreter running the tests is built for this machine's userspace."""
    with open(sys.executable, "rb") as f:
        header = parse_header(f.read(4096))
    assert platform_facts.arch_name(platform.machine()) in header.arches


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/bin/true is ELF on Linux")
def test_first_64_bytes_of_bin_true() -> None:
    with open("/bin/true", "rb") as f:
        header = parse_header(f.read(64))
    assert header.format == "elf"
    assert header.arches == (platform_facts.arch_name(platform.machine()),)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"0 bytes are too short"),
        (b"\x7fEL", r"3 bytes are too short"),
        (elf(62)[:19], r"ELF header needs 20 bytes.*got 19"),
        (macho(ARM64)[:6], r"Mach-O header needs 8 bytes.*got 6"),
        (b"#!/bin/sh\n", r"unknown magic 23212f62"),
        (elf(62)[:4] + b"\x03" + elf(62)[5:], r"ELF class 3"),
        (elf(62)[:5] + b"\x00" + elf(62)[6:], r"ELF data encoding 0"),
        (elf(0x9026), r"unsupported ELF machine 0x9026"),
        (macho(18, bits=32), r"unsupported Mach-O cputype 0x12"),
        (fat(X86_64, 0x01000012), r"unsupported Mach-O cputype 0x1000012"),
        (fat(X86_64, ARM64)[:40], r"table of 2 architectures needs 48 bytes, got 40"),
        (fat64(X86_64, ARM64)[:70], r"table of 2 architectures needs 72 bytes, got 70"),
        (struct.pack(">II", 0xCAFEBABE, 0), r"claims 0 architectures"),
        (struct.pack(">II", 0xCAFEBABE, 33) + bytes(4096), r"claims 33 architectures"),
        (struct.pack(">II", 0xCAFEBABF, 0xFFFFFFFF), r"claims 4294967295 architectures"),
        (pe(0x8664)[:0x3F], r"DOS header needs 64 bytes"),
        (pe(0x8664, lfanew=0x2000)[:4096], r"e_lfanew 0x2000 lies beyond the 4096 bytes read"),
        (pe(0x8664)[:0x90], r"e_lfanew 0x80 lies beyond the 144 bytes read"),
        (pe(0x8664).replace(b"PE\0\0", b"NE\0\0"), r"no PE signature at e_lfanew 0x80"),
        (pe(0x1D3), r"unsupported PE machine 0x1d3"),
        (pe(0x8664, optional_magic=0x107), r"unknown PE optional header magic 0x107"),
    ],
)
def test_errors(data: bytes, message: str) -> None:
    with pytest.raises(BinaryHeaderError, match=message):
        parse_header(data)


def test_java_class_file_is_not_a_fat_macho() -> None:
    """CAFEBABE, minor 0, major 0x41 (Java 21): the count reads as 65."""
    with pytest.raises(BinaryHeaderError, match=r"65 architectures.*not a fat Mach-O.*Java"):
        parse_header(bytes.fromhex("cafebabe00000041") + bytes(200))


_MAGICS = [b"", b"\x7fELF", b"\x7fELF\x01\x01", b"\x7fELF\x02\x02", b"MZ", b"\xcf\xfa\xed\xfe"]
_MAGICS += [b"\xfe\xed\xfa\xce", b"\xca\xfe\xba\xbe\x00\x00\x00", b"\xca\xfe\xba\xbf\x00\x00\x00"]


@settings(max_examples=500)
@given(st.sampled_from(_MAGICS), st.binary(max_size=300))
def test_any_bytes_give_a_header_or_a_binary_header_error(magic: bytes, rest: bytes) -> None:
    with contextlib.suppress(BinaryHeaderError):
        assert isinstance(parse_header(magic + rest), BinaryHeader)


@given(st.integers(0, 0x200), st.binary(max_size=64))
def test_any_e_lfanew_gives_a_header_or_a_binary_header_error(lfanew: int, rest: bytes) -> None:
    data = b"MZ" + bytes(0x3A) + struct.pack("<I", lfanew) + b"PE\0\0" + rest
    with contextlib.suppress(BinaryHeaderError):
        assert isinstance(parse_header(data), BinaryHeader)
