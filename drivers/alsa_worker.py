"""The ALSA worker: the only code that loads alsa-lib (libasound.so.2, through ctypes).

    python -m drivers.alsa_worker [--library L] [--no-enumerate] [--pcm NAME]...
                                  [--ctl NAME]... [--skip PCM]...

`drivers.alsa.probe()` runs it as a child process, in a session of its own, so a plugin
that hangs or a crash in C kills this process, not capprobe, and capprobe itself never
imports ctypes. What it lists and what it finds are described in drivers.alsa; here are
the ctypes binding (`_Lib`), the enumeration and probing (`_Worker`), and the combination
search (`combinations`, over any `Space`, which tests use without alsa-lib).

Its runner gives it drivers.children's quiet environment: the caller's (ALSA_CONFIG_PATH
included) in the C locale, without PortAudio's PA_ALSA_* variables, with sound-server
clients told not to start a server. alsa-lib's messages (fd 2) are
collected per operation into the "detail" or "error" they belong to, and whatever a
plugin prints on stdout goes to stderr: stdout carries only the protocol.

The protocol: every line on stdout is one JSON object with a "kind", written and flushed
as soon as it is known (a later hang must not lose it), and a line naming each PCM or
control comes before it is probed::

    {"kind": "header", "worker": 3, "library_version": "1.2.8"}       always first
    {"kind": "start", "step": "cards" | "hints"}                     enumeration begins
    {"kind": "card", "card": {AlsaCard's fields}}                     one per card
    {"kind": "start", "pcm": {AlsaPcm's fields, not yet probed}}      before each PCM
    {"kind": "pcm", "pcm": {AlsaPcm's fields}}                        its answer
    {"kind": "start", "control": "NAME"}                              before each control
    {"kind": "control", "control": {AlsaControl's fields}}            its answer
    {"kind": "error", "text": "snd_device_name_hint: ..."}            whenever noted
    {"kind": "end", "errors": ["..."], "elapsed_ms": 19.4}            always last

or, when it cannot go on, {"kind": "failure", "worker": 3, "error": {"kind": "library"
| "internal", "name": "libasound.so.2", "detail": "..."}} (first, for the library).
The fields are drivers.alsa.parse_report's. A "start" line not followed by its answer
names what the worker was doing when it was killed or died; `--skip` leaves out PCMs an
earlier worker answered or was stuck in. The parent reads the lines with
`drivers.alsa._Collector`; WORKER_VERSION (drivers.alsa_protocol) changes with the protocol.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TextIO

from drivers.alsa_protocol import (
    LIBRARY,
    STANDARD_RATES,
    WORKER_VERSION,
    AlsaConfig,
    PcmSource,
    PcmStatus,
)

MAX_CHANNELS = 32

# Every linear PCM, float, IEC958 and DSD format alsa-lib knows, plus the two companding
# ones; compressed and vendor formats (MPEG, GSM, G.723, IMA ADPCM, SPECIAL) are left out.
FORMATS = (
    "S8", "U8", "S16_LE", "S16_BE", "U16_LE", "U16_BE",
    "S24_LE", "S24_BE", "U24_LE", "U24_BE", "S32_LE", "S32_BE", "U32_LE", "U32_BE",
    "FLOAT_LE", "FLOAT_BE", "FLOAT64_LE", "FLOAT64_BE",
    "S20_LE", "S20_BE", "U20_LE", "U20_BE",
    "S24_3LE", "S24_3BE", "U24_3LE", "U24_3BE", "S20_3LE", "S20_3BE", "U20_3LE", "U20_3BE",
    "S18_3LE", "S18_3BE", "U18_3LE", "U18_3BE",
    "IEC958_SUBFRAME_LE", "IEC958_SUBFRAME_BE",
    "DSD_U8", "DSD_U16_LE", "DSD_U32_LE", "DSD_U16_BE", "DSD_U32_BE",
    "MU_LAW", "A_LAW",
)  # fmt: skip

# Configuration PCMs that are not outputs of their own (see drivers.alsa's docstring).
SKIPPED_HINTS = frozenset(
    {
        "null",
        "lavrate",
        "samplerate",
        "samplerate_best",
        "samplerate_linear",
        "samplerate_medium",
        "samplerate_order",
        "speexrate",
        "speexrate_best",
        "speexrate_medium",
        "speex",
        "upmix",
        "vdownmix",
    }
)


# ----------------------------------------------------------- the combination search


class Space(Protocol):
    """A hw_params space that can be narrowed; `combinations` needs nothing else."""

    def narrow_format(self, name: str) -> Space | None: ...  # None: format not accepted
    def sbits(self) -> int | None: ...
    def channel_range(self) -> tuple[int, int]: ...
    def narrow_channels(self, channels: int) -> Space | None: ...
    def rate_range(self) -> tuple[int, int]: ...
    def accepts_rate(self, rate: int) -> bool: ...


def combinations(
    space: Space,
    formats: Sequence[str] = FORMATS,
    rates: Sequence[int] = STANDARD_RATES,
    max_channels: int = MAX_CHANNELS,
) -> list[AlsaConfig]:
    """Every accepted (format, channels, rate), as sets in which every product is accepted.

    Narrows by format, then by channel count, then tests rates, so no combination is
    asked that a narrower space already excludes: only the channel counts inside the
    format's range, and only the rates inside the (format, channels) range. Channel
    counts of one format that accept the same rates form one set.
    """
    found: list[AlsaConfig] = []
    for name in formats:
        by_format = space.narrow_format(name)
        if by_format is None:
            continue
        low, high = by_format.channel_range()
        groups: dict[tuple[int, ...], list[int]] = {}
        for channels in range(max(low, 1), min(high, max_channels) + 1):
            narrowed = by_format.narrow_channels(channels)
            if narrowed is None:
                continue
            rate_low, rate_high = narrowed.rate_range()
            accepted = tuple(
                r for r in rates if rate_low <= r <= rate_high and narrowed.accepts_rate(r)
            )
            if accepted:
                groups.setdefault(accepted, []).append(channels)
        bits = by_format.sbits()
        for accepted, counts in sorted(groups.items(), key=lambda item: item[1][0]):
            found.append(AlsaConfig(name, bits, tuple(counts), accepted))
    return found


# ---------------------------------------------------------------- the ctypes binding

_SND_PCM_STREAM_PLAYBACK = 0
_SND_PCM_NONBLOCK = 1
_SND_CTL_ELEM_IFACE_PCM = 3
_SND_CTL_ELEM_TYPE_BYTES = 4
_ELEM_BYTES_MAX = 512  # a control value's byte array (struct snd_ctl_elem_value)
_SNDERR_PREFIX = re.compile(r"^ALSA lib [^ ]*:\d+:\([^)]*\) ")

_vp = ctypes.c_void_p
_int = ctypes.c_int
_uint = ctypes.c_uint
_str = ctypes.c_char_p
_PROTOTYPES: dict[str, tuple[Any, ...]] = {
    # name: (restype, *argtypes)
    "snd_asoundlib_version": (_str,),
    "snd_strerror": (_str, _int),
    "snd_card_next": (_int, ctypes.POINTER(_int)),
    "snd_card_get_name": (_int, _int, ctypes.POINTER(_vp)),
    "snd_card_get_longname": (_int, _int, ctypes.POINTER(_vp)),
    "snd_ctl_open": (_int, ctypes.POINTER(_vp), _str, _int),
    "snd_ctl_close": (_int, _vp),
    "snd_ctl_card_info_sizeof": (ctypes.c_size_t,),
    "snd_ctl_card_info": (_int, _vp, _vp),
    "snd_ctl_card_info_get_id": (_str, _vp),
    "snd_ctl_card_info_get_driver": (_str, _vp),
    "snd_ctl_pcm_next_device": (_int, _vp, ctypes.POINTER(_int)),
    "snd_ctl_pcm_info": (_int, _vp, _vp),
    "snd_ctl_elem_list_sizeof": (ctypes.c_size_t,),
    "snd_ctl_elem_list": (_int, _vp, _vp),
    "snd_ctl_elem_list_alloc_space": (_int, _vp, _uint),
    "snd_ctl_elem_list_free_space": (None, _vp),
    "snd_ctl_elem_list_get_count": (_uint, _vp),
    "snd_ctl_elem_list_get_used": (_uint, _vp),
    "snd_ctl_elem_list_get_interface": (_int, _vp, _uint),
    "snd_ctl_elem_list_get_name": (_str, _vp, _uint),
    "snd_ctl_elem_list_get_device": (_uint, _vp, _uint),
    "snd_ctl_elem_list_get_id": (None, _vp, _uint, _vp),
    "snd_ctl_elem_id_sizeof": (ctypes.c_size_t,),
    "snd_ctl_elem_info_sizeof": (ctypes.c_size_t,),
    "snd_ctl_elem_info_set_id": (None, _vp, _vp),
    "snd_ctl_elem_info": (_int, _vp, _vp),
    "snd_ctl_elem_info_get_type": (_int, _vp),
    "snd_ctl_elem_info_get_count": (_uint, _vp),
    "snd_ctl_elem_type_name": (_str, _int),
    "snd_ctl_elem_value_sizeof": (ctypes.c_size_t,),
    "snd_ctl_elem_value_set_id": (None, _vp, _vp),
    "snd_ctl_elem_read": (_int, _vp, _vp),
    "snd_ctl_elem_value_get_bytes": (_vp, _vp),
    "snd_pcm_info_sizeof": (ctypes.c_size_t,),
    "snd_pcm_info_set_device": (None, _vp, _uint),
    "snd_pcm_info_set_subdevice": (None, _vp, _uint),
    "snd_pcm_info_set_stream": (None, _vp, _int),
    "snd_pcm_info_get_id": (_str, _vp),
    "snd_pcm_info_get_name": (_str, _vp),
    "snd_pcm_info_get_subdevices_count": (_uint, _vp),
    "snd_device_name_hint": (_int, _int, _str, ctypes.POINTER(_vp)),
    "snd_device_name_get_hint": (_vp, _vp, _str),
    "snd_device_name_free_hint": (_int, _vp),
    "snd_pcm_open": (_int, ctypes.POINTER(_vp), _str, _int, _int),
    "snd_pcm_close": (_int, _vp),
    "snd_pcm_type": (_int, _vp),
    "snd_pcm_type_name": (_str, _int),
    "snd_pcm_dump": (_int, _vp, _vp),
    "snd_output_buffer_open": (_int, ctypes.POINTER(_vp)),
    "snd_output_buffer_string": (ctypes.c_size_t, _vp, ctypes.POINTER(_vp)),
    "snd_output_close": (_int, _vp),
    "snd_pcm_format_value": (_int, _str),
    "snd_pcm_format_width": (_int, _int),
    "snd_pcm_hw_params_sizeof": (ctypes.c_size_t,),
    "snd_pcm_hw_params_any": (_int, _vp, _vp),
    "snd_pcm_hw_params_copy": (None, _vp, _vp),
    "snd_pcm_hw_params_test_format": (_int, _vp, _vp, _int),
    "snd_pcm_hw_params_set_format": (_int, _vp, _vp, _int),
    "snd_pcm_hw_params_get_sbits": (_int, _vp),
    "snd_pcm_hw_params_get_channels_min": (_int, _vp, ctypes.POINTER(_uint)),
    "snd_pcm_hw_params_get_channels_max": (_int, _vp, ctypes.POINTER(_uint)),
    "snd_pcm_hw_params_test_channels": (_int, _vp, _vp, _uint),
    "snd_pcm_hw_params_set_channels": (_int, _vp, _vp, _uint),
    "snd_pcm_hw_params_get_rate_min": (_int, _vp, ctypes.POINTER(_uint), ctypes.POINTER(_int)),
    "snd_pcm_hw_params_get_rate_max": (_int, _vp, ctypes.POINTER(_uint), ctypes.POINTER(_int)),
    "snd_pcm_hw_params_test_rate": (_int, _vp, _vp, _uint, _int),
}


class _Lib:
    """libasound's functions with their C signatures, and libc's free()."""

    def __init__(self, path: str) -> None:
        self.dll = ctypes.CDLL(path)
        for name, (restype, *argtypes) in _PROTOTYPES.items():
            function = getattr(self.dll, name)
            function.restype = restype
            function.argtypes = argtypes
        self.free = ctypes.CDLL(None).free
        self.free.restype = None
        self.free.argtypes = [_vp]
        self.hw_params_size = int(self.dll.snd_pcm_hw_params_sizeof())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.dll, name)

    def strerror(self, code: int) -> str:
        return _text(self.dll.snd_strerror(code)) or f"error {code}"

    def take_string(self, pointer: int | None) -> str | None:
        """A malloc'ed C string as text; the C copy is freed."""
        if not pointer:
            return None
        try:
            return ctypes.string_at(pointer).decode("utf-8", errors="replace")
        finally:
            self.free(pointer)


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8", errors="replace")


