"""alsa-info.sh reports (alsa-project/alsa-utils, alsa-info/alsa-info.sh, 0.4.x and 0.5.x),
turned back into the /proc/asound files they were printed from.

What the script prints, checked against its source (0.4.64, 0.5.2, 0.5.3) and real reports
(0.4.64 to 0.5.3), and so what can be put back under its own path:
- "!!Soundcards recognised by ALSA" is `cat /proc/asound/cards`, verbatim.
- "!!HDA-Intel Codec information" is `cat /proc/asound/card*/codec#*` (LC_ALL=C, so in byte
  order: card1 before card10 before card2) with no file names. Each file starts at "Codec:"
  and its "Address:" is the N of codec#N (hda_proc.c names the file after codec->addr). The
  card is not printed; the kernel gives every HD-audio codec a hwdep node named
  hwC<card>D<address>, which the report lists under /dev/snd and sysfs, so the dumps are
  matched to those nodes in the same glob order. A report without the nodes is matched only
  when its dumps fall into as many runs of rising addresses as there are cards that can
  hold codecs (any but snd-usb-audio's): then each such card has one run, in glob order.
  Otherwise the codecs are left out, with a note.
- "!!USB Stream information" (from late 0.4.65 on) is `cat /proc/asound/card*/stream[0-9]*`.
  A stream file's first line is "<card long name> : <PCM name>", which names its card; a
  USB card numbers its streams 0, 1, ... as it creates them, and the glob prints them in
  byte order (stream10 before stream2).
- "!!Kernel Information" gives the kernel release and machine. 0.5.3 prints `uname -v` there
  by mistake; the release is then the one in "Driver version: k<release>" (an in-kernel
  ALSA's /proc/asound/version).
- "!!Aplay/Arecord output" holds `aplay -l` (stdout and stderr) under "APLAY".
None of these versions prints /proc/asound/pcm, a usbid or an eld# file: none is ever made.

A pasted report is made plain first (pasted_text.py), and each section's broken lines are
joined by that section's own grammar. A part that a paste cut off or left unreadable is left
out, with a note; only text with no report in it, or nothing to import, is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from probe.parsers import asound, hda_codec
from probe.parsers.pasted_text import is_binary, plain_lines, unwrap

_HEADING = re.compile(r"!!ALSA Information Script v\s*(\d[\w.]*)")
_UNDERLINE = re.compile(r"^!!-+\s*$")
_CARD_LINE = re.compile(r"^\s*\d+ \[")
_CODEC_TOP = re.compile(r"^(?:Node 0x|No |Invalid |[A-Z][\w -]*:)")
_HWDEP = re.compile(r"\bhwC(\d+)D(\d+)\b")
_NO_CARDS = "--- no soundcards ---"
_STREAM_SECTIONS = ("Playback:", "Capture:")
_HWDEP_SECTIONS = ("ALSA Device nodes", "Sysfs card info", "Sysfs Files")


class AlsaInfoError(ValueError):
    """The text is not an alsa-info.sh report, or nothing in it can be imported."""


@dataclass(frozen=True)
class AlsaInfoReport:
    version: str | None  # "0.5.3"; None for a paste that lost the script's heading
    kernel_release: str | None
    machine: str | None  # `uname -m`: "x86_64", "armv7l"
    files: dict[str, str]  # "/proc/asound/card0/codec#2" -> its text, as the kernel printed it
    aplay_l: str | None  # `aplay -l` as printed
    notes: list[str]  # what was left out, and why


@dataclass(frozen=True)
class _Section:
    lines: list[str]
    last: bool  # nothing follows: a paste cut short ends here


def parse_report(text: str) -> AlsaInfoReport:
    if not text.strip():
        raise AlsaInfoError("the text is empty: there is no alsa-info.sh report in it")
    if is_binary(text):
        raise AlsaInfoError("binary data, not the text of an alsa-info.sh report")
    lines = plain_lines(text, "!!")
    version = next((m.group(1) for line in lines if (m := _HEADING.search(line))), None)
    sections = _sections(lines)
    if not sections:
        if version is None:
            raise AlsaInfoError(
                "not an alsa-info.sh report: no '!!ALSA Information Script' heading and "
                "no '!!' sections"
            )
        raise AlsaInfoError(
            f"the alsa-info.sh {version} report is cut off in its heading: "
            "it ends before its first '!!' section"
        )
    notes = []
    if version is None:
        notes.append("no '!!ALSA Information Script v...' heading: the script version is unknown")
    files: dict[str, str] = {}
    cards = _cards(sections.get("Soundcards recognised by ALSA"), files, notes)
    codecs = sections.get("HDA-Intel Codec information")
    if codecs is not None:
        _codecs(codecs, cards, _hwdeps(sections), files, notes)
    streams = sections.get("USB Stream information")
    if streams is not None:
        _streams(streams, cards, files, notes)
    if not files:
        raise AlsaInfoError(
            f"the alsa-info.sh {version or '(version unknown)'} report has nothing to import: "
            "no card list, HD-audio codec or USB stream survived"
            + "".join(f"; {note}" for note in notes)
        )
    release, machine = _kernel(sections, notes)
    return AlsaInfoReport(version, release, machine, files, _aplay_l(sections), notes)


def _sections(lines: list[str]) -> dict[str, _Section]:
    """'!!Title' lines underlined by '!!----' lines, each with the lines up to the next one;
    the first of two sections with one title wins."""
    starts = [
        i
        for i, line in enumerate(lines[:-1])
        if line.startswith("!!") and line[2:3] not in "#-" and _UNDERLINE.match(lines[i + 1])
    ]
    found: dict[str, _Section] = {}
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        title = lines[start][2:].strip()
        found.setdefault(title, _Section(lines[start + 2 : end], n + 1 == len(starts)))
    return found


def _collapsed(section: _Section) -> tuple[list[str], bool]:
    """The lines between --startcollapse-- and --endcollapse--, and whether they are whole:
    the end marker is there, or (a copy without markers) another section follows."""
    lines = section.lines
    marks = [line.strip() for line in lines]
    if "--startcollapse--" in marks:
        lines = lines[marks.index("--startcollapse--") + 1 :]
        marks = marks[marks.index("--startcollapse--") + 1 :]
    if "--endcollapse--" in marks:
        return lines[: marks.index("--endcollapse--")], True
    return lines, not section.last


def _cards(
    section: _Section | None, files: dict[str, str], notes: list[str]
) -> list[asound.ProcCard]:
    """Writes /proc/asound/cards; the cards it lists. The file has no empty line, so the first
    one after it ends it (chatter after a paste cut there stays out)."""
    if section is None:
        notes.append("no '!!Soundcards recognised by ALSA' section: /proc/asound/cards is missing")
        return []
    lines = [line.expandtabs() for line in section.lines]
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    end = next((i for i in range(first, len(lines)) if not lines[i].strip()), len(lines))
    lines = unwrap(lines[first:end], lambda line: line[0].isspace() or bool(_CARD_LINE.match(line)))
    text = "".join(line + "\n" for line in lines)
    cards = asound.parse_cards(text)
    if not cards and text.strip() != _NO_CARDS:
        notes.append("the card list is unreadable: /proc/asound/cards is missing")
        return []
    files["/proc/asound/cards"] = text
    return cards


def _codec_line_start(line: str) -> bool:
    """hda_proc.c's unindented lines are "Key: ..." ("Codec:", "State of AFG node 0x01:"),
    "Node 0x.. [...] ..." or a "No ..."/"Invalid ..." sentence; the end of a broken line is
    none of these ("Amp-Out CP", "176400 192000", "0x21 0x22")."""
    return line[0].isspace() or bool(_CODEC_TOP.match(line))


def _codecs(
    section: _Section,
    cards: list[asound.ProcCard],
    hwdeps: list[tuple[int, int]],
    files: dict[str, str],
    notes: list[str],
) -> None:
    lines, whole = _collapsed(section)
    lines = unwrap([line.expandtabs() for line in lines], _codec_line_start)
    starts = [i for i, line in enumerate(lines) if line.startswith("Codec:")]
    dumps = []
    for n, start in enumerate(starts):
        block = lines[start : starts[n + 1] if n + 1 < len(starts) else len(lines)]
        while block and not block[-1].strip():
            block.pop()
        text = "".join(line + "\n" for line in block)
        dumps.append((text, hda_codec.parse_codec(text)))
    if not starts and any(line.strip() for line in lines):
        notes.append("the codec section holds no 'Codec:' line: no HD-audio codec was imported")
    if dumps and not whole:
        notes.append(
            f"the codec dumps are cut off: the last one ({dumps[-1][1].name!r}) may be "
            "incomplete and was left out"
        )
        dumps.pop()
    if not dumps:
        return
    addresses = [codec.address for _, codec in dumps]
    if None in addresses:
        notes.append(
            "a codec dump has no 'Address:' line (kernels before 2.6.26), so no codec#N "
            "file name is known: the HD-audio codecs were left out"
        )
        return
    owners = _codec_cards([a for a in addresses if a is not None], hwdeps, cards)
    if owners is None:
        names = ", ".join(codec.name for _, codec in dumps)
        notes.append(
            f"the report does not say which card each HD-audio codec ({names}) belongs to "
            "(no hwC<card>D<address> nodes, and the dumps do not split one run per card): "
            "the codecs were left out"
        )
        return
    for (text, codec), card in zip(dumps, owners, strict=True):
        files[f"/proc/asound/card{card}/codec#{codec.address}"] = text


def _codec_cards(
    addresses: list[int], hwdeps: list[tuple[int, int]], cards: list[asound.ProcCard]
) -> list[int] | None:
    """The card of each dump (in the order printed), or None when the report cannot tell.
    snd-usb-audio cards ("USB-Audio") have no HD-audio codecs, so no run is theirs."""
    by_glob = sorted(hwdeps, key=lambda node: f"card{node[0]}/codec#{node[1]}")
    if [address for _, address in by_glob] == addresses:
        return [card for card, _ in by_glob]
    runs = [0]
    for before, after in pairwise(addresses):
        runs.append(runs[-1] + (str(after) <= str(before)))
    owners = sorted((c.index for c in cards if c.driver != "USB-Audio"), key=str)
    if runs[-1] + 1 != len(owners):
        return None
    return [owners[run] for run in runs]


def _hwdeps(sections: dict[str, _Section]) -> list[tuple[int, int]]:
    """The hwC<card>D<device> nodes the report names, each once."""
    found = {
        (int(card), int(device))
        for title in _HWDEP_SECTIONS
        if title in sections
        for line in sections[title].lines
        for card, device in _HWDEP.findall(line)
    }
    return sorted(found)


def _streams(
    section: _Section, cards: list[asound.ProcCard], files: dict[str, str], notes: list[str]
) -> None:
    if not cards:
        notes.append("no card list, so the USB streams' cards are unknown: streams left out")
        return
    longnames = {card.longname: card.index for card in cards if card.longname}
    lines, whole = _collapsed(section)
    blocks = _stream_blocks([line.expandtabs() for line in lines], longnames)
    if blocks and not whole:
        notes.append(
            f"the USB stream files are cut off: the last one ({blocks[-1][0]!r}) may be "
            "incomplete and was left out"
        )
        blocks.pop()
    per_card: dict[int, list[str]] = {}
    for head, block in blocks:
        card = _card_of(head, longnames)
        if card is None:
            notes.append(f"the USB stream {head!r} names no card in the card list: left out")
            continue
        while block and not block[-1].strip():
            block.pop()
        per_card.setdefault(card, []).append("".join(line + "\n" for line in [head, *block]))
    for card, texts in per_card.items():
        for device, text in zip(sorted(range(len(texts)), key=str), texts, strict=True):
            files[f"/proc/asound/card{card}/stream{device}"] = text


def _card_of(head: str, longnames: dict[str, int]) -> int | None:
    """The card whose long name the stream's first line starts with (the longest such name)."""
    matching = [name for name in longnames if head.startswith(name + " : ")]
    return longnames[max(matching, key=len)] if matching else None


