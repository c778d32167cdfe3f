"""`ffmpeg -hide_banner -decoders` and `-buildconf`, on real listings."""

from __future__ import annotations

import pytest

from probe.parsers.ffmpeg import FfmpegDecoder, FfmpegParseError, parse_buildconf, parse_decoders
from tests.conftest import CAPTURES

DECODERS = CAPTURES / "decoders"


def test_debian_ffmpeg_audio_decoders() -> None:
    found = parse_decoders((DECODERS / "debian12-ffmpeg5.1.9-decoders").read_text())
    names = [d.name for d in found]
    assert len(names) == 202 == len(set(names))
    assert names[0] == "8svx_exp" and names[-1] == "xma2"
    for name in ("eac3", "ac3", "truehd", "mlp", "flac", "opus", "libopus", "dolby_e", "dca"):
        assert name in names
    assert FfmpegDecoder("eac3", "ATSC A/52B (AC-3, E-AC-3)") in found
    assert FfmpegDecoder("libopus", "libopus Opus (codec opus)") in found
    # video and subtitle rows, and the legend, are left out; Debian has no MPEG-H or AC-4
    for name in ("h264", "012v", "ass", "dvbsub", "=", "libmpeghdec", "ac4", "mpegh_3d_audio"):
        assert name not in names


def test_macos_ffmpeg_has_audiotoolbox_wrappers() -> None:
    found = parse_decoders((DECODERS / "macos-homebrew-ffmpeg4.2.2-decoders").read_text())
    names = [d.name for d in found]
    assert len(names) == 199
    assert {"eac3", "eac3_at", "ac3_at", "aac_at", "truehd", "flac", "opus"} <= set(names)
    assert FfmpegDecoder("eac3_at", "eac3 (AudioToolbox) (codec eac3)") in found
    # rows with other flags: experimental ("A..X.D"), no direct rendering ("A.....")
    assert {"sonic", "dsd_lsbf", "libvorbis"} <= set(names)
    assert "ssa" not in names and "xsub" not in names


def test_grepped_rows_without_the_table_header() -> None:
    text = (DECODERS / "macos-m2-ffmpeg6.0-decoders-grep-toolbox").read_text()
    names = [d.name for d in parse_decoders(text)]
    assert len(names) == 15
    assert all(name.endswith("_at") for name in names)
    assert "eac3_at" in names


@pytest.mark.parametrize("width", [5, 7, 8])
def test_a_flag_column_of_another_width(width: int) -> None:
    lines = (DECODERS / "debian12-ffmpeg5.1.9-decoders").read_text().splitlines()
    changed = []
    for line in lines:
        if line.startswith(" ") and len(line) > 7 and line[7] == " ":
            flags = line[1:7]
            line = " " + (flags + "." * 2)[:width] + line[7:]
        changed.append(line)
    found = parse_decoders("\n".join(changed))
    assert len(found) == 202
    assert FfmpegDecoder("eac3", "ATSC A/52B (AC-3, E-AC-3)") in found


def test_a_build_without_decoders_has_an_empty_table() -> None:
    text = (DECODERS / "debian12-ffmpeg5.1.9-decoders").read_text()
    legend_only = "\n".join(text.splitlines()[:10]) + "\n\n"
    assert legend_only.splitlines()[9].strip() == "------"
    assert parse_decoders(legend_only) == []


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "printed nothing"),
        ("\n\n", "printed nothing"),
        ("Unrecognized option 'decoders'.\n", "Unrecognized option"),
        ("ALERT this is not a decoder table\n", "ALERT"),
    ],
)
def test_output_without_a_decoder_table_is_refused(text: str, said: str) -> None:
    with pytest.raises(FfmpegParseError, match="no decoder table") as e:
        parse_decoders(text)
    assert said in str(e.value)
    assert isinstance(e.value, ValueError)


def test_debian_ffmpeg_build_configuration() -> None:
    flags = parse_buildconf((DECODERS / "debian12-ffmpeg5.1.9-buildconf").read_text())
    assert len(flags) == 74
    assert flags[0] == "--prefix=/usr" and flags[-1] == "--enable-shared"
    assert "--enable-libopus" in flags and "--enable-gpl" in flags
    assert not any("mpegh" in flag or "nonfree" in flag for flag in flags)


def test_a_build_with_libmpeghdec() -> None:
    text = (DECODERS / "debian12-ffmpeg5.1.9-buildconf").read_text()
    nonfree = text.rstrip("\n") + "\n    --enable-nonfree\n    --enable-libmpeghdec\n"
    assert parse_buildconf(nonfree)[-2:] == ["--enable-nonfree", "--enable-libmpeghdec"]


def test_output_without_a_build_configuration_is_refused() -> None:
    decoders = (DECODERS / "debian12-ffmpeg5.1.9-decoders").read_text()
    with pytest.raises(FfmpegParseError, match="no build configuration in ffmpeg's output"):
        parse_buildconf(decoders)
    with pytest.raises(FfmpegParseError, match="printed nothing"):
        parse_buildconf("")
