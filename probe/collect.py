"""One run: the platform's probes, run together, assembled into a manifest."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources

from drivers import host
from drivers.files import Files
from probe import (
    __version__,
    audio,
    decoders,
    framework,
    headers,
    language,
    linux,
    platform_facts,
    widevine,
)
from probe.cdm_locations import home_relative
from probe.device_id import IdKey
from probe.linux_widevine import CdmSearch
from probe.manifest import MANIFEST_VERSION
from probe.models import (
    Capabilities,
    Decision,
    DeviceId,
    Display,
    Drm,
    Generator,
    Manifest,
    Platform,
    Policy,
    ProbeRecord,
    Status,
    Widevine,
)

# Sections that later versions fill; until then the manifest says plainly that nothing looked.
NOT_YET_PROBED = {
    "display": "displays",
}


class UnsupportedPlatform(Exception):
    pass


class InvalidSetting(ValueError):
    """An environment setting the run cannot honour, such as a malformed SOURCE_DATE_EPOCH."""


@dataclass(frozen=True)
class Options:
    key: IdKey
    locale: str | None
    timeout: float
    # The earlier manifest's device ID, read (and checked) on the device-ID probe's thread.
    previous_id: Callable[[], DeviceId | None]
    # Load each CDM that may fit in a throw-away child, to ask it its version.
    check_load: bool = False


@cache
def token_table() -> list[dict[str, str]]:
    text = (resources.files("probe") / "data" / "tokens.json").read_text("utf-8")
    tokens: list[dict[str, str]] = json.loads(text)["tokens"]
    return tokens


def generated_at(env: Mapping[str, str]) -> tuple[str, bool]:
    """The manifest's timestamp and whether the run is reproducible (SOURCE_DATE_EPOCH set)."""
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        try:
            moment = datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            raise InvalidSetting(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds"
            ) from None
        reproducible = True
    else:
        moment, reproducible = host.now(), False
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), reproducible


def collect(options: Options, files: Files | None = None) -> Manifest:
    files = files or Files()
    env = host.environ()
    info = host.host_info()
    stamp, reproducible = generated_at(env)
    os_name = platform_facts.os_name(info.system)
    if os_name != "linux":
        raise UnsupportedPlatform(
            f"capprobe {__version__} probes Linux only; the {os_name or info.system} probe module "
            "is not written yet"
        )
    probes = linux.probes(
        files,
        info,
        env,
        options.key,
        options.previous_id,
        options.locale,
        host.random_hex(32),
        options.timeout,
        options.check_load,
    )
    results = framework.run(probes.all(), options.timeout, timed=not reproducible)
    platform = results.get(probes.platform).facts or Platform("linux", None, None, None, None, None)
    device_id = results.get(probes.device_id).facts
    locale = results.get(probes.locale).facts or language.choose([])
    outputs, mixer = audio.merge(
        audio.AudioFacts(
            alsa=results.get(probes.alsa).facts,
            procfs=results.get(probes.procfs).facts,
            portaudio=results.get(probes.portaudio).facts,
            server=results.get(probes.server).facts,
            edids=results.get(probes.drm).facts or {},
        )
    )
    records = results.records + [
        ProbeRecord(
            name,
            Status.ABSENT,
            f"not probed: capprobe {__version__} has no probe for {what} yet",
            None if reproducible else 0.0,
        )
        for name, what in NOT_YET_PROBED.items()
    ]
    records.sort(key=lambda r: r.name)
    capabilities = _capabilities_not_evaluated()
    display = Display([], None)
    return Manifest(
        manifest_version=MANIFEST_VERSION,
        generator=Generator("capprobe", __version__),
        generated_at=stamp,
        platform=platform,
        device_id=device_id,
        audio_outputs=outputs,
        mixer=mixer,
        drm=Drm(_widevine(results.get(probes.widevine).facts, platform)),
        decoders=decoders.interpret(results.get(probes.decoders).facts, outputs),
        locale=locale,
        display=display,
        capabilities=capabilities,
        headers=headers.build(device_id, locale, capabilities, display),
        probes=records,
    )


def _widevine(found: CdmSearch | None, platform: Platform) -> Widevine:
    cdms = (
        [widevine.judge(f, platform, home_relative(f.path, f.home)) for f in found.files]
        if found
        else []
    )
    return widevine.summarise(cdms)


def _capabilities_not_evaluated() -> Capabilities:
    reason = (
        "not evaluated: without the Widevine and decoder probes and the rules (not in "
        f"capprobe {__version__}) no quality can be granted"
    )
    decisions = {t["token"]: Decision(False, [reason]) for t in token_table()}
    return Capabilities([], [], Policy.STRICT, decisions)