def _stream_blocks(lines: list[str], longnames: dict[str, int]) -> list[tuple[str, list[str]]]:
    """(first line, the lines after it) per stream file. Every line of a stream file but its
    first is empty, indented or a direction; so a run of unindented lines is a broken first
    line (found by the card name it starts with, or by the direction that follows it), or
    the broken-off end of the line before it."""
    blocks: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line or line[0].isspace() or line.rstrip() in _STREAM_SECTIONS:
            if blocks:
                blocks[-1][1].append(line)
            i += 1
            continue
        end = i
        while end < len(lines) and lines[end] and not lines[end][0].isspace():
            if lines[end].rstrip() in _STREAM_SECTIONS:
                break
            end += 1
        run = lines[i:end]
        split = next(
            (k for k in range(len(run)) if _card_of(_join(run[k:]), longnames) is not None),
            None,
        )
        if split is None and end + 1 < len(lines) and not lines[end].strip():
            split = 0 if lines[end + 1].rstrip() in _STREAM_SECTIONS else None
        tail = run if split is None else run[:split]
        if tail and blocks and blocks[-1][1]:
            blocks[-1][1][-1] = _join([blocks[-1][1][-1], *tail])
        if split is not None:
            blocks.append((_join(run[split:]), []))
        i = end
    return blocks


