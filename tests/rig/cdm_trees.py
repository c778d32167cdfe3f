"""Browser-like CDM trees in a directory that stands for a machine's root (a snapshot
root for drivers.files.Files), with users, homes and the CDM layouts consumers use."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.rig.cdm_binaries import CDM_VERSION, write_cdm_elf

STUB_SOURCE = Path(__file__).with_name("stubcdm.c")


def chrome_manifest(version: str = CDM_VERSION, arch: str = "x64") -> str:
    """The manifest.json Chrome ships beside its CDM (fixtures/captures/widevine)."""
    return json.dumps(
        {
            "manifest_version": 2,
            "name": "WidevineCdm",
            "version": version,
            "x-cdm-module-versions": "4",
            "x-cdm-interface-versions": "10",
            "x-cdm-host-versions": "10",
            "x-cdm-codecs": "vp8,vp09,avc1,av01",
            "x-cdm-persistent-license-support": False,
            "x-cdm-supported-encryption-schemes": ["cenc", "cbcs"],
            "platforms": [
                {
                    "os": "linux",
                    "arch": arch,
                    "sub_package_path": f"_platform_specific/linux_{arch}/",
                }
            ],
        }
    )


class Machine:
    """A root directory with /etc/passwd, homes, and CDM trees placed by the tests."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.users: list[tuple[str, int, str]] = [("root", 0, "/root")]
        (root / "root").mkdir(parents=True, exist_ok=True)
        self._write_passwd()

    def path(self, mirrored: str) -> Path:
        return self.root / mirrored.lstrip("/")

    def add_user(self, name: str, uid: int) -> str:
        home = f"/home/{name}"
        self.path(home).mkdir(parents=True)
        self.users.append((name, uid, home))
        self._write_passwd()
        return home

    def chrome_bundled(self, arch: str = "x86_64", **elf: object) -> str:
        """/opt/google/chrome/WidevineCdm as Chrome's package installs it."""
        base = "/opt/google/chrome/WidevineCdm"
        self.write(f"{base}/manifest.json", chrome_manifest())
        return self.cdm(f"{base}/_platform_specific/linux_x64/libwidevinecdm.so", arch, **elf)

    def chrome_component(self, home: str, version: str, hint: bool = True) -> str:
        """A component-updated CDM in ~/.config/google-chrome, named by the hint file."""
        base = f"{home}/.config/google-chrome/WidevineCdm"
        self.write(f"{base}/{version}/manifest.json", chrome_manifest(version))
        library = self.cdm(f"{base}/{version}/_platform_specific/linux_x64/libwidevinecdm.so")
        if hint:
            self.write(
                f"{base}/latest-component-updated-widevine-cdm",
                json.dumps({"LastBundledVersion": CDM_VERSION, "Path": f"{base}/{version}"}),
            )
        return library

    def firefox_gmp(self, home: str, version: str, arch: str, chosen: str | None) -> str:
        """A Firefox profile found through profiles.ini, with a GMP version directory."""
        root = f"{home}/.mozilla/firefox"
        self.write(
            f"{root}/profiles.ini",
            "[Profile0]\nName=default-release\nIsRelative=1\nPath=ab12.default-release\n"
            "[General]\nVersion=2\n",
        )
        profile = f"{root}/ab12.default-release"
        if chosen:
            self.write(
                f"{profile}/prefs.js", f'user_pref("media.gmp-widevinecdm.version", "{chosen}");\n'
            )
        self.write(f"{profile}/gmp-widevinecdm/{version}/manifest.json", chrome_manifest(version))
        return self.cdm(f"{profile}/gmp-widevinecdm/{version}/libwidevinecdm.so", arch)

    def cdm(self, mirrored: str, arch: str = "x86_64", **elf: object) -> str:
        target = self.path(mirrored)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_cdm_elf(target, arch, **elf)  # type: ignore[arg-type]
        return mirrored

    def write(self, mirrored: str, text: str) -> None:
        target = self.path(mirrored)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    def link(self, mirrored: str, target: str) -> None:
        where = self.path(mirrored)
        where.parent.mkdir(parents=True, exist_ok=True)
        where.symlink_to(target)

    def _write_passwd(self) -> None:
        lines = [f"{n}:x:{uid}:{uid}::{home}:/bin/sh" for n, uid, home in self.users]
        lines.insert(1, "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin")
        self.write("/etc/passwd", "\n".join(lines) + "\n")


def chrome_component_under(config: Path, version: str) -> Path:
    """Chrome's component-updated layout below $XDG_CONFIG_HOME, named by its hint file."""
    base = config / "google-chrome" / "WidevineCdm"
    (base / version).mkdir(parents=True)
    (base / version / "manifest.json").write_text(chrome_manifest(version))
    (base / "latest-component-updated-widevine-cdm").write_text(
        json.dumps({"LastBundledVersion": "4.10.2830.0", "Path": str(base / version)})
    )
    return base / version / "_platform_specific" / "linux_x64" / "libwidevinecdm.so"


def build_stub_cdm(
    target: Path, version: str = "4.10.2830.0-stub", report_uid: bool = False
) -> Path:
    """A real shared object for this machine with the CDM entry points, built with gcc;
    with `report_uid` its version says which user loaded it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    flags = ["-DREPORT_UID"] if report_uid else []
    subprocess.run(
        [
            "gcc",
            *flags,
            "-shared",
            "-fPIC",
            "-O2",
            f'-DSTUB_VERSION="{version}"',
            "-o",
            str(target),
            str(STUB_SOURCE),
        ],
        check=True,
        capture_output=True,
    )
    return target


def have_gcc() -> bool:
    return shutil.which("gcc") is not None


def chown_tree(path: Path, uid: int, stop: Path) -> None:
    """Give `path` and its parents up to `stop` to `uid`, so that user can read them."""
    while True:
        os.chown(path, uid, uid)
        if path == stop:
            return
        path = path.parent
