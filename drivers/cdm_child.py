"""A throw-away child that loads one CDM library and asks it its version, nothing more.

Run as `python -m drivers.cdm_child [--user UID:GID] LIBRARY`; prints {"version": ...} on
success, or {"error": ...} when the dynamic linker refuses the library or it has no
GetCdmVersion. Loading runs the library's constructors, which is why this never happens in
capprobe's own process (drivers.cdm), and why with --user the child becomes that user
first: the interpreter may lie where only root can start it, the library may not.
Imports nothing from capprobe.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys


def main(args: list[str]) -> None:
    if args[0] == "--user":
        uid, gid = (int(n) for n in args[1].split(":"))
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        args = args[2:]
    library = args[0]
    try:
        handle = ctypes.CDLL(library, mode=ctypes.RTLD_LOCAL)
        get_version = handle.GetCdmVersion
    except (OSError, AttributeError) as e:
        print(json.dumps({"error": str(e)}))
        return
    get_version.restype = ctypes.c_char_p
    get_version.argtypes = []
    version = get_version()
    print(json.dumps({"version": version.decode("utf-8", "replace") if version else None}))


if __name__ == "__main__":
    main(sys.argv[1:])
