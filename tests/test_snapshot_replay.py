"""`capprobe run --snapshot DIR`: a snapshot replays the same manifest on any machine, without
touching this one, and a malformed snapshot gives a clear error, not a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drivers.host import HostInfo
from drivers.snapshot import META, SnapshotError, open_snapshot, write_snapshot
from probe import audio, manifest
from probe.cli import main
from probe.parsers import usb_stream
from tests.conftest import CAPTURES, capprobe
from tests.rig import alsa as rig
from tests.rig.alsa import FakeDevice

EPOCH = {"SOURCE_DATE_EPOCH": "1764028800"}


def replay(snapshot: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["run", "--snapshot", str(snapshot), *args], env=EPOCH)
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    assert manifest.problems(document) == []
    return document


def statuses(document: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {p["name"]: (p["status"], p["detail"]) for p in document["probes"]}


def hand_made(root: Path) -> Path:
    """The product brief's example: a directory holding only proc/asound/card0/stream0."""
    stream = root / "proc" / "asound" / "card0" / "stream0"
    stream.parent.mkdir(parents=True)
    stream.write_bytes((CAPTURES / "usb" / "topping-d50s").read_bytes())
    return root


def test_a_hand_made_snapshot_of_one_stream_file_replays(tmp_path: Path) -> None:
    snapshot = hand_made(tmp_path / "snap")
    document = replay(snapshot)
    (dac,) = document["audio_outputs"]
    expected = audio.usb_configs(
        usb_stream.parse_usb_stream((CAPTURES / "usb" / "topping-d50s").read_text())
    )
    assert (dac["id"], dac["transport"], dac["native"]) == ("alsa:hw:0,0", "usb", True)
    assert dac["configs"] == [
        {"format": c.format, "bits": c.bits, "channels": c.channels, "rates": c.rates}
        for c in expected
    ]
    found = statuses(document)
    for name, source in (
        ("audio.alsa", "alsa-lib"),
        ("audio.portaudio", "PortAudio"),
        ("audio.server", "sound servers"),
    ):
        assert found[name] == ("absent", f"replaying a snapshot: it holds no {source} answer")
    assert found["decoders"][0] == "absent"
    assert "ffmpeg -decoders: not in the snapshot" in found["decoders"][1]
    assert "no card list: cards from their directories" in found["audio.procfs"][1]
    # what the snapshot lacks stays unknown: no identity, so a fixed stand-in, and it says so
    source = document["device_id"]["source"]
    assert source["kind"] == "generated"
    assert "replayed from a snapshot: a fixed stand-in, not a random ID" in source["notes"]
    assert document["platform"]["arch"] is None


def test_replays_are_identical_byte_for_byte_as_processes(tmp_path: Path) -> None:
    snapshot = hand_made(tmp_path / "snap")
    env = {**os.environ, **EPOCH}
    first = capprobe("run", "--snapshot", str(snapshot), env=env)
    second = capprobe("run", "--snapshot", str(snapshot), "--output", "-", env=env)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout
    out = tmp_path / "m.json"
    assert capprobe("run", "--snapshot", str(snapshot), "-o", str(out), env=env).returncode == 0
    assert out.read_text() == first.stdout


def test_metadata_gives_the_host_and_environment(tmp_path: Path) -> None:
    snapshot = hand_made(tmp_path / "snap")
    meta = snapshot / META
    meta.parent.mkdir(parents=True)
    host = {
        "system": "linux",
        "machine": "aarch64",
        "kernel": "6.1.21-v8+",
        "pointer_bits": 64,
        "glibc_version": "2.36",
        "euid": 0,
    }
    meta.write_text(json.dumps({"format": 1, "host": host, "environment": {"LANG": "de_AT.UTF-8"}}))
    document = replay(snapshot)
    platform = document["platform"]
    assert (platform["arch"], platform["userspace_bits"], platform["kernel"]) == (
        "aarch64",
        64,
        "6.1.21-v8+",
    )
    assert platform["libc"] == {"name": "glibc", "version": "2.36"}
    assert document["locale"]["accept_language"] == "de-DE"
    assert document["headers"]["Accept-Language"] == "de-DE"


