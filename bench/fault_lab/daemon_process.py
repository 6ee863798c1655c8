"""The real `smsbox daemon` in a child process, looked after as systemd would.

A child process, not a thread: a daemon that freezes can be seen and killed, and
`kill -9` is real. Like the unit in systemd/ (Restart=on-failure, RestartSec=5),
a daemon that exits non-zero by itself is started again after RESTART_DELAY.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

RESTART_DELAY = 5.0  # systemd/smsbox-daemon.service: RestartSec=5
MAX_RESTARTS = 20  # a crash loop is reported, not served forever
WATCH_INTERVAL = 0.1


def cli_command(config_path: Path, *arguments: str) -> list[str]:
    """`smsbox --config PATH ARGUMENTS...`: `python -m smsbox` when the package has a
    __main__, else the console script installed beside this interpreter (the same
    virtualenv)."""
    if importlib.util.find_spec("smsbox.__main__") is not None:
        program = [sys.executable, "-m", "smsbox"]
    else:
        program = [str(Path(sys.executable).with_name("smsbox"))]
    return [*program, "--config", str(config_path), *arguments]


def daemon_command(config_path: Path) -> list[str]:
    """The daemon's command; under cProfile, each thread's profile written to
    $SMSBOX_BENCH_PROFILE.<thread>.prof, when that variable is set (`profiled.py`)."""
    command = cli_command(config_path, "daemon")
    prefix = os.environ.get("SMSBOX_BENCH_PROFILE")
    if not prefix:
        return command
    program = command[1:] if command[0] == sys.executable else command
    return [sys.executable, str(Path(__file__).with_name("profiled.py")), prefix, *program]


@dataclass(frozen=True)
class Exit:
    """The daemon ending by itself: its status (negative: killed by that signal)."""

    returncode: int
    at: float

    def describe(self) -> str:
        if self.returncode < 0:
            return f"killed by {signal.Signals(-self.returncode).name}"
        return f"exit status {self.returncode}"


class DaemonProcess:
    def __init__(self, config_path: Path, log_path: Path):
        self.command = daemon_command(config_path)
        self.log_path = log_path
        self.unexpected_exits: list[Exit] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._restart_at: float | None = None
        self._watching = threading.Event()
        self._watcher: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            self._spawn()
        if self._watcher is None:
            self._watching.set()
            self._watcher = threading.Thread(target=self._watch, name="daemon-watch", daemon=True)
            self._watcher.start()

    def kill9(self) -> None:
        """SIGKILL, as a power cut or the OOM killer: nothing of the daemon runs after."""
        with self._lock:
            process = self._process
            self._process = None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()

    def restart_now(self) -> None:
        with self._lock:
            self._restart_at = None
            self._spawn()

    def stop(self, grace: float) -> bool:
        """SIGTERM, then SIGKILL if it has not ended within `grace` seconds.
        True when it stopped on SIGTERM (or had already ended)."""
        self._watching.clear()
        if self._watcher is not None:
            self._watcher.join()
            self._watcher = None
        with self._lock:
            process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return True
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
            return True
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return False

    @property
    def alive(self) -> bool:
        process = self._process
        return process is not None and process.poll() is None

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    @property
    def condition(self) -> str:
        if self.alive:
            return "alive"
        return "being restarted" if self._restart_at is not None else "not running"

    # -- inside ---------------------------------------------------------------------

    def _spawn(self) -> None:
        with self.log_path.open("ab") as log:
            log.write(f"--- {time.strftime('%H:%M:%S')} {' '.join(self.command)}\n".encode())
            log.flush()
            self._process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, env=_environment()
            )

    def _watch(self) -> None:
        while self._watching.is_set():
            with self._lock:
                self._look_after()
            time.sleep(WATCH_INTERVAL)

    def _look_after(self) -> None:
        process = self._process
        if process is not None and process.poll() is not None:
            self._process = None
            self.unexpected_exits.append(Exit(process.returncode, time.time()))
            # Restart=on-failure: a clean exit (status 0) stays down.
            if process.returncode != 0 and len(self.unexpected_exits) <= MAX_RESTARTS:
                self._restart_at = time.monotonic() + RESTART_DELAY
        if self._restart_at is not None and time.monotonic() >= self._restart_at:
            self._restart_at = None
            self._spawn()


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("SMSBOX_CONFIG", None)  # --config is given; nothing else may leak in
    environment["PYTHONUNBUFFERED"] = "1"
    return environment
