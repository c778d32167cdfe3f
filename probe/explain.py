"""`capprobe explain`: every quality decision as a support engineer reads it: granted or
not, why, and what would change it; then where each optional header came from."""

from __future__ import annotations

from probe import tokens
from probe.models import Decision, Manifest


def render(m: Manifest) -> str:
    caps = m.capabilities
    granted = ", ".join(caps.qualities) or "none"
    lines = [
        f"{len(caps.qualities)} of {len(caps.decisions)} qualities granted under the "
        f"{caps.policy.value} policy: {granted}",
    ]
    summaries = {spec.token: spec.summary for spec in tokens.table()}
    for token, decision in ordered(caps.decisions):
        lines += ["", *decision_lines(token, decision, summaries.get(token))]
    lines += ["", "Headers:"]
    for name, why in header_reasons(m).items():
        value = m.headers.get(name)
        lines.append(f"  {name}: {value}" if value else f"  {name}: left out")
        lines.append(f"    {why}")
    return "\n".join(lines) + "\n"


def header_reasons(m: Manifest) -> dict[str, str]:
    """Where each header's value (or its absence) comes from, in the order a client sends
    them."""
    widevine = m.drm.widevine
    found = f"{len(widevine.cdms)} found, none usable" if widevine.cdms else "none found"
    drm = "a usable Widevine CDM" if widevine.usable else f"no usable Widevine CDM ({found})"
    granted = m.capabilities.qualities
    device = (
        f"{m.device_id.scheme} from {m.device_id.source.interface or m.device_id.source.kind}"
        if m.device_id
        else "no device ID: see the device_id probe"
    )
    locale = m.locale
    return {
        "X-Amzn-Audio-Device-Capability": "the qualities granted above"
        if granted
        else "no quality granted",
        "X-Amzn-Audio-DRMType": drm,
        "X-Amzn-Device-Id": device,
        "Accept-Language": f"{locale.reason} (from {locale.source})",
        "amzn-image-style": m.display.reason,
    }


def decision_lines(token: str, decision: Decision, summary: str | None) -> list[str]:
    head = f"{token}: {'granted' if decision.granted else 'NOT granted'}"
    lines = [head + (f" ({summary})" if summary else "")]
    lines.append("  why:")
    lines += [f"    - {reason}" for reason in decision.reasons]
    if decision.changes:
        lines.append("  what would change it:")
        lines += [f"    - {change}" for change in decision.changes]
    return lines


def ordered(decisions: dict[str, Decision]) -> list[tuple[str, Decision]]:
    """In the token table's order (a loaded manifest's keys are sorted), then any token
    this version of capprobe does not know."""
    known = tokens.names()
    rank = {token: i for i, token in enumerate(known)}
    return sorted(decisions.items(), key=lambda item: (rank.get(item[0], len(known)), item[0]))
