"""What a snapshot must lose before it leaves the machine: a hand-made recording shaped like a
real one (sysfs, passwd, pw-dump and pactl answers, machine identifiers) is scrubbed, and no
private value may remain anywhere, in any spelling, while shapes and the MAC bits the
device-ID rules read are kept."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.plain import to_plain
from drivers.snapshot import Content
from drivers.soundserver import PulseAnswers, ServerProcess
from probe.scrub import Private, Recorded, ScrubError, scrub
from tests.conftest import CAPTURES

ETH0 = "dc:a6:32:01:02:03"  # globally administered (Raspberry Pi Foundation)
DOCKER = "02:42:ac:11:00:02"  # locally administered
USB = "00:e0:4c:68:00:01"  # a USB NIC: Debian names it enx00e04c680001
HEADPHONES = "00:1b:66:81:8e:4c"  # a Bluetooth sink in pw-dump
MACHINE_ID = "0123456789abcdef0123456789abcdef"
UUID = "4c4c4544-0042-3510-8052-b4c04f4e3332"
DT_SERIAL = "10000000a43957f6"
CPUINFO = (CAPTURES / "proc" / "rpi4-model-b-rev1.1-cpuinfo").read_bytes()
NET = "/sys/devices/platform/scb/fd580000.ethernet/net/eth0"
USB_NET = "/sys/devices/platform/scb/usb1/1-1/1-1:1.0/net/enx00e04c680001"
PASSWD = b"""root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:x:1000:1000:Alice Liddell,,,:/home/alice:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""
PW_DUMP = [
    {
        "id": 45,
        "type": "PipeWire:Interface:Client",
        "info": {
            "props": {
                "application.process.user": "alice",
                "application.process.host": "myhost",
                "application.process.machine-id": MACHINE_ID,
                "application.name": "Firefox",
            }
        },
    },
    {
        "id": 77,
        "type": "PipeWire:Interface:Node",
        "info": {
            "props": {
                "node.name": f"bluez_output.{HEADPHONES.upper().replace(':', '_')}.1",
                "api.bluez5.address": HEADPHONES.upper(),
                "media.class": "Audio/Sink",
                "api.bluez5.path": f"/org/bluez/hci0/dev_{HEADPHONES.upper().replace(':', '_')}",
            }
        },
    },
]
PACTL_INFO = {
    "server_string": "/run/user/1000/pulse/native",
    "user_name": "alice",
    "host_name": "myhost.smith.example",
    "server_name": "PulseAudio (on PipeWire 1.0.5)",
}


def whole(data: bytes) -> Content:
    return Content(len(data), {0: data})


def machine() -> Recorded:
    """A Raspberry Pi with a USB NIC, alice logged in, PipeWire running."""
    files = {
        f"{NET}/address": whole(f"{ETH0}\n".encode()),
        "/sys/devices/virtual/net/docker0/address": whole(f"{DOCKER}\n".encode()),
        "/sys/devices/virtual/net/lo/address": whole(b"00:00:00:00:00:00\n"),
        "/sys/devices/virtual/net/lo/broadcast": whole(b"ff:ff:ff:ff:ff:ff\n"),
        f"{USB_NET}/address": whole(f"{USB}\n".encode()),
        "/proc/cmdline": whole(b"console=tty1 smsc95xx.macaddr=DC-A6-32-01-02-03 quiet\n"),
        "/etc/passwd": whole(PASSWD),
        "/etc/hostname": whole(b"myhost\n"),
        "/etc/machine-id": whole(f"{MACHINE_ID}\n".encode()),
        "/sys/devices/virtual/dmi/id/product_uuid": whole(f"{UUID}\n".encode()),
        "/sys/firmware/devicetree/base/serial-number": whole(f"{DT_SERIAL}\0".encode()),
        "/sys/firmware/devicetree/base/model": whole(b"Raspberry Pi 4 Model B Rev 1.1\0"),
        "/proc/cpuinfo": whole(CPUINFO),
        "/home/alice/.config/chromium/WidevineCdm/latest-component-updated-widevine-cdm": whole(
            b'{"Path":"/home/alice/.config/chromium/WidevineCdm/4.10.2830.0"}'
        ),
        "/home/alice/.config/chromium/WidevineCdm/4.10.2830.0/libwidevinecdm.so": Content(
            1 << 20, {0: b"\x7fELF\x02\x01\x01" + bytes(57), 4096: b"\0libc.so.6\0"}
        ),
    }
    return Recorded(
        files,
        {
            "/sys/class/net/eth0": "../../devices/platform/scb/fd580000.ethernet/net/eth0",
            "/sys/class/net/enx00e04c680001": f"../..{USB_NET.removeprefix('/sys')}",
            "/home/alice/.local/cdm": "/home/alice/.config/chromium/WidevineCdm",
        },
        {"/home/alice/.config/chromium/WidevineCdm", "/home/alice", "/root"},
        {"USER": "alice", "HOME": "/home/alice", "LANG": "en_GB.UTF-8"},
        {
            "ethtool -P eth0": {"answer": ETH0},
            "ethtool -P enx00e04c680001": {"answer": USB},
            "pw-dump": {"answer": json.dumps(PW_DUMP, indent=2)},
            "pactl": {
                "answer": to_plain(
                    PulseAnswers("unix:/run/user/1000/pulse/native", json.dumps(PACTL_INFO), "[]")
                )
            },
            "sound servers": {
                "answer": to_plain(
                    [ServerProcess("pipewire", 812, 1000, "/run/user/1000", "/home/alice")]
                )
            },
        },
    )


