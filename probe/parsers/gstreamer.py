"""What `gst-inspect-1.0` (no arguments) prints: every feature of the registry, one a line,
then a total.

gst-inspect prints an element as "plugin:  element: long name" (two spaces), a type finder
as "plugin: caps: extensions" (one space), any other feature as "plugin:  name (GstXFactory)",
and last "Total count: N plugins[ (B blacklist entries not shown)], M features" (run in the
C locale: the words are translated otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ELEMENT = re.compile(r"^([^\s:]+):  (\S+): (.*)$")
_OTHER = re.compile(r"^([^\s:]+): {1,2}\S")
_TOTAL = re.compile(
    r"^Total count: (\d+) plugins?(?: \((\d+) blacklist entr(?:y|ies) not shown\))?,"
    r" (\d+) features?"
)


class GstParseError(ValueError):
    """gst-inspect-1.0 printed something that is not its feature list."""


@dataclass(frozen=True)
class GstElement:
    plugin: str  # "libav"
    name: str  # "avdec_eac3"
    description: str  # "libav ATSC A/52B (AC-3, E-AC-3) decoder"


@dataclass(frozen=True)
class GstRegistry:
    elements: tuple[GstElement, ...]
    plugins: int | None  # from the total line; None when it is missing (grep'd output)
    features: int | None
    blacklisted: int  # plugins that failed to load and are not shown


def parse_inspect(text: str) -> GstRegistry:
    """The elements of a `gst-inspect-1.0` listing. Raises GstParseError when the text has
    neither a feature line nor the total."""
    elements: list[GstElement] = []
    features = 0
    total: re.Match[str] | None = None
    for line in text.splitlines():
        if m := _TOTAL.match(line):
            total = m
        elif m := _ELEMENT.match(line):
            elements.append(GstElement(*m.groups()))
            features += 1
        elif _OTHER.match(line):
            features += 1
    if total is None and not features:
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        shown = repr(first[:80]) if first else "it printed nothing"
        raise GstParseError(f"no GStreamer feature list in gst-inspect-1.0's output: {shown}")
    if total is None:
        return GstRegistry(tuple(elements), None, None, 0)
    plugins, blacklisted, counted = total.groups()
    return GstRegistry(tuple(elements), int(plugins), int(counted), int(blacklisted or 0))
