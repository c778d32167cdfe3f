"""What the dynamic linker will demand of an ELF shared object, read without loading it.

A Widevine CDM on disk may still never load: it can name a library this machine lacks, a
glibc symbol version newer than this glibc, or carry DT_RELR relocations that glibc
refuses without a GLIBC_ABI_DT_RELR version dependency (the ChromeOS arm64 CDM's
"DT_RELR without GLIBC_ABI_DT_RELR dependency"). Loading it to find out would run its
code in our process, so this reads the program headers and the dynamic section instead.

Everything goes through a `Reader`, one bounded read at a time (a 20 MB CDM is never read
whole, and `READ_BUDGET` caps the total); every offset, count and chain is checked against
the file, so a truncated or hostile file gives an `ElfError`, never another exception or
an endless loop.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

# (offset, size) -> the bytes there; fewer than `size` only at the end of the file.
Reader = Callable[[int, int], bytes]

# What one parse may read in all. A real library needs a few kilobytes: its headers, its
# dynamic section, its version needs and the names they point at.
READ_BUDGET = 1 << 20
# Limits far beyond any real library, so that a hostile count fails early and clearly.
MAX_PROGRAM_HEADERS = 256
MAX_DYNAMIC_ENTRIES = 4096
MAX_VERSION_NEEDS = 1024  # version names in all, over all needed files
MAX_NAME = 4096  # PATH_MAX: a DT_NEEDED may be a path

# Version names glibc's loader checks for; see `glibc_demand`.
ABI_DT_RELR = "GLIBC_ABI_DT_RELR"
ABI_DT_RELR_GLIBC = (2, 36)  # the first glibc that applies DT_RELR and defines ABI_DT_RELR

# How far `find_version_string` looks, and the longest string it finds exactly as one
# search over the whole file would (a window reaches this far into the next chunk).
SCAN_LIMIT = 64 << 20
SCAN_CHUNK = 1 << 20
SCAN_OVERLAP = 256

_ELF_MAGIC = b"\x7fELF"
_PT_LOAD = 1
_PT_DYNAMIC = 2
_DT_NULL = 0
_DT_NEEDED = 1
_DT_STRTAB = 5
_DT_STRSZ = 10
_DT_SONAME = 14
_DT_RELR = 36
_DT_VERNEED = 0x6FFFFFFE
_DT_VERNEEDNUM = 0x6FFFFFFF
_VER_NEED_CURRENT = 1
_VER_FLG_WEAK = 0x2
_NAME_CHUNK = 64  # most names are shorter, so one read each
_GLIBC_VERSION = re.compile(r"GLIBC_(\d+(?:\.\d+)+)")
_VERSION_STRING = re.compile(rb"\d+\.\d+\.\d+\.\d+")


class ElfError(ValueError):
    """The file is not an ELF object whose dynamic section can be read safely."""


@dataclass(frozen=True)
class NeededVersion:
    """One symbol version required of a file (an Elf_Vernaux)."""

    name: str  # "GLIBC_2.14"
    weak: bool  # VER_FLG_WEAK: the loader only warns when the version is missing


@dataclass(frozen=True)
class VersionNeed:
    """The symbol versions required of one needed file (an Elf_Verneed and its chain)."""

    file: str  # "libc.so.6"
    versions: tuple[NeededVersion, ...]


@dataclass(frozen=True)
class DynamicInfo:
    """What the object asks of the dynamic linker, in file order."""

    needed: tuple[str, ...]  # DT_NEEDED
    soname: str | None  # DT_SONAME
    version_needs: tuple[VersionNeed, ...]  # DT_VERNEED
    relr: bool  # DT_RELR: relative relocations only glibc >= 2.36 applies


@dataclass(frozen=True)
class GlibcDemand:
    """What glibc must offer for its loader to accept the object."""

    # The highest glibc version required: GLIBC_x.y names, and 2.36 for DT_RELR (older
    # glibc ignores the tag and leaves those relocations undone) or a GLIBC_ABI_DT_RELR
    # requirement. None when the object requires no glibc version.
    minimum: tuple[int, ...] | None
    # Upstream glibc >= 2.36 refuses the object: "DT_RELR without GLIBC_ABI_DT_RELR
    # dependency". ChromeOS's glibc drops that check, so its CDMs lack the requirement.
    relr_trap: bool


def file_reader(file: BinaryIO) -> Reader:
    """A `Reader` over an open file: only the bytes asked for are read."""

    def read(offset: int, size: int) -> bytes:
        file.seek(offset)
        return file.read(size)

    return read


def read_dynamic(read: Reader, size: int) -> DynamicInfo:
    """The dynamic linker's view of the `size`-byte ELF file behind `read`."""
    source = _Source(read, size)
    elf = _read_header(source)
    loads, dynamic = _read_program_headers(source, elf)
    tags, needed_indexes = _read_dynamic_section(source, elf, dynamic)
    names = _StringTable.locate(source, elf, loads, tags, bool(needed_indexes))
    needed = tuple(names.get(index, "DT_NEEDED") for index in needed_indexes)
    soname = names.get(tags[_DT_SONAME], "DT_SONAME") if _DT_SONAME in tags else None
    version_needs: tuple[VersionNeed, ...] = ()
    if _DT_VERNEED in tags:
        version_needs = _read_version_needs(source, elf, loads, tags, names)
    return DynamicInfo(needed, soname, version_needs, _DT_RELR in tags)


