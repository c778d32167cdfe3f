"""The manifest (version 1) as typed objects; `schema/manifest-v1.json` describes the same shape.

Every field here is a key of the JSON document, and `tests/test_schema.py` checks that the
two stay in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    OK = "ok"
    ABSENT = "absent"
    DENIED = "denied"
    TIMEOUT = "timeout"
    ERROR = "error"
    SKIPPED = "skipped"
    NOT_APPLICABLE = "not_applicable"


class Transport(StrEnum):
    HDMI = "hdmi"
    DISPLAYPORT = "displayport"
    USB = "usb"
    SPDIF = "spdif"
    ANALOG = "analog"
    I2S = "i2s"
    BLUETOOTH = "bluetooth"
    VIRTUAL = "virtual"
    UNKNOWN = "unknown"


class IdKind(StrEnum):
    MAC = "mac"
    BOARD_SERIAL = "board-serial"
    DMI_PRODUCT_UUID = "dmi-product-uuid"
    MACHINE_ID = "machine-id"
    GENERATED = "generated"


class IdHistory(StrEnum):
    NEW = "new"  # no earlier manifest
    KEPT = "kept"  # the earlier manifest's ID still belongs to this machine
    REPLACED = "replaced"  # the earlier ID belongs to no source here: a cloned image, or a new key


class Policy(StrEnum):
    STRICT = "strict"
    LENIENT = "lenient"


@dataclass
class Generator:
    name: str
    version: str


@dataclass
class Libc:
    name: str  # "glibc", "musl", ...
    version: str | None


@dataclass
class Platform:
    os: str  # "linux", "macos", "windows"
    arch: str | None  # the kernel's machine: "x86_64", "aarch64", "armv7l", ...
    userspace_bits: int | None  # 32 on a 32-bit userspace even under a 64-bit kernel
    libc: Libc | None
    kernel: str | None
    board_model: str | None


@dataclass
class DeviceIdSource:
    kind: IdKind
    interface: str | None  # the network interface whose MAC was hashed
    permanent: bool | None  # whether that MAC is the interface's permanent one
    selection: str  # how the source was chosen, in plain words
    history: IdHistory
    notes: list[str] = field(default_factory=list)


@dataclass
class DeviceId:
    value: str  # 64 lower-case hex digits
    scheme: str  # e.g. "hmac-sha256:v1:builtin-key"
    source: DeviceIdSource


@dataclass
class AudioConfig:
    """One set of accepted combinations: every format x channel count x rate in it works."""

    format: str  # the ALSA format name, on every OS
    bits: int  # valid bits carried (24 for S32_LE with 24 valid bits)
    channels: list[int]
    rates: list[int]


@dataclass
class SinkCoding:
    type: str  # the CTA-861 name: "LPCM", "AC-3", "E-AC-3", "MAT", "MPEG-H 3D Audio", ...
    channels: int | None  # None where the descriptor carries no count (MPEG-H, AC-4)
    rates: list[int]
    bits: list[int]
    joc: bool | None  # E-AC-3 with Joint Object Coding, where the sink says


@dataclass
class Sink:
    monitor_name: str | None
    codings: list[SinkCoding]


@dataclass
class AudioOutput:
    id: str  # stable, e.g. "alsa:hw:1,0"
    name: str
    transport: Transport
    is_default: bool
    native: bool  # False when reached only through a resampling mixer
    busy: bool
    configs: list[AudioConfig]
    max_rate: int | None
    max_bits: int | None
    max_channels: int | None
    sink: Sink | None
    sources: list[str]


@dataclass
class Mixer:
    server: str | None  # "PipeWire", "PulseAudio", "CoreAudio", "WASAPI shared", "none"
    rate: int | None
    resamples: bool | None


@dataclass
class CdmDeclared:
    """What a CDM's manifest.json declares: the `x-cdm-*` keys browsers read."""

    codecs: list[str]
    encryption_schemes: list[str]
    persistent_license: bool | None
    module_versions: list[str]
    interface_versions: list[str]
    host_versions: list[str]


@dataclass
class CdmLoad:
    """What loading the library in a throw-away child said (`run --check-load`)."""

    loaded: bool
    version: str | None  # GetCdmVersion's answer
    error: str | None


@dataclass
class Cdm:
    owner: str  # the consumer: "Google Chrome", "Firefox", "Kodi", "system package", ...
    origin: str  # "bundled", "component", "gmp", "kodi", "package", "vendor"
    path: str  # the library; "~" stands for the home of `user`
    user: int | None  # the uid whose home holds it; None outside homes
    version: str | None
    version_source: str | None  # "manifest.json", "directory" or "binary"
    format: str | None  # "elf", "mach-o", "pe"
    arch: str | None  # as Platform.arch names machines; slices joined by "+" when fat
    bits: int | None
    glibc_required: str | None  # the newest GLIBC_x.y version it links against
    declared: CdmDeclared | None  # None without a readable manifest.json
    load: CdmLoad | None  # None unless --check-load loaded it
    notes: list[str]
    compatible: bool
    why_not: str | None


@dataclass
class Widevine:
    cdms: list[Cdm]
    usable: bool


@dataclass
class Drm:
    widevine: Widevine


@dataclass
class CodecSupport:
    decode: list[str]
    render_objects: list[str]
    passthrough: list[str]


@dataclass
class Decoders:
    opus: CodecSupport
    flac: CodecSupport
    eac3: CodecSupport
    eac3_joc: CodecSupport
    ac4: CodecSupport
    truehd: CodecSupport
    mpegh: CodecSupport


@dataclass
class Locale:
    accept_language: str  # one of the 14 codes the API supports
    system: str | None  # the locale setting that decided, e.g. "de_AT.UTF-8"
    source: str  # where that setting came from: "LANG", "/etc/locale.conf", "--locale", ...
    match: str  # "exact", "language", "region" or "default"
    reason: str


@dataclass
class Screen:
    name: str  # where it is attached: the DRM connector ("HDMI-A-1"), framebuffer, ...
    monitor_name: str | None  # what the display calls itself (its EDID), where it says
    width: int  # its preferred (native) mode, in pixels
    height: int


@dataclass
class Display:
    screens: list[Screen]  # the connected ones, largest first
    image_style: str | None  # "SL500" ... "SL30"; None on a headless device
    reason: str  # why this style (or none), in plain words


@dataclass
class Decision:
    granted: bool
    reasons: list[str]  # one per requirement, unmet ones first, each in plain words
    changes: list[str]  # what would change it: what to add, or what it rests on


@dataclass
class Capabilities:
    qualities: list[str]  # the granted tokens, in table order
    drm_types: list[str]
    policy: Policy
    decisions: dict[str, Decision]


@dataclass
class ProbeRecord:
    name: str
    status: Status
    detail: str
    ms: float | None  # None when SOURCE_DATE_EPOCH asks for reproducible output


@dataclass
class Manifest:
    manifest_version: int
    generator: Generator
    generated_at: str
    platform: Platform
    device_id: DeviceId | None  # None only when the device-ID probe failed; see `probes`
    audio_outputs: list[AudioOutput]
    mixer: Mixer
    drm: Drm
    decoders: Decoders
    locale: Locale
    display: Display
    capabilities: Capabilities
    headers: dict[str, str]
    probes: list[ProbeRecord]
