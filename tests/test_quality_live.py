"""Quality decisions from real parts, end to end: emulated ALSA devices (the fakehw plugin
through alsa-lib and PortAudio), this machine's ffmpeg, and a gcc-built CDM in Chrome's
layout, through `capprobe run`, `--require`, `--policy`, `explain` and `headers`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from probe import manifest
from tests.conftest import capprobe
from tests.rig import alsa as rig
from tests.rig.alsa import FakeDevice
from tests.rig.cdm_trees import build_stub_cdm, chrome_component_under, have_gcc

pytestmark = [
    pytest.mark.skipif(rig.missing_build_tools() is not None, reason="scripts/setup installs gcc"),
    pytest.mark.skipif(not have_gcc(), reason="gcc builds the stub CDM"),
    pytest.mark.skipif(os.uname().machine != "x86_64", reason="Chrome's desktop CDM is x86_64"),
]

CD_PLAYER = FakeDevice("fake_cd", "Fake CD-quality DAC", rates=(44100, 48000))
HIRES_DAC = FakeDevice(
    "fake_hires", "Fake hi-res DAC", rates=(44100, 48000, 96000, 192000), formats=("S32_LE",)
)


def environment(setup: rig.AlsaSetup, cdm: bool = True) -> dict[str, str]:
    """The rig's environment, with a Chrome CDM in its user's configuration directory."""
    env = setup.environ()
    if cdm:
        config = Path(env["XDG_CONFIG_HOME"])
        build_stub_cdm(chrome_component_under(config, "4.10.2934.0"), "4.10.2934.0")
    return env


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def test_a_hi_res_dac_ffmpeg_and_chrome_cdm_grant_hi_res(alsa_rig: rig.Rig, tmp_path: Path) -> None:
    env = environment(alsa_rig.setup([CD_PLAYER, HIRES_DAC]))
    out = tmp_path / "manifest.json"
    result = capprobe("run", "-o", str(out), "--require", "HI_RES", env=env)
    assert result.returncode == 0, result.stderr
    document = load(out)
    caps = document["capabilities"]
    assert caps["qualities"] == ["STD_RES", "HI_FI", "HI_RES"]
    assert (caps["policy"], caps["drm_types"]) == ("strict", ["WIDEVINE"])
    headers = document["headers"]
    assert headers["X-Amzn-Audio-Device-Capability"] == "STD_RES,HI_FI,HI_RES"
    assert headers["X-Amzn-Audio-DRMType"] == "WIDEVINE"
    hi_res = caps["decisions"]["HI_RES"]["reasons"]
    assert "'Fake hi-res DAC' (alsa:fake_hires) takes 32-bit at up to 192 kHz natively" in hi_res
    assert any(r.startswith("FLAC decoder: ffmpeg:flac, ") for r in hi_res)
    atmos = caps["decisions"]["THREE_DIMENSIONAL"]
    assert atmos["granted"] is False
    (bed,) = [r for r in atmos["reasons"] if "only the bed of E-AC-3 JOC" in r]
    assert "ffmpeg:eac3" in bed
    assert "--policy lenient counts bed-only decoding" in atmos["changes"]

    explained = capprobe("explain", str(out), env=env)
    assert explained.returncode == 0, explained.stderr
    text = explained.stdout
    assert text.startswith("3 of 5 qualities granted under the strict policy: STD_RES, HI_FI")
    assert text.index("STD_RES: granted") < text.index("THREE_DIMENSIONAL: NOT granted")
    assert "  what would change it:\n    - install a renderer for E-AC-3 JOC" in text
    assert "  X-Amzn-Audio-DRMType: WIDEVINE\n" in text


def test_a_required_token_not_granted_exits_3_with_reasons_and_writes_the_manifest(
    alsa_rig: rig.Rig, tmp_path: Path
) -> None:
    env = environment(alsa_rig.setup([CD_PLAYER]))
    out = tmp_path / "manifest.json"
    result = capprobe(
        "run", "-o", str(out), "--require", "HI_FI", "--require", "HI_RES",
        "--require", "THREE_DIMENSIONAL", env=env,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "required HI_FI" not in result.stderr  # granted: 16-bit at 44.1 kHz
    assert (
        "required HI_RES is not granted: no output takes 24-bit or more above 48 kHz natively; "
        "best is 'Fake CD-quality DAC' (alsa:fake_cd) at 16-bit/48 kHz" in result.stderr
    )
    assert "required THREE_DIMENSIONAL is not granted: neither: " in result.stderr
    assert "what would change it: connect an output that takes 24-bit" in result.stderr
    assert manifest.load(out).capabilities.qualities == ["STD_RES", "HI_FI"]


def test_the_lenient_policy_counts_bed_only_atmos_and_says_so(
    alsa_rig: rig.Rig, tmp_path: Path
) -> None:
    env = environment(alsa_rig.setup([CD_PLAYER]))
    out = tmp_path / "manifest.json"
    result = capprobe(
        "run", "-o", str(out), "--policy", "lenient", "--require", "THREE_DIMENSIONAL", env=env
    )
    assert result.returncode == 0, result.stderr
    caps = load(out)["capabilities"]
    assert caps["policy"] == "lenient"
    assert caps["qualities"] == ["STD_RES", "HI_FI", "THREE_DIMENSIONAL"]
    reasons = " ".join(caps["decisions"]["THREE_DIMENSIONAL"]["reasons"])
    assert "only the bed of E-AC-3 JOC (Dolby Atmos) and drop its objects" in reasons
    assert "ffmpeg:eac3" in reasons
    assert "(counted by the lenient policy)" in reasons


def test_without_a_cdm_only_standard_quality_and_no_drm_header(
    alsa_rig: rig.Rig, tmp_path: Path
) -> None:
    env = environment(alsa_rig.setup([HIRES_DAC]), cdm=False)
    out = tmp_path / "manifest.json"
    assert capprobe("run", "-o", str(out), env=env).returncode == 0
    document = load(out)
    assert document["capabilities"]["qualities"] == ["STD_RES"]
    assert "X-Amzn-Audio-DRMType" not in document["headers"]
    assert document["headers"]["X-Amzn-Audio-Device-Capability"] == "STD_RES"
    hi_fi = document["capabilities"]["decisions"]["HI_FI"]
    assert hi_fi["reasons"][0] == "no Widevine CDM found"
