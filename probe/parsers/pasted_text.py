"""Text that went through a mail client, an issue tracker or a forum, made plain again.

A pasted report comes back with CRLF line ends, quote markers ("> ", "> > ", ">>"), Markdown
fences and <details> blocks, HTML entities and non-breaking spaces from web copies, and long
lines broken by a mail client (format=flowed leaves a space at the end of the first part).
`plain_lines` undoes what needs no knowledge of the text; re-joining broken lines needs its
grammar, so `unwrap` asks the caller which lines may start a line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z]+);")
_TAG = re.compile(r"</?(?:details|summary|pre|code|tt|blockquote|div|p|br)\b[^>]*>", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_QUOTE = re.compile(r"^[ \t]{0,3}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def is_binary(text: str) -> bool:
    """NUL bytes, or more than 1 % control characters (or undecodable bytes): no text at all."""
    return "\x00" in text or len(_CONTROL.findall(text)) * 100 > len(text)


def plain_lines(text: str, marker: str) -> list[str]:
    """The lines of `text` with line ends, entities, web markup and fences undone, and as many
    quote markers removed as the first line that starts with `marker` (once unquoted) has: the
    pasted part sets the depth; a reply's own lines, quoted less deeply, keep their text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ENTITY.sub(lambda m: html.unescape(m.group()), text).replace("\xa0", " ")
    lines = [_TAG.sub("", line) for line in text.split("\n")]
    depth = next((_depth(line) for line in lines if _unquote(line, 99).startswith(marker)), 0)
    return [line for line in (_unquote(line, depth) for line in lines) if not _FENCE.match(line)]


def unwrap(lines: list[str], starts: Callable[[str], bool]) -> list[str]:
    """`lines` with broken lines joined again: a non-empty line that cannot start a line of the
    grammar continues the one before it, after one space (a client breaks at a space)."""
    joined: list[str] = []
    for line in lines:
        if joined and joined[-1].strip() and line and not starts(line):
            joined[-1] = joined[-1].rstrip(" ") + " " + line
        else:
            joined.append(line)
    return joined


def _depth(line: str) -> int:
    depth = 0
    while found := _QUOTE.match(line):
        line = line[found.end() :]
        depth += 1
    return depth


def _unquote(line: str, depth: int) -> str:
    """`line` without `depth` quote markers and the space a quoting client puts after them."""
    removed = 0
    while removed < depth and (found := _QUOTE.match(line)):
        line = line[found.end() :]
        removed += 1
    return line[1:] if removed and line.startswith(" ") else line