@pytest.mark.skipif(rig.missing_build_tools() is not None, reason="scripts/setup installs gcc")
def test_a_replay_opens_no_device_of_this_machine(alsa_rig: rig.Rig, tmp_path: Path) -> None:
    """With an emulated device that logs every open, and an ffmpeg on PATH that logs its
    runs, a replay leaves both logs empty; a live run (the control) fills them."""
    opens = tmp_path / "opens.log"
    setup = alsa_rig.setup([FakeDevice("fake_logged", "Logged DAC", open_log=opens)])
    runs = tmp_path / "ffmpeg-runs.log"
    tools = tmp_path / "bin"
    tools.mkdir()
    ffmpeg = tools / "ffmpeg"
    ffmpeg.write_text(f'#!/bin/sh\necho "$@" >> {runs}\nexit 1\n')
    ffmpeg.chmod(0o755)
    env = setup.environ()
    env["PATH"] = f"{tools}:{env['PATH']}"
    snapshot = hand_made(tmp_path / "snap")
    replayed = capprobe("run", "--snapshot", str(snapshot), env=env)
    assert replayed.returncode == 0, replayed.stderr
    assert not opens.exists() and not runs.exists()
    live = capprobe("run", "-o", str(tmp_path / "live.json"), env=env)
    assert live.returncode == 0, live.stderr
    assert opens.read_text() and runs.read_text()


