"""Where the manifest lives by default, one short class per OS (as platformdirs does)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath, PurePosixPath, PureWindowsPath

FILE_NAME = "manifest.json"


class Location:
    """The default manifest path; CAPPROBE_MANIFEST overrides it on every OS."""

    def __init__(self, env: Mapping[str, str], is_admin: bool) -> None:
        self.env = env
        self.is_admin = is_admin

    def manifest(self) -> PurePath:
        override = self.env.get("CAPPROBE_MANIFEST")
        return PurePath(override) if override else self.default()

    def default(self) -> PurePath:
        raise NotImplementedError


class LinuxLocation(Location):
    def default(self) -> PurePath:
        if self.is_admin:
            return PurePosixPath("/var/lib/capprobe", FILE_NAME)
        data = self.env.get("XDG_DATA_HOME")
        if not data:
            home = self.env.get("HOME")
            if not home:
                raise LookupError(
                    "neither XDG_DATA_HOME nor HOME is set; pass --output or set CAPPROBE_MANIFEST"
                )
            data = f"{home}/.local/share"
        return PurePosixPath(data, "capprobe", FILE_NAME)


class MacLocation(Location):
    def default(self) -> PurePath:
        return PurePosixPath("/Library/Application Support/capprobe", FILE_NAME)


class WindowsLocation(Location):
    def default(self) -> PurePath:
        program_data = (
            self.env.get("ProgramData") or self.env.get("PROGRAMDATA") or r"C:\ProgramData"
        )
        return PureWindowsPath(program_data, "capprobe", FILE_NAME)


def for_os(os_name: str | None, env: Mapping[str, str], is_admin: bool) -> Location:
    kinds: dict[str | None, type[Location]] = {"macos": MacLocation, "windows": WindowsLocation}
    return kinds.get(os_name, LinuxLocation)(env, is_admin)
