"""probe.tokens: the token table is data; a malformed one is refused with a clear error, and
a renamed or added token needs no change to the rules engine."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from probe import rules, tokens
from probe.decoders import DecoderFacts, SourceAnswer, interpret
from probe.models import (
    AudioConfig,
    AudioOutput,
    Libc,
    Mixer,
    Platform,
    Policy,
    Status,
    Transport,
    Widevine,
)
from probe.tokens import AnyOf, DecoderNeed, DrmNeed, OutputNeed, RenderNeed, TableError


def test_the_shipped_table_in_header_order() -> None:
    table = tokens.table()
    assert tokens.names() == ["STD_RES", "HI_FI", "HI_RES", "THREE_DIMENSIONAL", "REAL_AUDIO_360"]
    hi_res = table[2]
    assert (hi_res.codec, hi_res.container, hi_res.bits) == ("FLAC", "DASH", 24)
    assert (hi_res.rate_min, hi_res.rate_max) == (44100, 192000)
    assert hi_res.needs == (
        DecoderNeed("flac"),
        DrmNeed("widevine"),
        OutputNeed(bits=24, rate_above=48000),
    )
    atmos = table[3].needs[1]
    assert isinstance(atmos, AnyOf)
    assert atmos.alternatives[0] == (RenderNeed("eac3_joc", True), OutputNeed())


def table_with(**changes: Any) -> dict[str, Any]:
    text = json.dumps({"tokens": [{**ROW, **changes}]})
    return {"text": text}


ROW: dict[str, Any] = {
    "token": "HI_FI",
    "summary": "HD",
    "codec": "FLAC",
    "container": "DASH",
    "bits": 16,
    "rates": {"min": 44100, "max": 44100},
    "needs": [{"decoder": "flac"}],
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"token": "hi-fi"}, "token #1: 'token' must be upper-case letters, digits and '_'"),
        ({"needs": []}, "HI_FI: 'needs' must be a non-empty list"),
        ({"needs": [{"decoder": "mp3"}]}, "HI_FI: unknown codec 'mp3'; known: ac4, eac3"),
        ({"needs": [{"drm": "playready"}]}, "HI_FI: unknown DRM 'playready'"),
        ({"needs": [{"teleport": 1}]}, "HI_FI: unknown need ['teleport']"),
        ({"needs": [{"decoder": "flac", "x": 1}]}, "HI_FI: unexpected keys ['x']"),
        ({"needs": [{"output": {"rate": 1, "rate_above": 2}}]}, "'rate' or 'rate_above', not both"),
        ({"needs": [{"output": {"bits": "24"}}]}, "HI_FI: 'bits' must be a positive whole number"),
        ({"needs": [{"any_of": [[{"decoder": "flac"}]]}]}, "two or more alternatives"),
        ({"needs": [{"any_of": [[], [{"decoder": "flac"}]]}]}, "must be a non-empty list"),
        ({"needs": [{"render": "eac3_joc", "lenient": "x"}]}, "'lenient' can only be \"decode\""),
        ({"rates": {"min": 44100}}, "HI_FI: 'max' must be a positive whole number, not None"),
        ({"bits": True}, "HI_FI: 'bits' must be a positive whole number, not True"),
        ({"summary": ""}, "HI_FI: 'summary' must be a non-empty string"),
    ],
)
def test_malformed_tables_are_refused_with_the_token_and_key(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(TableError) as caught:
        tokens.parse(table_with(**changes)["text"])
    assert message in str(caught.value)


def test_not_json_and_duplicates_are_refused() -> None:
    with pytest.raises(TableError, match="not JSON"):
        tokens.parse("{")
    with pytest.raises(TableError, match="no list of tokens"):
        tokens.parse('{"tokens": []}')
    with pytest.raises(TableError, match="HI_FI: listed twice"):
        tokens.parse(json.dumps({"tokens": [ROW, ROW]}))


def test_a_renamed_and_an_added_token_work_without_touching_the_engine() -> None:
    """ULTRA_HD is HI_RES renamed; AC4_IMS is new and needs an AC-4 decoder."""
    document = json.loads((resources.files("probe") / "data" / "tokens.json").read_text("utf-8"))
    rows = document["tokens"]
    rows[2]["token"] = "ULTRA_HD"
    rows.append({**ROW, "token": "AC4_IMS", "needs": [{"decoder": "ac4"}, {"output": {}}]})
    table = tokens.parse(json.dumps(document))
    dac = AudioOutput(
        "alsa:hw:1,0", "DAC", Transport.USB, True, True, False,
        [AudioConfig("S32_LE", 24, [2], [44100, 96000])], 96000, 24, 2, None, ["test"],
    )  # fmt: skip
    missing = SourceAnswer(Status.ABSENT, "not installed")
    found = DecoderFacts(
        SourceAnswer(Status.OK, "ffmpeg", ("opus", "flac", "ac4")),
        missing,
        missing,
        missing,
        missing,
    )
    facts = rules.RuleFacts(
        outputs=[dac],
        mixer=Mixer("none", None, False),
        widevine=Widevine([], False),
        decoders=interpret(found, [dac]),
        platform=Platform("linux", "x86_64", 64, Libc("glibc", "2.36"), None, None),
        probes={},
    )
    caps = rules.decide(table, facts, Policy.STRICT)
    assert list(caps.decisions) == [
        "STD_RES", "HI_FI", "ULTRA_HD", "THREE_DIMENSIONAL", "REAL_AUDIO_360", "AC4_IMS"
    ]  # fmt: skip
    assert caps.qualities == ["STD_RES", "AC4_IMS"]
    assert caps.decisions["ULTRA_HD"].reasons[0] == "no Widevine CDM found"
    assert caps.decisions["AC4_IMS"].reasons[0] == "AC-4 decoder: ffmpeg:ac4"
