"""The manifest's JSON Schema, the typed models, and the loader's errors."""

from __future__ import annotations

import copy
import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any

import pytest

from probe import manifest, models
from probe.manifest import ManifestError

SCHEMA = json.loads(manifest.schema_text())


def full_manifest() -> models.Manifest:
    """A manifest with every section filled, as later versions will write them."""
    coding = models.SinkCoding("E-AC-3", 8, [32000, 44100, 48000], [], True)
    output = models.AudioOutput(
        id="alsa:hw:1,3",
        name="HDA NVidia: HDMI 0",
        transport=models.Transport.HDMI,
        is_default=True,
        native=True,
        busy=False,
        configs=[models.AudioConfig("S32_LE", 24, [2, 6, 8], [44100, 48000, 96000, 192000])],
        max_rate=192000,
        max_bits=24,
        max_channels=8,
        sink=models.Sink(
            "SONY AVR", [coding, models.SinkCoding("LPCM", 8, [48000], [16, 24], None)]
        ),
        sources=["alsa-lib", "procfs:eld#0.0"],
    )
    support = models.CodecSupport(["ffmpeg:eac3"], [], ["alsa:hw:1,3"])
    decision = models.Decision(
        True,
        ["HI_RES: 'HDMI 0' takes 24-bit at 192 kHz"],
        ["rests on the Widevine CDM of Google Chrome"],
    )
    return models.Manifest(
        manifest_version=1,
        generator=models.Generator("capprobe", "0.1.0"),
        generated_at="2026-11-25T00:00:00Z",
        platform=models.Platform(
            "linux",
            "aarch64",
            32,
            models.Libc("glibc", "2.36"),
            "6.1.0",
            "Raspberry Pi 4 Model B Rev 1.4",
        ),
        device_id=models.DeviceId(
            "a" * 64,
            "hmac-sha256:v1:builtin-key",
            models.DeviceIdSource(
                models.IdKind.MAC, "eth0", True, "default route", models.IdHistory.NEW, []
            ),
        ),
        audio_outputs=[output],
        mixer=models.Mixer("PipeWire", 48000, True),
        drm=models.Drm(
            models.Widevine(
                [
                    models.Cdm(
                        "Google Chrome",
                        "bundled",
                        "/opt/google/chrome/WidevineCdm/_platform_specific/linux_x64/libwidevinecdm.so",
                        None,
                        "4.10.2830.0",
                        "manifest.json",
                        "elf",
                        "x86_64",
                        64,
                        "2.17",
                        models.CdmDeclared(["vp8", "avc1"], ["cenc"], False, ["4"], ["10"], ["10"]),
                        models.CdmLoad(True, "4.10.2830.0", None),
                        [],
                        True,
                        None,
                    )
                ],
                True,
            )
        ),
        decoders=models.Decoders(*(copy.deepcopy(support) for _ in range(7))),
        locale=models.Locale("de-DE", "de_AT.UTF-8", "LANG", "language", "German falls back"),
        display=models.Display(
            [models.Screen("HDMI-A-1", "LG TV SSCR2", 3840, 2160)],
            "SL500",
            "largest connected display HDMI-A-1 'LG TV SSCR2' 3840x2160: its shorter side "
            "(2160 px) takes SL500",
        ),
        capabilities=models.Capabilities(
            ["HI_RES"], ["WIDEVINE"], models.Policy.STRICT, {"HI_RES": decision}
        ),
        headers={"X-Amzn-Audio-Device-Capability": "HI_RES", "Accept-Language": "de-DE"},
        probes=[models.ProbeRecord("device_id", models.Status.OK, "eth0", 1.5)],
    )


def _schema_of(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return _schema_of(SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]])
    if "anyOf" in node:
        (inner,) = [n for n in node["anyOf"] if n != {"type": "null"}]
        return _schema_of(inner)
    return node


