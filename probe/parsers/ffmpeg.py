"""What `ffmpeg -hide_banner -decoders` and `ffmpeg -hide_banner -buildconf` print.

The decoder table is a legend, a "------" rule, then one row per decoder: capability flags
(type letter first: V, A, S; "A....D", "AF...D", "A..X.D"), the decoder's name and its long
name. Only audio rows matter here. The flag column has been six characters wide since
FFmpeg 1.0; any width from 5 to 8 is read, so a build that adds or drops a column still parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Audio rows always have a dot in their flags (slice threading and draw_horiz_band never
# apply to audio), which keeps words of other text from passing for flags.
_ROW = re.compile(r"^\s*([VASDT.][A-Z.]{4,7})\s+(\S+)(?:\s+(.*?))?\s*$")


class FfmpegParseError(ValueError):
    """ffmpeg printed something that is not the listing asked for."""


@dataclass(frozen=True)
class FfmpegDecoder:
    name: str  # what `-c:a NAME` selects: "eac3", "libopus", "eac3_at"
    description: str  # "ATSC A/52B (AC-3, E-AC-3)"


def parse_decoders(text: str) -> list[FfmpegDecoder]:
    """The audio decoders of a `-decoders` listing, in its order (grep'd rows without the
    header parse too). Raises FfmpegParseError when the text holds no decoder table."""
    header = False
    rows = 0
    audio: list[FfmpegDecoder] = []
    for line in text.splitlines():
        if line.strip() == "Decoders:":
            header = True
            continue
        m = _ROW.match(line)
        if not m or "." not in m.group(1) or m.group(2) == "=":  # "=": a legend line
            continue
        rows += 1
        if m.group(1).startswith("A"):
            audio.append(FfmpegDecoder(m.group(2), m.group(3) or ""))
    if not header and not rows:
        raise FfmpegParseError(f"no decoder table in ffmpeg's output: {_first_line(text)}")
    return audio


def parse_buildconf(text: str) -> list[str]:
    """The configure flags of a `-buildconf` listing ("--enable-libopus", ...), one a line
    under "configuration:". Raises FfmpegParseError when that section is missing."""
    lines = [line.strip() for line in text.splitlines()]
    if "configuration:" not in lines:
        raise FfmpegParseError(f"no build configuration in ffmpeg's output: {_first_line(text)}")
    start = lines.index("configuration:") + 1
    return [line for line in lines[start:] if line.startswith("--")]


def _first_line(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return repr(first[:80]) if first else "it printed nothing"
