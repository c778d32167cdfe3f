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
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from drivers.snapshot import Content
from probe.parsers import passwd

# "_": BlueZ's names (bluez_output.00_1B_66_81_8E_4C.1, /org/bluez/hci0/dev_00_1B_...)
_MAC = re.compile(
    r"(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}([:_-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:-])"
)
# A USB network interface's name is its MAC on Debian and its derivatives (udev's
# 73-usb-net-by-mac.rules): enx00e04c680001, wlx..., in paths, links and ethtool's answers.
_MAC_NAME = re.compile(r"(?<![0-9A-Za-z])((?:en|wl|ww)x)([0-9a-f]{12})(?![0-9A-Za-z])")
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
    # longest first, as user names: "myhost.example.org" is replaced whole, domain and all
    hosts = sorted(
        (h for h in private.host_names if len(h) >= 3 and h != "localhost"),
        key=lambda h: (-len(h), h),
    )
    text = _Text(private.secret, done, hosts)
    text.known(_identifiers(recorded, text))
    files = {}
    for path, content in recorded.files.items():
        files[text.value(path)] = _content(path, content, text, done)
    clean = Recorded(
        files,
        {text.value(p): text.value(t) for p, t in recorded.links.items()},
        {text.value(p) for p in recorded.directories},
        {k: text.value(v) for k, v in recorded.environment.items()},
        {text.value(k): _json_strings(v, text.value) for k, v in recorded.answers.items()},
    )
    _leftovers(clean, done, text.identifiers)
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
        # a whole string value inside JSON text an answer holds (pw-dump, pactl -f json)
        self.user_value = re.compile(rf'([\[:,]\s*")({names})(?="\s*[\]}},])') if names else None
        self.host = (
            re.compile(rf"(?<![\w.-])(?:{'|'.join(re.escape(h) for h in hosts)})(?![\w-])")
            if hosts
            else None
        )
        self.identifiers: dict[str, str] = {}
        self.identifier: re.Pattern[str] | None = None

    def known(self, identifiers: dict[str, str]) -> None:
        """Identifiers (lower case) and their stand-ins, replaced wherever they appear."""
        self.identifiers = identifiers
        if identifiers:
            alternatives = "|".join(re.escape(i) for i in sorted(identifiers, key=len)[::-1])
            self.identifier = re.compile(
                rf"(?<![0-9A-Za-z])(?:{alternatives})(?![0-9A-Za-z])", re.IGNORECASE
            )

    def stand_in(self, kind: str, value: str) -> bytes:
        return hmac.new(self.secret, f"{kind}\0{value}".encode(), hashlib.sha256).digest()

    def mac(self, match: re.Match[str]) -> str:
        real, separator = match.group(0), match.group(1)
        made = self._mac(real.lower().replace(separator, ":"))
        if made is None:
            return real
        made = made.replace(":", separator)
        return made.upper() if real.isupper() else made

    def mac_name(self, match: re.Match[str]) -> str:
        digits = match.group(2)
        made = self._mac(":".join(digits[i : i + 2] for i in range(0, 12, 2)))
        return match.group(1) + (digits if made is None else made.replace(":", ""))

    def _mac(self, lower: str) -> str | None:
        """The stand-in of a MAC ("aa:bb:..."); None for one that is no one's."""
        if lower in _NOT_PRIVATE_MACS:
            return None
        self.done.macs.add(lower)
        raw = bytearray(self.stand_in("mac", lower)[:6])
        raw[0] = (raw[0] & 0xFC) | (int(lower[:2], 16) & 0x03)  # multicast, locally set
        return ":".join(f"{b:02x}" for b in raw)

    def value(self, text: str) -> str:
        if text in self.done.users:
            return self.done.users[text]
        text = _MAC.sub(self.mac, text)
        text = _MAC_NAME.sub(self.mac_name, text)
        if self.identifier:

            def identifier(match: re.Match[str]) -> str:
                made = self.identifiers[match.group(0).lower()]
                return made.upper() if match.group(0).isupper() else made

            text = self.identifier.sub(identifier, text)
        if self.user_part:
            text = self.user_part.sub(lambda m: self.done.users[m.group(0)], text)
        if self.user_value:
            text = self.user_value.sub(lambda m: m.group(1) + self.done.users[m.group(2)], text)
        if self.host:

            def host(match: re.Match[str]) -> str:
                self.done.host_names.add(match.group(0))
                return "host"

            text = self.host.sub(host, text)
        return text


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
            lambda m: m.group(1) + _identifier(m.group(2).encode(), "hex", text).decode(),
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


def _identifiers(recorded: Recorded, text: _Text) -> dict[str, str]:
    """The values of the identifier files and cpuinfo's serial, with their stand-ins, so that
    a copy elsewhere (pw-dump's application.process.machine-id) is replaced as well.
    Placeholders ("To Be Filled By O.E.M.", "0") identify nothing and are left alone."""
    values = []
    for path, shape in _IDENTIFIERS.items():
        content = recorded.files.get(path)
        raw = content.pieces.get(0, b"") if content else b""
        values.append((raw.rstrip(b"\0\n").decode("latin-1"), shape))
    cpuinfo = _decoded(recorded.files.get("/proc/cpuinfo")) or ""
    values += [(m.group(2), "hex") for m in _CPU_SERIAL.finditer(cpuinfo)]
    return {
        body.lower(): _identifier(body.encode(), shape, text).decode().lower()
        for body, shape in values
        if re.fullmatch(r"[0-9A-Za-z-]{8,}", body) and re.search(r"[1-9]", body)
    }


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
            fields[5] = scrub.value(fields[5])
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


def _leftovers(clean: Recorded, done: Scrubbed, identifiers: Collection[str]) -> None:
    """ScrubError naming the first place that still holds something scrubbed."""
    needles = [m.encode() for m in done.macs] + [m.upper().encode() for m in done.macs]
    needles += [
        form.encode()
        for m in done.macs
        for separator in ("-", "_", "")
        for form in (m.replace(":", separator), m.replace(":", separator).upper())
    ]
    needles += [i.encode() for i in identifiers] + [i.upper().encode() for i in identifiers]
    parts = [re.escape(n) for n in needles]
    parts += [rb"/" + re.escape(n.encode()) + rb"(?:/|$|[^\w.-])" for n in done.users]
    parts += [  # a JSON string value, in JSON text or JSON text inside a JSON string
        rb'[\[:,]\s*\\?"' + re.escape(n.encode()) + rb'\\?"(?:\s|\\[nrt])*[\]},]'
        for n in done.users
    ]
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
    places += [
        (f"answer {k!r}", f"{k}\n{json.dumps(v)}".encode()) for k, v in clean.answers.items()
    ]
    for where, data in places:
        if leak.search(data):
            raise ScrubError(f"{where}: still holds a private value after scrubbing")
