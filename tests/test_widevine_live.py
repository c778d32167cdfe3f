"""The Widevine probe on this machine's real filesystem, through the command line: a real
gcc-built CDM-shaped library, loaded (with --check-load) in a throw-away child."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from probe.cli import main
from tests.rig.cdm_binaries import write_cdm_elf
from tests.rig.cdm_trees import build_stub_cdm, chrome_component_under, chrome_manifest, have_gcc

pytestmark = pytest.mark.skipif(not have_gcc(), reason="gcc builds the stub CDM")


def run(tmp_path: Path, *args: str, env: dict[str, str]) -> dict:  # type: ignore[type-arg]
    out = tmp_path / "manifest.json"
    result = CliRunner().invoke(main, ["run", "--output", str(out), *args], env=env)
    assert result.exit_code == 0, result.output
    manifest: dict = json.loads(out.read_text())  # type: ignore[type-arg]
    return manifest


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="Chrome's desktop CDM is x86_64")
def test_chrome_layout_and_ffmpeg_make_widevine_usable_and_eac3_decodable(tmp_path: Path) -> None:
    """The issue's "done when": Chrome's CDM layout and ffmpeg on this machine."""
    library = chrome_component_under(tmp_path / "config", "4.10.2934.0")
    build_stub_cdm(library, "4.10.2934.0")
    manifest = run(tmp_path, env={"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": "/root"})
    widevine = manifest["drm"]["widevine"]
    assert widevine["usable"] is True, widevine
    (cdm,) = [
        c
        for c in widevine["cdms"]
        if c["path"].endswith("4.10.2934.0/_platform_specific/linux_x64/libwidevinecdm.so")
    ]
    assert (cdm["owner"], cdm["origin"], cdm["version"], cdm["compatible"]) == (
        "Google Chrome",
        "component",
        "4.10.2934.0",
        True,
    )
    assert cdm["load"] is None  # read, never loaded, without --check-load
    assert "ffmpeg:eac3" in manifest["decoders"]["eac3"]["decode"]
    assert manifest["decoders"]["eac3_joc"]["render_objects"] == []


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="the stub is built for this machine")
def test_check_load_asks_the_library_in_a_child(tmp_path: Path) -> None:
    gmp = tmp_path / "gmp-widevinecdm" / "system-installed"
    build_stub_cdm(gmp / "libwidevinecdm.so", "4.10.2830.0-stub")
    (gmp / "manifest.json").write_text(chrome_manifest("4.10.2830.0"))
    broken = tmp_path / "broken"
    broken.mkdir()
    write_cdm_elf(broken / "libwidevinecdm.so", "x86_64")  # right header, but no code at all
    (broken / "manifest.json").write_text(chrome_manifest("4.10.2830.0"))
    env = {"MOZ_GMP_PATH": f"{gmp}:{broken}", "HOME": "/root"}
    manifest = run(tmp_path, "--check-load", env=env)
    cdms = {c["path"]: c for c in manifest["drm"]["widevine"]["cdms"]}
    good = cdms[str(gmp / "libwidevinecdm.so")]
    assert good["load"] == {"loaded": True, "version": "4.10.2830.0-stub", "error": None}
    assert good["compatible"] is True
    bad = cdms[str(broken / "libwidevinecdm.so")]
    assert bad["load"]["loaded"] is False and bad["compatible"] is False
    assert bad["why_not"].startswith("loading it failed: ")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the loading child as another user")
def test_check_load_runs_a_users_library_as_that_user(tmp_path: Path) -> None:
    base = Path(tempfile.mkdtemp())  # a place user 65534 can reach
    try:
        base.chmod(0o755)
        gmp = base / "system-installed"
        build_stub_cdm(gmp / "libwidevinecdm.so", "4.10.2830.0", report_uid=True)
        (gmp / "manifest.json").write_text(chrome_manifest("4.10.2830.0"))
        gmp.chmod(0o755)
        os.chown(gmp / "libwidevinecdm.so", 65534, 65534)
        manifest = run(tmp_path, "--check-load", env={"MOZ_GMP_PATH": str(gmp), "HOME": "/root"})
        (cdm,) = manifest["drm"]["widevine"]["cdms"]
        expected = {"loaded": True, "version": "4.10.2830.0 uid=65534", "error": None}
        assert cdm["load"] == expected, cdm
    finally:
        shutil.rmtree(base)
