"""What a recording must lose before it becomes a snapshot: MAC addresses, user names, host
names and the machine's other identifiers (machine-id, DMI UUID, board serials).

Each is replaced by a stand-in keyed with a secret drawn for the recording and then
forgotten: the same address gets the same stand-in everywhere in one snapshot (an
interface's current and permanent address stay equal, a sink's Bluetooth address in pw-dump
matches), yet nothing in the snapshot leads back to the real one. A MAC's stand-in keeps
the real one's locally-administered and multicast bits, which the device-ID rules read.

Then everything is searched for what was replaced; a leftover refuses the snapshot
(ScrubError) rather than let it out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drivers.snapshot import Content
from probe.parsers import passwd

_MAC = re.compile(
    r"(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:-])"
)
_NOT_PRIVATE_MACS = {"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"}
PASSWD = "/etc/passwd"
# Files that are nothing but an identifier of this machine, and the stand-in's shape.
_IDENTIFIERS = {
    "/etc/machine-id": "hex",
    "/var/lib/dbus/machine-id": "hex",
    "/sys/devices/virtual/dmi/id/product_uuid": "uuid",
    "/sys/devices/virtual/dmi/id/product_serial": "hex",
    "/sys/devices/virtual/dmi/id/board_serial": "hex",
    "/sys/firmware/devicetree/base/serial-number": "hex",
}
_CPU_SERIAL = re.compile(r"^(Serial\s*:\s*)([0-9A-Fa-f]+)\s*$", re.MULTILINE)


class ScrubError(ValueError):
    """Something private is still in the recording after scrubbing; says where."""


@dataclass
class Recorded:
    """A recording, by the live system's paths (drivers/recording.py)."""

    files: dict[str, Content]
    links: dict[str, str]
    directories: set[str]
    environment: dict[str, str]
    answers: dict[str, Any]


@dataclass(frozen=True)
class Private:
    """What the recorder knows to be private beyond what the recording itself shows."""

    users: tuple[str, ...]  # user names: the running user's, the homes' directory names
    host_names: tuple[str, ...]
    secret: bytes


@dataclass
class Scrubbed:
    macs: set[str] = field(default_factory=set)  # the real ones, lower case
    users: dict[str, str] = field(default_factory=dict)  # real name: stand-in
    host_names: set[str] = field(default_factory=set)
    identifiers: list[str] = field(default_factory=list)  # paths of identifier files

    def line(self) -> str:
        return (
            f"scrubbed {len(self.macs)} MAC addresses, {len(self.users)} user names, "
            f"{len(self.host_names)} host names, {len(self.identifiers)} machine identifiers"
        )


def scrub(recorded: Recorded, private: Private) -> tuple[Recorded, Scrubbed]:
    done = Scrubbed()
    names = _user_names(recorded, private)
    done.users = {name: f"user{i}" for i, name in enumerate(names, 1)}
    hosts = [h for h in private.host_names if len(h) >= 3 and h != "localhost"]
    text = _Text(private.secret, done, hosts)
    files = {}
    for path, content in recorded.files.items():
        files[text.path(path)] = _content(path, content, text, done)
    clean = Recorded(
        files,
        {text.path(p): text.path(t) for p, t in recorded.links.items()},
        {text.path(p) for p in recorded.directories},
        {k: text.value(v) for k, v in recorded.environment.items()},
        {k: _json_strings(v, text.value) for k, v in recorded.answers.items()},
    )
    _leftovers(clean, done)
    return clean, done


def _user_names(recorded: Recorded, private: Private) -> list[str]:
    """Human accounts' names from the recorded passwd (root and system accounts are no one's
    name), then the recorder's; longest first, so that no name is replaced inside another."""
    found = set(private.users)
    raw = recorded.files.get(PASSWD)
    if raw is not None:
        text = _decoded(raw) or ""
        minimum = passwd.uid_min(_decoded(recorded.files.get("/etc/login.defs")))
        found |= {
            a.name for a in passwd.real_users(passwd.parse_passwd(text), minimum) if a.uid != 0
        }
    found -= {"", "root"}
    return sorted(found, key=lambda n: (-len(n), n))


class _Text:
    def __init__(self, secret: bytes, done: Scrubbed, hosts: list[str]) -> None:
        self.secret = secret
        self.done = done
        names = "|".join(re.escape(n) for n in done.users)
        self.user_part = re.compile(rf"(?<=/)(?:{names})(?=/|$|[^\w.-])") if names else None
        self.host = (
            re.compile(rf"(?<![\w.-])(?:{'|'.join(re.escape(h) for h in hosts)})(?![\w-])")
            if hosts
            else None
        )
        self.hosts = hosts

    def stand_in(self, kind: str, value: str) -> bytes:
        return hmac.new(self.secret, f"{kind}\0{value}".encode(), hashlib.sha256).digest()

    def mac(self, match: re.Match[str]) -> str:
        real = match.group(0)
        lower = real.lower().replace("-", ":")
        if lower in _NOT_PRIVATE_MACS:
            return real
        self.done.macs.add(lower)
        raw = bytearray(self.stand_in("mac", lower)[:6])
        raw[0] = (raw[0] & 0xFC) | (int(lower[:2], 16) & 0x03)  # multicast, locally set
        made = match.group(1).join(f"{b:02x}" for b in raw)
        return made.upper() if real.isupper() else made

    def value(self, text: str) -> str:
        if text in self.done.users:
            return self.done.users[text]
        text = _MAC.sub(self.mac, text)
        if self.user_part:
            text = self.user_part.sub(lambda m: self.done.users[m.group(0)], text)
        if self.host:

            def host(match: re.Match[str]) -> str:
                self.done.host_names.add(match.group(0))
                return "host"

            text = self.host.sub(host, text)
        return text

    def path(self, path: str) -> str:
        return self.value(path)