def glibc_demand(info: DynamicInfo) -> GlibcDemand:
    """The glibc that `info`'s object needs, as glibc's loader decides it.

    A missing version is refused unless weak, so weak versions raise no minimum. The
    DT_RELR check (glibc's dl-version.c) applies to an object with DT_RELR, version needs
    and a DT_NEEDED starting "libc.so.", whose needs name GLIBC_ABI_DT_RELR nowhere
    (however flagged, of whichever file).
    """
    required: list[tuple[int, ...]] = []
    names: set[str] = set()
    for need in info.version_needs:
        for version in need.versions:
            names.add(version.name)
            match = _GLIBC_VERSION.fullmatch(version.name)
            if match and not version.weak:
                required.append(tuple(int(part) for part in match.group(1).split(".")))
            elif version.name == ABI_DT_RELR and not version.weak:
                required.append(ABI_DT_RELR_GLIBC)
    if info.relr:
        required.append(ABI_DT_RELR_GLIBC)
    trap = (
        info.relr
        and bool(info.version_needs)
        and any(name.startswith("libc.so.") for name in info.needed)
        and ABI_DT_RELR not in names
    )
    return GlibcDemand(max(required, default=None), trap)


def find_version_string(read: Reader, size: int, limit: int = SCAN_LIMIT) -> str | None:
    """The first `\\d+.\\d+.\\d+.\\d+` ASCII string among the first `limit` bytes, if any.

    Kodi's inputstreamhelper shows this as a CDM's version when no manifest.json says it.
    Chunks of `SCAN_CHUNK` bytes are read with `SCAN_OVERLAP` more, so at most `limit`
    plus one overlap per chunk is read.
    """
    end = min(size, limit)
    start = 0
    while start < end:
        wanted = min(SCAN_CHUNK + SCAN_OVERLAP, end - start)
        window = read(start, wanted)
        last = start + wanted >= end or len(window) < wanted
        match = _VERSION_STRING.search(window)
        # A match starting in the overlap is found again, whole, by the next window.
        if match and (match.start() < SCAN_CHUNK or last):
            return match.group().decode("ascii")
        if last:
            return None
        start += SCAN_CHUNK
    return None


class _Source:
    """The file, read only within its size and within `READ_BUDGET` in all."""

    def __init__(self, read: Reader, size: int) -> None:
        self._read = read
        self.size = size
        self.spent = 0

    def bytes_at(self, offset: int, size: int, what: str) -> bytes:
        if offset + size > self.size:
            raise ElfError(
                f"{what} (0x{size:x} bytes at offset 0x{offset:x}) runs past the end"
                f" of the {self.size}-byte file"
            )
        self.spent += size
        if self.spent > READ_BUDGET:
            raise ElfError(f"reading {what} would take more than {READ_BUDGET} bytes in all")
        data = self._read(offset, size)
        if len(data) != size:
            raise ElfError(
                f"{what}: the file ended after {len(data)} of 0x{size:x} bytes at"
                f" offset 0x{offset:x}"
            )
        return data


@dataclass(frozen=True)
class _Elf:
    """Class and byte order: how the file's structures are laid out."""

    bits: int
    endian: str  # struct prefix, "<" or ">"

    @property
    def word(self) -> str:  # Elf_Addr, Elf_Off, and the dynamic entries' d_val
        return "Q" if self.bits == 64 else "I"

    @property
    def address_mask(self) -> int:  # a 32-bit loader's addresses wrap around
        return (1 << self.bits) - 1

    def unpack(self, layout: str, data: bytes, offset: int = 0) -> tuple[int, ...]:
        return struct.unpack_from(self.endian + layout, data, offset)


@dataclass(frozen=True)
class _Load:
    """The file part of a PT_LOAD segment."""

    vaddr: int
    offset: int
    filesz: int


@dataclass(frozen=True)
class _Dynamic:
    offset: int
    filesz: int


