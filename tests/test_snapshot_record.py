"""`capprobe snapshot DIR` on this machine's real parts, then `run --snapshot DIR` on what
it kept: emulated ALSA devices (fakehw through alsa-lib and PortAudio), a private
PulseAudio, this machine's ffmpeg and GStreamer, a gcc-built CDM in Chrome's layout, and
links with chosen MACs in a network namespace. The replay runs with no PATH, no ALSA
configuration and no sound server, so it can only have what the snapshot holds."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import capprobe, host_macs, mac_forms
from tests.netns import Netns
from tests.rig import alsa as rig
from tests.rig import pulse as rig_pulse
from tests.rig.alsa import FakeDevice
from tests.rig.cdm_trees import build_stub_cdm, chrome_component_under, have_gcc

EPOCH = "1700000000"
CD_PLAYER = FakeDevice("fake_cd", "Fake CD-quality DAC", rates=(44100, 48000))
HIRES_DAC = FakeDevice(
    "fake_hires", "Fake hi-res DAC", rates=(44100, 48000, 96000, 192000), formats=("S32_LE",)
)
GLOBAL = "00:00:5e:10:00:2a"  # RFC 7042 documentation addresses
LOCAL = "02:00:5e:10:00:3b"

needs_rig = pytest.mark.skipif(
    rig.missing_build_tools() is not None or not have_gcc(), reason="scripts/setup installs gcc"
)


def elsewhere(tmp_path: Path) -> dict[str, str]:
    """Another machine's environment, as far as a replay could tell: no tools on PATH, no
    ALSA configuration, no sound server, another home."""
    home = tmp_path / "elsewhere"
    home.mkdir(exist_ok=True)
    return {"PATH": "/nonexistent", "HOME": str(home), "SOURCE_DATE_EPOCH": EPOCH}


def replay_twice(snapshot: Path, tmp_path: Path) -> dict[str, Any]:
    first = capprobe("run", "--snapshot", str(snapshot), env=elsewhere(tmp_path))
    second = capprobe("run", "--snapshot", str(snapshot), env=elsewhere(tmp_path))
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout  # byte for byte
    document: dict[str, Any] = json.loads(first.stdout)
    return document


def every_byte(root: Path) -> Iterator[tuple[Path, bytes]]:
    """Each file's bytes, each link's target, and each path itself, in a snapshot."""
    for path in root.rglob("*"):
        yield path, str(path.relative_to(root)).encode()
        if path.is_symlink():
            yield path, os.readlink(path).encode()
        elif path.is_file():
            yield path, path.read_bytes()


@needs_rig
def test_a_recording_replays_as_the_live_run_without_the_machine(
    alsa_rig: rig.Rig, pulse_server: rig_pulse.PulseServer, tmp_path: Path
) -> None:
    pcms = [pulse_server.pcm("pa_hires", "dac_hires")]
    setup = alsa_rig.setup(
        [CD_PLAYER, HIRES_DAC], pulse_pcms=pcms, pulse_server=pulse_server.server
    )
    env = {**setup.environ(), "SOURCE_DATE_EPOCH": EPOCH}
    library = chrome_component_under(Path(env["XDG_CONFIG_HOME"]), "4.10.2934.0")
    build_stub_cdm(library, "4.10.2934.0")
    snapshot = tmp_path / "snap"

    recorded = capprobe("snapshot", str(snapshot), env=env)
    live = capprobe("run", "--output", str(tmp_path / "live.json"), env=env)

    assert recorded.returncode == 0, recorded.stderr
    assert f"{snapshot}: recorded " in recorded.stderr and "scrubbed" in recorded.stderr
    assert live.returncode == 0, live.stderr
    answers = {p.name for p in (snapshot / ".capprobe" / "answers").iterdir()}
    assert {"alsa-lib.json", "PortAudio.json", "pactl.json", "sound_servers.json"} <= answers
    assert "ffmpeg_-hide_banner_-decoders.json" in answers
    kept = snapshot / str(library).lstrip("/")
    assert kept.stat().st_size == library.stat().st_size  # its size, not only what was read

    replayed = replay_twice(snapshot, tmp_path)
    original = json.loads((tmp_path / "live.json").read_text())
    # everything the machine showed, except the ID of a MAC that the snapshot replaced
    for key in original.keys() - {"device_id", "headers"}:
        assert replayed[key] == original[key], key
    del original["headers"]["X-Amzn-Device-Id"], replayed["headers"]["X-Amzn-Device-Id"]
    assert replayed["headers"] == original["headers"]
    # and that is a real machine's worth: emulated devices, the server's sink, ffmpeg, a CDM
    ids = {o["id"] for o in replayed["audio_outputs"]}
    assert {"alsa:fake_cd", "alsa:fake_hires"} <= ids
    assert any(i.startswith("pulse:") for i in ids)
    assert replayed["drm"]["widevine"]["usable"] is True
    assert "HI_RES" in replayed["capabilities"]["qualities"]
    assert "ffmpeg:eac3" in replayed["decoders"]["eac3"]["decode"]
    statuses = {p["name"]: p["status"] for p in replayed["probes"]}
    assert all(statuses[n] == "ok" for n in ("audio.alsa", "audio.portaudio", "audio.server"))
    # nothing of this machine's identity went along
    private = {form for mac in host_macs() for form in mac_forms(mac)}
    private |= {Path("/etc/machine-id").read_text().strip()}
    for path, data in every_byte(snapshot):
        lowered = data.lower()
        assert not any(p.encode() in lowered for p in private), path


@pytest.fixture
def namespace() -> Iterator[Netns]:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 for network namespaces")
    ns = Netns.create()
    yield ns
    assert not ns.delete()


def test_macs_are_replaced_by_stand_ins_that_keep_their_kind(
    namespace: Netns, tmp_path: Path
) -> None:
    namespace.veth("lan0", GLOBAL)
    namespace.veth("wlan0", LOCAL)
    namespace.default_route("wlan0", "198.51.100.2/24", "198.51.100.1")
    snapshot = tmp_path / "snap"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    recorded = namespace.exec(sys.executable, "-m", "probe", "snapshot", str(snapshot), env=env)
    live = namespace.exec(sys.executable, "-m", "probe", "run", "-o", str(tmp_path / "l.json"))

    assert "scrubbed 2 MAC addresses" in recorded.stderr, recorded.stderr
    forms = {f.encode() for m in namespace.macs() for f in mac_forms(m)}
    for path, data in every_byte(snapshot):
        assert not any(f in data.lower() for f in forms), path
    lan0 = (snapshot / "sys/class/net/lan0/address").read_text().strip()
    wlan0 = (snapshot / "sys/class/net/wlan0/address").read_text().strip()
    assert int(lan0[:2], 16) & 3 == 0 and int(wlan0[:2], 16) & 3 == 2
    assert (snapshot / "sys/class/net/lan0").is_symlink()  # the tree keeps its shape
    replayed = replay_twice(snapshot, tmp_path)
    original = json.loads((tmp_path / "l.json").read_text())
    assert live.returncode == 0
    keep = ("kind", "interface", "permanent", "selection")
    source, live_source = replayed["device_id"]["source"], original["device_id"]["source"]
    assert {k: source[k] for k in keep} == {k: live_source[k] for k in keep}
    assert source["interface"] == "lan0"  # globally administered beats the default route
    assert replayed["device_id"]["value"] != original["device_id"]["value"]


def test_damaged_snapshots_are_refused_with_the_file_named(tmp_path: Path) -> None:
    snapshot = tmp_path / "snap"
    answers = snapshot / ".capprobe" / "answers"
    answers.mkdir(parents=True)
    (answers / "alsa-lib.json").write_bytes(b'{"answer": {"library_version": "1.2')
    truncated = capprobe("run", "--snapshot", str(snapshot), env=elsewhere(tmp_path))
    assert truncated.returncode == 2
    assert f"{answers / 'alsa-lib.json'}: not JSON" in truncated.stderr
    assert "Traceback" not in truncated.stderr

    (answers / "alsa-lib.json").write_text('{"answer": {"library_version": 7}}')
    (answers / "PortAudio.json").write_bytes(b"\x00\xff\xfe garbage")
    garbage = capprobe("run", "--snapshot", str(snapshot), env=elsewhere(tmp_path))
    assert garbage.returncode == 2 and "PortAudio.json: not JSON" in garbage.stderr

    (answers / "PortAudio.json").unlink()
    wrong = capprobe("run", "--snapshot", str(snapshot), env=elsewhere(tmp_path))
    assert wrong.returncode == 0, wrong.stderr
    (alsa,) = [p for p in json.loads(wrong.stdout)["probes"] if p["name"] == "audio.alsa"]
    assert alsa["status"] == "error"
    assert "answer 'alsa-lib'.library_version: 7 is not str" in alsa["detail"]


def test_recording_refuses_a_directory_that_holds_something(tmp_path: Path) -> None:
    target = tmp_path / "snap"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = capprobe("snapshot", str(target), env=elsewhere(tmp_path) | {"PATH": "/usr/bin"})
    assert result.returncode == 1
    assert "exists and is not an empty directory" in result.stderr
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