class _Messages:
    """alsa-lib's messages (SNDERR goes to fd 2), collected per operation."""

    def __init__(self) -> None:
        self.fd = os.memfd_create("alsa-messages", os.MFD_CLOEXEC)
        self.saved = os.dup(2)
        os.dup2(self.fd, 2)

    def take(self) -> list[str]:
        os.lseek(self.fd, 0, os.SEEK_SET)
        chunks = []
        while chunk := os.read(self.fd, 65536):
            chunks.append(chunk)
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        text = b"".join(chunks).decode("utf-8", errors="replace")
        return [_SNDERR_PREFIX.sub("", line) for line in text.splitlines() if line.strip()]

    def restore(self) -> list[str]:
        left = self.take()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        os.close(self.fd)
        return left


class _HwSpace:
    """A copy of a PCM's hw_params, narrowed step by step with snd_pcm_hw_params_set_*."""

    def __init__(
        self, lib: _Lib, pcm: int, formats: dict[str, int], buffer: Any, fmt: int = -1
    ) -> None:
        self.lib = lib
        self.pcm = pcm
        self.formats = formats
        self.buffer = buffer  # keeps the memory alive
        self.address = ctypes.addressof(buffer)
        self.format = fmt  # once narrowed to one

    def _copy(self, fmt: int) -> _HwSpace:
        buffer = ctypes.create_string_buffer(self.lib.hw_params_size)
        self.lib.snd_pcm_hw_params_copy(ctypes.addressof(buffer), self.address)
        return _HwSpace(self.lib, self.pcm, self.formats, buffer, fmt)

    def narrow_format(self, name: str) -> _HwSpace | None:
        value = self.formats.get(name)
        if value is None or self.lib.snd_pcm_hw_params_test_format(self.pcm, self.address, value):
            return None
        narrowed = self._copy(value)
        if self.lib.snd_pcm_hw_params_set_format(self.pcm, narrowed.address, value) < 0:
            return None
        return narrowed

    def sbits(self) -> int | None:
        """Significant bits. Kernel PCMs say it (24 for S32_LE on most HDA codecs); alsa-lib's
        plugins give the physical width instead (32 for S24_LE), so the format's width caps it."""
        bits = int(self.lib.snd_pcm_hw_params_get_sbits(self.address))
        if bits <= 0:
            return None
        width = int(self.lib.snd_pcm_format_width(self.format)) if self.format >= 0 else 0
        return min(bits, width) if width > 0 else bits

    def channel_range(self) -> tuple[int, int]:
        low, high = _uint(0), _uint(0)
        if self.lib.snd_pcm_hw_params_get_channels_min(self.address, ctypes.byref(low)) < 0:
            return (1, 0)
        if self.lib.snd_pcm_hw_params_get_channels_max(self.address, ctypes.byref(high)) < 0:
            return (1, 0)
        return (low.value, high.value)

    def narrow_channels(self, channels: int) -> _HwSpace | None:
        if self.lib.snd_pcm_hw_params_test_channels(self.pcm, self.address, channels):
            return None
        narrowed = self._copy(self.format)
        if self.lib.snd_pcm_hw_params_set_channels(self.pcm, narrowed.address, channels) < 0:
            return None
        return narrowed

    def rate_range(self) -> tuple[int, int]:
        low, high, direction = _uint(0), _uint(0), _int(0)
        get_min = self.lib.snd_pcm_hw_params_get_rate_min
        get_max = self.lib.snd_pcm_hw_params_get_rate_max
        if get_min(self.address, ctypes.byref(low), ctypes.byref(direction)) < 0:
            return (1, 0)
        if get_max(self.address, ctypes.byref(high), ctypes.byref(direction)) < 0:
            return (1, 0)
        return (low.value, high.value)

    def accepts_rate(self, rate: int) -> bool:
        return int(self.lib.snd_pcm_hw_params_test_rate(self.pcm, self.address, rate, 0)) == 0