def _read_header(source: _Source) -> _Elf:
    ident = source.bytes_at(0, 16, "ELF identification")
    if ident[:4] != _ELF_MAGIC:
        raise ElfError(f"magic {ident[:4].hex()} is not ELF's 7f454c46")
    if ident[4] not in (1, 2):
        raise ElfError(f"ELF class {ident[4]} is neither 1 (32-bit) nor 2 (64-bit)")
    if ident[5] not in (1, 2):
        raise ElfError(f"ELF data encoding {ident[5]} is neither 1 (LSB) nor 2 (MSB)")
    return _Elf(32 if ident[4] == 1 else 64, "<" if ident[5] == 1 else ">")


def _read_program_headers(source: _Source, elf: _Elf) -> tuple[list[_Load], _Dynamic]:
    header_size = 52 if elf.bits == 32 else 64
    header = source.bytes_at(0, header_size, "ELF header")
    (phoff,) = elf.unpack(elf.word, header, 28 if elf.bits == 32 else 32)
    phentsize, phnum = elf.unpack("HH", header, 42 if elf.bits == 32 else 54)
    entry_size = 32 if elf.bits == 32 else 56
    if phnum == 0:
        raise ElfError("no program headers: not a loadable object")
    if phentsize != entry_size:
        raise ElfError(f"e_phentsize {phentsize} is not {entry_size}, the {elf.bits}-bit size")
    if phnum > MAX_PROGRAM_HEADERS:
        raise ElfError(f"e_phnum {phnum} is more than {MAX_PROGRAM_HEADERS} program headers")
    table = source.bytes_at(phoff, phnum * entry_size, f"program header table of {phnum}")
    loads: list[_Load] = []
    dynamics: list[_Dynamic] = []
    for index in range(phnum):
        if elf.bits == 32:
            p_type, p_offset, p_vaddr, _, p_filesz = elf.unpack("IIIII", table, index * 32)
        else:
            p_type, _, p_offset, p_vaddr, _, p_filesz = elf.unpack("IIQQQQ", table, index * 56)
        if p_type == _PT_LOAD:
            loads.append(_Load(p_vaddr, p_offset, p_filesz))
        elif p_type == _PT_DYNAMIC:
            dynamics.append(_Dynamic(p_offset, p_filesz))
    if len(dynamics) != 1:
        raise ElfError(
            "no PT_DYNAMIC program header: not dynamically linked"
            if not dynamics
            else f"{len(dynamics)} PT_DYNAMIC program headers, not one"
        )
    return loads, dynamics[0]


