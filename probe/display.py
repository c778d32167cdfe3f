"""The `amzn-image-style` a device's displays call for, or why it is left out.

Amazon resizes album art so that its longer side is 500, 160, 110, 75 or 30 px (SL500 ...
SL30). The rule: the largest connected screen decides, by the pixel count of its
preferred mode (ties go by name). Album art is square, so it has to fit the screen's
shorter side; the style chosen is the smallest one that is not smaller than that side, so
art is only ever scaled down on the device, never up, and SL500 when the shorter side
exceeds 500 px. 1920x1080 and 800x480 take SL500, 160x128 SL160, 96x96 SL110, 128x64 SL75.
A headless device (no connected screen) or a display probe that failed gets no style, and
the header is left out. An installer's `--image-style` wins over all of this.

Pure: the platform's display probe finds the screens; this module only decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from probe.framework import Outcome
from probe.models import Display, Screen, Status
from probe.parsers.sad import SinkAudio

IMAGE_STYLES = ("SL500", "SL160", "SL110", "SL75", "SL30")  # largest first
_SIDES = {"SL500": 500, "SL160": 160, "SL110": 110, "SL75": 75, "SL30": 30}


@dataclass(frozen=True)
class DisplayFacts:
    """What a display probe read, once, for two users: the screens for the image style,
    and the audio of the sinks on connected HDMI/DP connectors (by connector) for the
    audio outputs."""

    screens: tuple[Screen, ...] = ()
    sinks: dict[str, SinkAudio] = field(default_factory=dict)


def style_for(width: int, height: int) -> str:
    """The smallest style whose side is not smaller than the screen's shorter side."""
    shorter = min(width, height)
    fitting = [style for style in IMAGE_STYLES if _SIDES[style] >= shorter]
    return fitting[-1] if fitting else IMAGE_STYLES[0]


def largest_first(screens: Sequence[Screen]) -> list[Screen]:
    return sorted(screens, key=lambda s: (-s.width * s.height, s.name))


def decide_display(found: Outcome[DisplayFacts], override: str | None) -> Display:
    """The manifest's `display` from the display probe's outcome and the installer's
    `--image-style`, if given."""
    screens = largest_first(found.facts.screens if found.facts else ())
    automatic = _automatic(screens, found.status, found.detail)
    if override is None:
        return automatic
    if override not in IMAGE_STYLES:
        raise ValueError(f"unknown image style {override!r}; one of {', '.join(IMAGE_STYLES)}")
    without = automatic.image_style or "none"
    reason = f"set to {override} by --image-style; the displays alone give {without}: "
    return Display(screens, override, reason + automatic.reason)


def _automatic(screens: list[Screen], status: Status, detail: str) -> Display:
    if status not in (Status.OK, Status.ABSENT):
        return Display(screens, None, f"the display probe ended in {status}: {detail}")
    if not screens:
        return Display([], None, "no connected display: headless")
    largest = screens[0]
    style = style_for(largest.width, largest.height)
    called = f" '{largest.monitor_name}'" if largest.monitor_name else ""
    shorter = min(largest.width, largest.height)
    reason = (
        f"largest connected display {largest.name}{called} {largest.width}x{largest.height}: "
        f"its shorter side ({shorter} px) takes {style}"
    )
    return Display(screens, style, reason)
