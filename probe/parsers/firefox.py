"""Firefox's profiles.ini and prefs.js: where its profiles are, and which GMP each uses.

A CDM in a profile's `gmp-widevinecdm/<version>/` is used only if that version is the
one the `media.gmp-widevinecdm.version` pref names, and only while the
`media.gmp-widevinecdm.enabled` and `media.eme.enabled` prefs are not false.
"""

from __future__ import annotations

import configparser
import json
import re
from dataclasses import dataclass


class FirefoxConfigError(ValueError):
    """A profiles.ini that cannot be read as an INI file."""


@dataclass(frozen=True)
class Profile:
    path: str  # absolute, or relative to the directory of profiles.ini
    relative: bool


def parse_profiles_ini(text: str) -> list[Profile]:
    """Every [Profile*] and [Install*] section's directory, in file order, without repeats."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
    except configparser.Error as e:
        raise FirefoxConfigError(f"profiles.ini: {e.message}") from None
    profiles: list[Profile] = []
    for name in parser.sections():
        section = parser[name]
        if name.startswith("Profile") and "Path" in section:
            relative = section.get("IsRelative", "1").strip() != "0"
            profile = Profile(section["Path"].strip(), relative)
        elif name.startswith("Install") and "Default" in section:
            # Install sections name a profile by the same path a Profile section uses
            profile = Profile(section["Default"].strip(), not section["Default"].startswith("/"))
        else:
            continue
        if profile.path and profile not in profiles:
            profiles.append(profile)
    return profiles


_PREF = re.compile(r'^\s*(?:user_)?pref\(\s*("(?:[^"\\]|\\.)*")\s*,\s*(.+?)\s*\)\s*;', re.MULTILINE)


def parse_prefs(text: str) -> dict[str, str | bool | int]:
    """The `user_pref("name", value);` lines of prefs.js (or `pref(...)` of a defaults file)."""
    prefs: dict[str, str | bool | int] = {}
    for match in _PREF.finditer(text):
        try:
            name = json.loads(match.group(1))
            value = json.loads(match.group(2))
        except ValueError:
            continue  # a value this reader does not need (Firefox writes only JSON literals)
        if isinstance(value, str | bool | int):
            prefs[name] = value
    return prefs