PRIVATE = Private(("alice",), ("myhost", "myhost.smith.example"), b"k" * 32)


def forms(mac: str) -> list[str]:
    """Every spelling a MAC leaks in: colons, dashes, underscores, bare; either case."""
    spelled = [mac.replace(":", sep) for sep in (":", "-", "_", "")]
    return spelled + [s.upper() for s in spelled]


def everything(recorded: Recorded) -> str:
    """All the text a snapshot of `recorded` would hold, file names included."""
    parts = [*recorded.files, *recorded.directories, *recorded.environment.values()]
    parts += [f"{p} -> {t}" for p, t in recorded.links.items()]
    parts += [p.decode("latin-1") for c in recorded.files.values() for p in c.pieces.values()]
    parts += [
        f"{k} {json.dumps(v)} {json.dumps(v, ensure_ascii=False)}"
        for k, v in recorded.answers.items()
    ]
    return "\n".join(parts)


def text(recorded: Recorded, path: str) -> str:
    return recorded.files[path].pieces[0].decode()


def answer(recorded: Recorded, name: str) -> Any:
    return recorded.answers[name]["answer"]


def test_no_private_value_survives_in_any_spelling() -> None:
    clean, done = scrub(machine(), PRIVATE)
    left = everything(clean)
    private = ["alice", "Alice", "Liddell", "myhost", "smith", MACHINE_ID, UUID, DT_SERIAL]
    private += [f for mac in (ETH0, DOCKER, USB, HEADPHONES) for f in forms(mac)]
    assert [p for p in private if p in left] == []
    assert done.macs == {ETH0, DOCKER, USB, HEADPHONES}
    assert done.users == {"alice": "user1"}
    assert done.host_names == {"myhost", "myhost.smith.example"}
    assert sorted(done.identifiers) == [
        "/etc/machine-id",
        "/proc/cpuinfo",
        "/sys/devices/virtual/dmi/id/product_uuid",
        "/sys/firmware/devicetree/base/serial-number",
    ]


