"""Accept-Language: the system locale mapped onto the 14 languages the API serves.

The table (probe/data/languages.json) is data: which codes exist, each language's default,
and which regions use another variant (es_AR speaks es-MX, en_IE en-GB).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from probe.models import Locale

_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[_-]([A-Za-z]{2}|\d{3}))?(?:\.[^@]*)?(?:@.*)?$")
_NO_PREFERENCE = {"", "C", "POSIX"}
SYSTEM_FILES = ("/etc/locale.conf", "/etc/default/locale")


@dataclass(frozen=True)
class Setting:
    """A locale value and where it was found."""

    value: str
    source: str


@cache
def table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (resources.files("probe") / "data" / "languages.json").read_text("utf-8")
    )
    return data


def supported() -> list[str]:
    return list(table()["supported"])


def parse_tag(value: str) -> tuple[str, str | None] | None:
    """("de", "AT") for "de_AT.UTF-8@euro" or "de-AT"; None for C/POSIX (no preference).

    Raises ValueError for text that is no locale name at all.
    """
    value = value.strip()
    if value.split(".", 1)[0] in _NO_PREFERENCE:
        return None
    m = _TAG.match(value)
    if not m:
        raise ValueError(f"not a locale name: {value!r}")
    region = m.group(2)
    return m.group(1).lower(), region.upper() if region else None


def match(language: str, region: str | None) -> tuple[str, str, str] | None:
    """(code, kind of match, reason) for one locale, or None if the table has nothing for it."""
    t = table()
    name = t["language_names"].get(language, language)
    code = f"{language}-{region}" if region else ""
    if code in t["supported"]:
        return code, "exact", f"{code} is supported as it is"
    variant = t["region_variant"].get(language, {}).get(region)
    if variant:
        return variant, "language", f"{name} in {region} is served as {variant}"
    if language in t["language_default"]:
        chosen = t["language_default"][language]
        where = f" in {region}" if region else ""
        return chosen, "language", f"{name}{where} has no own code; {name} falls back to {chosen}"
    english = t["english_for_region"].get(region)
    if english:
        return english, "region", f"{name} is not served; the English of {region} is {english}"
    return None


def choose(settings: list[Setting]) -> Locale:
    """The first setting that maps to a supported code wins; en-US when none does."""
    skipped = []
    for setting in settings:
        try:
            parsed = parse_tag(setting.value)
        except ValueError:
            skipped.append(f"{setting.source}={setting.value!r} is not a locale name")
            continue
        if parsed is None:
            continue
        found = match(*parsed)
        if found:
            code, kind, reason = found
            return Locale(code, setting.value, setting.source, kind, reason)
        skipped.append(f"{setting.source}={setting.value} has no supported language")
    default = table()["default"]
    why = "; ".join(skipped) if skipped else "no locale is set (or only C/POSIX)"
    return Locale(default, None, "default", "default", f"{why}; using {default}")


def settings_from_environment(env: Mapping[str, str]) -> list[Setting]:
    """The settings gettext would use for messages: LANGUAGE's list (ignored under the C
    locale, as glibc does), then the first of LC_ALL, LC_MESSAGES, LANG."""
    found: list[Setting] = []
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            effective = Setting(value, var)
            break
    else:
        return found
    if effective.value.split(".", 1)[0] not in _NO_PREFERENCE:
        found += [Setting(v, "LANGUAGE") for v in env.get("LANGUAGE", "").split(":") if v]
    found.append(effective)
    return found


def settings_from_file(text: str, source: str) -> list[Setting]:
    """LC_MESSAGES, then LANG, from a systemd locale.conf or Debian's /etc/default/locale."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip()] = value.strip().strip("\"'")
    return [Setting(values[k], source) for k in ("LC_ALL", "LC_MESSAGES", "LANG") if values.get(k)]
