"""CDM-shaped binaries written byte by byte, for architectures this machine cannot build.

`cdm_elf` lays out a shared object the way a linker would for a Widevine CDM: an ELF
header, program headers (a read-only PT_LOAD from offset 0, a read-write PT_LOAD whose
addresses are offset from its file position, PT_DYNAMIC, PT_GNU_STACK), a dynamic section
naming libraries, SONAME libwidevinecdm.so, version needs on glibc, optionally DT_RELR,
the CDM's version string among read-only data, and section headers, so that binutils'
`readelf -d -V` reads it as it reads a linked one. The x86_64 object even loads.

`write_thin_macho`, `write_fat_macho` and `write_pe_dll` write the other formats a CDM
comes in: headers as far as `probe.parsers.binary_header` reads them, then data holding
the version string.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CDM_VERSION = "4.10.2830.0"
SONAME = "libwidevinecdm.so"
NEEDED = ("libdl.so.2", "libpthread.so.0", "libc.so.6")

DT_NULL = 0
DT_NEEDED = 1
DT_STRTAB = 5
DT_SYMTAB = 6
DT_STRSZ = 10
DT_SYMENT = 11
DT_SONAME = 14
DT_RELRSZ = 35
DT_RELR = 36
DT_RELRENT = 37
DT_VERSYM = 0x6FFFFFF0
DT_VERNEED = 0x6FFFFFFE
DT_VERNEEDNUM = 0x6FFFFFFF

_ABI_DT_RELR = "GLIBC_ABI_DT_RELR"
_RW_DISPLACEMENT = 0x10000  # the read-write segment's address minus its file offset
_PHNUM = 4  # PT_LOAD read-only, PT_LOAD read-write, PT_DYNAMIC, PT_GNU_STACK
_PT_LOAD = 1
_PT_DYNAMIC = 2
_PT_GNU_STACK = 0x6474E551
_PF_W = 2
_PF_R = 4
_SHT_PROGBITS = 1
_SHT_STRTAB = 3
_SHT_DYNAMIC = 6
_SHT_DYNSYM = 11
_SHT_RELR = 19
_SHT_GNU_VERNEED = 0x6FFFFFFE
_SHT_GNU_VERSYM = 0x6FFFFFFF
_SHF_WRITE = 1
_SHF_ALLOC = 2


@dataclass(frozen=True)
class ElfArch:
    """What a linker for one architecture writes into the ELF header."""

    machine: int
    bits: int
    byte_order: str  # "little", "big"
    flags: int
    glibc_base: str  # the oldest symbol version glibc has on this architecture

    @property
    def endian(self) -> str:
        return "<" if self.byte_order == "little" else ">"

    @property
    def word(self) -> str:
        return "Q" if self.bits == 64 else "I"

    @property
    def word_size(self) -> int:
        return self.bits // 8


ARCHES = {
    "x86_64": ElfArch(62, 64, "little", 0, "GLIBC_2.2.5"),
    "aarch64": ElfArch(183, 64, "little", 0, "GLIBC_2.17"),
    # Raspberry Pi OS's armhf CDM: EABI version 5, hard-float.
    "armhf": ElfArch(40, 32, "little", 0x05000000 | 0x400, "GLIBC_2.4"),
    "i386": ElfArch(3, 32, "little", 0, "GLIBC_2.0"),
    # No CDM exists for these; they give big-endian objects of both classes.
    "ppc64": ElfArch(21, 64, "big", 1, "GLIBC_2.3"),  # e_flags 1: ELFv1 ABI
    "mips": ElfArch(8, 32, "big", 0x70001007, "GLIBC_2.0"),  # mips32r2 o32 PIC
}
CDM_ARCHES = ("x86_64", "aarch64", "armhf", "i386")


@dataclass(frozen=True)
class CdmElf:
    """A written object, and where its parts lie for tests that corrupt them."""

    arch: ElfArch
    data: bytes
    program_headers: int  # file offset of the table
    dynamic: int  # file offset of the dynamic section
    dynamic_tags: tuple[int, ...]  # its entries' tags, in order, DT_NULL last
    dynstr: int
    verneed: int
    version_string: int

    def dynamic_entry(self, tag: int) -> int:
        """The file offset of the first dynamic entry with `tag`."""
        return self.dynamic + self.dynamic_tags.index(tag) * 2 * self.arch.word_size


def elf_hash(name: str) -> int:
    """The SysV ELF hash, which vna_hash holds and glibc's loader compares."""
    value = 0
    for byte in name.encode():
        value = (value << 4) + byte
        high = value & 0xF0000000
        value ^= high >> 24
        value &= ~high & 0xFFFFFFFF
    return value