def _content(path: str, content: Content, text: _Text, done: Scrubbed) -> Content:
    whole = content.pieces.get(0) if len(content.pieces) == 1 else None
    if whole is None or len(whole) != content.size:
        return content  # pieces of a library: binary, left as read (and searched below)
    decoded = _decoded(content)
    if path in _IDENTIFIERS:
        done.identifiers.append(path)
        return _bytes(_identifier(whole, _IDENTIFIERS[path], text))
    if decoded is None:
        return content
    if path == PASSWD:
        return _bytes(_passwd(decoded, text).encode())
    if path == "/proc/cpuinfo" and _CPU_SERIAL.search(decoded):
        done.identifiers.append(path)
        decoded = _CPU_SERIAL.sub(
            lambda m: m.group(1) + text.stand_in("serial", m.group(2)).hex()[: len(m.group(2))],
            decoded,
        )
    if decoded.lstrip().startswith(("{", "[")):
        try:
            document = json.loads(decoded)
        except ValueError:
            pass
        else:
            changed = _json_strings(document, text.value)
            if changed != document:  # a whole value was a name: edited as JSON
                return _bytes(_json_text(changed))
    return _bytes(text.value(decoded).encode())


def _identifier(raw: bytes, shape: str, text: _Text) -> bytes:
    """A stand-in of the same length and shape: hex digits, or a UUID; NULs and the final
    newline stay."""
    body = raw.rstrip(b"\0\n")
    digits = text.stand_in("identifier", body.hex()).hex() * 2
    if shape == "uuid" and len(body) == 36:
        made = "-".join(
            digits[a:b] for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))
        ).encode()
    else:
        made = digits[: len(body)].encode()
        made = made.upper() if body.isupper() else made
    return made + raw[len(body) :]


def _passwd(text: str, scrub: _Text) -> str:
    """Names of human accounts replaced, everyone's comment field (full names) emptied."""
    lines = []
    for line in text.splitlines(keepends=True):
        fields = line.rstrip("\n").split(":")
        if len(fields) >= 7 and not line.startswith("#"):
            fields[0] = scrub.value(fields[0])
            fields[4] = ""
            fields[5] = scrub.path(fields[5])
            line = ":".join(fields) + ("\n" if line.endswith("\n") else "")
        lines.append(line)
    return "".join(lines)


def _json_strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_json_strings(v, change) for v in value]
    if isinstance(value, dict):
        return {k: _json_strings(v, change) for k, v in value.items()}
    return value


def _json_text(document: Any) -> bytes:
    return (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode()


def _decoded(content: Content | None) -> str | None:
    """A whole text file's text; None for binary data, pieces or nothing."""
    if content is None or len(content.pieces) != 1 or 0 not in content.pieces:
        return None
    data = content.pieces[0]
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _bytes(data: bytes) -> Content:
    return Content(len(data), {0: data})


def _leftovers(clean: Recorded, done: Scrubbed) -> None:
    """ScrubError naming the first place that still holds something scrubbed."""
    needles = [m.encode() for m in done.macs] + [m.upper().encode() for m in done.macs]
    needles += [m.replace(":", "-").encode() for m in done.macs]
    parts = [re.escape(n) for n in needles]
    parts += [rb"/" + re.escape(n.encode()) + rb"(?:/|$|[^\w.-])" for n in done.users]
    parts += [rb"(?<![\w.-])" + re.escape(h.encode()) + rb"(?![\w-])" for h in done.host_names]
    if not parts:
        return
    leak = re.compile(b"|".join(parts))
    places: list[tuple[str, bytes]] = []
    for path, content in clean.files.items():
        places.append((path, path.encode()))
        places += [(path, piece) for piece in content.pieces.values()]
    places += [(f"link {p}", f"{p} -> {t}".encode()) for p, t in clean.links.items()]
    places += [(p, p.encode()) for p in clean.directories]
    places += [(f"${k}", v.encode()) for k, v in clean.environment.items()]
    places += [(f"answer {k!r}", json.dumps(v).encode()) for k, v in clean.answers.items()]
    for where, data in places:
        if leak.search(data):
            raise ScrubError(f"{where}: still holds a private value after scrubbing")