def _read_dynamic_section(
    source: _Source, elf: _Elf, dynamic: _Dynamic
) -> tuple[dict[int, int], list[int]]:
    """The last value of each tag (glibc's loader keeps the last) and the DT_NEEDED names."""
    entry_size = 8 if elf.bits == 32 else 16
    count = min(dynamic.filesz // entry_size, MAX_DYNAMIC_ENTRIES)
    if count == 0:
        raise ElfError(f"PT_DYNAMIC of {dynamic.filesz} bytes holds no dynamic entry")
    data = source.bytes_at(dynamic.offset, count * entry_size, "PT_DYNAMIC's dynamic section")
    tags: dict[int, int] = {}
    needed: list[int] = []
    for tag, value in struct.iter_unpack(elf.endian + elf.word * 2, data):
        if tag == _DT_NULL:
            return tags, needed
        if tag == _DT_NEEDED:
            needed.append(value)
        tags[tag] = value
    raise ElfError(f"no DT_NULL ends the dynamic section within its first {count} entries")


def _file_offset(loads: list[_Load], address: int, size: int, what: str) -> int:
    """Where the `size` bytes at virtual `address` lie in the file."""
    for load in loads:
        if load.vaddr <= address and address + size <= load.vaddr + load.filesz:
            return load.offset + address - load.vaddr
    raise ElfError(
        f"{what} at address 0x{address:x} (0x{size:x} bytes) is in no PT_LOAD's file part"
    )


class _StringTable:
    """DT_STRTAB: names are read one at a time, by index, within DT_STRSZ."""

    def __init__(self, source: _Source, offset: int, size: int) -> None:
        self._source = source
        self._offset = offset
        self._size = size
        self._names: dict[int, str] = {}

    @classmethod
    def locate(
        cls, source: _Source, elf: _Elf, loads: list[_Load], tags: dict[int, int], needs: bool
    ) -> _StringTable:
        if not (needs or _DT_SONAME in tags or _DT_VERNEED in tags):
            return cls(source, 0, 0)
        if _DT_STRTAB not in tags or _DT_STRSZ not in tags:
            raise ElfError(
                "the dynamic section names libraries or versions without DT_STRTAB and DT_STRSZ"
            )
        size = tags[_DT_STRSZ]
        return cls(
            source, _file_offset(loads, tags[_DT_STRTAB], size, "DT_STRTAB of DT_STRSZ bytes"), size
        )

    def get(self, index: int, what: str) -> str:
        if index not in self._names:
            self._names[index] = self._read(index, what)
        return self._names[index]

    def _read(self, index: int, what: str) -> str:
        if index >= self._size:
            raise ElfError(
                f"{what} name at string index 0x{index:x} is beyond DT_STRSZ 0x{self._size:x}"
            )
        limit = min(self._size - index, MAX_NAME)
        name = b""
        while len(name) < limit:
            chunk_size = min(_NAME_CHUNK, limit - len(name))
            offset = self._offset + index + len(name)
            chunk = self._source.bytes_at(offset, chunk_size, f"{what} name")
            end = chunk.find(b"\0")
            if end >= 0:
                return (name + chunk[:end]).decode("utf-8", "backslashreplace")
            name += chunk
        raise ElfError(f"{what} name at string index 0x{index:x} has no NUL within {limit} bytes")


def _read_version_needs(
    source: _Source, elf: _Elf, loads: list[_Load], tags: dict[int, int], names: _StringTable
) -> tuple[VersionNeed, ...]:
    """Follow the vn_next chain, and each vna_next chain, as glibc's loader does, checking
    that each ends (link 0) exactly at the count DT_VERNEEDNUM or vn_cnt gives."""
    if _DT_VERNEEDNUM not in tags:
        raise ElfError("DT_VERNEED without DT_VERNEEDNUM")
    count = tags[_DT_VERNEEDNUM]
    if not 1 <= count <= MAX_VERSION_NEEDS:
        raise ElfError(f"DT_VERNEEDNUM {count} is not 1..{MAX_VERSION_NEEDS}")
    needs: list[VersionNeed] = []
    total = 0
    seen: set[int] = set()
    address = tags[_DT_VERNEED]
    for index in range(count):
        what = f"Elf_Verneed {index + 1} of {count}"
        entry = _chain_entry(source, elf, loads, address, seen, what)
        vn_version, vn_cnt, vn_file, vn_aux, vn_next = elf.unpack("HHIII", entry)
        if vn_version != _VER_NEED_CURRENT:
            raise ElfError(f"{what} has vn_version {vn_version}, not {_VER_NEED_CURRENT}")
        file = names.get(vn_file, "vn_file")
        total += vn_cnt
        if vn_cnt == 0 or total > MAX_VERSION_NEEDS:
            raise ElfError(
                f"{what} ({file}) has vn_cnt {vn_cnt}: not 1 or more within"
                f" {MAX_VERSION_NEEDS} version names in all"
            )
        versions: list[NeededVersion] = []
        aux_address = (address + vn_aux) & elf.address_mask
        for aux_index in range(vn_cnt):
            aux_what = f"Elf_Vernaux {aux_index + 1} of {vn_cnt} for {file}"
            aux = _chain_entry(source, elf, loads, aux_address, seen, aux_what)
            _, vna_flags, _, vna_name, vna_next = elf.unpack("IHHII", aux)
            name = names.get(vna_name, "vna_name")
            versions.append(NeededVersion(name, bool(vna_flags & _VER_FLG_WEAK)))
            _check_link(vna_next, aux_index, vn_cnt, aux_what, "vna_next", "vn_cnt")
            aux_address = (aux_address + vna_next) & elf.address_mask
        needs.append(VersionNeed(file, tuple(versions)))
        _check_link(vn_next, index, count, what, "vn_next", "DT_VERNEEDNUM")
        address = (address + vn_next) & elf.address_mask
    return tuple(needs)


def _chain_entry(
    source: _Source, elf: _Elf, loads: list[_Load], address: int, seen: set[int], what: str
) -> bytes:
    """The 16 bytes of an Elf_Verneed or Elf_Vernaux, the same size in both classes."""
    if address in seen:
        raise ElfError(f"{what} at address 0x{address:x}: the chain loops back on itself")
    seen.add(address)
    return source.bytes_at(_file_offset(loads, address, 16, what), 16, what)


def _check_link(link: int, index: int, count: int, what: str, field: str, counter: str) -> None:
    last = index == count - 1
    if last and link != 0:
        raise ElfError(f"{what} has {field} 0x{link:x}: the chain goes on past {counter} {count}")
    if not last and link == 0:
        raise ElfError(f"{what} has {field} 0: the chain ends before {counter} {count}")
