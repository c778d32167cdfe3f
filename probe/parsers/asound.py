"""The card and PCM lists the kernel keeps in /proc/asound (`cards`, `pcm`): what exists,
even when alsa-lib cannot be loaded or a device cannot be opened."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CARD = re.compile(r"^\s*(\d+)\s+\[([^\]]*)\]:\s*(\S+)\s+-\s+(.*?)\s*$")
_PCM = re.compile(r"^(\d+)-(\d+):\s*(.*)$")


@dataclass(frozen=True)
class ProcCard:
    index: int
    id: str  # "PCH", "vc4hdmi0", "Device"
    driver: str  # "HDA-Intel", "USB-Audio", "vc4-hdmi"
    name: str  # "HDA Intel PCH"
    longname: str | None  # the indented second line


@dataclass(frozen=True)
class ProcPcm:
    card: int
    device: int
    id: str
    name: str
    playback: bool  # only devices with playback substreams matter to outputs
    capture: bool


def parse_cards(text: str) -> list[ProcCard]:
    """`/proc/asound/cards`: " 0 [PCH ]: HDA-Intel - HDA Intel PCH" and its long name below."""
    cards: list[ProcCard] = []
    for line in text.splitlines():
        m = _CARD.match(line)
        if m:
            index, card_id, driver, name = m.groups()
            cards.append(ProcCard(int(index), card_id.strip(), driver, name, None))
        elif cards and line.strip() and cards[-1].longname is None and line.startswith(" "):
            last = cards[-1]
            cards[-1] = ProcCard(last.index, last.id, last.driver, last.name, line.strip())
    return cards


def parse_pcms(text: str) -> list[ProcPcm]:
    """`/proc/asound/pcm`: "00-03: HDMI 0 : HDMI 0 : playback 1"; the id or name may be
    empty (ASoC links), and a direction appears only when it has substreams."""
    pcms = []
    for line in text.splitlines():
        m = _PCM.match(line.strip())
        if not m:
            continue
        fields = [f.strip() for f in m.group(3).split(" : ")]
        directions = {f.split()[0] for f in fields[2:] if f.split()}
        pcm_id = fields[0] if fields else ""
        name = fields[1] if len(fields) > 1 else ""
        pcms.append(
            ProcPcm(
                int(m.group(1)),
                int(m.group(2)),
                pcm_id,
                name,
                "playback" in directions,
                "capture" in directions,
            )
        )
    return pcms
