"""The command line, through click's CliRunner and as a real process."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import jsonschema
import pytest
from click.testing import CliRunner

from probe import __version__, manifest
from probe.cli import main
from tests.conftest import IS_ROOT, capprobe, host_macs, mac_forms

EPOCH = "1764028800"  # 2025-11-25T00:00:00Z


@pytest.fixture
def runner(manifest_env: dict[str, str]) -> CliRunner:
    return CliRunner(env={"CAPPROBE_MANIFEST": manifest_env["CAPPROBE_MANIFEST"]})


def assert_no_raw_mac(*texts: str) -> None:
    for mac in host_macs():
        for form in mac_forms(mac):
            for text in texts:
                assert form not in text.lower(), "a raw MAC address left the machine"


def test_version_and_schema(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout
    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_run_to_stdout_is_a_valid_reproducible_manifest(runner: CliRunner) -> None:
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    first = runner.invoke(main, ["run", "--output", "-"], env=env)
    second = runner.invoke(main, ["run", "--output", "-"], env=env)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    document = json.loads(first.stdout)
    assert manifest.problems(document) == []
    assert document["generated_at"] == "2025-11-25T00:00:00Z"
    assert all(p["ms"] is None for p in document["probes"])
    assert document["headers"]["X-Amzn-Device-Id"] == document["device_id"]["value"]
    statuses = {p["name"]: p["status"] for p in document["probes"]}
    assert statuses["device_id"] == statuses["locale"] == statuses["platform"] == "ok"
    assert statuses["display"] == "absent"  # this VM has no DRM connector nor framebuffer
    assert document["display"]["image_style"] is None
    assert "amzn-image-style" not in document["headers"]  # headless: left out
    assert statuses["decoders"] == "ok"  # this machine has ffmpeg (scripts/setup installs it)
    assert_no_raw_mac(first.stdout, first.stderr)


def test_run_writes_the_default_location_and_keeps_the_id(
    runner: CliRunner, manifest_env: dict[str, str]
) -> None:
    target = Path(manifest_env["CAPPROBE_MANIFEST"])
    result = runner.invoke(main, ["run"])
    assert result.exit_code == 0, result.stderr
    assert f"wrote {target}" in result.stderr
    first = manifest.load(target)
    assert first.device_id is not None
    assert runner.invoke(main, ["run"]).exit_code == 0
    second = manifest.load(target)
    assert second.device_id is not None
    assert second.device_id.value == first.device_id.value
    assert second.device_id.source.history.value == "kept"
    assert_no_raw_mac(target.read_text(), result.stderr)


def test_another_key_gives_another_id(runner: CliRunner, tmp_path: Path) -> None:
    key_a, key_b = tmp_path / "a.key", tmp_path / "b.key"
    key_a.write_text("vendor secret number one\n")
    key_b.write_text("vendor secret number two\n")
    out = tmp_path / "m.json"

    def run_with(key: Path) -> dict[str, object]:
        result = runner.invoke(main, ["run", "-o", str(out), "--id-key-file", str(key)])
        assert result.exit_code == 0, result.stderr
        device_id: dict[str, object] = json.loads(out.read_text())["device_id"]
        return device_id

    a1, a2, b = run_with(key_a), run_with(key_a), run_with(key_b)
    assert a1["value"] == a2["value"] != b["value"]
    assert a1["scheme"] != b["scheme"]
    assert "another key" in " ".join(b["source"]["notes"])  # type: ignore[index]
    assert "vendor secret" not in out.read_text()


def test_show_validate_and_headers(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    assert runner.invoke(main, ["run", "-o", str(out), "--locale", "fr_BE.UTF-8"]).exit_code == 0
    document = json.loads(out.read_text())
    shown = runner.invoke(main, ["show", str(out)])
    assert shown.exit_code == 0
    assert document["device_id"]["value"] in shown.stdout
    assert "fr-FR" in shown.stdout
    valid = runner.invoke(main, ["validate", str(out)])
    assert valid.exit_code == 0
    assert valid.stdout == ""
    assert "valid capprobe manifest" in valid.stderr
    as_json = runner.invoke(main, ["headers", str(out), "--format", "json"])
    assert json.loads(as_json.stdout) == document["headers"]
    http = runner.invoke(main, ["headers", str(out)]).stdout
    assert f"X-Amzn-Device-Id: {document['device_id']['value']}\n" in http
    assert "Accept-Language: fr-FR\n" in http
    # without a path, show and headers read the default location
    assert runner.invoke(main, ["run"]).exit_code == 0
    assert runner.invoke(main, ["headers"]).exit_code == 0


def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    short = tmp_path / "short.key"
    short.write_text("tiny\n")
    cases = [
        ["run", "--no-such-option"],
        ["run", "--locale", "not a locale!"],
        ["run", "--id-key-file", str(short)],
        ["run", "--id-key-file", str(tmp_path / "missing.key")],
        ["run", "--timeout", "0"],
        ["headers", "--format", "xml"],
        ["run", "--policy", "loose"],
        ["run", "--image-style", "SL1000"],
        ["explain", "--verbose"],
    ]
    for args in cases:
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
    assert "at least 16" in runner.invoke(main, ["run", "--id-key-file", str(short)]).stderr
    bad_epoch = runner.invoke(main, ["run", "-o", "-"], env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad_epoch.exit_code == 2
    assert "SOURCE_DATE_EPOCH" in bad_epoch.stderr


def test_a_required_quality_not_granted_exits_3_after_writing(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "m.json"
    result = runner.invoke(
        main, ["run", "-o", str(out), "--require", "STD_RES", "--require", "HI_RES"]
    )
    assert result.exit_code == 3
    # this machine has no sound card and no Widevine CDM (tests/test_quality_live.py has
    # both); the rig's sound servers, when running, have only null sinks
    no_output = "no (usable )?audio output"
    assert re.search(f"required STD_RES is not granted: {no_output}", result.stderr)
    assert re.search(
        f"required HI_RES is not granted: no Widevine CDM found; {no_output}", (result.stderr)
    )
    assert "  what would change it: connect an audio output" in result.stderr
    written = manifest.load(out).capabilities
    assert written.qualities == []
    assert written.decisions["HI_RES"].changes[-1] == (
        "connect an output that takes 24-bit or more above 48 kHz"
    )
    unknown = runner.invoke(main, ["run", "-o", str(out), "--require", "LOSSLESS"])
    assert unknown.exit_code == 2
    assert "STD_RES, HI_FI, HI_RES, THREE_DIMENSIONAL, REAL_AUDIO_360" in unknown.stderr


def test_bad_manifests_exit_1_with_the_reason(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"manifest_version": 1, "generator": 5}')
    result = runner.invoke(main, ["validate", str(broken)])
    assert result.exit_code == 1
    assert "schema violation at /" in result.stderr
    assert "Traceback" not in result.output
    missing = runner.invoke(main, ["show"])  # nothing at the default location yet
    assert missing.exit_code == 1
    assert "run `capprobe run` first" in missing.stderr


def test_an_unwritable_destination_exits_4_and_keeps_nothing_half_written(
    runner: CliRunner, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = runner.invoke(main, ["run", "-o", str(blocker / "manifest.json")])
    assert result.exit_code == 4
    assert "could not write the manifest" in result.stderr


@pytest.mark.skipif(not IS_ROOT, reason="mounting a read-only tmpfs needs root")
def test_a_read_only_filesystem_exits_4(runner: CliRunner, tmp_path: Path) -> None:
    mount = tmp_path / "ro"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(mount)], check=True)
    try:
        result = runner.invoke(main, ["run", "-o", str(mount / "manifest.json")])
        assert result.exit_code == 4
        assert "Read-only file system" in result.stderr
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_an_invalid_earlier_manifest_is_kept_aside(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    out.write_text("{ truncated by a power cut")
    result = runner.invoke(main, ["run", "-o", str(out)])
    assert result.exit_code == 0
    assert "not valid" in result.stderr
    assert (tmp_path / "m.json.invalid").read_text() == "{ truncated by a power cut"
    assert manifest.load(out).device_id is not None


def test_as_a_real_process(manifest_env: dict[str, str], tmp_path: Path) -> None:
    env = dict(manifest_env, SOURCE_DATE_EPOCH=EPOCH)
    result = capprobe("run", "--output", "-", env=env)
    assert result.returncode == 0, result.stderr
    assert manifest.problems(json.loads(result.stdout)) == []
    out = tmp_path / "m.json"
    assert capprobe("run", "-o", str(out), env=env).returncode == 0
    validated = capprobe("validate", str(out), env=env)
    assert validated.returncode == 0
    console = str(Path(sys.executable).parent / "capprobe")  # the installed console script
    direct = subprocess.run(
        [console, "headers", str(out), "--format", "env"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert direct.returncode == 0, direct.stderr
    assert "export X_AMZN_DEVICE_ID=" in direct.stdout
    assert_no_raw_mac(result.stdout, result.stderr, out.read_text(), direct.stdout)


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        self.seen.append(dict(self.headers.items()))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback_server() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that records the headers it is sent."""
    _Recorder.seen = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is installed by scripts/setup")