def _join(parts: list[str]) -> str:
    return unwrap(parts, lambda _: False)[0]


def _kernel(sections: dict[str, _Section], notes: list[str]) -> tuple[str | None, str | None]:
    """The kernel release and machine; 0.5.3's `uname -v` in place of the release is replaced
    by the release ALSA's driver version names."""
    values = _values(sections.get("Kernel Information"))
    release = values.get("Kernel release") or None
    if release is not None and release.startswith("#"):
        driver = _values(sections.get("ALSA Version")).get("Driver version", "")
        release = driver[1:] if driver.startswith("k") and len(driver) > 1 else None
        notes.append(
            "'Kernel release' holds `uname -v` (an alsa-info.sh 0.5.3 mistake): "
            + (f"the release {release!r} is ALSA's driver version" if release else "unknown")
        )
    return release, values.get("Architecture") or None


def _values(section: _Section | None) -> dict[str, str]:
    """'Key:   value' lines."""
    pairs = (line.partition(":") for line in (section.lines if section else []))
    return {key.strip(): value.strip() for key, sep, value in pairs if sep}


def _aplay_l(sections: dict[str, _Section]) -> str | None:
    """`aplay -l` as printed: the lines between 'APLAY' and 'ARECORD'."""
    section = sections.get("Aplay/Arecord output")
    marks = [line.strip() for line in section.lines] if section else []
    if section is None or "APLAY" not in marks:
        return None
    end = marks.index("ARECORD") if "ARECORD" in marks else len(marks)
    lines = section.lines[marks.index("APLAY") + 1 : end]
    lines = unwrap(
        [line for line in lines if line.strip()],
        lambda line: line[0].isspace() or line.startswith(("card ", "**** ", "aplay")),
    )
    return "".join(line + "\n" for line in lines) or None
