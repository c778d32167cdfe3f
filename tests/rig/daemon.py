"""The lifecycle the rig's private daemons share: started with their output in a log file,
waited for until they answer, stopped by their own PID, never anyone else's."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

START_TIMEOUT = 10.0


class Daemon:
    """Subclasses say how to start (`argv`, `env`, `prepare`), when the daemon is ready
    (`ready`) and what to do once it is (`configure`)."""

    name = "daemon"

    def __init__(self, log: Path) -> None:
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        raise NotImplementedError

    def argv(self) -> list[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        """Write what the daemon reads at start-up."""

    def ready(self) -> bool:
        raise NotImplementedError

    def configure(self) -> None:
        """Set what can only be set once it runs."""

    def start(self) -> None:
        self.prepare()
        self._log = open(self.log, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            self.argv(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            env=self.env,
            start_new_session=True,  # a Ctrl-C in the terminal is pytest's, not the daemon's
        )
        try:
            self._wait_ready()
            self.configure()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"{self.name} exited with {code}: {self.log_tail()}")
            if self.ready():
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} was not ready within {START_TIMEOUT} s: {self.log_tail()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def client(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a client tool (pactl, pw-dump, ...) against this daemon, in its environment."""
        result = subprocess.run(
            list(argv), capture_output=True, text=True, env=self.env, timeout=10, check=False
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:3])} failed: {result.stderr.strip()}")
        return result

    def log_tail(self, lines: int = 10) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return " | ".join(text.strip().splitlines()[-lines:])