def version_needs(
    arch: str, glibc: Sequence[str] = (), abi_dt_relr: bool = False
) -> dict[str, tuple[str, ...]]:
    """What `cdm_elf` requires of each needed file: the base version of each, and of
    libc.so.6 also `glibc` and, with `abi_dt_relr`, GLIBC_ABI_DT_RELR."""
    base = ARCHES[arch].glibc_base
    libc = (base, *glibc, *((_ABI_DT_RELR,) if abi_dt_relr else ()))
    return {"libdl.so.2": (base,), "libpthread.so.0": (base,), "libc.so.6": libc}


def cdm_elf(
    arch: str,
    *,
    glibc: Sequence[str] = (),
    relr: bool = False,
    abi_dt_relr: bool = False,
    version: str = CDM_VERSION,
    version_at: int | None = None,
) -> CdmElf:
    """A CDM-shaped shared object for `arch` (a key of ARCHES).

    It needs NEEDED with `version_needs(arch, glibc, abi_dt_relr)`; `relr` adds DT_RELR
    (one relocation, of a word in the read-write segment); `version_at` places the
    version string at that file offset instead of first in the read-only data.
    """
    spec = ARCHES[arch]
    e, w, size = spec.endian, spec.word, spec.word_size
    needs = version_needs(arch, glibc, abi_dt_relr)
    strings = _StringTable()
    for name in (*NEEDED, SONAME):
        strings.add(name)
    verneed = _verneed(e, needs, strings)
    ehsize, phentsize, shentsize, symsize = (
        (64, 56, 64, 24) if spec.bits == 64 else (52, 32, 40, 16)
    )

    # Read-only: virtual addresses are file offsets. Section 1 is .dynsym, 2 .dynstr.
    image = _Image(ehsize + _PHNUM * phentsize)
    dynsym = image.place(
        ".dynsym", _SHT_DYNSYM, bytes(symsize), align=size, link=2, info=1, entsize=symsize
    )
    dynstr = image.place(".dynstr", _SHT_STRTAB, strings.data())
    versym = image.place(".gnu.version", _SHT_GNU_VERSYM, bytes(2), align=2, link=1, entsize=2)
    verneed_offset = image.place(
        ".gnu.version_r", _SHT_GNU_VERNEED, verneed, align=size, link=2, info=len(needs)
    )
    if relr:
        relr_offset = image.place(".relr.dyn", _SHT_RELR, bytes(size), align=size, entsize=size)
    padding = 0 if version_at is None else version_at - len(image.data)
    if padding < 0:
        raise ValueError(f"version_at {version_at} is before read-only data at {len(image.data)}")
    rodata = bytes(padding) + version.encode("ascii") + b"\0"
    version_offset = image.place(".rodata", _SHT_PROGBITS, rodata) + padding
    ro_end = len(image.data)

    tags_values = [(DT_NEEDED, strings.add(name)) for name in NEEDED]
    tags_values += [
        (DT_SONAME, strings.add(SONAME)),
        (DT_STRTAB, dynstr),
        (DT_SYMTAB, dynsym),
        (DT_STRSZ, len(strings.data())),
        (DT_SYMENT, symsize),
        (DT_VERNEED, verneed_offset),
        (DT_VERNEEDNUM, len(needs)),
        (DT_VERSYM, versym),
    ]
    if relr:
        tags_values += [(DT_RELR, relr_offset), (DT_RELRSZ, size), (DT_RELRENT, size)]
    tags_values.append((DT_NULL, 0))
    dynamic = b"".join(struct.pack(e + w + w, tag, value) for tag, value in tags_values)

    # Read-write: addresses are _RW_DISPLACEMENT past file offsets, as after a linker's gap.
    rw = _SHF_ALLOC | _SHF_WRITE
    dynamic_offset = image.place(
        ".dynamic", _SHT_DYNAMIC, dynamic, align=size, flags=rw, link=2, entsize=2 * size
    )
    data_offset = image.place(".data", _SHT_PROGBITS, bytes(size), align=size, flags=rw)
    rw_end = len(image.data)
    if relr:
        struct.pack_into(e + w, image.data, relr_offset, data_offset + _RW_DISPLACEMENT)
    shstrtab = image.section_names()
    image.place(".shstrtab", _SHT_STRTAB, shstrtab, flags=0)

    shoff = _align(len(image.data), size)
    shnum = len(image.sections)
    out = image.data + bytes(shoff - len(image.data))
    for section in image.sections:
        out += struct.pack(
            e + "II" + w * 4 + "II" + w * 2,
            section.name,
            section.type,
            section.flags,
            section.address,
            section.offset,
            section.size,
            section.link,
            section.info,
            section.align,
            section.entsize,
        )
    ident = b"\x7fELF" + bytes([spec.bits // 32, 1 if spec.byte_order == "little" else 2, 1])
    out[: len(ident)] = ident
    struct.pack_into(
        e + "HHI" + w * 3 + "IHHHHHH",
        out,
        16,
        3,  # ET_DYN
        spec.machine,
        1,  # EV_CURRENT
        0,
        ehsize,
        shoff,
        spec.flags,
        ehsize,
        phentsize,
        _PHNUM,
        shentsize,
        shnum,
        shnum - 1,
    )
    rw_address = dynamic_offset + _RW_DISPLACEMENT
    program_headers = [
        (_PT_LOAD, _PF_R, 0, 0, ro_end, 0x1000),
        (_PT_LOAD, _PF_R | _PF_W, dynamic_offset, rw_address, rw_end - dynamic_offset, 0x1000),
        (_PT_DYNAMIC, _PF_R | _PF_W, dynamic_offset, rw_address, len(dynamic), size),
        (_PT_GNU_STACK, _PF_R | _PF_W, 0, 0, 0, 16),
    ]
    for number, (p_type, flags, offset, address, length, align) in enumerate(program_headers):
        at = ehsize + number * phentsize
        if spec.bits == 64:
            fields = (p_type, flags, offset, address, address, length, length, align)
            struct.pack_into(e + "IIQQQQQQ", out, at, *fields)
        else:
            fields = (p_type, offset, address, address, length, length, flags, align)
            struct.pack_into(e + "IIIIIIII", out, at, *fields)

    return CdmElf(
        spec,
        bytes(out),
        program_headers=ehsize,
        dynamic=dynamic_offset,
        dynamic_tags=tuple(tag for tag, _ in tags_values),
        dynstr=dynstr,
        verneed=verneed_offset,
        version_string=version_offset,
    )


def _verneed(endian: str, needs: dict[str, tuple[str, ...]], strings: _StringTable) -> bytes:
    """The Elf_Verneed chain, each entry followed by its Elf_Vernaux chain, as GNU ld lays
    them out; vna_other numbers the versions from 2 (0 and 1 mean local and global)."""
    data = bytearray()
    index = 2
    for file_number, (file, names) in enumerate(needs.items()):
        vn_next = 0 if file_number == len(needs) - 1 else 16 * (1 + len(names))
        data += struct.pack(endian + "HHIII", 1, len(names), strings.add(file), 16, vn_next)
        for name_number, name in enumerate(names):
            vna_next = 0 if name_number == len(names) - 1 else 16
            data += struct.pack(
                endian + "IHHII", elf_hash(name), 0, index, strings.add(name), vna_next
            )
            index += 1
    return bytes(data)


def write_cdm_elf(
    path: Path,
    arch: str,
    *,
    glibc: Sequence[str] = (),
    relr: bool = False,
    abi_dt_relr: bool = False,
    version: str = CDM_VERSION,
    version_at: int | None = None,
) -> CdmElf:
    """`cdm_elf(...)`, written to `path`."""
    elf = cdm_elf(
        arch,
        glibc=glibc,
        relr=relr,
        abi_dt_relr=abi_dt_relr,
        version=version,
        version_at=version_at,
    )
    path.write_bytes(elf.data)
    return elf


# Mach-O (cputype, cpusubtype) and PE machines, by the names binary_header gives them.
_MACHO_CPUTYPES = {
    "x86_64": (0x01000007, 3),
    "aarch64": (0x0100000C, 0),
    "i686": (7, 3),
    "armv7l": (12, 9),
}
_PE_MACHINES = {"x86_64": 0x8664, "aarch64": 0xAA64, "i686": 0x14C, "armv7l": 0x1C4}
_MH_DYLIB = 6
_FAT_ALIGN = 12  # slices start on 4 KiB boundaries


def thin_macho(arch: str, version: str = CDM_VERSION) -> bytes:
    """A little-endian Mach-O dylib header (no load commands), then the version string."""
    cputype, subtype = _MACHO_CPUTYPES[arch]
    if cputype & 0x01000000:
        header = struct.pack("<IIIIIIII", 0xFEEDFACF, cputype, subtype, _MH_DYLIB, 0, 0, 0, 0)
    else:
        header = struct.pack("<IIIIIII", 0xFEEDFACE, cputype, subtype, _MH_DYLIB, 0, 0, 0)
    return header + bytes(64) + version.encode("ascii") + b"\0"


def write_thin_macho(path: Path, arch: str, version: str = CDM_VERSION) -> None:
    path.write_bytes(thin_macho(arch, version))


def write_fat_macho(path: Path, arches: Sequence[str], version: str = CDM_VERSION) -> None:
    """A universal binary: the fat header and one `thin_macho` slice per arch."""
    alignment = 1 << _FAT_ALIGN
    table = bytearray(struct.pack(">II", 0xCAFEBABE, len(arches)))
    body = bytearray()
    for arch in arches:
        data = thin_macho(arch, version)
        offset = alignment + _align(len(body), alignment)
        cputype, subtype = _MACHO_CPUTYPES[arch]
        table += struct.pack(">IIIII", cputype, subtype, offset, len(data), _FAT_ALIGN)
        body += bytes(offset - alignment - len(body)) + data
    path.write_bytes(bytes(table) + bytes(alignment - len(table)) + bytes(body))


def write_pe_dll(path: Path, arch: str, version: str = CDM_VERSION) -> None:
    """A DOS stub, the PE signature, a COFF header marked DLL and a zeroed optional
    header of the right kind (PE32+ for 64-bit), then the version string."""
    is_64 = arch in ("x86_64", "aarch64")
    optional_size = 0xF0 if is_64 else 0xE0
    characteristics = 0x2022 if is_64 else 0x2102  # DLL, executable, large-address/32-bit
    lfanew = 0x80
    dos = b"MZ" + bytes(0x3A) + struct.pack("<I", lfanew)
    coff = struct.pack(
        "<4sHHIIIHH", b"PE\0\0", _PE_MACHINES[arch], 0, 0, 0, 0, optional_size, characteristics
    )
    optional = struct.pack("<H", 0x20B if is_64 else 0x10B) + bytes(optional_size - 2)
    data = dos + bytes(lfanew - len(dos)) + coff + optional
    path.write_bytes(data + bytes(64) + version.encode("ascii") + b"\0")


@dataclass(frozen=True)
class _Section:
    """One section header's fields; `name` is an offset into .shstrtab."""

    name: int
    type: int
    flags: int
    address: int
    offset: int
    size: int
    link: int
    info: int
    align: int
    entsize: int


class _Image:
    """A file being laid out: each part placed after the last becomes a section."""

    def __init__(self, start: int) -> None:
        self.data = bytearray(start)
        self.sections = [_Section(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
        self._names = _StringTable()

    def place(
        self,
        name: str,
        type: int,
        content: bytes,
        *,
        align: int = 1,
        flags: int = _SHF_ALLOC,
        link: int = 0,
        info: int = 0,
        entsize: int = 0,
    ) -> int:
        """Append `content` at the next `align`ed offset, and return that offset."""
        offset = _align(len(self.data), align)
        self.data += bytes(offset - len(self.data)) + content
        address = 0
        if flags & _SHF_WRITE:
            address = offset + _RW_DISPLACEMENT
        elif flags & _SHF_ALLOC:
            address = offset
        name_offset = self._names.add(name)
        section = _Section(
            name_offset, type, flags, address, offset, len(content), link, info, align, entsize
        )
        self.sections.append(section)
        return offset

    def section_names(self) -> bytes:
        """.shstrtab, naming itself too: place it last."""
        self._names.add(".shstrtab")
        return self._names.data()


class _StringTable:
    """An ELF string table: NUL first, each name once."""

    def __init__(self) -> None:
        self._data = bytearray(1)
        self._offsets: dict[str, int] = {}

    def add(self, name: str) -> int:
        if name not in self._offsets:
            self._offsets[name] = len(self._data)
            self._data += name.encode() + b"\0"
        return self._offsets[name]

    def data(self) -> bytes:
        return bytes(self._data)


def _align(value: int, alignment: int) -> int:
    return -(-value // alignment) * alignment
