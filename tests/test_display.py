"""The amzn-image-style rule: the largest screen's shorter side, the smallest style that
covers it, headless and failed probes, and the installer's override."""

from __future__ import annotations

import pytest

from probe.display import IMAGE_STYLES, DisplayFacts, decide_display, style_for
from probe.framework import Outcome
from probe.models import Screen, Status


def found(*screens: Screen) -> Outcome[DisplayFacts]:
    return Outcome(Status.OK, "probed", DisplayFacts(screens))


def test_the_styles_are_listed_largest_first() -> None:
    assert IMAGE_STYLES == ("SL500", "SL160", "SL110", "SL75", "SL30")


@pytest.mark.parametrize(
    ("width", "height", "style"),
    [
        (1920, 1080, "SL500"),
        (800, 480, "SL500"),  # the Raspberry Pi touch display: no style lies between
        (160, 128, "SL160"),
        (128, 64, "SL75"),  # an SSD1306 OLED
        (96, 96, "SL110"),
        (501, 700, "SL500"),
        (500, 500, "SL500"),
        (499, 640, "SL500"),
        (161, 200, "SL500"),
        (160, 160, "SL160"),
        (111, 300, "SL160"),
        (110, 110, "SL110"),
        (76, 76, "SL110"),
        (75, 75, "SL75"),
        (31, 31, "SL75"),
        (30, 30, "SL30"),
        (1, 1, "SL30"),
        (1080, 1920, "SL500"),  # portrait: the shorter side is the width
        (128, 160, "SL160"),
        (64, 128, "SL75"),
    ],
)
def test_the_smallest_style_not_smaller_than_the_shorter_side(
    width: int, height: int, style: str
) -> None:
    assert style_for(width, height) == style
    assert decide_display(found(Screen("X-1", None, width, height)), None).image_style == style


def test_the_largest_screen_decides_even_with_the_shorter_short_side() -> None:
    """A 320x96 strip (30720 px) outweighs a 160x160 panel (25600 px): its 96 px side
    takes SL110, though the square alone would take SL160."""
    strip, square = Screen("SPI-1", None, 320, 96), Screen("DPI-1", None, 160, 160)
    display = decide_display(found(square, strip), None)
    assert display.screens == [strip, square]
    assert display.image_style == "SL110"
    assert display.reason == (
        "largest connected display SPI-1 320x96: its shorter side (96 px) takes SL110"
    )


def test_a_tv_beside_the_touch_display_and_ties_by_name() -> None:
    tv = Screen("HDMI-A-1", "LG TV SSCR2", 3840, 2160)
    dsi = Screen("DSI-1", None, 800, 480)
    twin = Screen("HDMI-A-2", "LG TV SSCR2", 3840, 2160)
    display = decide_display(found(dsi, twin, tv), None)
    assert display.screens == [tv, twin, dsi]
    assert display.image_style == "SL500"
    assert display.reason == (
        "largest connected display HDMI-A-1 'LG TV SSCR2' 3840x2160: its shorter side "
        "(2160 px) takes SL500"
    )


def test_headless_leaves_the_header_out() -> None:
    for outcome in (
        found(),
        Outcome[DisplayFacts](Status.ABSENT, "no DRM connector ...: no display hardware"),
    ):
        display = decide_display(outcome, None)
        assert (display.screens, display.image_style) == ([], None)
        assert display.reason == "no connected display: headless"


@pytest.mark.parametrize("status", [Status.TIMEOUT, Status.ERROR, Status.DENIED])
def test_a_failed_probe_leaves_the_header_out_and_says_why(status: Status) -> None:
    outcome = Outcome[DisplayFacts](status, "no answer within 20 s; abandoned")
    display = decide_display(outcome, None)
    assert display.image_style is None
    assert display.reason == (
        f"the display probe ended in {status.value}: no answer within 20 s; abandoned"
    )


def test_the_installers_style_wins_and_the_reason_says_so() -> None:
    tv = Screen("HDMI-A-1", "LG TV SSCR2", 3840, 2160)
    display = decide_display(found(tv), "SL75")
    assert (display.screens, display.image_style) == ([tv], "SL75")
    assert display.reason == (
        "set to SL75 by --image-style; the displays alone give SL500: largest connected "
        "display HDMI-A-1 'LG TV SSCR2' 3840x2160: its shorter side (2160 px) takes SL500"
    )
    headless = decide_display(found(), "SL160")
    assert headless.image_style == "SL160"
    assert headless.reason.startswith("set to SL160 by --image-style; the displays alone give none")
    with pytest.raises(ValueError, match="unknown image style 'SL1000'"):
        decide_display(found(tv), "SL1000")
