"""CDM manifest.json, Chrome's hint file, Firefox's profiles.ini and prefs, /etc/passwd."""

from __future__ import annotations

from pathlib import Path

import pytest

from probe.parsers import cdm_manifest, firefox, passwd
from probe.parsers.cdm_manifest import CdmManifestError

CAPTURES = Path(__file__).parent.parent / "fixtures" / "captures"


def test_chrome_linux_manifest() -> None:
    text = (CAPTURES / "widevine" / "chrome-4.10.2891.0-linux-manifest.json").read_text()
    m = cdm_manifest.parse_manifest(text)
    assert m.version == "4.10.2891.0"
    assert m.codecs == ("vp8", "vp09", "avc1", "av01")
    assert m.encryption_schemes == ("cenc", "cbcs")
    assert m.persistent_license is False
    assert (m.module_versions, m.interface_versions, m.host_versions) == (("4",), ("10",), ("10",))
    assert m.arches == ("x64", "arm64")


def test_windows_manifest_with_trailing_spaces_and_old_arch_key() -> None:
    text = (CAPTURES / "widevine" / "win-ia32-4.10.1440.18-manifest.json").read_text()
    m = cdm_manifest.parse_manifest(text)
    assert (m.version, m.arches, m.persistent_license) == ("4.10.1440.18", ("ia32",), True)
    assert m.codecs == ("vp8", "vp9.0", "avc1")


def test_no_encryption_schemes_means_cenc_only() -> None:
    m = cdm_manifest.parse_manifest('{"version": "4.10.2662.3", "x-cdm-codecs": "vp8, avc1"}')
    assert m.encryption_schemes == ("cenc",)
    assert m.codecs == ("vp8", "avc1")
    assert m.persistent_license is None and m.arches == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"version": "4.10.2891.0",', "not JSON"),
        ("[1, 2]", "JSON list, not an object"),
        ('{"name": "WidevineCdm"}', "'version' is None"),
        ('{"version": "latest"}', "not a dotted version"),
        ('{"version": "4.1", "x-cdm-codecs": ["vp8"]}', "not a comma-separated text"),
        ('{"version": "4.1", "x-cdm-persistent-license-support": "yes"}', "not a boolean"),
        ('{"version": "4.1", "x-cdm-supported-encryption-schemes": "cenc"}', "not a list"),
        ("\x00\x01garbage", "not JSON"),
    ],
)
def test_broken_manifests_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(CdmManifestError, match=message):
        cdm_manifest.parse_manifest(text)


def test_hint_file() -> None:
    # the shape Chrome writes (a LastBundledVersion and an absolute Path)
    hint = cdm_manifest.parse_hint(
        '{"LastBundledVersion":"4.10.2891.0","Path":"/home/u/.config/google-chrome/WidevineCdm/4.10.2934.0"}'
    )
    assert hint.path.endswith("/4.10.2934.0") and hint.last_bundled_version == "4.10.2891.0"
    with pytest.raises(CdmManifestError, match="not an absolute path"):
        cdm_manifest.parse_hint('{"Path": "WidevineCdm/4.10"}')


def test_version_order_is_numeric() -> None:
    assert cdm_manifest.version_key("4.10.2891.0") > cdm_manifest.version_key("4.9.9999.0")


def test_profiles_ini_capture() -> None:
    text = (CAPTURES / "firefox" / "openmrs-profiles.ini").read_text()
    assert firefox.parse_profiles_ini(text) == [firefox.Profile("openmrs.default", True)]


def test_profiles_ini_absolute_and_spaces() -> None:
    text = (
        "[General]\nVersion=2\n[Profile1]\nName=default\nIsRelative=1\nPath=fnkih2cv.default\n"
        "[Profile0]\nName=default-release\nIsRelative=1\nPath=uPgFEPGY.Profile 1\n"
        "[Profile2]\nIsRelative=0\nPath=/srv/ff/work\n"
        "[Install4F96D1932A9F858E]\nDefault=uPgFEPGY.Profile 1\nLocked=1\n"
    )
    assert firefox.parse_profiles_ini(text) == [
        firefox.Profile("fnkih2cv.default", True),
        firefox.Profile("uPgFEPGY.Profile 1", True),
        firefox.Profile("/srv/ff/work", False),
    ]


def test_profiles_ini_that_is_not_ini() -> None:
    with pytest.raises(firefox.FirefoxConfigError, match=r"profiles\.ini"):
        firefox.parse_profiles_ini("Path=before any section\n")


def test_prefs_capture() -> None:
    prefs = firefox.parse_prefs((CAPTURES / "firefox" / "asahi-gmpwidevine.js").read_text())
    assert prefs["media.gmp-widevinecdm.version"] == "system-installed"
    assert prefs["media.gmp-widevinecdm.enabled"] is True
    assert prefs["media.gmp-widevinecdm.autoupdate"] is False


def test_prefs_js_user_prefs_and_junk() -> None:
    text = (
        '// Mozilla User Preferences\nuser_pref("media.gmp-widevinecdm.version", "4.10.2830.0");\n'
        'user_pref("media.gmp-widevinecdm.enabled", false);\nuser_pref("broken", );\n'
        'user_pref("media.volume_scale", "1.0");\n'
    )
    prefs = firefox.parse_prefs(text)
    assert prefs == {
        "media.gmp-widevinecdm.version": "4.10.2830.0",
        "media.gmp-widevinecdm.enabled": False,
        "media.volume_scale": "1.0",
    }


def test_passwd_real_users() -> None:
    text = (
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\nbad line\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        "svc:x:1500:1500::/:/usr/sbin/nologin\nbob:x:1001:1001::/home/bob/:/bin/sh\n"
    )
    users = passwd.real_users(passwd.parse_passwd(text), passwd.uid_min(None))
    assert users == [
        passwd.Account(0, "/root", "root"),
        passwd.Account(1000, "/home/alice", "alice"),
        passwd.Account(1001, "/home/bob", "bob"),
    ]


def test_uid_min_from_login_defs() -> None:
    assert passwd.uid_min("# comment\nUID_MIN\t\t\t  500\nUID_MAX 60000\n") == 500
    assert passwd.uid_min("#UID_MIN 10\n") == passwd.DEFAULT_UID_MIN