def test_stand_ins_keep_shape_case_separator_and_agree_everywhere() -> None:
    clean, _ = scrub(machine(), PRIVATE)
    eth0 = text(clean, f"{NET}/address").strip()
    assert re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", eth0) and eth0 != ETH0
    assert answer(clean, "ethtool -P eth0") == eth0  # current and permanent stay equal
    assert f"macaddr={eth0.upper().replace(':', '-')} quiet" in text(clean, "/proc/cmdline")
    pw = json.loads(answer(clean, "pw-dump"))
    bluez = pw[1]["info"]["props"]["api.bluez5.address"]
    assert re.fullmatch(r"([0-9A-F]{2}:){5}[0-9A-F]{2}", bluez)
    assert pw[1]["info"]["props"]["node.name"] == f"bluez_output.{bluez.replace(':', '_')}.1"
    assert pw[1]["info"]["props"]["api.bluez5.path"].endswith(f"/dev_{bluez.replace(':', '_')}")
    machine_id = text(clean, "/etc/machine-id").strip()
    assert pw[0]["info"]["props"]["application.process.machine-id"] == machine_id
    assert pw[0]["info"]["props"]["application.process.user"] == "user1"
    # a USB NIC's name is its MAC: name, link, address file and ethtool answer agree
    (usb_link,) = [p for p in clean.links if p.startswith("/sys/class/net/enx")]
    usb = answer(clean, f"ethtool -P {usb_link.rsplit('/', 1)[1]}")
    assert usb_link == f"/sys/class/net/enx{usb.replace(':', '')}"
    assert clean.links[usb_link].endswith(f"/net/enx{usb.replace(':', '')}")
    assert text(clean, f"/sys{clean.links[usb_link].removeprefix('../..')}/address") == usb + "\n"
    cdm = "/home/user1/.config/chromium/WidevineCdm"
    assert clean.links["/home/user1/.local/cdm"] == cdm
    assert json.loads(text(clean, f"{cdm}/latest-component-updated-widevine-cdm")) == {
        "Path": f"{cdm}/4.10.2830.0"
    }
    library = "/.config/chromium/WidevineCdm/4.10.2830.0/libwidevinecdm.so"
    assert clean.files[f"/home/user1{library}"] == machine().files[f"/home/alice{library}"]
    renamed = ("alice", "enx", "/etc/passwd", "/etc/hostname")
    sizes = [(p, c.size) for p, c in machine().files.items() if not any(r in p for r in renamed)]
    assert [(p, clean.files[p].size) for p, _ in sizes] == sizes  # offsets and sizes replay


@given(st.binary(min_size=6, max_size=6), st.sampled_from([":", "-", "_"]), st.booleans())
def test_any_mac_keeps_its_multicast_and_local_bits(raw: bytes, sep: str, upper: bool) -> None:
    mac = sep.join(f"{b:02x}" for b in raw)
    mac = mac.upper() if upper else mac
    clean, done = scrub(
        Recorded({"/x": whole(f"mac {mac}\n".encode())}, {}, set(), {}, {}), PRIVATE
    )
    made = text(clean, "/x")[4:-1]
    if mac.lower().replace(sep, ":") in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
        assert (made, done.macs) == (mac, set())
        return
    assert re.fullmatch(rf"([0-9a-f]{{2}}{re.escape(sep)}){{5}}[0-9a-f]{{2}}", made.lower())
    assert made != mac and made == (made.upper() if mac.isupper() else made.lower())
    assert int(made[:2], 16) & 3 == raw[0] & 3


def test_the_same_secret_gives_the_same_snapshot_another_secret_other_stand_ins() -> None:
    once, _ = scrub(machine(), PRIVATE)
    assert scrub(machine(), PRIVATE)[0] == once
    other, _ = scrub(machine(), Private(PRIVATE.users, PRIVATE.host_names, b"j" * 32))
    for path in (f"{NET}/address", "/etc/machine-id", "/sys/devices/virtual/dmi/id/product_uuid"):
        assert text(other, path) != text(once, path)
    assert text(other, "/etc/passwd") == text(once, "/etc/passwd")  # user1 is no secret


def test_passwd_loses_names_of_people_and_every_comment_but_root_stays() -> None:
    clean, _ = scrub(machine(), PRIVATE)
    assert text(clean, "/etc/passwd").splitlines() == [
        "root:x:0:0::/root:/bin/bash",
        "daemon:x:1:1::/usr/sbin:/usr/sbin/nologin",
        "user1:x:1000:1000::/home/user1:/bin/bash",
        "nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin",
    ]
    assert "/root" in clean.directories and "/home/user1" in clean.directories
    assert clean.environment == {"USER": "user1", "HOME": "/home/user1", "LANG": "en_GB.UTF-8"}
    servers = answer(clean, "sound servers")
    assert servers[0]["home"] == "/home/user1" and servers[0]["runtime_dir"] == "/run/user/1000"
    info = json.loads(answer(clean, "pactl")["info"])
    assert (info["user_name"], info["host_name"]) == ("user1", "host")
    assert text(clean, "/etc/hostname") == "host\n"