def _check_same_shape(cls: type, node: dict[str, Any], where: str) -> None:
    """Every dataclass field is a required schema property and the other way round."""
    node = _schema_of(node)
    fields = {f.name for f in dataclasses.fields(cls)}
    assert set(node["properties"]) == fields, where
    assert set(node["required"]) == fields, where
    assert node["additionalProperties"] is False, where
    hints = typing.get_type_hints(cls)
    for name in fields:
        hint = hints[name]
        nullable = typing.get_origin(hint) in (typing.Union, types.UnionType)
        if nullable:
            (hint,) = [a for a in typing.get_args(hint) if a is not type(None)]
            prop = node["properties"][name]
            allows_null = "anyOf" in prop or "null" in prop.get("type", [])
            assert allows_null, f"{where}.{name} is optional in the model but not in the schema"
        sub = node["properties"][name]
        if typing.get_origin(hint) is list:
            (hint,) = typing.get_args(hint)
            sub = _schema_of(sub)["items"]
        elif typing.get_origin(hint) is dict:
            hint = typing.get_args(hint)[1]
            sub = _schema_of(sub)["additionalProperties"]
        if dataclasses.is_dataclass(hint):
            _check_same_shape(typing.cast(type, hint), sub, f"{where}.{name}")


def test_schema_and_models_describe_the_same_document() -> None:
    _check_same_shape(models.Manifest, SCHEMA, "manifest")


def test_status_and_transport_vocabularies_match() -> None:
    defs = SCHEMA["$defs"]
    assert defs["probe"]["properties"]["status"]["enum"] == [s.value for s in models.Status]
    assert defs["audio_output"]["properties"]["transport"]["enum"] == [
        t.value for t in models.Transport
    ]


def test_a_full_manifest_round_trips() -> None:
    original = full_manifest()
    text = manifest.dumps(original)
    assert manifest.parse(text) == original
    assert text == manifest.dumps(manifest.parse(text))  # canonical: sorted keys, stable
    keys = list(json.loads(text))
    assert keys == sorted(keys)


def _mutated(change: Any) -> str:
    document = manifest.to_document(full_manifest())
    change(document)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["device_id"].update(value="A" * 64), "/device_id/value"),
        (lambda d: d["device_id"].update(value="ab"), "/device_id/value"),
        (lambda d: d["audio_outputs"][0].update(transport="toslink"), "/audio_outputs/0/transport"),
        (
            lambda d: d["audio_outputs"][0]["configs"][0].update(rates=[]),
            "/audio_outputs/0/configs/0/rates",
        ),
        (
            lambda d: d["audio_outputs"][0]["configs"][0].update(bits="24"),
            "/audio_outputs/0/configs/0/bits",
        ),
        (lambda d: d["probes"][0].update(status="fine"), "/probes/0/status"),
        (lambda d: d["locale"].update(accept_language="nl-NL"), "/locale/accept_language"),
        (lambda d: d["headers"].update({"Bad Header": "x"}), "/headers"),
        (lambda d: d["platform"].update(extra=1), "/platform"),
        (lambda d: d.pop("drm"), "/"),
        (lambda d: d.update(generated_at="yesterday"), "/generated_at"),
        (
            lambda d: d["capabilities"]["decisions"]["HI_RES"].update(reasons=[]),
            "/capabilities/decisions/HI_RES/reasons",
        ),
    ],
)
def test_schema_violations_name_the_failing_path(change: Any, path: str) -> None:
    with pytest.raises(ManifestError) as caught:
        manifest.parse(_mutated(change), "m.json")
    assert f"schema violation at {path}:" in str(caught.value)


def test_bad_files_give_clear_errors(tmp_path: Path) -> None:
    cases = {
        "empty.json": (b"", "not JSON"),
        "text.json": (b"hello", "not JSON"),
        "latin1.json": ('{"x": "\u00e9"}'.encode("latin-1"), "not UTF-8"),
        "list.json": (b"[1, 2]", "not a JSON object"),
        "v2.json": (
            b'{"manifest_version": 2}',
            "manifest_version 2 is not one this capprobe reads",
        ),
        "none.json": (b"{}", "manifest_version None"),
    }
    for name, (content, message) in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ManifestError, match=message):
            manifest.load(tmp_path / name)
    with pytest.raises(ManifestError, match="cannot read"):
        manifest.load(tmp_path / "missing.json")


def test_the_writer_refuses_an_invalid_manifest(tmp_path: Path) -> None:
    bad = full_manifest()
    bad.audio_outputs[0].configs[0].rates = []
    target = tmp_path / "manifest.json"
    target.write_text("previous")
    with pytest.raises(ManifestError, match="refusing to write"):
        manifest.write(bad, target)
    assert target.read_text() == "previous"
