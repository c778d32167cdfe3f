"""`gst-inspect-1.0` feature listings, on real output."""

from __future__ import annotations

import pytest

from probe.parsers.gstreamer import GstElement, GstParseError, parse_inspect
from tests.conftest import CAPTURES

DECODERS = CAPTURES / "decoders"


def test_debian_registry_with_gst_libav() -> None:
    registry = parse_inspect((DECODERS / "debian12-gstreamer1.22-inspect").read_text())
    assert (registry.plugins, registry.features, registry.blacklisted) == (103, 1212, 0)
    assert len(registry.elements) == 1029
    elements = set(registry.elements)
    assert GstElement("libav", "avdec_eac3", "libav ATSC A/52B (AC-3, E-AC-3) decoder") in elements
    assert GstElement("libav", "avdec_truehd", "libav TrueHD decoder") in elements
    assert GstElement("flac", "flacdec", "FLAC audio decoder") in elements
    assert GstElement("opus", "opusdec", "Opus audio decoder") in elements
    # a long name holding ": " stays whole
    assert GstElement("goom", "goom", "GOOM: what a GOOM!") in elements
    names = {e.name for e in registry.elements}
    assert {"avdec_ac3", "avdec_mlp", "avdec_opus", "avdec_flac"} <= names
    # type finders, tracers and device providers are features but not elements
    assert not names & {"video/x-h265", "audio/x-ac3", "factories", "pulsedeviceprovider"}
    assert not any("mpegh" in name or "ac4" in name for name in names)


def test_grepped_lines_without_the_total() -> None:
    registry = parse_inspect((DECODERS / "ubuntu15.10-gst-inspect-grep-wma").read_text())
    assert (registry.plugins, registry.features, registry.blacklisted) == (None, None, 0)
    assert [e.name for e in registry.elements] == [
        "avdec_wmavoice",
        "avdec_wmav2",
        "avdec_wmav1",
        "avdec_wmapro",
        "avdec_wmalossless",
        "avenc_wmav2",
        "avenc_wmav1",
    ]
    assert {e.plugin for e in registry.elements} == {"libav"}


def test_a_type_finder_first_then_elements() -> None:
    registry = parse_inspect((DECODERS / "firefly-ubuntu20.04-gst-inspect-grep-mpp").read_text())
    assert len(registry.elements) == 8
    assert registry.elements[0] == GstElement(
        "libav", "avdec_vp9_rkmpp", "libav vp9 (rkmpp) decoder"
    )


def test_blacklisted_plugins_and_dotted_plugin_names() -> None:
    registry = parse_inspect((DECODERS / "imx-gst-inspect0.10-tail").read_text())
    assert (registry.plugins, registry.features, registry.blacklisted) == (40, 198, 3)
    assert len(registry.elements) == 70
    assert GstElement("beep.imx", "beepdec.ac3", "AC3 decoder") in registry.elements
    names = {e.name for e in registry.elements}
    # type finders of plugins other than typefindfunctions ("beep.imx: ac3: ac3")
    assert not names & {"ac3", "3ca", "webm", "subparse_typefind"}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "printed nothing"),
        ("No such element or plugin 'avdec_eac3'\n", "No such element"),
        ("Segmentation fault (core dumped)\n", "Segmentation fault"),
    ],
)
def test_output_without_a_feature_list_is_refused(text: str, said: str) -> None:
    with pytest.raises(GstParseError, match="no GStreamer feature list") as e:
        parse_inspect(text)
    assert said in str(e.value)
    assert isinstance(e.value, ValueError)
