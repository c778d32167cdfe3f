"""capprobe: finds out what a device can really play and writes a capability manifest."""

from importlib.metadata import version

__version__ = version("capprobe")