def test_links_in_a_snapshot_stay_inside_it(tmp_path: Path) -> None:
    """A snapshot whose etc/ links to the host's /etc reads its own etc/, which holds no
    machine-id: this machine's identity never leaks into a replay."""
    snapshot = hand_made(tmp_path / "snap")
    (snapshot / "etc").symlink_to("/etc")
    (snapshot / "sys").symlink_to("../../../../../../sys")
    document = replay(snapshot)
    assert document["device_id"]["source"]["kind"] == "generated"
    status, detail = statuses(document)["device_id"]
    assert status == "ok"
    assert "/sys/class/net unreadable: too many levels of links" in detail


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        (b'{"format": 1, "host": {"machine": ', "not JSON"),
        (b"\x00\xff\xfe garbage \x89PNG", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"format": 7}', "format 7; this capprobe reads format 1"),
        (b'{"format": 1, "host": {"pointer_bits": "64"}}', "host.pointer_bits is '64'"),
        (b'{"format": 1, "environment": {"LANG": 5}}', "'environment' is not an object of strings"),
    ],
)
def test_malformed_metadata_is_a_usage_error_without_a_traceback(
    tmp_path: Path, meta: bytes, message: str
) -> None:
    snapshot = hand_made(tmp_path / "snap")
    (snapshot / META).parent.mkdir(parents=True)
    (snapshot / META).write_bytes(meta)
    result = CliRunner().invoke(main, ["run", "--snapshot", str(snapshot)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert str(snapshot / META) in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_snapshot_or_a_file_is_a_usage_error(tmp_path: Path) -> None:
    for target in (tmp_path / "missing", tmp_path / "file"):
        if target.name == "file":
            target.write_text("not a directory")
        result = CliRunner().invoke(main, ["run", "--snapshot", str(target)])
        assert result.exit_code == 2
        assert "--snapshot" in result.stderr
        assert "Traceback" not in result.output


def test_unreadable_parts_are_recorded_not_fatal(tmp_path: Path) -> None:
    """Binary garbage where a stream file should be, and a cards file that is a directory."""
    snapshot = hand_made(tmp_path / "snap")
    (snapshot / "proc/asound/card0/stream0").write_bytes(b"\x00\x01\xff" * 300)
    (snapshot / "proc/asound/cards").mkdir()
    document = replay(snapshot)
    status, detail = statuses(document)["audio.procfs"]
    assert status == "ok"
    assert "/proc/asound/card0/stream0" in detail
    assert document["audio_outputs"] == []


def test_written_snapshots_read_back(tmp_path: Path) -> None:
    host = HostInfo("linux", "armv7l", "6.6.51+rpt-rpi-v7", 32, "2.36", 1000)
    files = {"/proc/asound/cards": b" 0 [vc4hdmi0     ]: vc4-hdmi - vc4-hdmi-0\n"}
    answers = {
        "aplay -l": {
            "answer": {"argv": ["aplay", "-l"], "returncode": 0, "stdout": "", "stderr": ""}
        }
    }
    root = tmp_path / "snap"
    write_snapshot(root, files, host, {"LANG": "fr_CA.UTF-8"}, "a test", answers)
    opened = open_snapshot(root)
    assert (opened.host, opened.environment, opened.made_by) == (
        host,
        {"LANG": "fr_CA.UTF-8"},
        "a test",
    )
    assert opened.answer("aplay -l") == answers["aplay -l"]
    assert (root / ".capprobe" / "answers" / "aplay_-l.json").is_file()
    assert opened.answer("aplay -L") is None
    assert opened.files.read_bytes("/proc/asound/cards") == files["/proc/asound/cards"]
    (root / ".capprobe" / "answers" / "alsa-lib.json").write_bytes(b"\xff{")
    with pytest.raises(SnapshotError, match=r"alsa-lib\.json: not JSON"):
        opened.answer("alsa-lib")


@pytest.mark.parametrize("path", ["etc/passwd", "/../etc/passwd", "/.capprobe/snapshot.json", "/"])
def test_a_snapshot_holds_only_absolute_live_paths(tmp_path: Path, path: str) -> None:
    host = HostInfo("linux", "", "", None, None, None)
    with pytest.raises(SnapshotError, match="absolute paths of the live system only"):
        write_snapshot(tmp_path / "snap", {path: b"x"}, host, {}, "a test", {})
    assert not (tmp_path / "snap").exists()


def test_a_snapshot_is_never_written_over_something(tmp_path: Path) -> None:
    root = tmp_path / "snap"
    root.mkdir()
    (root / "keep").write_text("mine")
    host = HostInfo("linux", "", "", None, None, None)
    with pytest.raises(SnapshotError, match="exists and is not an empty directory"):
        write_snapshot(root, {"/proc/asound/cards": b""}, host, {}, "a test", {})
    assert [p.name for p in root.iterdir()] == ["keep"]


def test_an_imported_alsa_info_report_replays(tmp_path: Path) -> None:
    """A real report sent as a mail attachment (fixtures/SOURCES.md): the Topping D50s and
    the ALC233's analog output it lists become the replayed manifest's outputs, its kernel
    the platform's. alsa-info.sh prints no PCM list: the analog device comes from the
    codec dump's `Device: name="ALC233 Analog", ..., device=0` line on converter 0x02,
    whose own caps (44.1/48 kHz) bound it, not the codec's default (up to 192 kHz)."""
    report = next((CAPTURES / "alsa-info").glob("nuc8-alc233-*"))
    snapshot = tmp_path / "snap"
    runner = CliRunner()
    result = runner.invoke(main, ["snapshot", "import-alsa-info", str(report), str(snapshot)])
    assert result.exit_code == 0, result.output
    assert "alsa-info.sh 0.4.65 report imported: 2 cards, 2 HD-audio codecs, 1 USB stream" in (
        result.stderr
    )
    document = replay(snapshot)
    analog, dac = document["audio_outputs"]
    assert (dac["id"], dac["name"], dac["transport"]) == ("alsa:hw:1,0", "D50s: USB Audio", "usb")
    assert (analog["id"], analog["name"], analog["transport"]) == (
        "alsa:hw:0,0",
        "HDA Intel PCH: ALC233 Analog",
        "analog",
    )
    assert {r for c in analog["configs"] for r in c["rates"]} == {44100, 48000}
    procfs = statuses(document)["audio.procfs"]
    assert "no PCM list: devices from the USB stream files and codec dumps" in procfs[1]
    assert document["platform"]["kernel"] == "5.10.10-1-MANJARO"
    again = runner.invoke(main, ["snapshot", "import-alsa-info", str(report), str(snapshot)])
    assert again.exit_code == 1
    assert "exists and is not an empty directory" in again.stderr
    not_a_report = tmp_path / "dmesg.txt"
    not_a_report.write_bytes(b"[    0.000000] Linux version 6.1.0\n\x00\xff")
    refused = runner.invoke(
        main, ["snapshot", "import-alsa-info", str(not_a_report), str(tmp_path / "other")]
    )
    assert refused.exit_code == 1
    assert "binary data, not the text of an alsa-info.sh report" in refused.stderr
    assert "Traceback" not in refused.output
    assert not (tmp_path / "other").exists()
