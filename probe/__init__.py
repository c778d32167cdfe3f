"""capprobe: finds out what a device can really play and writes a capability manifest."""

__version__ = "0.1.0"  # the one place it is set: pyproject.toml reads it from here
