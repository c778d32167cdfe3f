"""A test rig of emulated audio outputs, built and started by the tests themselves.

- `alsa`: the `fakehw` ALSA plugin (fakehw.c, compiled with gcc on first use) and ALSA
  configurations declaring emulated playback devices with chosen rates, formats and
  channel ranges, loaded through ALSA_CONFIG_PATH; no kernel driver or sound card needed.
- `pulse`: a private PulseAudio daemon with null sinks of chosen sample specs, and the
  ALSA `pulse` PCMs that reach them.
"""
