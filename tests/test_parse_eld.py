"""/proc/asound/cardN/eld#C.P text, read from real captures (see fixtures/SOURCES.md)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probe.parsers.eld_proc import EldProcError, parse_eld_proc
from probe.parsers.sad import ShortAudioDescriptor, SinkAudio
from tests.conftest import CAPTURES

ELD = CAPTURES / "eld"
ALL_RATES = (32000, 44100, 48000, 88200, 96000, 176400, 192000)


def read(name: str) -> str:
    return (ELD / name).read_text()


def summary(sad: ShortAudioDescriptor) -> tuple[object, ...]:
    """The fields the proc text can carry, in one comparable tuple."""
    return (sad.type, sad.channels, sad.rates, sad.bits, sad.max_bitrate_kbps)


def sink_of(name: str) -> SinkAudio:
    sink = parse_eld_proc(read(name)).sink
    assert sink is not None
    return sink


def test_pioneer_avr_on_an_old_kernel_reads_the_rate_mask_not_the_shifted_text() -> None:
    text = read("pioneer-vsx521-nvidia-eld3.0")
    # The old kernel printed 0x1ee0 (32-192 kHz) as "44100 ... 384000"; the mask is right.
    assert "sad0_rates\t\t[0x1ee0] 44100 48000 88200 176400 192000 384000" in text
    eld = parse_eld_proc(text)
    assert (eld.monitor_present, eld.eld_valid) == (True, True)
    # This kernel predates the pin lines.
    assert (eld.codec_pin_nid, eld.codec_dev_id, eld.codec_cvt_nid) == (None, None, None)
    sink = eld.sink
    assert sink is not None
    # The EDID name ended in "\n" plus padding: a whitespace-only line follows it.
    assert "VSX-521\n     \n" in text
    assert sink.monitor_name == "VSX-521"
    assert sink.connection == "HDMI"
    assert sink.source == "proc-eld"
    assert sink.speakers == ("FL/FR", "LFE", "FC", "RL/RR", "RLC/RRC")
    assert [summary(s) for s in sink.sads] == [
        ("LPCM", 2, ALL_RATES, (16, 20, 24), None),
        ("LPCM", 8, ALL_RATES, (16, 20, 24), None),
        ("AC-3", 6, (32000, 44100, 48000), (), 640),
        ("DTS", 7, (44100, 48000, 88200, 96000), (), 1536),
        ("DSD", 2, (44100, 88200, 176400), (), None),
        ("E-AC-3", 8, (44100, 48000), (), None),
        ("DTS-HD", 8, ALL_RATES, (), None),
        ("MAT", 8, ALL_RATES, (), None),
    ]
    assert sink.notes == ()


def test_proc_text_cannot_say_whether_a_sink_decodes_atmos() -> None:
    sink = sink_of("pioneer-vsx521-nvidia-eld3.0")
    eac3 = next(s for s in sink.sads if s.type == "E-AC-3")
    mat = next(s for s in sink.sads if s.type == "MAT")
    assert (eac3.joc, eac3.joc_acmod28, eac3.raw) == (None, None, None)
    assert (mat.mat_objects, mat.raw) == (None, None)
    assert all(s.joc is None and s.mat_objects is None for s in sink.sads if s.type == "LPCM")


def test_samsung_home_theater_with_truehd_at_three_rates() -> None:
    sink = sink_of("samsung-ht-rc160-nvidia-eld0.1")
    assert sink.monitor_name == "HT-RC160"
    assert sink.speakers == ("FL/FR", "LFE", "FC", "RL/RR", "RLC/RRC")
    assert [summary(s) for s in sink.sads] == [
        ("LPCM", 2, ALL_RATES, (16, 20, 24), None),
        ("LPCM", 8, ALL_RATES, (16, 20, 24), None),
        ("AC-3", 8, (32000, 44100, 48000), (), 640),
        ("DTS", 8, (44100, 48000), (), 1536),
        ("DSD", 6, (44100,), (), None),
        ("E-AC-3", 8, (44100, 48000), (), None),
        ("DTS-HD", 8, (44100, 48000, 88200, 96000, 176400, 192000), (), None),
        ("MAT", 8, (48000, 96000, 192000), (), None),
    ]
    assert [(s.code, s.ext_code) for s in sink.sads] == [
        (1, None),
        (1, None),
        (2, None),
        (7, None),
        (9, None),
        (10, None),
        (11, None),
        (12, None),
    ]


def test_a_pin_with_nothing_attached_has_no_sink() -> None:
    eld = parse_eld_proc(read("nvidia-gtx680-eld0.0-no-monitor"))
    assert (eld.monitor_present, eld.eld_valid, eld.sink) == (False, False, None)


def test_old_kernels_print_every_field_zeroed_for_an_empty_pin() -> None:
    text = read("nvidia-gt220-eld-no-monitor-oldkernel")
    assert "sad_count\t\t0" in text
    eld = parse_eld_proc(text)
    assert (eld.monitor_present, eld.eld_valid, eld.sink) == (False, False, None)


def test_a_valid_eld_with_no_sads_is_an_empty_tuple_not_an_error() -> None:
    text = read("nvidia-gt220-eld-no-monitor-oldkernel").replace("eld_valid\t\t0", "eld_valid\t\t1")
    sink = parse_eld_proc(text).sink
    assert sink is not None
    assert (sink.sads, sink.monitor_name, sink.speakers) == ((), None, None)


def test_sharp_tv_rate_text_is_wrong_but_the_mask_is_not() -> None:
    text = read("sharp-hdmi-nvidia-gt220-oldkernel")
    assert "[0xe0] 44100 48000 88200" in text
    sink = sink_of("sharp-hdmi-nvidia-gt220-oldkernel")
    assert sink.monitor_name == "SHARP HDMI"
    assert sink.speakers == ("FL/FR",)
    assert [summary(s) for s in sink.sads] == [
        ("LPCM", 2, (32000, 44100, 48000), (16, 20, 24), None)
    ]


def test_new_kernel_format_with_pin_lines_and_an_empty_monitor_name() -> None:
    eld = parse_eld_proc(read("ati-hdmi-pin3-no-cea-extension"))
    assert (eld.codec_pin_nid, eld.codec_dev_id, eld.codec_cvt_nid) == (3, 0, 2)
    sink = eld.sink
    assert sink is not None
    assert (sink.monitor_name, sink.connection, sink.speakers) == (None, "HDMI", ("FL/FR",))
    assert [summary(s) for s in sink.sads] == [("LPCM", 2, ALL_RATES, (16, 20, 24), None)]


def test_speakers_0xffff_is_the_kernels_guess_not_the_sinks_word() -> None:
    # Newer kernels print this when the sink sent no speaker allocation at all.
    text = read("sharp-hdmi-nvidia-gt220-oldkernel").replace(
        "speakers\t\t[0x1] FL/FR",
        "speakers\t\t[0xffff] FL/FR LFE FC RL/RR RC FLC/FRC RLC/RRC FLW/FRW FLH/FRH TC FCH",
    )
    sink = parse_eld_proc(text).sink
    assert sink is not None
    assert sink.speakers is None
    assert any("0xffff" in note for note in sink.notes)


def test_a_format_the_kernel_could_not_name_stays_visible_as_unknown() -> None:
    # The kernel prints format 0 for extension types it lacks (MPEG-H, AC-4, ...).
    text = read("samsung-ht-rc160-nvidia-eld0.1").replace(
        "sad4_coding_type\t[0x9] DSD (One Bit Audio)", "sad4_coding_type\t[0x0] undefined"
    )
    sink = parse_eld_proc(text).sink
    assert sink is not None
    assert (sink.sads[4].type, sink.sads[4].code) == ("unknown", 0)
    assert any("SAD 4" in note for note in sink.notes)


def test_extension_types_the_kernel_numbers_past_14() -> None:
    text = read("samsung-ht-rc160-nvidia-eld0.1").replace(
        "sad4_coding_type\t[0x9] DSD (One Bit Audio)", "sad4_coding_type\t[0xf] HE-AAC"
    )
    sad = parse_eld_proc(text).sink.sads[4]  # type: ignore[union-attr]
    assert (sad.type, sad.code, sad.ext_code) == ("HE-AAC", 15, 1)


def test_a_cut_off_file_names_the_missing_sad() -> None:
    text = read("pioneer-vsx521-nvidia-eld3.0")
    cut = text[: text.index("sad6_coding_type")]
    with pytest.raises(EldProcError, match=r"sad_count is 8 but sad6"):
        parse_eld_proc(cut)


def test_a_sad_missing_a_field_names_it() -> None:
    text = read("sharp-hdmi-nvidia-gt220-oldkernel").replace("sad0_channels\t\t2\n", "")
    with pytest.raises(EldProcError, match=r"no sad0_channels line"):
        parse_eld_proc(text)


def test_a_sad_past_the_count_is_an_error_naming_the_line() -> None:
    text = read("sharp-hdmi-nvidia-gt220-oldkernel") + "sad1_coding_type\t[0x2] AC-3\n"
    with pytest.raises(EldProcError, match=r"line 19: sad1 but sad_count is 1"):
        parse_eld_proc(text)


def test_bad_values_name_their_line() -> None:
    with pytest.raises(EldProcError, match=r"line 1: monitor_present is 2"):
        parse_eld_proc("monitor_present\t\t2\neld_valid\t\t1\n")
    text = read("sharp-hdmi-nvidia-gt220-oldkernel").replace(
        "sad0_channels\t\t2", "sad0_channels\tx"
    )
    with pytest.raises(EldProcError, match=r"line 16: sad0_channels is 'x', not a number"):
        parse_eld_proc(text)
    text = read("sharp-hdmi-nvidia-gt220-oldkernel").replace("[0xe0] 44100", "44100")
    with pytest.raises(EldProcError, match=r"line 17: sad0_rates is '44100 48000 88200'"):
        parse_eld_proc(text)


def test_an_impossible_sad_count_is_refused_before_any_work() -> None:
    text = read("sharp-hdmi-nvidia-gt220-oldkernel").replace(
        "sad_count\t\t1", "sad_count\t\t99999999999"
    )
    with pytest.raises(EldProcError, match=r"line 14: sad_count 99999999999 is not 0..16"):
        parse_eld_proc(text)


@pytest.mark.parametrize(
    "garbage", ["", "\n\n", "hello world\n", "\x00\x01\x02", "monitor_present"]
)
def test_garbage_is_a_clear_error(garbage: str) -> None:
    with pytest.raises(EldProcError, match=r"no monitor_present line|monitor_present is ''"):
        parse_eld_proc(garbage)


def test_every_prefix_of_every_capture_parses_or_fails_cleanly() -> None:
    outcomes = set()
    for path in sorted(p for p in ELD.iterdir() if p.suffix not in (".bin", ".hex")):
        text = path.read_text()
        for end in range(len(text) + 1):
            try:
                parse_eld_proc(text[:end])
                outcomes.add("parsed")
            except EldProcError:
                outcomes.add("error")
    assert outcomes == {"parsed", "error"}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="\t \n0123456789abcdefx[]_-sadmonitor_presentld", max_size=400))
def test_arbitrary_text_never_raises_anything_but_eld_proc_error(text: str) -> None:
    try:
        eld = parse_eld_proc(text)
    except EldProcError as error:
        assert str(error)
    else:
        assert eld.eld_valid is (eld.sink is not None)
