"""The Linux display probe: the DRM connectors in sysfs, else the framebuffers.

Each connector's `status`, `enabled`, `modes` and `edid` are read once and serve twice:
the screens (for amzn-image-style) and, for connected HDMI/DisplayPort connectors, the
sink's audio from its EDID (for the audio outputs; the only source of a sink's codings on
boards whose HDMI audio has no ELD to read). A bad or unreadable file is named in the
detail and costs only its own connector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from drivers.files import Files
from probe.display import DisplayFacts
from probe.framework import Outcome, Unavailable
from probe.models import Screen, Status
from probe.parsers import cta861
from probe.parsers.sad import SinkAudio

DRM = "/sys/class/drm"
GRAPHICS = "/sys/class/graphics"
# drm_mode_set_name() writes "<w>x<h>", and "i" when interlaced; vendor kernels add more
# (Rockchip's "1536x2048p60", Qualcomm's "1080x2340x60x113680cmd"), so only the start counts.
_MODE = re.compile(r"(\d+)x(\d+)")
_VIRTUAL_SIZE = re.compile(r"(\d+),(\d+)")
_AUDIO_TYPES = ("HDMI-A", "HDMI-B", "DP")  # connector types whose sink may take audio
_FBDEV_EMULATION = "drmfb"  # how DRM's own framebuffers are named: "vc4drmfb", "i915drmfb"
# Analog TV outputs cannot sense a TV, so they always say "unknown" (vc4_vec_connector_detect):
# a headless Pi with its composite output enabled is still headless.
_BLIND = ("Composite", "SVIDEO", "Component", "TV")


@dataclass
class _Found:
    screens: list[Screen] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what each entry turned out to be
    problems: list[str] = field(default_factory=list)
    sinks: dict[str, SinkAudio] = field(default_factory=dict)


def display(files: Files) -> Outcome[DisplayFacts]:
    """Screens (and HDMI/DP sinks) from DRM; framebuffers only where DRM has no connector."""
    connectors = files.glob(DRM, "card*-*")
    if connectors:
        return _from_drm(files, connectors)
    framebuffers = files.glob(GRAPHICS, "fb[0-9]*")  # not fbcon, the console's settings
    if framebuffers:
        return _from_framebuffers(files, framebuffers)
    raise Unavailable(
        Status.ABSENT,
        f"no DRM connector in {DRM} and no framebuffer in {GRAPHICS}: no display hardware",
    )


def _from_drm(files: Files, paths: list[str]) -> Outcome[DisplayFacts]:
    found = _Found()
    for path in paths:
        entry = path.rsplit("/", 1)[1]
        name = entry.split("-", 1)[1]
        kind = name.rsplit("-", 1)[0]
        if kind == "Writeback":  # a CRTC's output written back to memory, never a display
            found.notes.append(f"{name} skipped (writeback)")
            continue
        status = _read(files, f"{path}/status", found.problems)
        if status is None:
            continue
        status = status.strip()
        if status not in ("connected", "unknown"):
            found.notes.append(f"{name} {status}")
            continue
        if status == "unknown" and kind in _BLIND:
            found.notes.append(f"{name} unknown, not counted (it cannot sense a display)")
            continue
        edid = _read_edid(files, path, found.problems)
        screen = _screen(files, path, name, status, edid, found)
        if screen is not None:
            found.screens.append(screen)
        if kind in _AUDIO_TYPES and status == "connected":
            _sink(entry, edid, found)
    parts = [f"{_count(len(paths), 'DRM connector')}: " + ", ".join(found.notes)]
    if found.sinks:
        parts.append("sink audio from the EDID of " + ", ".join(found.sinks))
    return _outcome(found, parts)


def _screen(
    files: Files, path: str, name: str, status: str, edid: bytes | None, found: _Found
) -> Screen | None:
    """The connector as a screen of its preferred mode: the first in `modes`, where the
    kernel sorts the preferred one (then the largest)."""
    modes = _read(files, f"{path}/modes", found.problems)
    first = modes.strip().splitlines()[0].strip() if modes and modes.strip() else ""
    if not first:
        if status == "connected" and modes is not None:
            found.problems.append(f"{_where(path)}: connected, but it lists no modes")
        found.notes.append(f"{name} {status}, no modes")
        return None
    size = _MODE.match(first)
    if not size or not int(size[1]) or not int(size[2]):
        found.problems.append(f"{_where(path)}/modes: the first mode {first!r} is not WxH")
        found.notes.append(f"{name} {status}, no usable mode")
        return None
    monitor = cta861.monitor_name(edid[: cta861.BLOCK]) if edid else None
    note = f"{name} {size[1]}x{size[2]}" + (f" '{monitor}'" if monitor else "")
    if status == "unknown":
        note += " (status unknown; counted for its modes)"
    if _read_optional(files, f"{path}/enabled", found.problems) == "disabled":
        note += " (not lit now)"
    found.notes.append(note)
    return Screen(name, monitor, int(size[1]), int(size[2]))


def _sink(entry: str, edid: bytes | None, found: _Found) -> None:
    if edid is None:  # unreadable, and already said so
        return
    if not edid:
        found.problems.append(f"drm/{entry}: connected, but no EDID")
        return
    try:
        found.sinks[entry] = cta861.parse_edid(edid)
    except cta861.CtaParseError as e:
        found.problems.append(f"drm/{entry}/edid: {e}")


def _read_edid(files: Files, path: str, problems: list[str]) -> bytes | None:
    """The EDID's bytes, empty when the sink gave none; None when the file cannot be read
    or holds no EDID, which `problems` then says."""
    try:
        data = files.read_bytes(f"{path}/edid")
    except FileNotFoundError:
        return b""
    except OSError as e:
        problems.append(f"{_where(path)}/edid: {_why(e)}")
        return None
    if data and (len(data) < cta861.BLOCK or not data.startswith(cta861.EDID_HEADER)):
        problems.append(f"{_where(path)}/edid: {len(data)} bytes that are not an EDID")
        return None
    return data


def _from_framebuffers(files: Files, paths: list[str]) -> Outcome[DisplayFacts]:
    """Boards whose panel has an fbdev driver only (fbtft SPI panels, ssd1307fb OLEDs, old
    vendor kernels). DRM's own framebuffers mirror a connector and are never counted."""
    found = _Found()
    for path in paths:
        fb = path.rsplit("/", 1)[1]
        driver = _read_optional(files, f"{path}/name", found.problems) or ""
        called = f" '{driver}'" if driver else ""
        if driver.endswith(_FBDEV_EMULATION):
            found.notes.append(f"{fb}{called} skipped (DRM's fbdev emulation)")
            continue
        text = _read(files, f"{path}/virtual_size", found.problems)
        if text is None:
            continue
        size = _VIRTUAL_SIZE.fullmatch(text.strip())
        if not size or not int(size[1]) or not int(size[2]):
            found.problems.append(f"{_where(path)}/virtual_size: {text.strip()!r} is not W,H")
            continue
        found.notes.append(f"{fb}{called} {size[1]}x{size[2]}")
        found.screens.append(Screen(fb, None, int(size[1]), int(size[2])))
    listed = f"no DRM connector; {_count(len(paths), 'framebuffer')}: " + ", ".join(found.notes)
    return _outcome(found, [listed])


def _outcome(found: _Found, parts: list[str]) -> Outcome[DisplayFacts]:
    if found.problems:
        parts.append("problems: " + "; ".join(found.problems))
    facts = DisplayFacts(tuple(found.screens), found.sinks)
    return Outcome(Status.OK, "; ".join(parts), facts)


def _read(files: Files, path: str, problems: list[str]) -> str | None:
    """The file's text; None, and why in `problems`, when it cannot be read."""
    try:
        return files.read_text(path)
    except OSError as e:
        problems.append(f"{_where(path)}: {_why(e)}")
        return None


def _read_optional(files: Files, path: str, problems: list[str]) -> str | None:
    """A file some kernels and drivers do not have: missing is no problem."""
    try:
        return files.read_text(path).strip()
    except FileNotFoundError:
        return None
    except OSError as e:
        problems.append(f"{_where(path)}: {_why(e)}")
        return None


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" + ("" if n == 1 else "s")


def _where(path: str) -> str:
    return path.removeprefix("/sys/class/")


def _why(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "missing"
    if isinstance(e, PermissionError):
        return "permission denied"
    return e.strerror or str(e)
