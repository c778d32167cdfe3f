"""The Linux display probe over real captures laid out as snapshot roots.

This VM has no /sys/class/drm and no vkms module to make one, so each test mirrors what a
real machine's sysfs showed (fixtures/captures/sysfs, cited in fixtures/SOURCES.md) under
tmp_path and runs the real probe through drivers.files.Files on it: the same reads a live
run makes, only rooted elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.files import Files
from probe.display import decide_display
from probe.framework import Unavailable
from probe.linux_display import display
from probe.models import Screen, Status
from tests.conftest import CAPTURES
from tests.rig import drm_trees
from tests.rig.drm_trees import SYSFS, connector, copy_connectors, framebuffer

LG_TV = CAPTURES / "edid" / "lg-tv-sscr2-2020-linuxhw.bin"


def preferred_timing(edid: bytes) -> str:
    """The size of an EDID's first detailed timing, the mode a kernel lists first for it."""
    dtd = edid[54:72]
    return f"{dtd[2] | (dtd[4] >> 4) << 8}x{dtd[5] | (dtd[7] >> 4) << 8}"


def test_a_tv_over_hdmi_on_a_nanopi_m4(tmp_path: Path) -> None:
    """The only connector; its modes, interlaced ones among them, start with the
    preferred 1920x1080. The EDID was not captured: the sink's audio cannot be read."""
    copy_connectors(tmp_path, "nanopi-m4-tv")
    outcome = display(Files(tmp_path))
    assert outcome.status is Status.OK
    assert outcome.facts is not None
    assert outcome.facts.screens == (Screen("HDMI-A-1", None, 1920, 1080),)
    assert outcome.facts.sinks == {}
    assert outcome.detail == (
        "1 DRM connector: HDMI-A-1 1920x1080; problems: drm/card1-HDMI-A-1: connected, but no EDID"
    )
    chosen = decide_display(outcome, None)
    assert chosen.image_style == "SL500"
    assert chosen.reason == (
        "largest connected display HDMI-A-1 1920x1080: its shorter side (1080 px) takes SL500"
    )


def test_a_portrait_edp_panel_and_an_unplugged_hdmi_port(tmp_path: Path) -> None:
    """An RK3399 on Rockchip's Android kernel, which names modes "1536x2048p60"."""
    copy_connectors(tmp_path, "rk3399-android-edp")
    outcome = display(Files(tmp_path))
    assert outcome.facts is not None
    assert outcome.facts.screens == (Screen("eDP-1", None, 1536, 2048),)
    assert outcome.detail == "2 DRM connectors: HDMI-A-1 disconnected, eDP-1 1536x2048"
    assert decide_display(outcome, None).image_style == "SL500"


def test_a_laptop_panel_that_is_connected_but_not_lit(tmp_path: Path) -> None:
    """A laptop's eDP panel as drm-kmod's sysctl showed it: `enabled` is "disabled" (no
    CRTC drives it at that moment), which does not make the panel go away."""
    values = drm_trees.sysctl((SYSFS / "drm" / "laptop-2256x1504-freebsd-sysctl").read_text())
    connector(
        tmp_path,
        "card1-eDP-1",
        values["status"].strip(),
        modes=values["modes"],
        enabled=values["enabled"],
    )
    outcome = display(Files(tmp_path))
    assert outcome.facts is not None
    assert outcome.facts.screens == (Screen("eDP-1", None, 2256, 1504),)
    assert outcome.detail == "1 DRM connector: eDP-1 2256x1504 (not lit now)"


def test_the_pi_touch_display_and_a_writeback_connector(tmp_path: Path) -> None:
    """A Raspberry Pi with the official 7" display on DSI-1 and both HDMI ports empty.
    vc4's writeback connector reports "connected" (vc4_txp_connector_detect) but is
    memory, never a screen."""
    kms = drm_trees.kmsprint((SYSFS / "drm" / "rpi-official-7in-dsi" / "kmsprint").read_text())
    assert kms == {
        "HDMI-A-1": ("disconnected", ""),
        "HDMI-A-2": ("disconnected", ""),
        "DSI-1": ("connected", "800x480\n"),
    }
    for name, (status, modes) in kms.items():
        connector(tmp_path, f"card1-{name}", status, modes=modes, edid=b"")
    connector(tmp_path, "card1-Writeback-1", "connected", modes="")
    outcome = display(Files(tmp_path))
    assert outcome.facts is not None
    assert outcome.facts.screens == (Screen("DSI-1", None, 800, 480),)
    assert outcome.detail == (
        "4 DRM connectors: DSI-1 800x480, HDMI-A-1 disconnected, HDMI-A-2 disconnected, "
        "Writeback-1 skipped (writeback)"
    )
    assert decide_display(outcome, None).image_style == "SL500"


