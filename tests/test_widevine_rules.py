"""probe.widevine: whether a CDM that was found can load here, and the reasons when not."""

from __future__ import annotations

import pytest

from probe.cdm_locations import Layout, Place
from probe.models import CdmLoad, Libc, Platform
from probe.parsers.binary_header import BinaryHeader
from probe.parsers.cdm_manifest import parse_manifest
from probe.widevine import CdmFile, LinkNeeds, judge, summarise, userspace_arch

CHROME = Place("Google Chrome", "bundled", "/opt/google/chrome/WidevineCdm", Layout.CHROMIUM)
KODI = Place("Kodi", "kodi", "/home/a/.kodi/cdm", Layout.PLAIN, 1)
MANIFEST = parse_manifest('{"version": "4.10.2830.0", "x-cdm-codecs": "vp8,avc1", "arch": "x64"}')


def platform(arch: str = "x86_64", bits: int = 64, libc: Libc | None = None) -> Platform:
    return Platform("linux", arch, bits, libc or Libc("glibc", "2.36"), "6.1.0", None)


def library(
    arch: str = "x86_64",
    bits: int = 64,
    fmt: str = "elf",
    place: Place = CHROME,
    needs: LinkNeeds | None = None,
    **changes: object,
) -> CdmFile:
    values: dict[str, object] = {
        "place": place,
        "path": f"{place.path}/libwidevinecdm.so",
        "real": f"{place.path}/libwidevinecdm.so",
        "home": None,
        "user": None,
        "owner": (0, 0),
        "size": 9_000_000,
        "regular": True,
        "header": BinaryHeader(fmt, (arch,), bits, "little"),
        "needs": needs or LinkNeeds((2, 17), False, False),
        "manifest": MANIFEST,
    }
    values.update(changes)
    return CdmFile(**values)  # type: ignore[arg-type]


def test_a_fitting_cdm_is_compatible_and_usable() -> None:
    cdm = judge(library(), platform(), "/opt/google/chrome/WidevineCdm/libwidevinecdm.so")
    assert (cdm.compatible, cdm.why_not) == (True, None)
    assert (cdm.version, cdm.version_source, cdm.arch, cdm.bits) == (
        "4.10.2830.0",
        "manifest.json",
        "x86_64",
        64,
    )
    assert cdm.glibc_required == "2.17"
    assert cdm.declared is not None and cdm.declared.codecs == ["vp8", "avc1"]
    assert summarise([cdm]).usable is True


@pytest.mark.parametrize(
    ("found", "here", "reason"),
    [
        (
            library("aarch64"),
            platform(),
            "built for 64-bit aarch64; this machine's userspace is 64-bit x86_64",
        ),
        # a 32-bit userspace on a 64-bit kernel: uname says aarch64, the browser is armhf
        (library("aarch64"), platform("aarch64", 32), "userspace is 32-bit armv7l"),
        (library("x86_64"), platform("x86_64", 32), "userspace is 32-bit i686"),
        (library("armv7l", 32), platform("aarch64", 64), "built for 32-bit armv7l"),
        (library("armv7l", 32), platform("armv6l", 32), "need ARMv7; this CPU is ARMv6"),
        (library(fmt="mach-o"), platform(), "a mach-o library cannot load on linux"),
        (library(fmt="pe"), platform(), "a pe library cannot load on linux"),
        (
            library(needs=LinkNeeds((2, 36), True, False)),
            platform(libc=Libc("glibc", "2.31")),
            "uses DT_RELR relocations, which glibc applies from 2.36 on; this machine has 2.31",
        ),
        (
            library(needs=LinkNeeds((2, 36), True, True)),
            platform(),
            "without the GLIBC_ABI_DT_RELR dependency",
        ),
        (
            library(needs=LinkNeeds((2, 34), False, False)),
            platform(libc=Libc("glibc", "2.31")),
            "needs glibc 2.34; this machine has 2.31",
        ),
        (library(), platform(libc=Libc("musl", "1.2.4")), "this machine's C library is musl"),
        (library(manifest=None), platform(), "no manifest.json beside it: Google Chrome registers"),
        (
            library(manifest=None, manifest_error="manifest.json is not JSON: Expecting value"),
            platform(),
            "manifest.json is not JSON",
        ),
        (library(size=0), platform(), "an empty file: a placeholder"),
        (library(size=1 << 40), platform(), "1048576 MiB is too large for a CDM library"),
        (library(regular=False), platform(), "not a regular file"),
        (library(problem="a dangling link"), platform(), "a dangling link"),
        (
            library(header=None, header_error="unknown magic 00000000"),
            platform(),
            "not a library: unknown magic",
        ),
        (
            library(load=CdmLoad(False, None, "undefined symbol: foo")),
            platform(),
            "loading it failed: undefined symbol: foo",
        ),
    ],
)
def test_reasons(found: CdmFile, here: Platform, reason: str) -> None:
    cdm = judge(found, here, found.path)
    assert cdm.compatible is False
    assert cdm.why_not is not None and reason in cdm.why_not
    assert summarise([cdm]).usable is False


def test_fat_macho_fits_when_one_slice_does() -> None:
    mac = Platform("macos", "aarch64", 64, None, "23.0", None)
    fat = library(header=BinaryHeader("mach-o", ("x86_64", "aarch64"), 64, None), needs=None)
    cdm = judge(fat, mac, fat.path)
    assert (cdm.compatible, cdm.arch) == (True, "x86_64+aarch64")


def test_kodi_needs_no_manifest_and_takes_the_version_from_the_binary() -> None:
    found = library(place=KODI, manifest=None, binary_version="4.10.2662.3")
    cdm = judge(found, platform(), "~/.kodi/cdm/libwidevinecdm.so")
    assert (cdm.compatible, cdm.version, cdm.version_source) == (True, "4.10.2662.3", "binary")
    assert cdm.path == "~/.kodi/cdm/libwidevinecdm.so"


def test_manifest_naming_another_arch_is_noted() -> None:
    arm = parse_manifest(
        '{"version": "4.10.2662.3", "platforms": [{"os": "linux", "arch": "arm64"}]}'
    )
    cdm = judge(library(manifest=arm), platform(), "x")
    assert cdm.compatible is True
    assert cdm.notes == ["manifest.json names arm64, but the library is x86_64"]


def test_userspace_arch() -> None:
    assert userspace_arch(platform("aarch64", 32)) == "armv7l"
    assert userspace_arch(platform("x86_64", 32)) == "i686"
    assert userspace_arch(platform("riscv64", 64)) == "riscv64"
    assert userspace_arch(platform("armv7l", 32)) == "armv7l"
