"""The format and CPU architecture of a library (ELF, Mach-O or PE) from its first bytes.

A Widevine CDM built for another architecture, or for 32-bit userspace on a 64-bit
kernel, is present on disk but can never load; reading the header tells so without
loading the file. Architecture names are those `platform_facts.arch_name` gives a
machine ("x86_64", "aarch64", "i686", "armv7l", ...) so that the two compare directly.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

# More architectures than any universal binary carries; a Java class file, which shares
# the 0xcafebabe magic, reads its version numbers here as a count of at least 45.
MAX_FAT_ARCHES = 32

# 32-bit ARM: Widevine's ARM CDMs are ARMv7 hard-float, and "armv7l" is what
# `platform_facts.arch_name` passes through for such a machine.
_ARM32 = "armv7l"

_ELF_MAGIC = b"\x7fELF"
_ELF_CLASS_BITS = {1: 32, 2: 64}
_ELF_DATA_ORDER = {1: "little", 2: "big"}
_EM_386 = 3
_EM_MIPS = 8
_EM_PPC64 = 21
_EM_ARM = 40
_EM_X86_64 = 62
_EM_AARCH64 = 183
_EM_RISCV = 243

_MH_MAGIC = 0xFEEDFACE
_MH_MAGIC_64 = 0xFEEDFACF
_MH_CIGAM = 0xCEFAEDFE
_MH_CIGAM_64 = 0xCFFAEDFE
_FAT_MAGIC = 0xCAFEBABE
_FAT_MAGIC_64 = 0xCAFEBABF
_CPU_ARCH_ABI64 = 0x01000000
_MACHO_CPU_NAMES = {
    7: "i686",
    0x01000007: "x86_64",
    12: _ARM32,
    0x0100000C: "aarch64",
}

_PE_SIGNATURE = b"PE\0\0"
_PE_MACHINE_NAMES = {0x14C: "i686", 0x8664: "x86_64", 0xAA64: "aarch64", 0x1C4: _ARM32}
_PE_OPTIONAL_BITS = {0x10B: 32, 0x20B: 64}


class BinaryHeaderError(ValueError):
    """The bytes are not a header this module can name an architecture for."""


@dataclass(frozen=True)
class BinaryHeader:
    """What the header says about the code inside.

    `arches` has one name for ELF, PE and thin Mach-O, and one per distinct slice of a
    universal (fat) Mach-O, in file order. `bits` is None for a fat file mixing 32- and
    64-bit slices, and for a PE whose optional header lies beyond the bytes given.
    `byte_order` is None for a fat file, whose header is big-endian whatever its slices are.
    """

    format: str  # "elf", "mach-o", "pe"
    arches: tuple[str, ...]
    bits: int | None
    byte_order: str | None  # "little", "big"


def parse_header(data: bytes) -> BinaryHeader:
    """Name the format and architecture of `data`, the first bytes (4096 will do) of a file."""
    if len(data) < 4:
        raise BinaryHeaderError(f"{len(data)} bytes are too short for any binary header")
    if data[:4] == _ELF_MAGIC:
        return _parse_elf(data)
    if data[:2] == b"MZ":
        return _parse_pe(data)
    (magic,) = struct.unpack_from(">I", data)
    if magic in (_MH_MAGIC, _MH_MAGIC_64):
        return _parse_thin_macho(data, ">", magic == _MH_MAGIC_64)
    if magic in (_MH_CIGAM, _MH_CIGAM_64):
        return _parse_thin_macho(data, "<", magic == _MH_CIGAM_64)
    if magic in (_FAT_MAGIC, _FAT_MAGIC_64):
        return _parse_fat_macho(data, magic == _FAT_MAGIC_64)
    raise BinaryHeaderError(f"unknown magic {data[:4].hex()}: not ELF, Mach-O or PE")


def _parse_elf(data: bytes) -> BinaryHeader:
    if len(data) < 20:
        raise BinaryHeaderError(f"ELF header needs 20 bytes to reach e_machine, got {len(data)}")
    bits = _ELF_CLASS_BITS.get(data[4])
    if bits is None:
        raise BinaryHeaderError(f"ELF class {data[4]} is neither 1 (32-bit) nor 2 (64-bit)")
    order = _ELF_DATA_ORDER.get(data[5])
    if order is None:
        raise BinaryHeaderError(f"ELF data encoding {data[5]} is neither 1 (LSB) nor 2 (MSB)")
    (machine,) = struct.unpack_from("<H" if order == "little" else ">H", data, 18)
    if machine == _EM_386:
        arch = "i686"
    elif machine == _EM_ARM:
        arch = _ARM32
    elif machine == _EM_X86_64:
        arch = "x86_64"
    elif machine == _EM_AARCH64:
        arch = "aarch64"
    elif machine == _EM_RISCV:
        arch = f"riscv{bits}"
    elif machine == _EM_PPC64:
        # uname says "ppc64le" for little-endian POWER, "ppc64" for big-endian.
        arch = "ppc64le" if order == "little" else "ppc64"
    elif machine == _EM_MIPS:
        arch = "mips64" if bits == 64 else "mips"
    else:
        raise BinaryHeaderError(f"unsupported ELF machine 0x{machine:x}")
    return BinaryHeader("elf", (arch,), bits, order)


def _macho_arch(cputype: int) -> str:
    arch = _MACHO_CPU_NAMES.get(cputype)
    if arch is None:
        raise BinaryHeaderError(f"unsupported Mach-O cputype 0x{cputype:x}")
    return arch


def _parse_thin_macho(data: bytes, endian: str, is_64: bool) -> BinaryHeader:
    if len(data) < 8:
        raise BinaryHeaderError(f"Mach-O header needs 8 bytes to reach cputype, got {len(data)}")
    (cputype,) = struct.unpack_from(endian + "I", data, 4)
    order = "big" if endian == ">" else "little"
    return BinaryHeader("mach-o", (_macho_arch(cputype),), 64 if is_64 else 32, order)


def _parse_fat_macho(data: bytes, is_64: bool) -> BinaryHeader:
    if len(data) < 8:
        raise BinaryHeaderError(f"fat Mach-O header needs 8 bytes, got {len(data)}")
    (count,) = struct.unpack_from(">I", data, 4)
    if not 1 <= count <= MAX_FAT_ARCHES:
        raise BinaryHeaderError(
            f"0x{data[:4].hex()} header claims {count} architectures (not 1..{MAX_FAT_ARCHES}):"
            " not a fat Mach-O (Java class files share this magic)"
        )
    entry_size = 32 if is_64 else 20
    end = 8 + count * entry_size
    if len(data) < end:
        raise BinaryHeaderError(
            f"fat Mach-O table of {count} architectures needs {end} bytes, got {len(data)}"
        )
    arches: list[str] = []
    all_bits: set[int] = set()
    for offset in range(8, end, entry_size):
        (cputype,) = struct.unpack_from(">I", data, offset)
        arch = _macho_arch(cputype)
        if arch not in arches:  # x86_64 and x86_64h slices both name "x86_64"
            arches.append(arch)
        all_bits.add(64 if cputype & _CPU_ARCH_ABI64 else 32)
    bits = all_bits.pop() if len(all_bits) == 1 else None
    return BinaryHeader("mach-o", tuple(arches), bits, None)


def _parse_pe(data: bytes) -> BinaryHeader:
    if len(data) < 0x40:
        raise BinaryHeaderError(f"DOS header needs 64 bytes to reach e_lfanew, got {len(data)}")
    (pe_offset,) = struct.unpack_from("<I", data, 0x3C)
    # Signature (4) then the COFF file header, whose Machine comes first: 24 bytes in all.
    if pe_offset + 24 > len(data):
        raise BinaryHeaderError(
            f"PE header at e_lfanew 0x{pe_offset:x} lies beyond the {len(data)} bytes read"
        )
    if data[pe_offset : pe_offset + 4] != _PE_SIGNATURE:
        raise BinaryHeaderError(f"no PE signature at e_lfanew 0x{pe_offset:x}: a DOS-only program")
    (machine,) = struct.unpack_from("<H", data, pe_offset + 4)
    arch = _PE_MACHINE_NAMES.get(machine)
    if arch is None:
        raise BinaryHeaderError(f"unsupported PE machine 0x{machine:x}")
    bits: int | None = None
    if pe_offset + 26 <= len(data):
        (optional_magic,) = struct.unpack_from("<H", data, pe_offset + 24)
        bits = _PE_OPTIONAL_BITS.get(optional_magic)
        if bits is None:
            raise BinaryHeaderError(f"unknown PE optional header magic 0x{optional_magic:x}")
    return BinaryHeader("pe", (arch,), bits, "little")
