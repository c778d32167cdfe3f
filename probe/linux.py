"""The probes of a Linux machine: each gathers through drivers/ and interprets in probe/."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping

from drivers import commands, network
from drivers.files import Files
from drivers.host import HostInfo
from probe import device_id, language, platform_facts, routes
from probe.framework import Outcome, Probe
from probe.models import DeviceId, IdKind, Libc, Locale, Platform, Status


def probes(
    files: Files,
    host: HostInfo,
    env: Mapping[str, str],
    key: device_id.IdKey,
    previous_id: DeviceId | None,
    locale_override: str | None,
    fresh: str,
) -> tuple[Probe[Platform], Probe[DeviceId], Probe[Locale]]:
    return (
        Probe("platform", lambda: platform(files, host)),
        Probe("device_id", lambda: identity(files, key, previous_id, fresh)),
        Probe("locale", lambda: locale(files, env, locale_override)),
    )


def platform(files: Files, host: HostInfo) -> Outcome[Platform]:
    libc = _libc(files, host)
    model = platform_facts.board_model(
        _read_bytes(files, "/proc/device-tree/model", "/sys/firmware/devicetree/base/model"),
        _read_text(files, "/sys/class/dmi/id/sys_vendor"),
        _read_text(files, "/sys/class/dmi/id/product_name"),
    )
    facts = Platform(
        os="linux",
        arch=platform_facts.arch_name(host.machine),
        userspace_bits=host.pointer_bits,
        libc=libc,
        kernel=host.kernel or None,
        board_model=model,
    )
    libc_text = (
        f"{libc.name} {libc.version or '(version unknown)'}" if libc else "C library unknown"
    )
    detail = f"{facts.arch}, {facts.userspace_bits}-bit userspace, {libc_text}"
    return Outcome(Status.OK, detail + (f", {model}" if model else ", no board model"), facts)


def _libc(files: Files, host: HostInfo) -> Libc | None:
    if host.glibc_version:
        return Libc("glibc", host.glibc_version)
    for loader in files.glob("/lib", "ld-musl-*.so.1"):
        if not files.live:
            return Libc("musl", None)
        try:
            result = commands.run([loader], timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            return Libc("musl", None)
        return Libc("musl", platform_facts.musl_version(result.stderr + result.stdout))
    return None


def identity(
    files: Files, key: device_id.IdKey, previous: DeviceId | None, fresh: str
) -> Outcome[DeviceId]:
    try:
        found = network.interfaces(files)
    except FileNotFoundError:
        found = []
    default = routes.default_interface(*network.route_tables(files))
    ranked, left_out = device_id.candidates(found, default)
    fallbacks, missing = _fallbacks(files)
    chosen = device_id.decide(key, ranked, fallbacks, previous, fresh)
    source = chosen.source
    what = f"from {source.interface}" if source.interface else f"from the {source.kind.value}"
    parts = [f"{source.history.value} ID {what}: {source.selection}"]
    if left_out:
        parts.append("left out " + ", ".join(left_out))
    if not ranked and missing:
        parts.append("; ".join(missing))
    return Outcome(Status.OK, "; ".join(parts), chosen)


def _fallbacks(files: Files) -> tuple[list[device_id.FallbackSource], list[str]]:
    """Identifiers other than a MAC, best first, and why the missing ones are missing."""
    found: list[device_id.FallbackSource] = []
    missing: list[str] = []
    serial = device_id.board_serial(
        _read_bytes(
            files, "/proc/device-tree/serial-number", "/sys/firmware/devicetree/base/serial-number"
        ),
        _read_text(files, "/proc/cpuinfo"),
    )
    if serial:
        found.append(device_id.FallbackSource(IdKind.BOARD_SERIAL, serial, "the board's firmware"))
    try:
        uuid = device_id.product_uuid(files.read_text("/sys/class/dmi/id/product_uuid"))
        if uuid:
            found.append(device_id.FallbackSource(IdKind.DMI_PRODUCT_UUID, uuid, "DMI"))
    except PermissionError:
        missing.append("the DMI product UUID is readable by root only")
    except OSError:
        pass
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        mid = device_id.machine_id(_read_text(files, path))
        if mid:
            note = "copies of a disk image share machine-id unless reset; a copy keeps this ID"
            found.append(device_id.FallbackSource(IdKind.MACHINE_ID, mid, path, note))
            break
    return found, missing


def locale(files: Files, env: Mapping[str, str], override: str | None) -> Outcome[Locale]:
    if override:
        settings = [language.Setting(override, "--locale")]
    else:
        settings = language.settings_from_environment(env)
        for path in language.SYSTEM_FILES:
            text = _read_text(files, path)
            if text is not None:
                settings += language.settings_from_file(text, path)
    chosen = language.choose(settings)
    return Outcome(Status.OK, f"{chosen.accept_language}: {chosen.reason}", chosen)


def _read_text(files: Files, *paths: str) -> str | None:
    data = _read_bytes(files, *paths)
    return data.decode("utf-8", errors="replace") if data is not None else None


def _read_bytes(files: Files, *paths: str) -> bytes | None:
    """The first of `paths` that can be read; None if none can (absent or unreadable)."""
    for path in paths:
        try:
            return files.read_bytes(path)
        except OSError:
            continue
    return None