def test_identifiers_get_stand_ins_of_their_shape() -> None:
    clean, _ = scrub(machine(), PRIVATE)
    assert re.fullmatch(r"[0-9a-f]{32}\n", text(clean, "/etc/machine-id"))
    uuid = text(clean, "/sys/devices/virtual/dmi/id/product_uuid")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n", uuid)
    serial = text(clean, "/sys/firmware/devicetree/base/serial-number")
    assert re.fullmatch(r"[0-9a-f]{16}\0", serial)
    before, after = CPUINFO.decode().splitlines(), text(clean, "/proc/cpuinfo").splitlines()
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert len(changed) == 1 and changed[0][0] == f"Serial\t\t: {DT_SERIAL}"
    assert changed[0][1] == f"Serial\t\t: {serial[:-1]}"  # the same serial, the same stand-in
    assert text(clean, "/sys/firmware/devicetree/base/model") == "Raspberry Pi 4 Model B Rev 1.1\0"


def test_a_short_user_name_is_replaced_as_a_name_only() -> None:
    """The user "pi" of Raspberry Pi OS is also a word of every board name."""
    recorded = Recorded(
        {
            "/proc/asound/cards": whole(b" 0 [vc4hdmi0]: raspberry pi 4 hdmi - /opt/pi-apps\n"),
            "/home/pi/.asoundrc": whole(b'pcm.!default { type hw card "pi" }\n'),
            "/var/lib/pi.json": whole(b'{"owner": "pi", "board": "pi 4"}'),
        },
        {},
        set(),
        {"LOGNAME": "pi", "PWD": "/home/pi/src"},
        {
            "x": {"answer": ["pi", "pie"]},
            "pw-dump": {"answer": '[{"user": "pi", "node.description": "raspberry pi 4"}]'},
        },
    )
    clean, done = scrub(recorded, Private(("pi",), (), b"k" * 32))
    assert done.users == {"pi": "user1"}
    assert text(clean, "/proc/asound/cards") == text(recorded, "/proc/asound/cards")
    assert text(clean, "/home/user1/.asoundrc") == 'pcm.!default { type hw card "pi" }\n'
    assert json.loads(text(clean, "/var/lib/pi.json")) == {"owner": "user1", "board": "pi 4"}
    assert clean.environment == {"LOGNAME": "user1", "PWD": "/home/user1/src"}
    assert answer(clean, "x") == ["user1", "pie"]
    assert json.loads(answer(clean, "pw-dump")) == [
        {"user": "user1", "node.description": "raspberry pi 4"}
    ]


@pytest.mark.parametrize(
    "leak",
    [
        ETH0.encode(),
        ETH0.upper().encode(),
        b"enx00e04c680001",
        b"/home/alice/x",
        b'{"user": "alice"}',
        MACHINE_ID.encode(),
    ],
)
def test_a_private_value_left_in_binary_pieces_refuses_the_snapshot(leak: bytes) -> None:
    recorded = machine()
    library = "/usr/lib/libfoo.so"
    recorded.files[library] = Content(1 << 16, {0: b"\x7fELF\0\0", 8192: b"\0id=" + leak + b"\0"})
    with pytest.raises(ScrubError, match=f"^{library}: still holds a private value"):
        scrub(recorded, PRIVATE)


def test_nothing_private_leaves_the_recording_as_it_was() -> None:
    """Placeholders in identifier files are replaced there but are no one's elsewhere."""
    oem = b"To Be Filled By O.E.M.\n"
    recorded = Recorded(
        {
            "/proc/asound/card0/id": whole(b"PCH\n"),
            "/sys/devices/virtual/dmi/id/board_vendor": whole(oem),
            "/sys/devices/virtual/dmi/id/product_serial": whole(oem),
        },
        {"/a": "b"},
        {"/c"},
        {"LANG": "C"},
        {"alsa-lib": {"answer": {"cards": []}}},
    )
    clean, done = scrub(recorded, PRIVATE)
    serial = clean.files.pop("/sys/devices/virtual/dmi/id/product_serial")
    assert re.fullmatch(rb"[0-9a-f]{22}\n", serial.pieces[0])
    del recorded.files["/sys/devices/virtual/dmi/id/product_serial"]
    assert clean == recorded
    assert (done.macs, done.host_names) == (set(), set())
