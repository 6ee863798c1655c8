"""The real `smsbox daemon` in a child process, serving N simulated modems, for the
benchmarks that look at the daemon from outside (its memory, how fast it reacts).

A child process, not a thread: its memory is its own, and what queues a message
(this process, like the CLI or the web server) is not the daemon.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from web_seed import copy_seeded

from fault_lab.daemon_process import DaemonProcess
from modem.sim import SimulatedModem
from smsbox.config import Config, load_config
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Modem
from smsbox.setup import initialise

READY_TIMEOUT = 60.0
STOP_GRACE = 15.0


@dataclass
class IdleDaemon:
    config: Config
    sessions: sessionmaker[Session]
    sims: list[SimulatedModem]
    process: DaemonProcess

    def memory(self) -> dict[str, int]:
        """The daemon's VmHWM (peak resident set) and VmRSS, in kB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="ascii")
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return {name: int(fields[name].split()[0]) for name in ("VmHWM", "VmRSS")}


@contextmanager
def idle_daemon(
    modems: int, *, transcripts: bool = False, seeded: Path | None = None, role: str = "both"
) -> Iterator[IdleDaemon]:
    """A daemon serving `modems` simulated modems of this `role`, connected and idle
    (each modem's first signal poll done) when the block starts; on a copy of the
    database in the data directory `seeded` (`web_seed.prepared`), else a new one."""
    with tempfile.TemporaryDirectory(prefix="smsbox-bench-") as scratch, ExitStack() as stack:
        base = Path(scratch)
        if seeded is not None:
            copy_seeded(seeded, base / "data")
        config_path = base / "smsbox.toml"
        config_path.write_text(_config_text(base, modems, role), encoding="utf-8")
        config = load_config(config_path)
        initialise(config)
        engine = make_engine(config.database_url)
        stack.callback(engine.dispose)
        sims = [
            stack.enter_context(
                SimulatedModem(
                    modem.device,
                    transcript=base / f"{modem.name}.log" if transcripts else None,
                )
            )
            for modem in config.modems
        ]
        process = DaemonProcess(config_path, base / "daemon.log")
        process.start()
        stack.callback(process.stop, STOP_GRACE)
        daemon = IdleDaemon(config, make_session_factory(engine), sims, process)
        _wait_until_serving(daemon, modems)
        yield daemon


def _config_text(base: Path, modems: int, role: str) -> str:
    sections = "".join(
        f'\n[[modem]]\nname = "sim{number}"\ndevice = "{base / f"modem{number}"}"\n'
        f'role = "{role}"\n'
        for number in range(modems)
    )
    return f'data_dir = "data"\n\n[messaging]\ndefault_region = "FR"\n{sections}'


def _wait_until_serving(daemon: IdleDaemon, modems: int) -> None:
    # Its own modems: a seeded database has others, ready as last seen.
    names = [modem.name for modem in daemon.config.modems]
    give_up_at = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < give_up_at:
        if not daemon.process.alive:
            raise RuntimeError(f"the daemon ended: see {daemon.process.log_path}")
        with daemon.sessions() as session:
            serving = session.scalars(
                select(Modem).where(
                    Modem.name.in_(names),
                    Modem.state == "ready",
                    Modem.signal_quality.is_not(None),
                )
            ).all()
        if len(serving) == modems:
            return
        time.sleep(0.1)
    raise RuntimeError(f"the daemon was not serving its modems after {READY_TIMEOUT:g} s")
