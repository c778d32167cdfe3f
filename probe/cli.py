"""The command line: human messages go to stderr, machine output to stdout.

Exit codes: 0 done; 1 anything else; 2 usage error; 3 a --require'd token not granted;
4 the manifest could not be written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from drivers import host
from drivers.files import Files, NotARegularFile, replaceable, write_atomic
from drivers.snapshot import SnapshotError, open_snapshot
from probe import (
    __version__,
    display,
    explain,
    headers,
    language,
    locations,
    manifest,
    platform_facts,
    summary,
    tokens,
)
from probe.collect import InvalidSetting, Options, UnsupportedPlatform, collect
from probe.device_id import IdKey
from probe.models import DeviceId, Manifest, Policy

EXIT_FAILED, EXIT_USAGE, EXIT_NOT_GRANTED, EXIT_NOT_WRITTEN = 1, 2, 3, 4


def _say(message: str) -> None:
    click.echo(f"capprobe: {message}", err=True)


def _fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    _say(message)
    sys.exit(code)


def default_manifest_path() -> Path:
    info = host.host_info()
    location = locations.for_os(platform_facts.os_name(info.system), host.environ(), info.euid == 0)
    try:
        return Path(location.manifest())
    except LookupError as e:
        _fail(str(e), EXIT_USAGE)


def _load(path: str | None) -> Manifest:
    target = Path(path) if path else default_manifest_path()
    if not path and not Files().exists(str(target.absolute())):
        _fail(f"no manifest at {target}; run `capprobe run` first, or name one")
    try:
        return manifest.load(target)
    except manifest.ManifestError as e:
        _fail(str(e))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="capprobe")
def main() -> None:
    """Find out what this device can really play and write a capability manifest."""


@main.command()
@click.option(
    "--output",
    "-o",
    metavar="PATH",
    help="Where to write the manifest ('-' for stdout). Default: the platform's location, "
    "or CAPPROBE_MANIFEST.",
)
@click.option(
    "--id-key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A device maker's secret key (16 bytes or more) for the device-ID HMAC.",
)
@click.option(
    "--locale",
    "locale_",
    metavar="LOCALE",
    help="Use this locale (de_AT.UTF-8, de-AT) for Accept-Language.",
)
@click.option(
    "--require",
    "required",
    multiple=True,
    metavar="TOKEN",
    help="Exit 3 (after writing the manifest) unless this quality is granted; repeatable.",
)
@click.option(
    "--policy",
    type=click.Choice([p.value for p in Policy]),
    default=Policy.STRICT.value,
    show_default=True,
    help="strict counts only native, bit-perfect paths; lenient also counts paths through "
    "a resampling mixer and E-AC-3 JOC played as its bed alone, and says so.",
)
@click.option(
    "--image-style",
    type=click.Choice(display.IMAGE_STYLES),
    help="Send this amzn-image-style instead of the one the largest display calls for.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=3600),
    default=20.0,
    show_default=True,
    help="Seconds any one probe may take; probes run together, so this bounds the run.",
)
@click.option(
    "--snapshot",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="Replay this snapshot instead of probing the machine, which is not touched; the "
    "manifest goes to stdout unless --output says where.",
)
@click.option(
    "--check-load",
    is_flag=True,
    help="Load each CDM that fits this machine in a throw-away child and ask its version "
    "(as its owner when run as root); without it CDMs are only read.",
)
def run(
    output: str | None,
    id_key_file: Path | None,
    locale_: str | None,
    required: tuple[str, ...],
    policy: str,
    image_style: str | None,
    timeout: float,
    snapshot: Path | None,
    check_load: bool,
) -> None:
    """Probe this machine (or replay a snapshot) and write its manifest atomically."""
    known = tokens.names()
    for token in required:
        if token not in known:
            raise click.BadParameter(
                f"{token!r} is none of {', '.join(known)}", param_hint="--require"
            )
    key = IdKey.builtin()
    if id_key_file is not None:
        try:
            key = IdKey.vendor(Files().read_bytes(str(id_key_file.absolute()), limit=1 << 16))
        except OSError as e:
            raise click.BadParameter(
                f"cannot read {id_key_file}: {e.strerror or e}", param_hint="--id-key-file"
            ) from None
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--id-key-file") from None
    if locale_ is not None:
        try:
            language.parse_tag(locale_)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--locale") from None
    replay = None
    if snapshot is not None:
        try:
            replay = open_snapshot(snapshot)
        except SnapshotError as e:
            raise click.BadParameter(str(e), param_hint="--snapshot") from None
        output = output or "-"  # a replayed machine's manifest is not this machine's
    to_stdout = output == "-"
    try:
        target = replaceable(
            default_manifest_path() if output is None or to_stdout else Path(output)
        )
    except NotARegularFile as e:
        raise click.BadParameter(
            f"{e.filename} is not a regular file; the manifest is replaced atomically, so it "
            "goes only into regular files ('-' writes to stdout)",
            param_hint="--output",
        ) from None
    options = Options(
        key,
        locale_,
        timeout,
        lambda: _previous_id(target),
        check_load,
        image_style,
        Policy(policy),
        replay,
    )
    try:
        result = collect(options)
    except UnsupportedPlatform as e:
        _fail(str(e))
    except InvalidSetting as e:
        _fail(str(e), EXIT_USAGE)
    if to_stdout:
        click.echo(manifest.dumps(result), nl=False)
    else:
        try:
            manifest.write(result, target)
        except OSError as e:
            _fail(f"could not write the manifest to {target}: {e.strerror or e}", EXIT_NOT_WRITTEN)
        granted = ", ".join(result.capabilities.qualities) or "no quality granted"
        _say(f"wrote {target} ({granted})")
    missing = [t for t in dict.fromkeys(required) if t not in result.capabilities.qualities]
    for token in missing:
        decision = result.capabilities.decisions[token]
        _say(f"required {token} is not granted: {'; '.join(decision.reasons)}")
        if decision.changes:
            _say(f"  what would change it: {'; '.join(decision.changes)}")
    if missing:
        sys.exit(EXIT_NOT_GRANTED)


def _previous_id(path: Path) -> DeviceId | None:
    """The device ID of the manifest already at `path`, which a new run keeps if it can."""
    files = Files()
    where = str(path.absolute())
    if not files.exists(where):
        return None
    try:
        return manifest.load(path).device_id
    except manifest.ManifestError as e:
        aside = path.with_name(path.name + ".invalid")
        try:
            write_atomic(aside, files.read_bytes(where, limit=64 << 20))
            kept = f"kept it as {aside}"
        except OSError as err:
            kept = f"could not keep a copy ({err.strerror or err})"
        _say(f"the earlier manifest is not valid ({e}); {kept}; the device ID is made anew")
        return None


@main.command()
@click.argument("manifest_path", metavar="[MANIFEST]", required=False)
def show(manifest_path: str | None) -> None:
    """A readable summary of a manifest (default: this machine's)."""
    click.echo(summary.render(_load(manifest_path)), nl=False)


@main.command(name="explain")
@click.argument("manifest_path", metavar="[MANIFEST]", required=False)
def explain_command(manifest_path: str | None) -> None:
    """Every quality decision: granted or not, why, and what would change it."""
    click.echo(explain.render(_load(manifest_path)), nl=False)


@main.command(name="headers")
@click.argument("manifest_path", metavar="[MANIFEST]", required=False)
@click.option(
    "--format", "form", type=click.Choice(headers.FORMATS), default="http", show_default=True
)
def headers_command(manifest_path: str | None, form: str) -> None:
    """The request headers a client sends, for curl -H @file, JSON, shells or curl -K."""
    click.echo(headers.render(_load(manifest_path).headers, form), nl=False)


@main.command()
@click.argument("manifest_path", metavar="MANIFEST")
def validate(manifest_path: str) -> None:
    """Check a manifest against the schema; exit 1 with the failing paths if it is not valid."""
    _load(manifest_path)
    _say(f"{manifest_path}: a valid capprobe manifest, version {manifest.MANIFEST_VERSION}")


@main.command()
def schema() -> None:
    """Print the manifest's JSON Schema (draft 2020-12)."""
    click.echo(manifest.schema_text(), nl=False)


class _RecordByDefault(click.Group):
    """`capprobe snapshot DIR` is `capprobe snapshot record DIR`; a subcommand's name (or
    help) picks that subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["record", *args]
        return super().parse_args(ctx, args)


@main.group(cls=_RecordByDefault)
def snapshot() -> None:
    """Snapshots: what a probe read, which `capprobe run --snapshot DIR` replays.
    `capprobe snapshot DIR` records this machine into DIR."""


@snapshot.command(name="record")
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=3600),
    default=20.0,
    show_default=True,
    help="Seconds any one probe may take, as for run.",
)
def record_command(directory: Path, timeout: float) -> None:
    """Probe this machine as run does and keep, in DIR (which must not exist or be empty),
    everything the probes read and were told, without MAC addresses, user names, host names
    or machine identifiers. No manifest is written."""
    from probe.scrub import ScrubError
    from probe.snapshot_record import record

    options = Options(IdKey.builtin(), None, timeout, lambda: None)
    try:
        done = record(directory, options)
    except (SnapshotError, ScrubError) as e:
        _fail(f"{directory}: {e}")
    except UnsupportedPlatform as e:
        _fail(str(e))
    _say(done.line())


@snapshot.command(name="import-alsa-info")
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
def import_alsa_info(report: Path, directory: Path) -> None:
    """Turn an alsa-info.sh report (as pasted in a mail or an issue) into a snapshot in DIR,
    which must not exist or be empty."""
    from probe.alsa_info_import import import_report
    from probe.parsers.alsa_info import AlsaInfoError

    try:
        data = Files().read_bytes(str(report.absolute()), limit=16 << 20)
    except OSError as e:
        _fail(f"cannot read {report}: {e.strerror or e}")
    try:
        done = import_report(data.decode("utf-8", errors="replace"), directory)
    except (AlsaInfoError, SnapshotError) as e:
        _fail(f"{report}: {e}")
    _say(done.line())
