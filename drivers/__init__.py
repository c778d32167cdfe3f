"""The only code that touches the operating system.

Each module is one backend and returns plain data; `probe/` interprets it. Readers take a
`Files` whose root is either the live system ("/") or a snapshot directory mirroring it.
"""
