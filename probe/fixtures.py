"""The device profiles: snapshots of typical devices and the manifests capprobe makes of
them, for other teams' test suites (fixtures/profiles; fixtures/SOURCES.md says what each
file was made from).

    from probe import fixtures
    fixtures.names()                    # ["desktop-avr-eac3-joc", "headless-no-widevine", ...]
    fixtures.load("rpi4-usb-dac")       # its manifest.json, parsed
    fixtures.snapshot("rpi4-usb-dac")   # the directory `capprobe run --snapshot` replays

A manifest is exactly what `SOURCE_DATE_EPOCH=1764028800 capprobe run --snapshot DIR`
prints. After an intended change to what capprobe finds or decides, rewrite them all and
see what changed with:

    python -m probe.fixtures --regenerate
"""

from __future__ import annotations

import argparse
import difflib
import json
from pathlib import Path
from typing import Any

from drivers.files import Files, write_atomic

EPOCH = "1764028800"  # every manifest's SOURCE_DATE_EPOCH: 2025-11-25T00:00:00Z
MANIFEST = "manifest.json"
SNAPSHOT = "snapshot"
_TIMEOUT = 20.0  # `capprobe run`'s default
_FILES = Files()


def root() -> Path:
    """Where the profiles are: probe/profiles when capprobe is installed from a wheel
    (pyproject maps fixtures/profiles there), else fixtures/profiles beside probe/ in the
    source checkout, which an editable install also uses."""
    here = Path(__file__).resolve().parent
    installed = here / "profiles"
    return installed if _FILES.exists(str(installed)) else here.parent / "fixtures" / "profiles"


def names() -> list[str]:
    """Every profile, by name: each directory of the library that holds a snapshot."""
    top = root()
    return [n for n in _FILES.listdir(str(top)) if _FILES.exists(str(top / n / SNAPSHOT))]


def _profile(name: str) -> Path:
    known = names()
    if name not in known:
        raise LookupError(f"no device profile {name!r}; the profiles are {', '.join(known)}")
    return root() / name


def load(name: str) -> dict[str, Any]:
    """The profile's manifest, parsed; LookupError naming the known profiles otherwise."""
    manifest: dict[str, Any] = json.loads(_FILES.read_text(str(_profile(name) / MANIFEST)))
    return manifest


def snapshot(name: str) -> Path:
    """The profile's snapshot directory, for `capprobe run --snapshot` or drivers.snapshot."""
    return _profile(name) / SNAPSHOT


def render(name: str) -> str:
    """The manifest the profile's snapshot gives now, as `capprobe run --snapshot` prints
    it with SOURCE_DATE_EPOCH at EPOCH: through the same code, in this process."""
    from drivers.snapshot import open_snapshot
    from probe import manifest
    from probe.collect import Options, collect
    from probe.device_id import IdKey

    options = Options(
        IdKey.builtin(),
        None,
        _TIMEOUT,
        lambda: None,
        snapshot=open_snapshot(snapshot(name)),
        source_date_epoch=EPOCH,
    )
    return manifest.dumps(collect(options))


def difference(name: str, now: str) -> str:
    """A unified diff from the profile's manifest.json to `now`; "" when they are equal."""
    path = _profile(name) / MANIFEST
    before = _FILES.read_text(str(path)) if _FILES.exists(str(path)) else ""
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            now.splitlines(keepends=True),
            f"{name}/{MANIFEST}",
            f"{name}/{MANIFEST} (from its snapshot)",
        )
    )


def regenerate() -> dict[str, str]:
    """Rewrite every profile's manifest.json from its snapshot; the changed ones, with
    their diffs."""
    changed = {}
    for name in names():
        now = render(name)
        diff = difference(name, now)
        if diff:
            write_atomic(_profile(name) / MANIFEST, now.encode("utf-8"))
            changed[name] = diff
    return changed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m probe.fixtures", description="The device profiles capprobe ships."
    )
    parser.add_argument(
        "--regenerate",
        action="store_true",
        help="rewrite every manifest.json from its snapshot and print what changed",
    )
    arguments = parser.parse_args(argv)
    if not arguments.regenerate:
        print(f"{root()}:", *names(), sep="\n  ")
        return
    changed = regenerate()
    for diff in changed.values():
        print(diff, end="")
    print(f"{len(changed)} of {len(names())} manifests changed: {', '.join(changed) or 'none'}")


if __name__ == "__main__":
    main()