def test_status_unknown_counts_when_the_connector_lists_modes(tmp_path: Path) -> None:
    """A connector whose driver cannot tell says "unknown"; with a mode listed, as
    drm_mode_set_name names an interlaced one, it is counted and the detail says on what
    grounds. Without modes it is not. vc4's composite output always says "unknown"
    (vc4_vec_connector_detect): an analog TV output never counts, or every Pi with it
    enabled would look like it had a screen. The rest of the board is the touch-display Pi."""
    kms = drm_trees.kmsprint((SYSFS / "drm" / "rpi-official-7in-dsi" / "kmsprint").read_text())
    for name, (status, modes) in kms.items():
        connector(tmp_path, f"card1-{name}", status, modes=modes)
    connector(tmp_path, "card1-Composite-1", "unknown", modes="720x480i\n")
    panel = connector(tmp_path, "card2-SPI-1", "unknown", modes="320x240\n")
    outcome = display(Files(tmp_path))
    assert outcome.facts is not None
    assert outcome.facts.screens == (
        Screen("DSI-1", None, 800, 480),
        Screen("SPI-1", None, 320, 240),
    )
    assert "SPI-1 320x240 (status unknown; counted for its modes)" in outcome.detail
    assert "Composite-1 unknown, not counted (it cannot sense a display)" in outcome.detail
    (panel / "modes").write_text("")
    outcome = display(Files(tmp_path))
    assert outcome.facts is not None
    assert [s.name for s in outcome.facts.screens] == ["DSI-1"]
    assert "SPI-1 unknown, no modes" in outcome.detail
    assert "problems" not in outcome.detail


def test_a_pi_with_an_hdmi_panel_counts_drm_not_its_fbdev_emulation(tmp_path: Path) -> None:
    """A Raspberry Pi 4 on Armbian with a 1024x600 HDMI panel on HDMI-A-2: the connectors
    it listed, the panel's modes, and vc4's fbdev emulation of that screen (fb0,
    vc4drmfb). The statuses were not captured: HDMI-A-2 is the one whose EDID was read,
    the writeback connector says "connected" as vc4 makes it."""
    capture = SYSFS / "drm" / "rpi4-armbian-jrp7007"
    entries = [e for e in (capture / "ls-sys-class-drm").read_text().split() if "-" in e]
    assert entries == ["card1-HDMI-A-1", "card1-HDMI-A-2", "card1-Writeback-1"]
    connector(tmp_path, "card1-HDMI-A-1", "disconnected", modes="")
    connector(
        tmp_path,
        "card1-HDMI-A-2",
        "connected",
        modes=(capture / "card1-HDMI-A-2-modes").read_text(),
    )
    connector(tmp_path, "card1-Writeback-1", "connected", modes="")
    framebuffer(tmp_path, "fb0", *drm_trees.fbset((capture / "fbset-i").read_text()))
    outcome = display(Files(tmp_path))
    assert outcome.facts is not None
    assert outcome.facts.screens == (Screen("HDMI-A-2", None, 1024, 600),)
    assert outcome.detail == (
        "3 DRM connectors: HDMI-A-1 disconnected, HDMI-A-2 1024x600, Writeback-1 skipped "
        "(writeback); problems: drm/card1-HDMI-A-2: connected, but no EDID"
    )
    assert decide_display(outcome, None).image_style == "SL500"


def test_the_edid_names_the_monitor_and_gives_the_sinks_audio(tmp_path: Path) -> None:
    edid = LG_TV.read_bytes()
    connector(tmp_path, "card1-HDMI-A-1", "connected", modes=preferred_timing(edid), edid=edid)
    connector(tmp_path, "card1-HDMI-A-2", "disconnected", modes="", edid=b"")
    outcome = display(Files(tmp_path))
    assert outcome.facts is not None
    assert outcome.facts.screens == (Screen("HDMI-A-1", "LG TV SSCR2", 3840, 2160),)
    (sink,) = outcome.facts.sinks.values()
    assert list(outcome.facts.sinks) == ["card1-HDMI-A-1"]
    assert sink.monitor_name == "LG TV SSCR2"
    assert decide_display(outcome, None).reason == (
        "largest connected display HDMI-A-1 'LG TV SSCR2' 3840x2160: its shorter side "
        "(2160 px) takes SL500"
    )


