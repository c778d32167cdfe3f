"""A Widevine CDM's manifest.json and Chrome's component hint file.

Chromium registers a CDM only through its manifest (components/cdm/common/cdm_manifest.cc)
and Firefox reads the same file to learn the CDM's codecs, so what it declares is what
those consumers will use. Keys are read as the browsers read them: comma-separated
version and codec lists, a list of encryption schemes (absent means "cenc" only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# What Chromium assumes when a manifest names no encryption schemes.
DEFAULT_SCHEMES = ("cenc",)


class CdmManifestError(ValueError):
    """The file is not a manifest a browser would accept."""


@dataclass(frozen=True)
class CdmManifest:
    version: str
    codecs: tuple[str, ...]
    encryption_schemes: tuple[str, ...]
    persistent_license: bool | None
    module_versions: tuple[str, ...]
    interface_versions: tuple[str, ...]
    host_versions: tuple[str, ...]
    # The architectures it says it is for, as written ("x64", "arm64", "ia32"): `arch`,
    # `accept_arch` and every `platforms[].arch` (Kodi's inputstreamhelper reads these).
    arches: tuple[str, ...]


@dataclass(frozen=True)
class Hint:
    """`latest-component-updated-widevine-cdm`: where Chrome on Linux takes its CDM from."""

    path: str
    last_bundled_version: str | None


def parse_manifest(text: str) -> CdmManifest:
    data = _object(text, "manifest.json")
    version = data.get("version")
    if not isinstance(version, str) or not _is_version(version):
        raise CdmManifestError(f"manifest.json: 'version' is {version!r}, not a dotted version")
    schemes = data.get("x-cdm-supported-encryption-schemes")
    if schemes is None:
        schemes = list(DEFAULT_SCHEMES)
    if not isinstance(schemes, list) or not all(isinstance(s, str) for s in schemes):
        raise CdmManifestError(
            f"manifest.json: 'x-cdm-supported-encryption-schemes' is {schemes!r}, not a list"
        )
    persistent = data.get("x-cdm-persistent-license-support")
    if persistent is not None and not isinstance(persistent, bool):
        raise CdmManifestError(
            f"manifest.json: 'x-cdm-persistent-license-support' is {persistent!r}, not a boolean"
        )
    return CdmManifest(
        version=version,
        codecs=_list(data, "x-cdm-codecs"),
        encryption_schemes=tuple(schemes),
        persistent_license=persistent,
        module_versions=_list(data, "x-cdm-module-versions"),
        interface_versions=_list(data, "x-cdm-interface-versions"),
        host_versions=_list(data, "x-cdm-host-versions"),
        arches=_arches(data),
    )


def parse_hint(text: str) -> Hint:
    data = _object(text, "the hint file")
    path = data.get("Path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise CdmManifestError(f"the hint file's 'Path' is {path!r}, not an absolute path")
    bundled = data.get("LastBundledVersion")
    return Hint(path, bundled if isinstance(bundled, str) else None)


def version_key(version: str) -> tuple[int, ...]:
    """For comparing versions as Chrome does when it picks the newer of two CDMs."""
    return tuple(int(part) for part in version.split("."))


def _is_version(text: str) -> bool:
    parts = text.split(".")
    return all(p.isdigit() and p.isascii() for p in parts)


def _object(text: str, what: str) -> dict[str, object]:
    try:
        data = json.loads(text)
    except ValueError as e:
        raise CdmManifestError(f"{what} is not JSON: {e}") from None
    if not isinstance(data, dict):
        raise CdmManifestError(f"{what} holds a JSON {type(data).__name__}, not an object")
    return data


def _list(data: dict[str, object], key: str) -> tuple[str, ...]:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise CdmManifestError(f"manifest.json: {key!r} is {value!r}, not a comma-separated text")
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _arches(data: dict[str, object]) -> tuple[str, ...]:
    found: list[object] = [data.get("arch")]
    accept = data.get("accept_arch")
    if isinstance(accept, list):
        found += accept
    platforms = data.get("platforms")
    if isinstance(platforms, list):
        found += [p.get("arch") for p in platforms if isinstance(p, dict)]
    arches: list[str] = []
    for arch in found:
        if isinstance(arch, str) and arch and arch not in arches:
            arches.append(arch)
    return tuple(arches)