def test_header_formats_work_with_curl_and_the_shell(
    runner: CliRunner, tmp_path: Path, loopback_server: str
) -> None:
    out = tmp_path / "m.json"
    assert runner.invoke(main, ["run", "-o", str(out), "--locale", "ja_JP.UTF-8"]).exit_code == 0
    expected = json.loads(out.read_text())["headers"]
    for form, flag in (("http", "-H"), ("curl", "-K")):
        saved = tmp_path / f"headers.{form}"
        saved.write_text(runner.invoke(main, ["headers", str(out), "--format", form]).stdout)
        arg = f"@{saved}" if flag == "-H" else str(saved)
        subprocess.run(
            ["curl", "-sS", "--noproxy", "*", flag, arg, loopback_server], check=True, timeout=30
        )
        received = _Recorder.seen[-1]
        for name, value in expected.items():
            assert received.get(name) == value, (form, name)
    sourced = tmp_path / "headers.env"
    sourced.write_text(runner.invoke(main, ["headers", str(out), "--format", "env"]).stdout)
    shell = subprocess.run(
        [
            "bash",
            "-c",
            f'source {sourced} && printf "%s|%s" "$X_AMZN_DEVICE_ID" "$ACCEPT_LANGUAGE"',
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shell.stdout == f"{expected['X-Amzn-Device-Id']}|ja-JP"


def test_special_files_are_refused_and_links_are_followed(
    runner: CliRunner, tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = runner.invoke(main, ["run", "-o", str(fifo)])
    assert result.exit_code == 2
    assert "not a regular file" in result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    if IS_ROOT:  # a device node, as /dev/null is: a rename would have replaced it
        device = tmp_path / "null"
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        assert runner.invoke(main, ["run", "-o", str(device)]).exit_code == 2
        assert stat.S_ISCHR(device.stat().st_mode)
    real = tmp_path / "data" / "manifest.json"
    real.parent.mkdir()
    link = tmp_path / "manifest.json"
    link.symlink_to(real)
    assert runner.invoke(main, ["run", "-o", str(link)]).exit_code == 0
    assert link.is_symlink()
    assert manifest.load(real).device_id is not None


def test_image_style_override_and_policy_are_written(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    args = ["run", "-o", str(out), "--image-style", "SL160", "--policy", "lenient"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.stderr
    written = manifest.load(out)
    assert written.headers["amzn-image-style"] == "SL160"
    assert written.display.image_style == "SL160"
    assert "--image-style" in written.display.reason
    assert written.capabilities.policy.value == "lenient"
    explained = runner.invoke(main, ["explain", str(out)])
    assert explained.exit_code == 0
    assert "granted under the lenient policy" in explained.stdout
    assert "amzn-image-style: SL160\n" in explained.stdout
