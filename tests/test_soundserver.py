"""Sound servers through a real PulseAudio daemon (tests/rig/pulse.py), never started by us."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers import soundserver
from drivers.files import Files
from probe.parsers import pulse
from probe.parsers.pulse import PulseParseError, SampleSpec
from tests.rig import pulse as rig_pulse

needs_pulseaudio = pytest.mark.skipif(
    rig_pulse.missing_daemon() is not None, reason="scripts/setup installs pulseaudio"
)


def _ours(server: rig_pulse.PulseServer) -> soundserver.ServerProcess:
    assert server.process is not None
    (found,) = [s for s in soundserver.running_servers(Files()) if s.pid == server.process.pid]
    return found


@needs_pulseaudio
def test_the_running_daemon_is_found_with_its_runtime_dir(
    pulse_server: rig_pulse.PulseServer,
) -> None:
    found = _ours(pulse_server)
    assert found.name == "pulseaudio"
    assert found.runtime_dir == str(pulse_server.runtime)
    assert soundserver.pulse_address(found, {}) == f"unix:{pulse_server.runtime}/pulse/native"
    assert soundserver.pulse_address(found, {"PULSE_SERVER": "unix:/x"}) == "unix:/x"


@needs_pulseaudio
def test_sinks_and_server_as_pactl_reports_them(pulse_server: rig_pulse.PulseServer) -> None:
    answers = soundserver.ask_pulse(_ours(pulse_server), pulse_server.server, timeout=10)
    info = pulse.parse_info(answers.info)
    assert info.server_name == "pulseaudio"
    assert not info.is_pipewire
    assert info.default_sink in {"hdmi_51", "dac_hires"}
    sinks = {s.name: s for s in pulse.parse_sinks(answers.sinks)}
    assert set(sinks) == {"hdmi_51", "dac_hires"}
    assert sinks["hdmi_51"].spec == SampleSpec("S16_LE", 16, 6, 48000)
    assert sinks["dac_hires"].spec == SampleSpec("S32_LE", 32, 2, 192000)
    assert sinks["dac_hires"].description == "Fake hi-res DAC"
    assert sinks["hdmi_51"].driver == "module-null-sink.c"
    assert "pcm" in sinks["hdmi_51"].formats


@needs_pulseaudio
def test_asking_where_nobody_listens_fails_and_starts_nothing(
    pulse_server: rig_pulse.PulseServer,
) -> None:
    before = soundserver.running_servers(Files())
    nowhere = str(pulse_server.directory / "nobody.sock")
    with pytest.raises(ConnectionError, match=r"nobody\.sock"):
        soundserver.ask_pulse(_ours(pulse_server), f"unix:{nowhere}", timeout=10)
    assert soundserver.running_servers(Files()) == before


def test_sample_specs_map_to_alsa_formats() -> None:
    assert pulse.parse_spec("s24-32le 8ch 96000Hz") == SampleSpec("S24_LE", 24, 8, 96000)
    assert pulse.parse_spec("s24le 2ch 44100Hz") == SampleSpec("S24_3LE", 24, 2, 44100)
    assert pulse.parse_spec("float32le 2ch 48000Hz") == SampleSpec("FLOAT_LE", 32, 2, 48000)
    assert pulse.parse_spec("invalid") is None
    assert pulse.parse_spec("s99le 2ch 48000Hz") is None


def test_what_is_not_pactl_json_is_a_clear_error() -> None:
    with pytest.raises(PulseParseError, match="not JSON"):
        pulse.parse_sinks("Sink #0\n\tState: IDLE")
    with pytest.raises(PulseParseError, match="expected a JSON list"):
        pulse.parse_sinks("{}")
    with pytest.raises(PulseParseError, match="entry 0 has no name"):
        pulse.parse_sinks('[{"description": "x"}]')
    info = pulse.parse_info('{"server_name": "PulseAudio (on PipeWire 0.3.65)"}')
    assert info.is_pipewire
    assert info.default_spec is None


def test_servers_are_read_from_proc_as_mirrored(tmp_path: Path) -> None:
    """A mirrored /proc: names from comm, the real uid from status, the socket's directory
    from environ; a process whose environ is unreadable is still found."""

    def process(pid: int, comm: str, uid: int, environ: bytes | None) -> None:
        directory = tmp_path / "proc" / str(pid)
        directory.mkdir(parents=True)
        (directory / "comm").write_text(comm + "\n")
        (directory / "status").write_text(f"Name:\t{comm}\nUid:\t{uid}\t{uid + 1}\t{uid}\t{uid}\n")
        if environ is not None:
            (directory / "environ").write_bytes(environ)

    process(7, "pipewire", 1000, b"HOME=/h\0XDG_RUNTIME_DIR=/run/user/1000\0")
    process(8, "pipewire-pulse", 1000, b"XDG_RUNTIME_DIR=/run/user/1000\0odd\0")
    process(9, "wireplumber", 1000, b"")
    process(12, "pulseaudio", 0, None)
    (tmp_path / "proc" / "self").mkdir()
    found = soundserver.running_servers(Files(tmp_path))
    assert [(s.pid, s.name, s.uid, s.runtime_dir) for s in found] == [
        (7, "pipewire", 1000, "/run/user/1000"),
        (8, "pipewire-pulse", 1000, "/run/user/1000"),
        (12, "pulseaudio", 0, None),
    ]
