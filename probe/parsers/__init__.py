"""Parsers of what the kernel and tools print: pure functions from text or bytes to data."""
