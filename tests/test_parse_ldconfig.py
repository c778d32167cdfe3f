"""`ldconfig -p`, the dynamic linker's cache, on real listings."""

from __future__ import annotations

import pytest

from probe.parsers.ldconfig import CachedLibrary, LdconfigParseError, parse_cache
from tests.conftest import CAPTURES

DECODERS = CAPTURES / "decoders"


def test_debian_cache_with_the_audio_codec_libraries() -> None:
    cache = parse_cache((DECODERS / "debian12-ldconfig-p").read_text())
    assert cache.declared == 692 == len(cache.libraries)
    assert cache.libraries[0] == CachedLibrary(
        "libz3.so.4", ("libc6", "x86-64"), "/lib/x86_64-linux-gnu/libz3.so.4"
    )
    assert (
        CachedLibrary("libopus.so.0", ("libc6", "x86-64"), "/lib/x86_64-linux-gnu/libopus.so.0")
        in cache.libraries
    )
    sonames = {lib.soname for lib in cache.libraries}
    assert "libFLAC.so.12" in sonames
    assert not any("mpegh" in name.lower() for name in sonames)
    assert all(lib.path.startswith("/") for lib in cache.libraries)  # not the trailer


def test_two_abis_and_kernel_tags() -> None:
    cache = parse_cache((DECODERS / "debian11-devcontainer-ldconfig-p-head").read_text())
    assert cache.declared == 264  # the listing was cut after 44 entries
    assert len(cache.libraries) == 44
    assert cache.libraries[11] == CachedLibrary(
        "libutil.so.1", ("libc6", "OS ABI: Linux 3.2.0"), "/lib32/libutil.so.1"
    )
    assert cache.libraries[-1] == CachedLibrary(
        "libstdc++.so.6", ("libc6",), "/usr/lib32/libstdc++.so.6"
    )


def test_hwcap_subdirectory_tags_without_the_header() -> None:
    cache = parse_cache((DECODERS / "centos-stream8-ppc64le-ldconfig-p-grep-libc").read_text())
    assert cache.declared is None
    assert cache.libraries == (
        CachedLibrary(
            "libc.so.6",
            ("libc6", "64bit", 'hwcap: "power9"', "OS ABI: Linux 3.10.0"),
            "/lib64/glibc-hwcaps/power9/libc-2.28.so",
        ),
        CachedLibrary("libc.so.6", ("libc6", "64bit", "OS ABI: Linux 3.10.0"), "/lib64/libc.so.6"),
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "printed nothing"),
        ("ldconfig: unrecognized option: p\n", "unrecognized option"),
    ],
)
def test_output_without_a_cache_is_refused(text: str, said: str) -> None:
    with pytest.raises(LdconfigParseError, match="no library cache") as e:
        parse_cache(text)
    assert said in str(e.value)
    assert isinstance(e.value, ValueError)
