"""How long `capprobe run` takes against `python -c "import sounddevice"`, measured in the
same script on the same machine, with 1, 8 and 32 emulated ALSA devices (tests/rig).

Targets (issue 3): with 8 devices, `capprobe run` at most 1.5x the import; from 1 to 32
devices, its time grows by less than 2x. Usage: .venv/bin/python bench/run_vs_import.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.rig import alsa as rig

REPEATS = 11


def seconds(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def medians(baseline: list[str], run: list[str], env: dict[str, str]) -> tuple[float, float]:
    """The two commands alternate, so a slow moment of the machine falls on both."""
    pairs = [(seconds(baseline, env), seconds(run, env)) for _ in range(REPEATS)]
    return statistics.median(b for b, _ in pairs), statistics.median(r for _, r in pairs)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        the_rig = rig.Rig(rig.build_plugin(root / "build"), root / "configs")
        rows = []
        for count in (1, 8, 32):
            devices = [
                rig.FakeDevice(f"bench_dac_{n}", f"Bench DAC {n}", rates=(44100, 48000, 96000))
                for n in range(count)
            ]
            env = the_rig.setup(devices).environ()
            env["CAPPROBE_MANIFEST"] = str(root / "manifest.json")
            # as an installed package runs: pip compiles its bytecode once, so must we
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            subprocess.run([sys.executable, "-m", "probe", "--version"], env=env, check=True)
            baseline, run = medians(
                [sys.executable, "-c", "import sounddevice"],
                [sys.executable, "-m", "probe", "run", "--output", "-"],
                env,
            )
            rows.append((count, baseline, run))
        print(f"{'devices':>7} {'import sounddevice':>19} {'capprobe run':>13} {'ratio':>6}")
        for count, base, run in rows:
            print(f"{count:>7} {base * 1e3:>16.0f} ms {run * 1e3:>10.0f} ms {run / base:>6.2f}")
        growth = rows[-1][2] / rows[0][2]
        eight = rows[1][2] / rows[1][1]
        print(f"8 devices: {eight:.2f}x the import (target <= 1.5)")
        print(f"1 -> 32 devices: {growth:.2f}x (target < 2)")


if __name__ == "__main__":
    main()