def _status(code: int) -> PcmStatus:
    if code == errno.EBUSY:
        return "busy"
    if code in (errno.EACCES, errno.EPERM):
        return "denied"
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.ECONNREFUSED):
        return "absent"  # no such device, card, or sound server
    return "error"


class _Worker:
    def __init__(
        self, lib: _Lib, messages: _Messages, send: Callable[[dict[str, Any]], None]
    ) -> None:
        self.lib = lib
        self.messages = messages
        self.send = send  # one protocol line out, at once: a later hang must not lose it
        self.formats = {
            name: value
            for name in FORMATS
            if (value := int(lib.snd_pcm_format_value(name.encode()))) >= 0
        }

    def _note(self, what: str, code: int | None = None) -> None:
        parts = [what]
        if code is not None:
            parts.append(self.lib.strerror(code))
        parts += self.messages.take()
        self.send({"kind": "error", "text": ": ".join(parts)})

    # ---- enumeration

    def cards(self) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """Each card as it is read, with its playback devices as PCM entries (not yet
        probed): the caller sends a card before the next one can hang."""
        index = _int(-1)
        while True:
            code = self.lib.snd_card_next(ctypes.byref(index))
            if code < 0:
                self._note("snd_card_next", code)
                break
            if index.value < 0:
                break
            yield self._card(index.value)

    def _names(self, index: int) -> tuple[str | None, str | None]:
        name, longname = _vp(), _vp()
        short = long = None
        if self.lib.snd_card_get_name(index, ctypes.byref(name)) == 0:
            short = self.lib.take_string(name.value)
        if self.lib.snd_card_get_longname(index, ctypes.byref(longname)) == 0:
            long = self.lib.take_string(longname.value)
        return short, long

    def _card(self, index: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        name, longname = self._names(index)
        card: dict[str, Any] = {
            "index": index,
            "id": None,
            "driver": None,
            "name": name,
            "longname": longname,
            "error": None,
        }
        ctl = _vp()
        code = self.lib.snd_ctl_open(ctypes.byref(ctl), f"hw:{index}".encode(), 0)
        if code < 0:
            card["error"] = "; ".join([self.lib.strerror(code), *self.messages.take()])
            return card, []
        devices: list[dict[str, Any]] = []
        try:
            info = ctypes.create_string_buffer(int(self.lib.snd_ctl_card_info_sizeof()))
            if self.lib.snd_ctl_card_info(ctl, ctypes.addressof(info)) == 0:
                card["id"] = _text(self.lib.snd_ctl_card_info_get_id(ctypes.addressof(info)))
                card["driver"] = _text(
                    self.lib.snd_ctl_card_info_get_driver(ctypes.addressof(info))
                )
            pcm_info = ctypes.create_string_buffer(int(self.lib.snd_pcm_info_sizeof()))
            address = ctypes.addressof(pcm_info)
            device = _int(-1)
            while self.lib.snd_ctl_pcm_next_device(ctl, ctypes.byref(device)) == 0:
                if device.value < 0:
                    break
                self.lib.snd_pcm_info_set_device(address, device.value)
                self.lib.snd_pcm_info_set_subdevice(address, 0)
                self.lib.snd_pcm_info_set_stream(address, _SND_PCM_STREAM_PLAYBACK)
                if self.lib.snd_ctl_pcm_info(ctl, address) < 0:
                    continue  # a capture-only device
                devices.append(
                    _entry(
                        f"hw:{index},{device.value}",
                        _text(self.lib.snd_pcm_info_get_name(address))
                        or _text(self.lib.snd_pcm_info_get_id(address)),
                        "card",
                        card=index,
                        device=device.value,
                        subdevices=int(self.lib.snd_pcm_info_get_subdevices_count(address)),
                    )
                )
            self.messages.take()  # capture-only devices make alsa-lib complain; not news
            elds = self.elds(ctl.value, f"hw:{index}")
        finally:
            self.lib.snd_ctl_close(ctl)
        for entry in devices:
            eld = elds.get(entry["device"])
            entry["eld"] = None if eld is None else eld.hex()
        return card, devices

    def control(self, name: str) -> dict[str, Any]:
        """A control device named in the request, read as `_card` reads a card's."""
        entry: dict[str, Any] = {
            "name": name,
            "status": "error",
            "errno": None,
            "detail": "",
            "elds": [],
        }
        ctl = _vp()
        self.messages.take()
        code = self.lib.snd_ctl_open(ctypes.byref(ctl), name.encode(), 0)
        if code < 0:
            entry["status"] = _status(-code)
            entry["errno"] = -code
            entry["detail"] = "; ".join([self.lib.strerror(code), *self.messages.take()])
            return entry
        try:
            elds = self.elds(ctl.value, name)
        finally:
            self.lib.snd_ctl_close(ctl)
        entry["status"] = "ok"
        entry["detail"] = "; ".join(self.messages.take())
        entry["elds"] = [{"device": d, "eld": elds[d].hex()} for d in sorted(elds)]
        return entry

    def elds(self, ctl: int | None, label: str) -> dict[int, bytes]:
        """The ELD elements (iface PCM, name "ELD") of an open control device, by PCM
        device: b"" when no sink is connected. Failures are noted and the element skipped."""
        lib = self.lib
        elements = ctypes.create_string_buffer(int(lib.snd_ctl_elem_list_sizeof()))
        address = ctypes.addressof(elements)
        code = lib.snd_ctl_elem_list(ctl, address)  # no space yet: only the count
        if code < 0:
            self._note(f"{label}: snd_ctl_elem_list", code)
            return {}
        count = int(lib.snd_ctl_elem_list_get_count(address))
        if count == 0:
            return {}  # calloc(0) may be NULL, which alloc_space takes for ENOMEM
        code = lib.snd_ctl_elem_list_alloc_space(address, count)
        if code < 0:
            self._note(f"{label}: snd_ctl_elem_list_alloc_space", code)
            return {}
        found: dict[int, bytes] = {}
        try:
            code = lib.snd_ctl_elem_list(ctl, address)
            if code < 0:
                self._note(f"{label}: snd_ctl_elem_list", code)
                return {}
            element = ctypes.create_string_buffer(int(lib.snd_ctl_elem_id_sizeof()))
            for i in range(lib.snd_ctl_elem_list_get_used(address)):
                if (
                    lib.snd_ctl_elem_list_get_interface(address, i) != _SND_CTL_ELEM_IFACE_PCM
                    or lib.snd_ctl_elem_list_get_name(address, i) != b"ELD"
                ):
                    continue
                device = int(lib.snd_ctl_elem_list_get_device(address, i))
                lib.snd_ctl_elem_list_get_id(address, i, ctypes.addressof(element))
                eld = self._eld(ctl, ctypes.addressof(element), f"{label} ELD device {device}")
                if eld is not None:
                    found[device] = eld
        finally:
            lib.snd_ctl_elem_list_free_space(address)
        return found

    def _eld(self, ctl: int | None, element: int, label: str) -> bytes | None:
        """One ELD element's bytes, trimmed to its count; None (noted) when unreadable."""
        lib = self.lib
        info_buffer = ctypes.create_string_buffer(int(lib.snd_ctl_elem_info_sizeof()))
        info = ctypes.addressof(info_buffer)
        lib.snd_ctl_elem_info_set_id(info, element)
        code = lib.snd_ctl_elem_info(ctl, info)
        if code < 0:
            self._note(f"{label}: snd_ctl_elem_info", code)
            return None
        kind = int(lib.snd_ctl_elem_info_get_type(info))
        if kind != _SND_CTL_ELEM_TYPE_BYTES:
            self._note(f"{label}: type {_text(lib.snd_ctl_elem_type_name(kind))}, not BYTES")
            return None
        count = min(int(lib.snd_ctl_elem_info_get_count(info)), _ELEM_BYTES_MAX)
        value_buffer = ctypes.create_string_buffer(int(lib.snd_ctl_elem_value_sizeof()))
        value = ctypes.addressof(value_buffer)
        lib.snd_ctl_elem_value_set_id(value, element)
        code = lib.snd_ctl_elem_read(ctl, value)
        if code < 0:
            self._note(f"{label}: snd_ctl_elem_read", code)
            return None
        data = ctypes.string_at(lib.snd_ctl_elem_value_get_bytes(value), count)
        return data if any(data) else b""  # hdmi-codec zeroes it, HDA empties it: no sink

    def hinted(self) -> list[dict[str, Any]]:
        """The configuration's output PCMs, in the order alsa-lib lists them."""
        hints = _vp()
        code = self.lib.snd_device_name_hint(-1, b"pcm", ctypes.byref(hints))
        if code < 0:
            self._note("snd_device_name_hint", code)
            return []
        found: list[dict[str, Any]] = []
        try:
            array = ctypes.cast(hints, ctypes.POINTER(_vp))
            i = 0
            while array[i]:
                hint = array[i]
                i += 1
                name = self.lib.take_string(self.lib.snd_device_name_get_hint(hint, b"NAME"))
                description = self.lib.take_string(self.lib.snd_device_name_get_hint(hint, b"DESC"))
                direction = self.lib.take_string(self.lib.snd_device_name_get_hint(hint, b"IOID"))
                if not name or direction == "Input" or ":" in name or name in SKIPPED_HINTS:
                    continue
                if description:
                    description = " ".join(description.split())
                found.append(_entry(name, description or None, "config"))
        finally:
            self.lib.snd_device_name_free_hint(hints)
        self.messages.take()
        return found

    # ---- probing

    def probe(self, entry: dict[str, Any]) -> dict[str, Any]:
        pcm = _vp()
        self.messages.take()
        code = self.lib.snd_pcm_open(
            ctypes.byref(pcm), entry["name"].encode(), _SND_PCM_STREAM_PLAYBACK, _SND_PCM_NONBLOCK
        )
        if code < 0:
            return self._failed(entry, code)
        try:
            entry["pcm_type"] = _text(self.lib.snd_pcm_type_name(self.lib.snd_pcm_type(pcm)))
            entry["plugin"] = self._plugin(pcm.value)
            buffer = ctypes.create_string_buffer(self.lib.hw_params_size)
            code = self.lib.snd_pcm_hw_params_any(pcm, ctypes.addressof(buffer))
            if code < 0:
                return self._failed(entry, code)
            space = _HwSpace(self.lib, int(pcm.value or 0), self.formats, buffer)
            entry["configs"] = [
                {"format": c.format, "bits": c.bits, "channels": c.channels, "rates": c.rates}
                for c in combinations(space, formats=list(self.formats))
            ]
            entry["status"] = "ok"
        finally:
            self.lib.snd_pcm_close(pcm)
        entry["detail"] = "; ".join(self.messages.take())
        return entry

    def _failed(self, entry: dict[str, Any], code: int) -> dict[str, Any]:
        entry["status"] = _status(-code)
        entry["errno"] = -code
        entry["detail"] = "; ".join([self.lib.strerror(code), *self.messages.take()])
        return entry

    def _plugin(self, pcm: int | None) -> str | None:
        output = _vp()
        if self.lib.snd_output_buffer_open(ctypes.byref(output)) < 0:
            return None
        try:
            if self.lib.snd_pcm_dump(pcm, output) < 0:
                return None
            text = _vp()
            size = int(self.lib.snd_output_buffer_string(output, ctypes.byref(text)))
            if not text.value or not size:
                return None
            dump = ctypes.string_at(text.value, size).decode("utf-8", errors="replace")
            first = dump.splitlines()[0].strip() if dump.strip() else ""
            return first.rstrip(":").strip() or None
        finally:
            self.lib.snd_output_close(output)


def _entry(
    name: str,
    description: str | None,
    source: PcmSource,
    card: int | None = None,
    device: int | None = None,
    subdevices: int | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "source": source,
        "card": card,
        "device": device,
        "subdevices": subdevices,
        "pcm_type": None,
        "plugin": None,
        "status": "error",
        "errno": None,
        "detail": "",
        "configs": [],
        "eld": None,
    }


def worker(argv: Sequence[str]) -> int:
    """Probe, writing one JSON line per finding on stdout (the real one, whatever alsa-lib
    prints) as soon as it is known; see the module docstring for the protocol."""
    start = time.monotonic()
    library, names, ctls, skip, enumerate_all = LIBRARY, [], [], set(), True
    args = list(argv)
    while args:
        flag = args.pop(0)
        if flag == "--library" and args:
            library = args.pop(0)
        elif flag == "--pcm" and args:
            names.append(args.pop(0))
        elif flag == "--ctl" and args:
            ctls.append(args.pop(0))
        elif flag == "--skip" and args:
            skip.add(args.pop(0))
        elif flag == "--no-enumerate":
            enumerate_all = False
        else:
            print(
                "usage: python -m drivers.alsa_worker [--library L] [--no-enumerate]"
                " [--pcm NAME]... [--ctl NAME]... [--skip PCM]..."
            )
            return 2
    send = _sender(os.fdopen(os.dup(1), "w", encoding="utf-8"))
    os.dup2(2, 1)  # anything a plugin prints on stdout goes where its errors go
    try:
        lib = _Lib(library)
    except OSError as e:
        failure = {"kind": "library", "name": library, "detail": str(e)}
        send({"kind": "failure", "worker": WORKER_VERSION, "error": failure})
        return 3
    try:
        version = _text(lib.snd_asoundlib_version()) or ""
        send({"kind": "header", "worker": WORKER_VERSION, "library_version": version})
        messages = _Messages()
        work = _Worker(lib, messages, send)
        entries: list[dict[str, Any]] = []
        if enumerate_all:
            send({"kind": "start", "step": "cards"})
            for card, devices in work.cards():
                send({"kind": "card", "card": card})
                entries += devices
            send({"kind": "start", "step": "hints"})
            entries += work.hinted()
        seen = {e["name"] for e in entries}
        entries += [_entry(n, None, "request") for n in dict.fromkeys(names) if n not in seen]
        for entry in entries:
            if entry["name"] not in skip:
                send({"kind": "start", "pcm": entry})  # what the parent reports if it hangs
                send({"kind": "pcm", "pcm": work.probe(entry)})
        for name in dict.fromkeys(ctls):
            send({"kind": "start", "control": name})
            send({"kind": "control", "control": work.control(name)})
        elapsed = round((time.monotonic() - start) * 1000, 2)
        send({"kind": "end", "errors": messages.restore(), "elapsed_ms": elapsed})
    except Exception as e:  # reported as data; the parent keeps what came before it
        failure = {"kind": "internal", "detail": repr(e)}
        send({"kind": "failure", "worker": WORKER_VERSION, "error": failure})
    return 0


def _sender(stream: TextIO) -> Callable[[dict[str, Any]], None]:
    def send(line: dict[str, Any]) -> None:
        stream.write(json.dumps(line) + "\n")
        stream.flush()  # the parent sees it even if the next call never returns

    return send


if __name__ == "__main__":
    sys.exit(worker(sys.argv[1:]))
