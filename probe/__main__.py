"""`capprobe` and `python -m probe`.

`capprobe run` waits mostly for its audio children, and loading click and the rest of
capprobe takes about as long as they run; so on Linux they are started before that
loading (drivers.children), and the probes take them over.
"""

from __future__ import annotations

import sys

from drivers import children


def _probes_this_machine(args: list[str]) -> bool:
    """`run`, but not asking for help nor replaying a snapshot."""
    replays = any(a == "--snapshot" or a.startswith("--snapshot=") for a in args)
    return args[:1] == ["run"] and not replays and not {"-h", "--help"} & set(args)


def main() -> None:
    if sys.platform == "linux" and _probes_this_machine(sys.argv[1:]):
        children.start_linux_audio()
    from probe.cli import main as cli

    cli()


if __name__ == "__main__":
    main()
