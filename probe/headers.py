"""The request headers a client sends, and the forms `capprobe headers` prints them in."""

from __future__ import annotations

import json
import shlex

from probe.models import Capabilities, DeviceId, Display, Locale

FORMATS = ("http", "json", "env", "curl")


def build(
    device_id: DeviceId | None, locale: Locale, capabilities: Capabilities, display: Display
) -> dict[str, str]:
    """Only headers with a value: a client sends nothing for what the device cannot do."""
    headers: dict[str, str] = {}
    if capabilities.qualities:
        headers["X-Amzn-Audio-Device-Capability"] = ",".join(capabilities.qualities)
    if capabilities.drm_types:
        headers["X-Amzn-Audio-DRMType"] = ",".join(capabilities.drm_types)
    if device_id is not None:
        headers["X-Amzn-Device-Id"] = device_id.value
    headers["Accept-Language"] = locale.accept_language
    if display.image_style:
        headers["amzn-image-style"] = display.image_style
    return headers


def render(headers: dict[str, str], form: str) -> str:
    """http: `Name: value` lines for `curl -H @file`; json: an object; env: shell
    assignments for `source` (X-Amzn-Device-Id becomes X_AMZN_DEVICE_ID); curl: a config
    file for `curl -K file`."""
    if form == "http":
        return "".join(f"{name}: {value}\n" for name, value in headers.items())
    if form == "json":
        return json.dumps(headers, indent=2) + "\n"
    if form == "env":
        return "".join(
            f"export {name.upper().replace('-', '_')}={shlex.quote(value)}\n"
            for name, value in headers.items()
        )
    if form == "curl":
        return "".join(
            f'header = "{name}: {_curl_escape(value)}"\n' for name, value in headers.items()
        )
    raise ValueError(f"unknown header format {form!r}; choose from {', '.join(FORMATS)}")


def _curl_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