@pytest.mark.parametrize(
    ("capture", "fb", "screen", "style"),
    [
        ("brickpi-fb_ili9340-fbset", "fb1", Screen("fb1", None, 320, 240), "SL500"),
        ("rpi-ssd1306-fb1-fbset", "fb1", Screen("fb1", None, 128, 64), "SL75"),
        ("amlogic-fb_st7735r-dmesg", "fb4", Screen("fb4", None, 128, 160), "SL160"),
    ],
)
def test_panels_with_only_an_fbdev_driver(
    tmp_path: Path, capture: str, fb: str, screen: Screen, style: str
) -> None:
    """No DRM connector at all: the SPI TFTs (fbtft) and the I2C OLED (ssd1307fb) are
    framebuffers, sized by their virtual_size. fbcon, the console, is no framebuffer."""
    text = (SYSFS / "graphics" / capture).read_text()
    if "frame buffer," in text:
        fb_seen, name, size = drm_trees.fbtft_dmesg(text)
        assert fb_seen == fb
    else:
        name, size = drm_trees.fbset(text)
    framebuffer(tmp_path, fb, name, size)
    (tmp_path / "sys" / "class" / "graphics" / "fbcon").mkdir()
    outcome = display(Files(tmp_path))
    assert outcome.status is Status.OK
    assert outcome.facts is not None
    assert outcome.facts.screens == (screen,)
    assert outcome.detail == (
        f"no DRM connector; 1 framebuffer: {fb} '{name}' {screen.width}x{screen.height}"
    )
    assert decide_display(outcome, None).image_style == style


def test_drms_fbdev_emulation_is_never_a_screen_of_its_own(tmp_path: Path) -> None:
    """vc4drmfb mirrors a DRM connector; where the connectors cannot be seen (a snapshot
    that holds only /sys/class/graphics) it still counts for nothing: headless, with the
    reason in the detail."""
    name, size = drm_trees.fbset((SYSFS / "drm" / "rpi4-armbian-jrp7007" / "fbset-i").read_text())
    framebuffer(tmp_path, "fb0", name, size)
    outcome = display(Files(tmp_path))
    assert outcome.facts is not None
    assert outcome.facts.screens == ()
    assert outcome.detail == (
        "no DRM connector; 1 framebuffer: fb0 'vc4drmfb' skipped (DRM's fbdev emulation)"
    )
    assert decide_display(outcome, None).image_style is None


def test_no_connector_and_no_framebuffer_is_no_display_hardware(tmp_path: Path) -> None:
    (tmp_path / "sys" / "class" / "drm" / "card0").mkdir(parents=True)  # a render-only GPU
    with pytest.raises(Unavailable) as raised:
        display(Files(tmp_path))
    assert raised.value.status is Status.ABSENT
    assert raised.value.detail == (
        "no DRM connector in /sys/class/drm and no framebuffer in /sys/class/graphics: "
        "no display hardware"
    )


def test_an_unplugged_port_alone_is_headless(tmp_path: Path) -> None:
    copy_connectors(tmp_path, "rk3399-android-edp")
    for name in ("status", "enabled", "modes"):
        (tmp_path / "sys" / "class" / "drm" / "card0-eDP-1" / name).unlink()
    (tmp_path / "sys" / "class" / "drm" / "card0-eDP-1").rmdir()
    outcome = display(Files(tmp_path))
    assert (outcome.status, outcome.detail) == (
        Status.OK,
        "1 DRM connector: HDMI-A-1 disconnected",
    )
    assert decide_display(outcome, None).image_style is None


def test_a_malformed_modes_file_costs_only_its_connector(tmp_path: Path) -> None:
    copy_connectors(tmp_path, "rk3399-android-edp")
    hdmi = tmp_path / "sys" / "class" / "drm" / "card0-HDMI-A-1"
    (hdmi / "status").write_text("connected\n")
    (hdmi / "modes").write_text("preferred\n1920x1080\n")
    outcome = display(Files(tmp_path))
    assert outcome.status is Status.OK
    assert outcome.facts is not None
    assert outcome.facts.screens == (Screen("eDP-1", None, 1536, 2048),)
    assert outcome.detail.endswith(
        "problems: drm/card0-HDMI-A-1/modes: the first mode 'preferred' is not WxH; "
        "drm/card0-HDMI-A-1: connected, but no EDID"
    )


def test_unreadable_files_are_named_and_the_rest_is_read(tmp_path: Path) -> None:
    """A status that cannot be read as a file (here a directory) drops its connector; an
    EDID that cannot be read only its name and audio; bytes that are no EDID are said so."""
    copy_connectors(tmp_path, "nanopi-m4-tv")
    copy_connectors(tmp_path, "rk3399-android-edp")
    drm = tmp_path / "sys" / "class" / "drm"
    (drm / "card0-HDMI-A-1" / "status").unlink()
    (drm / "card0-HDMI-A-1" / "status").mkdir()
    (drm / "card1-HDMI-A-1" / "edid").mkdir()
    (drm / "card0-eDP-1" / "edid").write_bytes(b"\0" * 16)
    outcome = display(Files(tmp_path))
    assert outcome.facts is not None
    assert [s.name for s in outcome.facts.screens] == ["eDP-1", "HDMI-A-1"]
    assert outcome.detail.endswith(
        "problems: drm/card0-HDMI-A-1/status: Is a directory; "
        "drm/card0-eDP-1/edid: 16 bytes that are not an EDID; "
        "drm/card1-HDMI-A-1/edid: Is a directory"
    )
