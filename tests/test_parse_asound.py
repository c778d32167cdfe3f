"""/proc/asound/cards and /proc/asound/pcm."""

from __future__ import annotations

from probe.parsers.asound import ProcCard, ProcPcm, parse_cards, parse_pcms
from tests.conftest import CAPTURES


def test_cards_of_a_real_laptop() -> None:
    text = (CAPTURES / "proc" / "alc269vb-asus-ux31a-cards").read_text()
    assert parse_cards(text) == [
        ProcCard(0, "PCH", "HDA-Intel", "HDA Intel PCH", "HDA Intel PCH at 0xf7d18000 irq 43")
    ]


def test_several_cards_and_no_cards() -> None:
    text = (
        " 0 [vc4hdmi0       ]: vc4-hdmi - vc4-hdmi-0\n"
        "                      vc4-hdmi-0\n"
        " 1 [Headphones     ]: bcm2835_headpho - bcm2835 Headphones\n"
        "                      bcm2835 Headphones\n"
    )
    cards = parse_cards(text)
    assert [(c.index, c.id, c.driver, c.name) for c in cards] == [
        (0, "vc4hdmi0", "vc4-hdmi", "vc4-hdmi-0"),
        (1, "Headphones", "bcm2835_headpho", "bcm2835 Headphones"),
    ]
    assert parse_cards("--- no soundcards ---\n") == []


def test_pcm_list_of_a_real_laptop() -> None:
    text = (CAPTURES / "proc" / "asus-vivobook-14x-pcm").read_text()
    assert parse_pcms(text) == [
        ProcPcm(0, 3, "HDMI 0", "HDMI 0", True, False),
        ProcPcm(1, 0, "ALC294 Analog", "ALC294 Analog", True, True),
    ]


def test_asoc_links_with_empty_names_and_capture_only_devices() -> None:
    text = (
        "00-00: ff890000.i2s-rt5651-aif1 rt5651-aif1-0 :  : playback 1 : capture 1\n"
        "02-01: USB Audio : USB Audio #1 : capture 1\n"
        "garbage\n"
    )
    pcms = parse_pcms(text)
    assert pcms[0] == ProcPcm(0, 0, "ff890000.i2s-rt5651-aif1 rt5651-aif1-0", "", True, True)
    assert pcms[1] == ProcPcm(2, 1, "USB Audio", "USB Audio #1", False, True)
    assert len(pcms) == 2
