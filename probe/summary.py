"""`capprobe show`: a manifest as a person reads it."""

from __future__ import annotations

from probe.models import Manifest


def render(m: Manifest) -> str:
    p = m.platform
    libc = f"{p.libc.name} {p.libc.version or '?'}" if p.libc else "unknown C library"
    lines = [
        f"capprobe manifest v{m.manifest_version}, made {m.generated_at} by "
        f"{m.generator.name} {m.generator.version}",
        f"Platform:   {p.os} {p.arch or '?'}, {p.userspace_bits or '?'}-bit userspace, {libc}, "
        f"kernel {p.kernel or '?'}" + (f", {p.board_model}" if p.board_model else ""),
    ]
    if m.device_id:
        src = m.device_id.source
        origin = f"interface {src.interface}" if src.interface else src.kind.value
        lines.append(f"Device ID:  {m.device_id.value} ({m.device_id.scheme})")
        lines.append(f"            {src.history.value}, from {origin}: {src.selection}")
        lines += [f"            note: {n}" for n in src.notes]
    else:
        lines.append("Device ID:  none (see the device_id probe below)")
    loc = m.locale
    setting = f"{loc.source}={loc.system}" if loc.system else loc.source
    lines.append(f"Language:   {loc.accept_language} (from {setting}; {loc.reason})")
    lines.append(f"Outputs:    {len(m.audio_outputs)}")
    for o in m.audio_outputs:
        flags = ", ".join(
            w
            for w, on in (("default", o.is_default), ("busy", o.busy), ("via mixer", not o.native))
            if on
        )
        best = f"up to {o.max_bits or '?'}-bit/{o.max_rate or '?'} Hz, {o.max_channels or '?'} ch"
        lines.append(
            f"  {o.id}: {o.name} [{o.transport.value}] {best}" + (f" ({flags})" if flags else "")
        )
    widevine = m.drm.widevine
    usable = "usable" if widevine.usable else "not usable"
    lines.append(f"Widevine:   {usable}, {len(widevine.cdms)} CDM(s) found")
    granted = ", ".join(m.capabilities.qualities) or "none"
    lines.append(
        f"Qualities:  {granted} ({m.capabilities.policy.value} policy; `capprobe explain` says why)"
    )
    lines.append(f"Display:    {m.display.image_style or 'no image style'} ({m.display.reason})")
    lines.append("Headers:")
    lines += [f"  {k}: {v}" for k, v in m.headers.items()]
    lines.append("Probes:")
    for r in m.probes:
        took = f" ({r.ms:g} ms)" if r.ms is not None else ""
        lines.append(f"  {r.name:<14} {r.status.value:<14} {r.detail}{took}")
    return "\n".join(lines) + "\n"
