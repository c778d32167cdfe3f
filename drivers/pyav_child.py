"""The PyAV child: `python -m drivers.pyav_child`, run by drivers.pyav.

`import av` loads PyAV's own FFmpeg libraries (bundled in its wheel, or the system's when
built from source): a broken or mismatched build can crash the interpreter, so it is asked
in a throw-away process. Answers one JSON document on stdout: PyAV's version, its
libavcodec's version and the names of its audio decoders. Without PyAV: a message on
stderr, exit status 3.
"""

from __future__ import annotations

import json
import sys
from typing import Any

NOT_INSTALLED = 3


def gather() -> dict[str, Any]:
    import av

    decoders = []
    for name in sorted(av.codecs_available):  # encoders' and decoders' names
        try:
            codec = av.Codec(name, "r")
        except ValueError:  # UnknownCodecError: only an encoder has this name
            continue
        if codec.type == "audio":
            decoders.append(name)
    libavcodec = ".".join(str(n) for n in av.library_versions["libavcodec"])
    return {"version": av.__version__, "libavcodec": libavcodec, "audio_decoders": decoders}


def main() -> int:
    try:
        found = gather()
    except ModuleNotFoundError as e:
        if e.name != "av":
            raise  # PyAV is there but broken: a crash, with its traceback on stderr
        print("PyAV (the av module) is not installed", file=sys.stderr)
        return NOT_INSTALLED
    json.dump(found, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
