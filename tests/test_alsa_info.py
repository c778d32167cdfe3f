"""alsa-info.sh reports into snapshots: real reports (fixtures/SOURCES.md) import into a directory
that the real /proc/asound probe reads as if live, the way mail clients and web pages mangle
a paste changes nothing that is written, and text that is no report writes nothing."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from drivers.answers import Answers
from drivers.files import Files
from drivers.snapshot import SnapshotError, open_snapshot
from probe.alsa_info_import import import_report
from probe.audio import ProcfsAudio
from probe.linux import audio_procfs
from probe.parsers.alsa_info import AlsaInfoError, parse_report
from tests.conftest import CAPTURES

REPORTS = CAPTURES / "alsa-info"
XPS = REPORTS / "xps17-9700-sof-hdmi-razer-wd19-0.5.0-github-details"
STEAM_DECK = REPORTS / "steam-deck-0.5.3-quoted-in-reply"
NUC = REPORTS / "nuc8-alc233-kabylake-hdmi-topping-d50s-0.4.65-mail-attachment"
TX384 = REPORTS / "tx-384khz-usb-dac-0.5.0-lkml-attachment"
RPI = REPORTS / "rpi2-bcm2835-em28xx-0.4.64-forum-post"
HDMI_RATES = (32000, 44100, 48000, 88200, 96000, 176400, 192000)
TOPPING_RATES = (44100, 48000, 88200, 96000, 176400, 192000, 352800, 384000, 705600, 768000)


def probed(root: Path) -> ProcfsAudio:
    outcome = audio_procfs(Files(root))
    assert outcome.facts is not None, outcome.detail
    return outcome.facts


def written(root: Path) -> dict[str, bytes]:
    """Every file of the snapshot but its metadata, by the path the live system gives it."""
    return {
        "/" + path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".capprobe" not in path.parts
    }


def between(text: str, start: str, end: str) -> str:
    """The report as the script wrote it: from `start` up to (not including) `end`."""
    first = text.index(start)
    return text[first : text.index(end, first)] + "\n"


def cards_of(facts: ProcfsAudio) -> list[tuple[int, str, str, str | None]]:
    return [(c.index, c.id, c.driver, c.longname) for c in facts.cards]


def codecs_of(facts: ProcfsAudio) -> dict[int, list[tuple[str, int | None, int | None]]]:
    return {
        card: [(c.name, c.vendor_id, c.address) for c in codecs]
        for card, codecs in facts.codecs.items()
    }


def test_xps17_issue_paste_hdmi_codec_of_the_sof_card_and_three_usb_streams(
    tmp_path: Path,
) -> None:
    summary = import_report(XPS.read_text(), tmp_path / "snap")
    assert (summary.version, summary.cards, summary.codecs, summary.streams) == ("0.5.0", 3, 1, 3)
    assert summary.notes == ()
    assert set(written(tmp_path / "snap")) == {
        "/proc/asound/cards",
        "/proc/asound/card0/codec#2",  # the hwC0D2 node says which card
        "/proc/asound/card1/stream0",
        "/proc/asound/card2/stream0",
        "/proc/asound/card2/stream1",
    }
    facts = probed(tmp_path / "snap")
    assert cards_of(facts) == [
        (0, "sofsoundwire", "sof-soundwire", "Intel Soundwire SOF"),
        (1, "USB", "USB-Audio", "Razer Razer Kraken X USB at usb-0000:3d:00.0-1.1, full speed"),
        (2, "Dock", "USB-Audio", "Dell-WD15-Dock"),
    ]
    assert codecs_of(facts) == {0: [("Intel Kabylake HDMI", 0x8086280B, 2)], 1: [], 2: []}
    (hdmi,) = facts.codecs[0]
    assert hdmi.subsystem_id == 0x80860101
    assert [d.nid for d in hdmi.dacs] == [2, 3, 4]
    for dac in hdmi.dacs:
        assert dac.pcm is not None and dac.pcm_source == "node"
        assert (dac.pcm.rates, dac.pcm.bits, dac.pcm.formats) == (
            HDMI_RATES,
            (16, 24, 32),
            ("PCM", "AC3"),
        )
    assert sorted(facts.usb_streams) == [(1, 0), (2, 0), (2, 1)]
    razer = facts.usb_streams[(1, 0)]
    assert razer.device == "Razer Razer Kraken X USB at usb-0000:3d:00.0-1.1, full speed"
    assert razer.playback is not None and razer.capture is not None
    assert razer.playback.altsets[0].rates == (8000, 16000, 24000, 32000, 44100, 48000)
    assert razer.capture.altsets[0].rates == (24000, 32000, 44100, 48000)
    dock_0, dock_1 = facts.usb_streams[(2, 0)], facts.usb_streams[(2, 1)]
    assert (dock_0.device, dock_0.pcm_name) == ("Dell-WD15-Dock", "USB Audio")
    assert (dock_1.device, dock_1.pcm_name) == ("Dell-WD15-Dock", "USB Audio #1")
    assert dock_1.playback is not None and dock_1.capture is None
    assert dock_1.playback.altsets[0].formats == ("S24_3LE",)
    assert dock_1.playback.altsets[0].rates == (48000,)
    assert facts.elds == {0: (), 1: (), 2: ()}  # no alsa-info.sh version prints eld# files
    snapshot = open_snapshot(tmp_path / "snap")
    assert (snapshot.host.kernel, snapshot.host.machine) == ("5.12.12-arch1-1", "x86_64")
    assert snapshot.made_by.startswith("alsa-info.sh 0.5.0 report, imported by capprobe ")
    # kept as drivers.answers keeps a command's output, so a replay reads it as one
    aplay = Answers(snapshot.answer).run(["aplay", "-l"], timeout=1)
    assert (aplay.argv, aplay.returncode, aplay.stderr) == (("aplay", "-l"), 0, "")
    assert aplay.stdout.startswith("**** List of PLAYBACK Hardware Devices ****\n")
    assert "card 2: Dock [WD19 Dock], device 1: USB Audio [USB Audio #1]\n" in aplay.stdout
    assert "CAPTURE" not in aplay.stdout


def test_steam_deck_report_quoted_in_a_reply_and_its_0_5_3_kernel_release(
    tmp_path: Path,
) -> None:
    summary = import_report(STEAM_DECK.read_text(), tmp_path / "snap")
    assert (summary.version, summary.cards, summary.codecs, summary.streams) == ("0.5.3", 2, 1, 0)
    assert set(written(tmp_path / "snap")) == {"/proc/asound/cards", "/proc/asound/card0/codec#0"}
    facts = probed(tmp_path / "snap")
    assert cards_of(facts) == [
        (0, "Generic", "HDA-Intel", "HD-Audio Generic at 0x803c0000 irq 72"),
        (1, "acp5x", "acp5x", "Valve-Jupiter-1"),
    ]
    assert codecs_of(facts) == {0: [("ATI R6xx HDMI", 0x1002AA01, 0)], 1: []}
    (hdmi,) = facts.codecs[0]
    assert [d.nid for d in hdmi.dacs] == [2, 4, 6, 8]
    for dac in hdmi.dacs:  # no PCM block of their own: the codec's default bounds them
        assert dac.pcm is not None and dac.pcm_source == "default"
        assert (dac.pcm.rates, dac.pcm.bits) == ((32000, 44100, 48000), (16,))
    assert facts.usb_streams == {} and facts.elds == {0: (), 1: ()}
    # 0.5.3 prints `uname -v` as the release; ALSA's driver version names the real one
    host = open_snapshot(tmp_path / "snap").host
    assert (host.kernel, host.machine) == ("6.7.4-1.ge1978fc-default", "x86_64")
    (note,) = summary.notes
    assert "uname -v" in note and "'6.7.4-1.ge1978fc-default'" in note


def test_nuc8_attachment_two_codecs_on_one_card_and_the_topping_dac(tmp_path: Path) -> None:
    summary = import_report(NUC.read_text(), tmp_path / "snap")
    assert (summary.version, summary.cards, summary.codecs, summary.streams) == ("0.4.65", 2, 2, 1)
    files = written(tmp_path / "snap")
    assert set(files) == {
        "/proc/asound/cards",
        "/proc/asound/card0/codec#0",
        "/proc/asound/card0/codec#2",
        "/proc/asound/card1/stream0",
    }
    # the same report's stream section, stored before from the same mail: byte for byte
    assert files["/proc/asound/card1/stream0"] == (CAPTURES / "usb" / "topping-d50s").read_bytes()
    facts = probed(tmp_path / "snap")
    assert cards_of(facts) == [
        (0, "PCH", "HDA-Intel", "HDA Intel PCH at 0xd8b20000 irq 136"),
        (1, "D50s", "USB-Audio", "Topping D50s at usb-0000:00:14.0-3, high speed"),
    ]
    assert codecs_of(facts) == {
        0: [("Realtek ALC233", 0x10EC0235, 0), ("Intel Kabylake HDMI", 0x8086280B, 2)],
        1: [],
    }
    analog = facts.codecs[0][0].node(0x02)
    assert (analog.name, analog.pcm_device) == ("ALC233 Analog", 0)
    assert analog.pcm is not None and analog.pcm.rates == (44100, 48000)
    topping = facts.usb_streams[(1, 0)]
    assert topping.playback is not None
    altsets = topping.playback.altsets
    assert [(a.formats, a.bits) for a in altsets] == [
        (("S32_LE",), 32),
        (("S32_LE",), 24),
        (("SPECIAL", "DSD_U32_BE"), 32),
    ]
    assert all(a.rates == TOPPING_RATES for a in altsets)
    assert facts.elds == {0: (), 1: ()}
    host = open_snapshot(tmp_path / "snap").host
    assert (host.kernel, host.machine) == ("5.10.10-1-MANJARO", "x86_64")


def test_tx384_usb_dac_matches_the_stream_file_attached_beside_the_report(tmp_path: Path) -> None:
    text = TX384.read_text()
    summary = import_report(text, tmp_path / "snap")
    assert (summary.version, summary.cards, summary.codecs, summary.streams) == ("0.5.0", 1, 0, 1)
    # the sender also attached /proc/asound/card0/stream0 itself, after the report
    attachment = text.split("filename=card0-stream0\n\n")[1]
    attached = attachment[: attachment.index("\n\n--unbtckrxrxtuxppn--")] + "\n"
    files = written(tmp_path / "snap")
    assert set(files) == {"/proc/asound/cards", "/proc/asound/card0/stream0"}
    assert files["/proc/asound/card0/stream0"] == attached.encode()
    facts = probed(tmp_path / "snap")
    assert cards_of(facts) == [
        (
            0,
            "Audio",
            "USB-Audio",
            "Generic TX-384Khz Hifi Type-C Audio at usb-0000:00:14.0-1, high speed",
        )
    ]
    dac = facts.usb_streams[(0, 0)]
    assert dac.playback is not None and dac.capture is None
    assert [(a.formats, a.bits) for a in dac.playback.altsets] == [
        (("S16_LE",), 16),
        (("S24_3LE",), 24),
        (("S32_LE",), 32),
    ]
    assert all(a.rates == (44100, 48000, 96000, 192000, 384000) for a in dac.playback.altsets)
    assert facts.codecs == {0: ()}
    host = open_snapshot(tmp_path / "snap").host
    assert (host.kernel, host.machine) == ("5.15.0-rc1-00021-g0ef74366bc15", "x86_64")


def test_raspberry_pi_forum_post_has_cards_only(tmp_path: Path) -> None:
    summary = import_report(RPI.read_text(), tmp_path / "snap")
    assert (summary.version, summary.cards, summary.codecs, summary.streams) == ("0.4.64", 2, 0, 0)
    assert set(written(tmp_path / "snap")) == {"/proc/asound/cards"}
    facts = probed(tmp_path / "snap")
    assert cards_of(facts) == [
        (0, "ALSA", "bcm2835", "bcm2835 ALSA"),
        (
            1,
            "U0xeb1a0x2861",
            "USB-Audio",
            "USB Device 0xeb1a:0x2861 at usb-bcm2708_usb-1.4, high speed",
        ),
    ]
    assert facts.codecs == {0: (), 1: ()} and facts.usb_streams == {}
    snapshot = open_snapshot(tmp_path / "snap")
    assert (snapshot.host.kernel, snapshot.host.machine) == ("3.18.0-25-rpi2", "armv7l")
    aplay = Answers(snapshot.answer).run(["aplay", "-l"], timeout=1).stdout
    assert "card 0: ALSA [bcm2835 ALSA], device 1: bcm2835 ALSA [bcm2835 IEC958/HDMI]\n" in aplay
    assert "Subdevices: 8/8\n" in aplay


# The real pastes against the report cut out of them by hand: the mail, issue and forum
# around it, its quoting and fences, change nothing.
PASTED = [
    (XPS, "upload=true", "\n```\n</details>"),
    (NUC, "upload=true", "\n------=_Part_169878_704120079.1611628931187--"),
    (TX384, "upload=true", "\n--unbtckrxrxtuxppn\nContent-Type"),
    (RPI, "!!####", "\n```\n\nAlternatively"),
]


@pytest.mark.parametrize(("capture", "start", "end"), PASTED, ids=lambda v: getattr(v, "name", ""))
def test_a_real_paste_gives_the_files_of_the_bare_report(
    tmp_path: Path, capture: Path, start: str, end: str
) -> None:
    text = capture.read_text()
    import_report(text, tmp_path / "pasted")
    import_report(between(text, start, end), tmp_path / "bare")
    assert written(tmp_path / "pasted") == written(tmp_path / "bare")


def test_the_quoted_real_report_gives_the_files_of_its_unquoted_lines(tmp_path: Path) -> None:
    quoted = STEAM_DECK.read_text()
    unquoted = "\n".join(re.sub(r"^> ?", "", line) for line in quoted.split("\n"))
    import_report(quoted, tmp_path / "quoted")
    import_report(between(unquoted, "upload=true", "\n!!Packages installed"), tmp_path / "bare")
    assert written(tmp_path / "quoted") == written(tmp_path / "bare")


# Manglings made from a clean report, as mail clients and web pages make them.
def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def quoted(text: str, marker: str = "> ") -> str:
    """A reply quoting the report; a quoted empty line is a bare '>'."""
    lines = (marker + line if line else marker.rstrip() for line in text.split("\n"))
    return "On Tue, a user wrote:\n" + "\n".join(lines) + "\n\nThanks,\nTakashi\n"


def flowed(text: str, width: int = 66) -> str:
    """Lines longer than `width` broken at a single space, which stays at the end of the
    first part (format=flowed), as a mail client sends them."""
    out = []
    for line in text.split("\n"):
        while len(line) > width:
            indent = len(line) - len(line.lstrip())
            cut = line.rfind(" ", indent + 1, width)
            while cut > indent and (line[cut - 1] == " " or line[cut + 1 : cut + 2] in ("", " ")):
                cut = line.rfind(" ", indent + 1, cut)
            if cut <= indent:
                break
            out.append(line[: cut + 1])
            line = line[cut + 1 :]
        out.append(line)
    return "\n".join(out)


def web_copy(text: str) -> str:
    """Copied from a web page's source: HTML entities, markup, <br> line ends and
    non-breaking spaces."""
    body = "<br>\n".join(html.escape(text).replace("  ", "\xa0 ").split("\n"))
    return f"Here is my alsa-info:<br>\n<details><summary>alsa-info</summary>\n<p>{body}</p>\n"


def fenced(text: str) -> str:
    return f"My sound is broken, output below.\n\n```text\n{text}```\n\nAny idea?\n"


def two_code_blocks(text: str) -> str:
    """Pasted in two parts, the cut inside an HD-audio codec dump."""
    cut = text.rindex("Node 0x03 [Audio Output]")
    return f"```\n{text[:cut]}```\n```\n{text[cut:]}```\n"


def tabbed(text: str) -> str:
    """An editor that turned each leading run of eight spaces into a tab."""
    return re.sub(r"^((?: {8})+)", lambda m: "\t" * (len(m.group(1)) // 8), text, flags=re.M)


MANGLINGS: dict[str, Callable[[str], str]] = {
    "crlf": crlf,
    "quoted": quoted,
    "quoted twice": lambda t: quoted(quoted(t)),
    "nested quote without spaces": lambda t: quoted(t, ">> "),
    "flowed": flowed,
    "flowed then quoted": lambda t: quoted(flowed(t)),
    "web copy": web_copy,
    "fenced": fenced,
    "two code blocks": two_code_blocks,
    "tabs": tabbed,
    "everything": lambda t: crlf(quoted(flowed(fenced(tabbed(t))))),
}


@pytest.mark.parametrize("capture", [NUC, XPS], ids=lambda p: p.name)
@pytest.mark.parametrize("mangle", MANGLINGS.values(), ids=MANGLINGS.keys())
def test_mangled_pastes_give_the_files_of_the_clean_report(
    tmp_path: Path, capture: Path, mangle: Callable[[str], str]
) -> None:
    clean = between(capture.read_text(), "upload=true", "\n!!ALSA/HDA dmesg")
    mangled = mangle(clean)
    assert mangled != clean
    before = import_report(clean, tmp_path / "clean")
    after = import_report(mangled, tmp_path / "mangled")
    assert written(tmp_path / "mangled") == written(tmp_path / "clean")
    assert (after.version, after.notes) == (before.version, before.notes)
    clean_host = open_snapshot(tmp_path / "clean").host
    assert open_snapshot(tmp_path / "mangled").host == clean_host


def test_the_flowed_variant_really_breaks_the_lines_that_matter() -> None:
    """So the test above would fail if unwrapping did not work."""
    nuc = flowed(NUC.read_text())
    rates = (
        "    Rates: 44100, 48000, 88200, 96000, 176400, 192000, 352800, 384000, 705600, 768000\n"
    )
    assert rates in NUC.read_text() and rates not in nuc
    amps = "  Amp-In vals:  [0x80 0x80] [0x80 0x80] [0x80 0x80] [0x80 0x80] [0x80 0x80]\n"
    assert amps in NUC.read_text() and amps not in nuc
    xps = flowed(XPS.read_text())
    longname = (
        "\n                      Razer Razer Kraken X USB at usb-0000:3d:00.0-1.1, full speed\n"
    )
    head = "\nRazer Razer Kraken X USB at usb-0000:3d:00.0-1.1, full speed : USB Audio\n"
    for line in (longname, head):
        assert line in XPS.read_text() and line not in xps


NUC_CLEAN = between(NUC.read_text(), "upload=true", "\n!!ALSA/HDA dmesg")


def without(text: str, *titles: str) -> str:
    """The report without the named '!!' sections."""
    for title in titles:
        start = text.index(f"!!{title}\n")
        end = text.find("\n!!", text.index("\n", text.index("\n", start) + 1))
        text = text[:start] + (text[end + 1 :] if end >= 0 else "")
    return text


def test_a_paste_cut_inside_a_codec_keeps_the_whole_ones(tmp_path: Path) -> None:
    cut = NUC_CLEAN[: NUC_CLEAN.index("Node 0x05 [Pin Complex] wcaps 0x40778d")]
    summary = import_report(fenced(cut), tmp_path / "snap")
    files = written(tmp_path / "snap")
    assert set(files) == {"/proc/asound/cards", "/proc/asound/card0/codec#0"}
    assert files["/proc/asound/card0/codec#0"].startswith(b"Codec: Realtek ALC233\n")
    (note,) = summary.notes
    assert "cut off" in note and "'Intel Kabylake HDMI'" in note
    assert codecs_of(probed(tmp_path / "snap")) == {0: [("Realtek ALC233", 0x10EC0235, 0)], 1: []}


def test_without_hwdep_nodes_codecs_go_to_the_one_card_that_can_hold_them(
    tmp_path: Path,
) -> None:
    report = without(NUC_CLEAN, "ALSA Device nodes", "Sysfs Files")
    assert "hwC0D" not in report
    assert import_report(report, tmp_path / "snap").notes == ()
    assert codecs_of(probed(tmp_path / "snap")) == {
        0: [("Realtek ALC233", 0x10EC0235, 0), ("Intel Kabylake HDMI", 0x8086280B, 2)],
        1: [],  # the USB DAC's card cannot hold HD-audio codecs
    }


def test_without_hwdep_nodes_and_two_candidate_cards_the_codecs_are_left_out(
    tmp_path: Path,
) -> None:
    clean = between(STEAM_DECK.read_text(), "> upload=true", "\n> !!ALSA/HDA dmesg")
    report = without(
        "\n".join(line[2:] for line in clean.split("\n")), "ALSA Device nodes", "Sysfs Files"
    )
    assert "hwC0D" not in report
    summary = import_report(report, tmp_path / "snap")
    assert set(written(tmp_path / "snap")) == {"/proc/asound/cards"}
    assert any("which card each HD-audio codec (ATI R6xx HDMI) belongs" in n for n in summary.notes)
    assert probed(tmp_path / "snap").codecs == {0: (), 1: ()}


def test_a_stream_whose_card_is_not_listed_is_left_out_with_a_note(tmp_path: Path) -> None:
    topping = " 1 [D50s           ]: USB-Audio - D50s\n                      Topping D50s at"
    assert topping in NUC_CLEAN
    report = NUC_CLEAN.replace(topping, " 1 [Other          ]: USB-Audio - Other\n    Other at")
    summary = import_report(report, tmp_path / "snap")
    assert set(written(tmp_path / "snap")) == {
        "/proc/asound/cards",
        "/proc/asound/card0/codec#0",
        "/proc/asound/card0/codec#2",
    }
    (note,) = summary.notes
    assert note == (
        "the USB stream 'Topping D50s at usb-0000:00:14.0-3, high speed : USB Audio' names no "
        "card in the card list: left out"
    )


def test_a_paste_that_lost_its_heading_imports_with_a_note(tmp_path: Path) -> None:
    fragment = NUC_CLEAN[NUC_CLEAN.index("!!Kernel Information") :]
    summary = import_report(fragment, tmp_path / "fragment")
    import_report(NUC_CLEAN, tmp_path / "whole")
    assert written(tmp_path / "fragment") == written(tmp_path / "whole")
    assert summary.version is None
    assert summary.notes == (
        "no '!!ALSA Information Script v...' heading: the script version is unknown",
    )
    assert open_snapshot(tmp_path / "fragment").made_by.startswith(
        "alsa-info.sh (version unknown) report, imported by capprobe "
    )


def dmesg_log() -> str:
    lines = STEAM_DECK.read_text().split("\n")
    return "\n".join(line[2:] for line in lines if line.startswith("> [    7.")) + "\n"


NOT_REPORTS = {
    "empty": ("", "the text is empty"),
    "blank": ("\n  \r\n\t\n", "the text is empty"),
    "dmesg log": (dmesg_log(), "not an alsa-info.sh report: no '!!ALSA Information Script'"),
    "binary": ((bytes(range(256)) * 8).decode("latin-1"), "binary data"),
    "undecodable bytes": (b"\xff\xfe\x80\x81abc".decode("utf-8", "replace") * 50, "binary data"),
    "cut in its heading": (
        NUC_CLEAN[: NUC_CLEAN.index("!!Script ran on") + 20],
        r"alsa-info.sh 0.4.65 report is cut off in its heading",
    ),
    "kernel section only": (
        NUC_CLEAN[: NUC_CLEAN.index("!!ALSA Version")],
        r"0.4.65 report has nothing to import: .*no '!!Soundcards recognised by ALSA' section",
    ),
}


@pytest.mark.parametrize(("text", "message"), NOT_REPORTS.values(), ids=NOT_REPORTS.keys())
def test_what_is_no_report_raises_and_writes_nothing(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(AlsaInfoError, match=message):
        import_report(text, tmp_path / "snap")
    assert not (tmp_path / "snap").exists()


def test_a_directory_that_holds_something_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "snap"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    with pytest.raises(SnapshotError, match="exists and is not an empty directory"):
        import_report(NUC.read_text(), target)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert (target / "notes.txt").read_text() == "mine\n"


def test_an_existing_empty_directory_is_filled(tmp_path: Path) -> None:
    (tmp_path / "snap").mkdir()
    import_report(TX384.read_text(), tmp_path / "snap")
    assert "/proc/asound/card0/stream0" in written(tmp_path / "snap")


def test_the_summary_line(tmp_path: Path) -> None:
    summary = import_report(STEAM_DECK.read_text(), tmp_path / "snap")
    assert summary.line() == (
        f"{tmp_path / 'snap'}: alsa-info.sh 0.5.3 report imported: 2 cards, 1 HD-audio codec, "
        f"0 USB streams; {summary.notes[0]}"
    )


def test_parse_report_writes_nothing_and_keeps_the_kernel_text_verbatim() -> None:
    report = parse_report(NUC.read_text())
    cards = report.files["/proc/asound/cards"]
    assert cards == (
        " 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n"
        "                      HDA Intel PCH at 0xd8b20000 irq 136\n"
        " 1 [D50s           ]: USB-Audio - D50s\n"
        "                      Topping D50s at usb-0000:00:14.0-3, high speed\n"
    )
    codec = report.files["/proc/asound/card0/codec#2"]
    assert codec.startswith("Codec: Intel Kabylake HDMI\nAddress: 2\n")
    assert codec.endswith("Node 0x08 [Vendor Defined Widget] wcaps 0xf00000: Mono\n")
